package deletion_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/deletion"
	"github.com/reptidex/reptidex/workflows/escalation"
)

// fake stands in for the database, recording the steps run and when.
type fake struct {
	mu       sync.Mutex
	env      *testsuite.TestWorkflowEnvironment
	steps    []string
	at       map[string]time.Time
	notified []notify.Request
	notice   notify.Request
	fates    []deletion.Fate
	planErr  error
}

func (f *fake) step(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.steps = append(f.steps, s)
	f.at[s] = f.env.Now().UTC()
}

func (f *fake) Plan(context.Context, deletion.Input) (deletion.Plan, error) {
	f.step("plan")
	return deletion.Plan{Fates: f.fates}, f.planErr
}

func (f *fake) Cancel(context.Context, deletion.Input) error { f.step("cancel"); return nil }

func (f *fake) Erase(_ context.Context, _ deletion.Input, notice notify.Request) ([]deletion.Fate, error) {
	f.step("erase")
	f.notice = notice
	return f.fates, nil
}

func (f *fake) Scrub(context.Context, deletion.Input) error { f.step("scrub"); return nil }

func (f *fake) record(_ context.Context, r notify.Request) (uuid.UUID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notified = append(f.notified, r)
	return uuid.New(), nil
}

var start = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *fake) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	f := &fake{env: env, at: map[string]time.Time{}}
	deletion.Register(env, f)
	env.RegisterActivityWithOptions(f.record, activity.RegisterOptions{Name: escalation.RecordActivity})
	return env, f
}

func titles(rs []notify.Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Title)
	}
	return out
}

// cancelAt sends the cancel update at a point in skipped time and keeps its refusal.
func cancelAt(env *testsuite.TestWorkflowEnvironment, after time.Duration) *error {
	var rejected error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(deletion.CancelUpdate, uuid.NewString(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { rejected = err }, OnAccept: func() {}, OnComplete: func(any, error) {},
		})
	}, after)
	return &rejected
}

// Left alone, a deletion tells the person what will happen, reminds them 3 days before the
// grace ends, erases the account at its end (the notice recorded with the erasure), and a
// day later scrubs their notifications.
func TestWorkflow_ErasesAfterTheGraceTellingThePersonAtEachStep(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	org := uuid.New()
	f.fates = []deletion.Fate{{OrgID: org, OrgName: "Ada's Reptiles", HeirID: uuid.New(), HeirName: "Bob"},
		{OrgID: uuid.New(), OrgName: "Ada's Geckos"}}
	in := deletion.InputAt(uuid.New(), "4fTqW9zKc2NvRbHxMwPq7Y", start)
	env.ExecuteWorkflow(deletion.WorkflowName, in)
	require.NoError(t, env.GetWorkflowError())
	var res deletion.Result
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, deletion.Result{Stage: deletion.Erased, Fates: f.fates}, res)
	require.Equal(t, []string{"plan", "erase", "scrub"}, f.steps)
	require.Equal(t, start.Add(deletion.Grace), f.at["erase"])
	require.Equal(t, start.Add(deletion.Grace+deletion.ScrubAfter), f.at["scrub"])
	require.Equal(t, []string{"Your account will be deleted", "Your account will be deleted soon"}, titles(f.notified))
	require.Contains(t, f.notified[0].Body, "5 January 2027 09:00 UTC")
	require.Contains(t, f.notified[0].Body, "Ada's Reptiles: you are its last owner; it will pass to Bob.")
	require.Contains(t, f.notified[0].Body, "Ada's Geckos: you are its only member; it will be closed")
	for _, n := range f.notified {
		require.Equal(t, "/me/deletion", n.Link, "%s: the deletion's page", n.Title)
		require.Equal(t, "Keep my account", n.ActionLabel)
		require.NotContains(t, n.Body, "/api/", "%s: a person is sent to the page, not the API", n.Title)
	}
	require.Equal(t, "Your account has been deleted", f.notice.Title)
	require.Equal(t, in.UserID, f.notice.UserID)
}

// Cancelled within the grace, the account is kept and the person told; cancelled once the
// erasure has begun, the cancel is refused.
func TestWorkflow_ACancelWithinTheGraceKeepsTheAccount(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	refused := cancelAt(env, 10*24*time.Hour)
	env.ExecuteWorkflow(deletion.WorkflowName, deletion.InputAt(uuid.New(), "4fTqW9zKc2NvRbHxMwPq7Y", start))
	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, *refused)
	var res deletion.Result
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, deletion.Cancelled, res.Stage)
	require.Equal(t, []string{"plan", "cancel"}, f.steps)
	require.Equal(t, start.Add(10*24*time.Hour), f.at["cancel"])
	require.Equal(t, []string{"Your account will be deleted", "Your account will not be deleted"}, titles(f.notified))

	// A cancel sent as the erasure starts is refused, and the erasure goes on.
	late, f2 := newEnv(t)
	var refusedLate error
	late.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name != deletion.EraseActivity {
			return
		}
		late.UpdateWorkflow(deletion.CancelUpdate, uuid.NewString(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { refusedLate = err }, OnAccept: func() {}, OnComplete: func(any, error) {},
		})
	})
	late.ExecuteWorkflow(deletion.WorkflowName, deletion.InputAt(uuid.New(), "4fTqW9zKc2NvRbHxMwPq7Y", start))
	require.NoError(t, late.GetWorkflowError())
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, refusedLate, &appErr)
	require.Equal(t, deletion.ErrTypeRefused, appErr.Type())
	require.Equal(t, "The account is already erasing; it can be kept only until its erasure begins.", appErr.Message())
	require.Equal(t, []string{"plan", "erase", "scrub"}, f2.steps)
}

// A deletion whose first step keeps failing ends, and a cancel sent meanwhile is answered,
// not left waiting: the workflow does not hang on it.
func TestWorkflow_ACancelIsAnsweredWhenTheDeletionFails(t *testing.T) {
	t.Parallel()
	env, f := newEnv(t)
	f.planErr = errors.New("connection refused")
	var refused, completed error
	var done bool
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name != deletion.PlanActivity || done {
			return
		}
		done = true
		env.UpdateWorkflow(deletion.CancelUpdate, uuid.NewString(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { refused = err }, OnAccept: func() {}, OnComplete: func(_ any, err error) { completed = err },
		})
	})
	env.ExecuteWorkflow(deletion.WorkflowName, deletion.InputAt(uuid.New(), "4fTqW9zKc2NvRbHxMwPq7Y", start))
	require.True(t, env.IsWorkflowCompleted())
	require.Error(t, env.GetWorkflowError())
	require.NoError(t, refused)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, completed, &appErr)
	require.Equal(t, "The deletion ended before it could be cancelled.", appErr.Message())
}
