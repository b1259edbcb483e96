package transfer_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process/processtest"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// fakes stands in for the database and the notifier, and notes what the workflow asked of
// them and when (in skipped time, from the start). Its hooks, set before the workflow
// runs, make an activity fail: at is when, attempt which try of the activity it is.
type fakes struct {
	mu          sync.Mutex
	env         *testsuite.TestWorkflowEnvironment
	start       time.Time
	recipients  []transfer.Recipient
	moves       []transfer.MoveInput
	finishes    []transfer.FinishInput
	releases    []transfer.ReleaseInput
	released    time.Duration // when the last release was recorded
	notes       []string
	notified    map[string]time.Duration // notification type → first time recorded
	tried       map[string]time.Duration // notification type → last time tried
	records     []notify.Request
	escalations int

	moveErr       func(at time.Duration, attempt int32) error
	finishErr     func(in transfer.FinishInput) error
	releaseErr    error
	recipientsErr error
	noteErr       error
	recordErr     func(r notify.Request, at time.Duration, attempt int32) error
	markErr       func(at time.Duration, attempt int32) error
}

func (f *fakes) at() time.Duration { return f.env.Now().Sub(f.start) }

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *fakes) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	f := &fakes{env: env, start: start, notified: map[string]time.Duration{}, tried: map[string]time.Duration{},
		recipients: []transfer.Recipient{{UserID: buyer.UserID}}}
	transfer.Register(env, f)
	escalation.Register(env, f)
	return env, f
}

// TransferRecipients answers who the offer is addressed to.
func (f *fakes) TransferRecipients(_ context.Context, _ transfer.Input) ([]transfer.Recipient, error) {
	if f.recipientsErr != nil {
		return nil, f.recipientsErr
	}
	return f.recipients, nil
}

// MoveOwnership notes the move.
func (f *fakes) MoveOwnership(ctx context.Context, m transfer.MoveInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.moveErr != nil {
		if err := f.moveErr(f.at(), activity.GetInfo(ctx).Attempt); err != nil {
			return err
		}
	}
	f.moves = append(f.moves, m)
	return nil
}

// FinishTransfer notes the ending.
func (f *fakes) FinishTransfer(_ context.Context, in transfer.FinishInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.finishErr != nil {
		if err := f.finishErr(in); err != nil {
			return err
		}
	}
	f.finishes = append(f.finishes, in)
	return nil
}

// ReleaseTransfer notes the release, and when.
func (f *fakes) ReleaseTransfer(_ context.Context, in transfer.ReleaseInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.releaseErr != nil {
		return f.releaseErr
	}
	f.releases = append(f.releases, in)
	f.released = f.at()
	return nil
}

// NoteTransfer notes the timeline entry's kind.
func (f *fakes) NoteTransfer(_ context.Context, in transfer.NoteInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noteErr != nil {
		return f.noteErr
	}
	f.notes = append(f.notes, in.Kind)
	return nil
}

// RecordNotification records a notification, refusing one the notifications table would
// refuse, or fails as set.
func (f *fakes) RecordNotification(ctx context.Context, r notify.Request) (uuid.UUID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tried[r.Type] = f.at()
	// As the notifications table checks: characters, not bytes.
	if n := utf8.RuneCountInString(r.Title); n == 0 || n > notify.MaxTitleRunes || utf8.RuneCountInString(r.Body) > notify.MaxBodyRunes {
		return uuid.Nil, temporal.NewNonRetryableApplicationError("title or body too long", escalation.ErrTypeInvalid, nil)
	}
	if f.recordErr != nil {
		if err := f.recordErr(r, f.at(), activity.GetInfo(ctx).Attempt); err != nil {
			return uuid.Nil, err
		}
	}
	if _, seen := f.notified[r.Type]; !seen {
		f.notified[r.Type] = f.at()
	}
	f.records = append(f.records, r)
	return uuid.New(), nil
}

// EscalateNotification counts the escalations.
func (f *fakes) EscalateNotification(_ context.Context, _ escalation.Target) (notify.Escalation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.escalations++
	return notify.Escalation{Delivered: true}, nil
}

