package transfer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// fakes stands in for the database and the notifier, and notes what the workflow asked of
// them and when (in skipped time, from the start).
type fakes struct {
	mu          sync.Mutex
	env         *testsuite.TestWorkflowEnvironment
	start       time.Time
	moves       []transfer.MoveInput
	finishes    []transfer.FinishInput
	notes       []string
	notified    map[string]time.Duration // notification type → first time
	records     []notify.Request
	moveErr     error
	escalations int
}

func (f *fakes) at() time.Duration { return f.env.Now().Sub(f.start) }

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *fakes) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	f := &fakes{env: env, start: start, notified: map[string]time.Duration{}}
	env.RegisterWorkflowWithOptions(transfer.Workflow, workflow.RegisterOptions{Name: transfer.WorkflowName})
	env.RegisterWorkflowWithOptions(escalation.Workflow, workflow.RegisterOptions{Name: escalation.WorkflowName})
	env.RegisterActivityWithOptions(func(_ context.Context, in transfer.Input) ([]transfer.Recipient, error) {
		return []transfer.Recipient{{UserID: uuid.MustParse("00000000-0000-0000-0000-0000000000b0")}}, nil
	}, activity.RegisterOptions{Name: transfer.RecipientsActivity})
	env.RegisterActivityWithOptions(func(_ context.Context, m transfer.MoveInput) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.moveErr != nil {
			return f.moveErr
		}
		f.moves = append(f.moves, m)
		return nil
	}, activity.RegisterOptions{Name: transfer.MoveActivity})
	env.RegisterActivityWithOptions(func(_ context.Context, in transfer.FinishInput) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.finishes = append(f.finishes, in)
		return nil
	}, activity.RegisterOptions{Name: transfer.FinishActivity})
	env.RegisterActivityWithOptions(func(_ context.Context, in transfer.NoteInput) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.notes = append(f.notes, in.Kind)
		return nil
	}, activity.RegisterOptions{Name: transfer.NoteActivity})
	env.RegisterActivityWithOptions(func(_ context.Context, r notify.Request) (uuid.UUID, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, seen := f.notified[r.Type]; !seen {
			f.notified[r.Type] = f.at()
		}
		f.records = append(f.records, r)
		return uuid.New(), nil
	}, activity.RegisterOptions{Name: escalation.RecordActivity})
	env.RegisterActivityWithOptions(func(_ context.Context, tg escalation.Target) (notify.Escalation, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.escalations++
		return notify.Escalation{Delivered: true}, nil
	}, activity.RegisterOptions{Name: escalation.EscalateActivity})
	env.RegisterActivityWithOptions(func(_ context.Context, tg escalation.Target) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.notes = append(f.notes, "offer actioned")
		return nil
	}, activity.RegisterOptions{Name: escalation.MarkActionedActivity})
	return env, f
}

var (
	seller   = uuid.MustParse("00000000-0000-0000-0000-0000000000a1")
	buyerOrg = uuid.MustParse("00000000-0000-0000-0000-0000000000b1")
	buyer    = transfer.Actor{UserID: uuid.MustParse("00000000-0000-0000-0000-0000000000b0"), Email: "Buyer@Example.com", OrgID: buyerOrg, OrgRoleManages: true}
)

// start is when every test's offer is made.
var start = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func offer() transfer.Input {
	return transfer.Input{TransferID: uuid.New(), PublicID: "T1", OrgID: seller, OrgName: "Ada's Reptiles",
		OfferedBy: uuid.New(), AnimalID: uuid.New(), AnimalName: "Noodle", RecipientEmail: "buyer@example.com",
		OfferedAt: start, RemindAt: start.Add(7 * 24 * time.Hour), ExpiresAt: start.Add(14 * 24 * time.Hour),
		EmailAfter: time.Hour, SMSAfter: 24 * time.Hour}
}

func result(t *testing.T, env *testsuite.TestWorkflowEnvironment) transfer.Result {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res transfer.Result
	require.NoError(t, env.GetWorkflowResult(&res))
	return res
}

