package dunning_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/workflows/dunning"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

var (
	start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	org   = uuid.MustParse("0b9f6a4e-3c1d-4a57-9f51-2d7c1e0a6b11")
	input = dunning.Input{OrgID: org, SubscriptionID: "sub_renewal", Schedule: dunning.DefaultSchedule}
	day   = dunning.Day
)

// fakes stands in for the database and Stripe, and notes what the workflow asked of them
// and when (in skipped time, from the start).
type fakes struct {
	mu      sync.Mutex
	env     *testsuite.TestWorkflowEnvironment
	notices []string // "kind invoice/reminder @day"
	retries []string // "invoice event @day"
	graces  []time.Duration

	noticeErr error
	retryErr  error
	graceErr  error
	// paidMeanwhile: Stripe has the invoices paid when the grace ends.
	paidMeanwhile bool
	// onNotice runs as a notice is sent (outside the lock).
	onNotice func(dunning.Notice)
}

func (f *fakes) at() time.Duration { return f.env.Now().Sub(start) }

func days(d time.Duration) string {
	if d%day == 0 {
		return fmt.Sprintf("@%dd", d/day)
	}
	return "@" + d.String()
}

func (f *fakes) Notice(_ context.Context, n dunning.Notice) error {
	if f.onNotice != nil {
		f.onNotice(n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noticeErr != nil {
		return f.noticeErr
	}
	what := n.InvoiceID
	if n.Kind == dunning.NoticeReminder {
		what = fmt.Sprintf("%d (%d days left)", n.Reminder, n.DaysLeft)
	}
	f.notices = append(f.notices, n.Kind+" "+what+" "+days(f.at()))
	return nil
}

func (f *fakes) Retry(_ context.Context, r dunning.Retry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retries = append(f.retries, r.InvoiceID+" "+r.EventID+" "+days(f.at()))
	return f.retryErr
}

func (f *fakes) EndGrace(_ context.Context, g dunning.GraceEnd) (dunning.GraceOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.graces = append(f.graces, f.at())
	if f.graceErr != nil {
		return dunning.GraceOutcome{}, f.graceErr
	}
	return dunning.GraceOutcome{Paid: f.paidMeanwhile}, nil
}

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *fakes) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	f := &fakes{env: env}
	dunning.Register(env, f)
	return env, f
}

// signal sends a signal at (after the start), as the webhook would.
func signal(env *testsuite.TestWorkflowEnvironment, at time.Duration, name string, arg any) {
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(name, arg) }, at)
}

// failed starts a dunning as the first failed payment's webhook does (signal-with-start).
func failed(env *testsuite.TestWorkflowEnvironment, in dunning.Input, invoice string) {
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(dunning.FailedSignal, dunning.Failure{InvoiceID: invoice, EventID: "evt_" + invoice})
	}, 0)
	env.ExecuteWorkflow(dunning.WorkflowName, in)
}

func result(t *testing.T, env *testsuite.TestWorkflowEnvironment) dunning.Result {
	t.Helper()
	return processtest.Result[dunning.Result](t, env)
}

func TestWorkflow_PaidAfterTheFirstReminderEndsWithThanks(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	signal(env, 5*day, dunning.PaidSignal, dunning.Paid{InvoiceID: "in_1"})
	failed(env, input, "in_1")

	require.Equal(t, dunning.OutcomePaid, result(t, env).Outcome)
	require.Equal(t, []string{"failed in_1 @0d", "reminder 1 (11 days left) @3d", "paid  @5d"}, f.notices)
	require.Empty(t, f.graces, "a paid dunning never ends a grace")
}

func TestWorkflow_UnpaidIsRemindedOnDays3_7_12AndMovedToFreeOnDay14(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	failed(env, input, "in_1")

	require.Equal(t, dunning.OutcomeDowngraded, result(t, env).Outcome)
	require.Equal(t, []string{"failed in_1 @0d", "reminder 1 (11 days left) @3d", "reminder 2 (7 days left) @7d",
		"reminder 3 (2 days left) @12d"}, f.notices)
	require.Equal(t, []time.Duration{14 * day}, f.graces)
}