// MarkNotificationActioned notes that the offer was marked actioned, or fails as set.
func (f *fakes) MarkNotificationActioned(ctx context.Context, _ escalation.Target) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.markErr != nil {
		if err := f.markErr(f.at(), activity.GetInfo(ctx).Attempt); err != nil {
			return err
		}
	}
	f.notes = append(f.notes, "offer actioned")
	return nil
}

// recordsOf lists the notifications of a type recorded.
func (f *fakes) recordsOf(typ string) []notify.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []notify.Request
	for _, r := range f.records {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

var (
	seller      = uuid.MustParse("00000000-0000-0000-0000-0000000000a1")
	buyerOrg    = uuid.MustParse("00000000-0000-0000-0000-0000000000b1")
	buyer       = transfer.Actor{UserID: uuid.MustParse("00000000-0000-0000-0000-0000000000b0"), Email: "Buyer@Example.com", OrgID: buyerOrg, OrgRoleManages: true}
	sellerAdmin = transfer.Actor{UserID: uuid.MustParse("00000000-0000-0000-0000-0000000000a0"), OrgID: seller, OrgRoleManages: true}
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
	return processtest.Result[transfer.Result](t, env)
}

// outcome is what came of an update, and when (in skipped time, from the start).
type outcome struct {
	rejected error
	result   transfer.Result
	err      error
	done     bool
	at       time.Duration
}

func (o *outcome) callbacks(env *testsuite.TestWorkflowEnvironment) *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnReject: func(err error) { o.rejected, o.done, o.at = err, true, env.Now().Sub(start) },
		OnAccept: func() {},
		OnComplete: func(v any, err error) {
			o.done, o.err, o.at = true, err, env.Now().Sub(start)
			if r, ok := v.(transfer.Result); ok {
				o.result = r
			}
		},
	}
}

// update sends an update at a point in skipped time and keeps what came of it.
func update(env *testsuite.TestWorkflowEnvironment, after time.Duration, name string, arg any) *outcome {
	o := &outcome{}
	env.RegisterDelayedCallback(func() { env.UpdateWorkflow(name, uuid.NewString(), o.callbacks(env), arg) }, after)
	return o
}

// updateAtStart sends an update as update-with-start does: with the workflow's start,
// before its first activity (who the recipients are) has answered.
func updateAtStart(env *testsuite.TestWorkflowEnvironment, name string, arg any) *outcome {
	o := &outcome{}
	sent := false
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if sent || info.ActivityType.Name != transfer.RecipientsActivity {
			return
		}
		sent = true
		env.UpdateWorkflow(name, uuid.NewString(), o.callbacks(env), arg)
	})
	return o
}

// errType is the type of the application error in err, if any.
func errType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return ""
}

// errUnreachable is a retryable activity failure.
var errUnreachable = errors.New("the database is unreachable")

// errRefused is an ownership move the database refuses.
var errRefused = temporal.NewNonRetryableApplicationError("the animal is not held by this transfer", transfer.ErrTypeMoveRefused, nil)

const day = 24 * time.Hour

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
	cancel := update(env, time.Hour, transfer.CancelUpdate, sellerAdmin)
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
	env, f := newEnv(t)
	// The first try at the outcomes fails, so the workflow is still there a second later.
	f.recordErr = func(r notify.Request, _ time.Duration, attempt int32) error {
		if r.Type == "transfer.outcome" && attempt == 1 {
			return errUnreachable
		}
		return nil
	}
	update(env, time.Hour, transfer.CancelUpdate, sellerAdmin)
	late := update(env, time.Hour+time.Millisecond, transfer.AcceptUpdate, buyer)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Cancelled, result(t, env).Status)
	require.True(t, late.done, "the late accept reached the workflow")
	require.True(t, transfer.IsEnded(late.rejected), "%v", late.rejected)
	require.ErrorContains(t, late.rejected, "already cancelled")
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
	f.moveErr = func(at time.Duration, _ int32) error {
		if at < 2*time.Hour {
			return errRefused
		}
		return nil
	}
	failed := update(env, time.Hour, transfer.AcceptUpdate, buyer)
	retried := update(env, 3*time.Hour, transfer.AcceptUpdate, buyer)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Accepted, result(t, env).Status)
	require.Equal(t, transfer.ErrTypeMoveRefused, errType(failed.err), "%v", failed.err)
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