// update sends an update at a point in skipped time and keeps what came of it.
type outcome struct {
	rejected error
	result   transfer.Result
	err      error
	done     bool
}

func update(env *testsuite.TestWorkflowEnvironment, after time.Duration, name string, arg any) *outcome {
	o := &outcome{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, uuid.NewString(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { o.rejected, o.done = err, true },
			OnAccept: func() {},
			OnComplete: func(v any, err error) {
				o.done, o.err = true, err
				if r, ok := v.(transfer.Result); ok {
					o.result = r
				}
			},
		}, arg)
	}, after)
	return o
}

func TestTransfer_RemindsAfter7DaysAndExpiresAfter14(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	res := result(t, env)
	require.Equal(t, transfer.Expired, res.Status)
	require.Equal(t, 7*24*time.Hour, f.notified["transfer.reminder"])
	require.Equal(t, 14*24*time.Hour, f.notified["transfer.outcome"])
	require.Equal(t, []string{"reminded"}, f.notes)
	require.Len(t, f.finishes, 1)
	require.Equal(t, transfer.Expired, f.finishes[0].Status)
	require.Empty(t, f.moves)
	require.Contains(t, f.notified, "transfer.offered", "the offer went out through its escalation")
	require.Equal(t, time.Duration(0), f.notified["transfer.offered"])
}

func TestTransfer_DelaysComeFromTheOrganization(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	in := offer()
	in.RemindAt, in.ExpiresAt = start.Add(2*24*time.Hour), start.Add(3*24*time.Hour)
	env.ExecuteWorkflow(transfer.WorkflowName, in)
	require.Equal(t, transfer.Expired, result(t, env).Status)
	require.Equal(t, 2*24*time.Hour, f.notified["transfer.reminder"])
	require.Equal(t, 3*24*time.Hour, f.notified["transfer.outcome"])
}

func TestTransfer_AcceptMovesTheAnimalOnceAndEnds(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	in := offer()
	accept := update(env, 2*24*time.Hour, transfer.AcceptUpdate, buyer)
	env.ExecuteWorkflow(transfer.WorkflowName, in)
	res := result(t, env)
	require.True(t, accept.done)
	require.NoError(t, accept.rejected)
	require.NoError(t, accept.err)
	require.Equal(t, transfer.Result{Status: transfer.Accepted, ToOrgID: buyerOrg}, accept.result)
	require.Equal(t, transfer.Accepted, res.Status)
	require.Equal(t, []transfer.MoveInput{{TransferID: in.TransferID, AnimalID: in.AnimalID, FromOrgID: seller, ToOrgID: buyerOrg, UserID: buyer.UserID}}, f.moves)
	require.Equal(t, transfer.Accepted, f.finishes[0].Status)
	require.NotContains(t, f.notified, "transfer.reminder", "accepted before the reminder was due")
	require.Equal(t, 2*24*time.Hour, f.notified["transfer.outcome"])
	require.NotContains(t, f.notes, "offer actioned", "the offer's escalation had ended; the finish marks the offer actioned")
}

func TestTransfer_AcceptStopsTheOffersEscalation(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	update(env, 30*time.Minute, transfer.AcceptUpdate, buyer)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Accepted, result(t, env).Status)
	require.Contains(t, f.notes, "offer actioned", "the escalation was told the recipient acted")
	require.Zero(t, f.escalations, "nothing escalated to email or SMS")
}

func TestTransfer_DeclineEndsWithTheReason(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	decline := update(env, 8*24*time.Hour, transfer.DeclineUpdate, transfer.DeclineInput{Actor: buyer, Reason: "No room this season"})
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	res := result(t, env)
	require.NoError(t, decline.err)
	require.Equal(t, transfer.Result{Status: transfer.Declined, Reason: "No room this season"}, res)
	require.Equal(t, "No room this season", f.finishes[0].Reason)
	require.Empty(t, f.moves)
	require.Equal(t, 7*24*time.Hour, f.notified["transfer.reminder"])
}