func TestWorkflow_KeepsTheScheduleItIsGiven(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	in := input
	in.Schedule = dunning.Schedule{Reminders: []time.Duration{day, 2 * day}, Grace: 5 * day}
	failed(env, in, "in_1")

	require.Equal(t, dunning.OutcomeDowngraded, result(t, env).Outcome)
	require.Equal(t, []string{"failed in_1 @0d", "reminder 1 (4 days left) @1d", "reminder 2 (3 days left) @2d"}, f.notices)
	require.Equal(t, []time.Duration{5 * day}, f.graces)
}

func TestWorkflow_StripeHavingItPaidAtTheEndOfGraceIsPaid(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	f.paidMeanwhile = true
	failed(env, input, "in_1")

	require.Equal(t, dunning.OutcomePaid, result(t, env).Outcome)
	require.Equal(t, "paid  @14d", f.notices[len(f.notices)-1])
}

func TestWorkflow_ANewPaymentMethodRetriesTheOpenInvoiceAtOnce(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	signal(env, 4*day, dunning.PaymentMethodSignal, dunning.MethodAdded{EventID: "evt_pm"})
	signal(env, 4*day+time.Minute, dunning.PaidSignal, dunning.Paid{InvoiceID: "in_1"})
	failed(env, input, "in_1")

	require.Equal(t, dunning.OutcomePaid, result(t, env).Outcome)
	require.Equal(t, []string{"in_1 evt_pm @4d"}, f.retries)
	require.Equal(t, "paid  @96h1m0s", f.notices[len(f.notices)-1])
}

func TestWorkflow_ARetryStripeRefusesLeavesTheScheduleAsItWas(t *testing.T) {
	t.Parallel()
	for name, err := range map[string]error{
		"declined":           temporal.NewNonRetryableApplicationError("card declined", dunning.ErrTypePaymentRefused, nil),
		"stripe unavailable": processtest.ErrRetryLater,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env, f := newEnv(t)
			f.retryErr = err
			signal(env, 4*day, dunning.PaymentMethodSignal, dunning.MethodAdded{EventID: "evt_pm"})
			failed(env, input, "in_1")

			require.Equal(t, dunning.OutcomeDowngraded, result(t, env).Outcome)
			require.NotEmpty(t, f.retries)
			require.LessOrEqual(t, len(f.retries), 2, "a retry is bounded (15 minutes), not repeated for days")
			require.Equal(t, []string{"failed in_1 @0d", "reminder 1 (11 days left) @3d", "reminder 2 (7 days left) @7d",
				"reminder 3 (2 days left) @12d"}, f.notices)
			require.Equal(t, []time.Duration{14 * day}, f.graces)
		})
	}
}

func TestWorkflow_TwoFailedInvoicesArePaidBothBeforeItEnds(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	signal(env, 2*day, dunning.FailedSignal, dunning.Failure{InvoiceID: "in_2", EventID: "evt_2"})
	signal(env, 5*day, dunning.PaidSignal, dunning.Paid{InvoiceID: "in_1"})
	signal(env, 6*day, dunning.PaymentMethodSignal, dunning.MethodAdded{EventID: "evt_pm"})
	signal(env, 8*day, dunning.PaidSignal, dunning.Paid{InvoiceID: "in_2"})
	failed(env, input, "in_1")

	require.Equal(t, dunning.OutcomePaid, result(t, env).Outcome)
	require.Equal(t, []string{"failed in_1 @0d", "failed in_2 @2d", "reminder 1 (11 days left) @3d",
		"reminder 2 (7 days left) @7d", "paid  @8d"}, f.notices, "the schedule runs from the first failure")
	require.Equal(t, []string{"in_2 evt_pm @6d"}, f.retries, "only the invoice still open is retried")
}

func TestWorkflow_RedeliveredAndLateFailuresAreToldOnce(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	signal(env, time.Hour, dunning.FailedSignal, dunning.Failure{InvoiceID: "in_1", EventID: "evt_again"})
	signal(env, 2*day, dunning.PaidSignal, dunning.Paid{InvoiceID: "in_1"})
	failed(env, input, "in_1")

	require.Equal(t, dunning.OutcomePaid, result(t, env).Outcome)
	require.Equal(t, []string{"failed in_1 @0d", "paid  @2d"}, f.notices)
}