// Names of 120 characters, CJK among them, make titles of more than 200 characters (and
// far more than 200 bytes) unless the workflow cuts them; a title the notifications table
// refuses must not cost the transfer its notifications.
func TestTransfer_LongNamesMakeTitlesThatFit(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	in := offer()
	in.OrgName = strings.Repeat("爬虫", 30) + strings.Repeat("Reptiles ", 6) + strings.Repeat("館", 6)
	in.AnimalName = strings.Repeat("蛇", 60) + strings.Repeat("Noodle ", 8) + strings.Repeat("龍", 4)
	require.Equal(t, 120, utf8.RuneCountInString(in.OrgName))
	require.Equal(t, 120, utf8.RuneCountInString(in.AnimalName))
	decline := update(env, 8*day, transfer.DeclineUpdate, transfer.DeclineInput{Actor: buyer, Reason: strings.Repeat("理由", 500)})
	env.ExecuteWorkflow(transfer.WorkflowName, in)
	require.Equal(t, transfer.Declined, result(t, env).Status)
	require.NoError(t, decline.err)
	for _, typ := range []string{"transfer.offered", "transfer.reminder", "transfer.outcome"} {
		records := f.recordsOf(typ)
		require.NotEmpty(t, records, "%s was recorded", typ)
		for _, r := range records {
			require.LessOrEqual(t, utf8.RuneCountInString(r.Title), 200, r.Title)
			require.Contains(t, r.Title, "…", "the names were cut, and show it")
			require.True(t, utf8.ValidString(r.Title), "cut between characters, not bytes")
		}
	}
	require.Contains(t, f.recordsOf("transfer.outcome")[0].Body, strings.Repeat("理由", 500), "the reason is whole")
}

// Notifications are best effort for a transfer: one refused for good, or failing for longer
// than the workflow waits on it, is passed over and the transfer runs to its end.
func TestTransfer_NotificationsThatCannotBeRecordedDoNotStopTheTransfer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		recordErr func(r notify.Request, at time.Duration, attempt int32) error
	}{
		{"refused for good", func(notify.Request, time.Duration, int32) error {
			return temporal.NewNonRetryableApplicationError("refused", escalation.ErrTypeInvalid, nil)
		}},
		// Failing from the reminder until three hours after it: the workflow gives up first.
		{"failing for hours", func(r notify.Request, at time.Duration, _ int32) error {
			if at >= 7*day && at < 7*day+3*time.Hour {
				return processtest.ErrRetryLater
			}
			return nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env, f := newEnv(t)
			f.recordErr = c.recordErr
			env.ExecuteWorkflow(transfer.WorkflowName, offer())
			require.Equal(t, transfer.Expired, result(t, env).Status)
			require.Equal(t, []string{"reminded"}, f.notes)
			require.Len(t, f.finishes, 1)
			require.LessOrEqual(t, f.tried["transfer.reminder"], 7*day+time.Hour, "the reminder was given up within the hour")
			require.Equal(t, 14*day, f.tried["transfer.outcome"], "the offer expired on time")
		})
	}
}

// An accept arriving while the reminder goes out whose move, after some failing tries, is
// refused leaves the offer standing: the workflow waits for the next answer, it does not
// end as "offered".
func TestTransfer_AcceptRefusedDuringTheReminderLeavesTheOfferStanding(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	// The reminder is recorded at its third try, three seconds after it was due.
	f.recordErr = func(r notify.Request, _ time.Duration, attempt int32) error {
		if r.Type == "transfer.reminder" && attempt < 3 {
			return errUnreachable
		}
		return nil
	}
	// The first accept's move fails twice, then is refused two seconds after the reminder.
	f.moveErr = func(at time.Duration, attempt int32) error {
		switch {
		case at >= 8*day:
			return nil
		case attempt < 3:
			return errUnreachable
		}
		return errRefused
	}
	first := update(env, 7*day+2*time.Second, transfer.AcceptUpdate, buyer)
	second := update(env, 8*day, transfer.AcceptUpdate, buyer)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Result{Status: transfer.Accepted, ToOrgID: buyerOrg}, result(t, env))
	require.Equal(t, transfer.ErrTypeMoveRefused, errType(first.err), "%v", first.err)
	require.NoError(t, second.rejected)
	require.NoError(t, second.err)
	require.Len(t, f.moves, 1)
	require.Equal(t, 7*day+3*time.Second, f.notified["transfer.reminder"])
	require.Equal(t, transfer.Accepted, f.finishes[0].Status)
}