func TestTransfer_CancelByTheOfferingOrganization(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	cancel := update(env, time.Hour, transfer.CancelUpdate, transfer.Actor{UserID: uuid.New(), OrgID: seller, OrgRoleManages: true})
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Cancelled, result(t, env).Status)
	require.NoError(t, cancel.rejected)
	require.NoError(t, cancel.err)
	require.True(t, cancel.done)
	require.Len(t, f.finishes, 1)
	require.Equal(t, transfer.Cancelled, f.finishes[0].Status)
	require.Empty(t, f.moves)
}

func TestTransfer_RefusesUpdatesFromTheWrongPeople(t *testing.T) {
	t.Parallel()
	env, _ := newEnv(t)
	stranger := transfer.Actor{UserID: uuid.New(), Email: "someone@example.com", OrgID: uuid.New(), OrgRoleManages: true}
	keeper := buyer
	keeper.OrgRoleManages = false
	attempts := []*outcome{
		update(env, time.Hour, transfer.AcceptUpdate, stranger),
		update(env, time.Hour, transfer.AcceptUpdate, keeper),
		update(env, time.Hour, transfer.DeclineUpdate, transfer.DeclineInput{Actor: stranger}),
		update(env, time.Hour, transfer.CancelUpdate, buyer),
		update(env, time.Hour, transfer.CancelUpdate, transfer.Actor{UserID: uuid.New(), OrgID: seller}),
	}
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Expired, result(t, env).Status, "no refused update changed anything")
	for i, a := range attempts {
		require.Truef(t, transfer.IsRefused(a.rejected), "attempt %d: %v", i, a.rejected)
	}
}

func TestTransfer_AfterItEndsUpdatesAreRefusedSayingHow(t *testing.T) {
	t.Parallel()
	env, _ := newEnv(t)
	update(env, time.Hour, transfer.CancelUpdate, transfer.Actor{UserID: uuid.New(), OrgID: seller, OrgRoleManages: true})
	late := update(env, time.Hour+time.Second, transfer.AcceptUpdate, buyer)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Cancelled, result(t, env).Status)
	if late.done { // the workflow may have closed before the update was delivered
		require.True(t, transfer.IsEnded(late.rejected), "%v", late.rejected)
		require.ErrorContains(t, late.rejected, "already cancelled")
	}
}

func TestTransfer_TwoAcceptsRacingOneWins(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	other := buyer
	other.OrgID = uuid.New()
	first := update(env, time.Hour, transfer.AcceptUpdate, buyer)
	second := update(env, time.Hour, transfer.AcceptUpdate, other)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Accepted, result(t, env).Status)
	require.Len(t, f.moves, 1, "the animal moved once")
	wins := 0
	for _, o := range []*outcome{first, second} {
		if o.rejected == nil && o.err == nil && o.done {
			wins++
		} else {
			require.True(t, transfer.IsEnded(o.rejected), "the loser is told the transfer is taken: %v", o.rejected)
		}
	}
	require.Equal(t, 1, wins)
}

func TestTransfer_RefusedMoveLeavesTheOfferStanding(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	f.moveErr = temporal.NewNonRetryableApplicationError("the animal is not held by this transfer", transfer.ErrTypeMoveRefused, nil)
	failed := update(env, time.Hour, transfer.AcceptUpdate, buyer)
	env.RegisterDelayedCallback(func() {
		f.mu.Lock()
		f.moveErr = nil
		f.mu.Unlock()
	}, 2*time.Hour)
	retried := update(env, 3*time.Hour, transfer.AcceptUpdate, buyer)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Accepted, result(t, env).Status)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(failed.err, &appErr), "%v", failed.err)
	require.NoError(t, retried.err)
	require.Len(t, f.moves, 1)
}

func TestTransfer_RefusesAnOfferWithoutOneRecipient(t *testing.T) {
	t.Parallel()
	env, _ := newEnv(t)
	in := offer()
	in.RecipientOrgID = uuid.New() // and an email: two recipients
	env.ExecuteWorkflow(transfer.WorkflowName, in)
	require.Error(t, env.GetWorkflowError())
}