func TestWorkflow_ARenewalFailingAsTheLastIsPaidIsFollowedByTheNextRun(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	var once sync.Once
	f.onNotice = func(n dunning.Notice) {
		if n.Kind == dunning.NoticePaid { // the run has ended paid and is telling the owners
			once.Do(func() {
				env.SignalWorkflow(dunning.FailedSignal, dunning.Failure{InvoiceID: "in_1", EventID: "evt_late_again"})
				env.SignalWorkflow(dunning.FailedSignal, dunning.Failure{InvoiceID: "in_2", EventID: "evt_2"})
			})
		}
	}
	signal(env, 2*day, dunning.PaidSignal, dunning.Paid{InvoiceID: "in_1"})
	failed(env, input, "in_1")

	require.True(t, env.IsWorkflowCompleted())
	var next *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &next, "the run continues as new rather than losing the failure")
	require.Equal(t, dunning.WorkflowName, next.WorkflowType.Name)
	var in dunning.Input
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(next.Input, &in))
	want := input
	want.Failures = []dunning.Failure{{InvoiceID: "in_2", EventID: "evt_2"}}
	require.Equal(t, want, in, "only the new invoice's failure is carried; the paid one's late failure is not")
	require.Equal(t, []string{"failed in_1 @0d", "paid  @2d"}, f.notices, "the new failure is not told by the run that ended")

	// The next run tells it at once and follows it on its own schedule.
	env2, f2 := newEnv(t)
	signal(env2, 4*day, dunning.PaidSignal, dunning.Paid{InvoiceID: "in_2"})
	env2.ExecuteWorkflow(dunning.WorkflowName, in)
	require.Equal(t, dunning.OutcomePaid, result(t, env2).Outcome)
	require.Equal(t, []string{"failed in_2 @0d", "reminder 1 (11 days left) @3d", "paid  @4d"}, f2.notices)
}

func TestWorkflow_TheBankAskingToAuthenticateIsToldWithItsLink(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	signal(env, day, dunning.FailedSignal, dunning.Failure{InvoiceID: "in_1", EventID: "evt_sca", ActionRequired: true})
	signal(env, 2*day, dunning.FailedSignal, dunning.Failure{InvoiceID: "in_1", EventID: "evt_sca2", ActionRequired: true})
	signal(env, 2*day+time.Hour, dunning.PaidSignal, dunning.Paid{InvoiceID: "in_1"})
	failed(env, input, "in_1")

	require.Equal(t, dunning.OutcomePaid, result(t, env).Outcome)
	require.Equal(t, []string{"failed in_1 @0d", "action-required in_1 @1d", "paid  @49h0m0s"}, f.notices)
}

func TestWorkflow_TheSubscriptionEndingEndsTheDunningWithoutMore(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	signal(env, 6*day, dunning.EndedSignal, dunning.Ended{Status: "canceled"})
	failed(env, input, "in_1")

	require.Equal(t, dunning.OutcomeEnded, result(t, env).Outcome)
	require.Equal(t, []string{"failed in_1 @0d", "reminder 1 (11 days left) @3d"}, f.notices)
	require.Empty(t, f.graces)
	require.Empty(t, f.retries)
}

func TestWorkflow_ANoticeThatCannotBeSentDoesNotStopTheSchedule(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	f.noticeErr = processtest.ErrRetryLater
	failed(env, input, "in_1")

	require.Equal(t, dunning.OutcomeDowngraded, result(t, env).Outcome)
	require.Equal(t, []time.Duration{14 * day}, f.graces)
}

func TestWorkflow_EndingTheGraceThatKeepsFailingFailsAfterSixHours(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	f.graceErr = processtest.ErrRetryLater
	failed(env, input, "in_1")

	require.True(t, env.IsWorkflowCompleted())
	require.Error(t, env.GetWorkflowError())
	last := f.graces[len(f.graces)-1]
	require.LessOrEqual(t, last-14*day, 6*time.Hour, "ending the grace is given up after six hours")
	require.Greater(t, len(f.graces), 1)
}

func TestWorkflow_RefusesAStartWithoutASubscriptionOrGrace(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]dunning.Input{
		"no subscription": {OrgID: org, Schedule: dunning.DefaultSchedule},
		"no organization": {SubscriptionID: "sub_1", Schedule: dunning.DefaultSchedule},
		"no grace":        {OrgID: org, SubscriptionID: "sub_1"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env, _ := newEnv(t)
			env.ExecuteWorkflow(dunning.WorkflowName, in)
			require.Error(t, env.GetWorkflowError())
		})
	}
}