// Update-with-start delivers the answer with the workflow's start, before the recipients
// are known and the offer has gone out.
func TestTransfer_AnAnswerArrivingWithTheStart(t *testing.T) {
	t.Parallel()
	t.Run("accepted, nobody is offered what they took", func(t *testing.T) {
		t.Parallel()
		env, f := newEnv(t)
		accept := updateAtStart(env, transfer.AcceptUpdate, buyer)
		env.ExecuteWorkflow(transfer.WorkflowName, offer())
		require.Equal(t, transfer.Accepted, result(t, env).Status)
		require.True(t, accept.done)
		require.NoError(t, accept.err)
		require.Len(t, f.moves, 1)
		require.Empty(t, f.recordsOf("transfer.offered"), "no offer after the acceptance")
		require.Len(t, f.recordsOf("transfer.outcome"), 2, "both sides hear the outcome")
	})
	t.Run("its move refused, the offer goes out and stands", func(t *testing.T) {
		t.Parallel()
		env, f := newEnv(t)
		f.moveErr = func(at time.Duration, attempt int32) error {
			switch {
			case at >= time.Hour:
				return nil
			case attempt < 2:
				return errUnreachable
			}
			return errRefused
		}
		first := updateAtStart(env, transfer.AcceptUpdate, buyer)
		second := update(env, 2*time.Hour, transfer.AcceptUpdate, buyer)
		env.ExecuteWorkflow(transfer.WorkflowName, offer())
		require.Equal(t, transfer.Accepted, result(t, env).Status)
		require.Equal(t, transfer.ErrTypeMoveRefused, errType(first.err), "%v", first.err)
		require.NoError(t, second.err)
		require.Len(t, f.recordsOf("transfer.offered"), 1, "the offer went out once the move was refused")
		require.Len(t, f.moves, 1)
	})
}

// A move that keeps failing (not refused: failing) is given up after an hour; the offer
// stands again and the accept is answered with the error.
func TestTransfer_AMoveFailingForAnHourHandsTheOfferBack(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	f.moveErr = func(at time.Duration, _ int32) error {
		if at < 5*time.Hour {
			return processtest.ErrRetryLater
		}
		return nil
	}
	first := update(env, time.Hour, transfer.AcceptUpdate, buyer)
	var between transfer.State
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(transfer.StateQuery)
		require.NoError(t, err)
		require.NoError(t, v.Get(&between))
	}, 3*time.Hour)
	second := update(env, 6*time.Hour, transfer.AcceptUpdate, buyer)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Accepted, result(t, env).Status)
	require.True(t, first.done)
	require.Error(t, first.err, "the first accept was answered with the move's failure")
	require.LessOrEqual(t, first.at, 2*time.Hour+time.Minute)
	require.Equal(t, transfer.Offered, between.Status, "the offer stood again after the move was given up")
	require.NoError(t, second.err)
	require.Len(t, f.moves, 1)
}

// Ending the transfer cancels the offer's escalation at once: no offer email goes out
// after the end, even while the outcome takes hours to record.
func TestTransfer_EndingStopsTheOffersEscalationAtOnce(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		end  func(env *testsuite.TestWorkflowEnvironment, in *transfer.Input)
		want transfer.Status
	}{
		{"cancelled", func(env *testsuite.TestWorkflowEnvironment, _ *transfer.Input) {
			update(env, time.Hour, transfer.CancelUpdate, sellerAdmin)
		}, transfer.Cancelled},
		{"expired", func(_ *testsuite.TestWorkflowEnvironment, in *transfer.Input) {
			in.RemindAt, in.ExpiresAt = time.Time{}, start.Add(time.Hour)
		}, transfer.Expired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env, f := newEnv(t)
			in := offer()
			in.EmailAfter = 2 * time.Hour
			c.end(env, &in)
			f.recordErr = func(r notify.Request, at time.Duration, _ int32) error {
				if r.Type == "transfer.outcome" && at < 3*time.Hour {
					return processtest.ErrRetryLater
				}
				return nil
			}
			env.ExecuteWorkflow(transfer.WorkflowName, in)
			require.Equal(t, c.want, result(t, env).Status)
			require.Equal(t, time.Duration(0), f.notified["transfer.offered"])
			require.Zero(t, f.escalations, "no offer email after the end")
		})
	}
}

// An escalation slow to record that the recipient acted holds the transfer's end for a
// minute at most.
func TestTransfer_AnEscalationSlowToRecordTheAnswerDoesNotHoldTheEnd(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	f.markErr = func(at time.Duration, _ int32) error {
		if at < 3*time.Hour {
			return processtest.ErrRetryLater
		}
		return nil
	}
	update(env, 30*time.Minute, transfer.AcceptUpdate, buyer)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.Equal(t, transfer.Accepted, result(t, env).Status)
	require.LessOrEqual(t, f.notified["transfer.outcome"], 30*time.Minute+time.Minute+time.Second)
}

// A reminder stops as soon as the transfer ends: the recipients not yet reminded are not,
// and the timeline does not say they were.
func TestTransfer_ReminderStopsWhenTheTransferEnds(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	f.recipients = []transfer.Recipient{{UserID: uuid.New()}, {UserID: uuid.New()}}
	// The first reminder is recorded at its third try, three seconds after it was due.
	f.recordErr = func(r notify.Request, _ time.Duration, attempt int32) error {
		if r.Type == "transfer.reminder" && attempt < 3 {
			return errUnreachable
		}
		return nil
	}
	update(env, 7*day+2*time.Second, transfer.CancelUpdate, sellerAdmin)
	in := offer()
	in.RecipientEmail, in.RecipientOrgID = "", buyerOrg
	env.ExecuteWorkflow(transfer.WorkflowName, in)
	require.Equal(t, transfer.Cancelled, result(t, env).Status)
	require.Len(t, f.recordsOf("transfer.reminder"), 1, "the second recipient was not reminded after the cancel")
	require.NotContains(t, f.notes, "reminded")
}

// Once the offer's time is up, an answer is refused even if the expiry has not run yet
// (here: the workflow started after the offer expired, with the answer).
func TestTransfer_AnswersAfterTheOfferExpiredAreRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		update string
		arg    any
	}{
		{transfer.AcceptUpdate, buyer},
		{transfer.DeclineUpdate, transfer.DeclineInput{Actor: buyer}},
	}
	for _, c := range cases {
		t.Run(c.update, func(t *testing.T) {
			t.Parallel()
			env, f := newEnv(t)
			in := offer()
			in.OfferedAt, in.RemindAt, in.ExpiresAt = start.Add(-14*day), time.Time{}, start.Add(-time.Hour)
			late := updateAtStart(env, c.update, c.arg)
			env.ExecuteWorkflow(transfer.WorkflowName, in)
			require.Equal(t, transfer.Expired, result(t, env).Status)
			require.True(t, late.done)
			require.True(t, transfer.IsEnded(late.rejected), "%v", late.rejected)
			require.ErrorContains(t, late.rejected, "expired")
			require.Empty(t, f.moves)
			require.Equal(t, transfer.Expired, f.finishes[0].Status)
			require.Empty(t, f.recordsOf("transfer.offered"), "an expired offer is not made")
		})
	}
}

// An ending the database refuses to record (it holds another) fails the workflow rather
// than announce what did not happen.
func TestTransfer_AnEndingTheDatabaseRefusesIsNotAnnounced(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	f.finishErr = func(transfer.FinishInput) error {
		return temporal.NewNonRetryableApplicationError("the transfer is expired in the database, not accepted", transfer.ErrTypeEndedOtherwise, nil)
	}
	accept := update(env, time.Hour, transfer.AcceptUpdate, buyer)
	env.ExecuteWorkflow(transfer.WorkflowName, offer())
	require.True(t, env.IsWorkflowCompleted())
	require.Equal(t, transfer.ErrTypeEndedOtherwise, errType(env.GetWorkflowError()), "%v", env.GetWorkflowError())
	require.Equal(t, transfer.ErrTypeEndedOtherwise, errType(accept.err), "%v", accept.err)
	require.Empty(t, f.recordsOf("transfer.outcome"))
	require.Empty(t, f.releases, "the ending the database holds released the animal")
}
