package importing_test

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
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/importing"
)

// fake stands in for the database and object storage, recording the steps run.
type fake struct {
	mu       sync.Mutex
	steps    []string
	checks   []importing.CheckRequest
	applied  []importing.CheckResult
	ended    []importing.Ended
	notified []notify.Request
	// check is what Check answers; nil: 10 rows, 9 valid, checksummed.
	check func() (importing.CheckResult, error)
	// apply is what Apply answers; nil: 5 new, 4 updated, 1 refused.
	apply func() (importing.Totals, error)
}

func (f *fake) step(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.steps = append(f.steps, s)
}

func (f *fake) Check(_ context.Context, _ importing.Input, req importing.CheckRequest) (importing.CheckResult, error) {
	f.step("check")
	f.checks = append(f.checks, req)
	if f.check != nil {
		return f.check()
	}
	return importing.CheckResult{Checksum: "ab12", Mapping: req.Mapping, Rows: 10, Valid: 9, Problems: 1}, nil
}

func (f *fake) Apply(_ context.Context, _ importing.Input, c importing.CheckResult) (importing.Totals, error) {
	f.step("apply")
	f.applied = append(f.applied, c)
	if f.apply != nil {
		return f.apply()
	}
	return importing.Totals{Created: 5, Updated: 4, Refused: 1}, nil
}

func (f *fake) End(_ context.Context, _ importing.Input, e importing.Ended) error {
	f.step("end:" + string(e.Stage))
	f.ended = append(f.ended, e)
	return nil
}

func (f *fake) record(_ context.Context, r notify.Request) (uuid.UUID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notified = append(f.notified, r)
	return uuid.New(), nil
}

var start = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, f *fake) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	importing.Register(env, f)
	env.RegisterActivityWithOptions(f.record, activity.RegisterOptions{Name: escalation.RecordActivity})
	return env
}

func input() importing.Input {
	id, org := uuid.New(), uuid.New()
	return importing.Input{ImportID: id, PublicID: "7hQpR2nVc8KtWx3mLs9bZe", OrgID: org, CreatedBy: uuid.New(),
		ObjectKey: importing.ObjectKey(org, id), FileName: "collection.csv", ExpiresAt: start.Add(importing.Expiry)}
}

// outcome is what came of an update.
type outcome struct {
	rejected error
	progress importing.Progress
	done     bool
}

// update sends an update at a point in skipped time and keeps what came of it.
func update(env *testsuite.TestWorkflowEnvironment, after time.Duration, name string, args ...any) *outcome {
	o := &outcome{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, uuid.NewString(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { o.rejected, o.done = err, true },
			OnAccept: func() {},
			OnComplete: func(v any, err error) {
				o.done = true
				if p, ok := v.(importing.Progress); ok {
					o.progress = p
				}
			},
		}, args...)
	}, after)
	return o
}

// refusal is the message of an update's refusal, which must be of ErrTypeRefused.
func refusal(t *testing.T, o *outcome) string {
	t.Helper()
	require.True(t, o.done)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, o.rejected, &appErr)
	require.Equal(t, importing.ErrTypeRefused, appErr.Type())
	return appErr.Message()
}

// The breeder checks the file, checks it again with another mapping, then applies it: the
// file is applied as last checked, the import ends applied with its file deleted, and the
// breeder is told what it did. Applying before a check is refused.
func TestWorkflow_ChecksAsOftenAsAskedThenApplies(t *testing.T) {
	t.Parallel()
	f := &fake{}
	env := newEnv(t, f)
	early := update(env, time.Minute, importing.ApplyUpdate)
	first := update(env, time.Hour, importing.CheckUpdate, importing.CheckRequest{})
	second := update(env, 2*time.Hour, importing.CheckUpdate, importing.CheckRequest{Mapping: map[string]string{"Serial": "breeder_id"}})
	apply := update(env, 3*time.Hour, importing.ApplyUpdate)
	late := update(env, 4*time.Hour, importing.CancelUpdate)
	in := input()
	env.ExecuteWorkflow(importing.WorkflowName, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res importing.Result
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, importing.Result{Stage: importing.Applied, Applied: importing.Totals{Created: 5, Updated: 4, Refused: 1}}, res)

	require.Equal(t, "The import is uploading; it can be applied once checked.", refusal(t, early))
	require.Equal(t, importing.Progress{Stage: importing.Checking}, first.progress)
	require.Equal(t, importing.Progress{Stage: importing.Checking, Checks: 1}, second.progress)
	require.Equal(t, importing.Progress{Stage: importing.Applying, Checks: 2}, apply.progress)
	require.False(t, late.done, "the import had ended")
	require.Equal(t, []string{"check", "check", "apply", "end:applied"}, f.steps)
	require.Equal(t, map[string]string{"Serial": "breeder_id"}, f.applied[0].Mapping, "applied as last checked")
	require.Len(t, f.notified, 1)
	n := f.notified[0]
	require.Equal(t, in.CreatedBy, n.UserID)
	require.Equal(t, "import.outcome", n.Type)
	require.Equal(t, "Your import is done", n.Title)
	require.Equal(t, "The import of collection.csv: 5 animals recorded new, 4 updated. 1 rows could not be imported; "+
		"the import lists why, row by row.", n.Body)
	require.Equal(t, "/imports/"+in.PublicID, n.Link, "the import's page")
}

// An import not applied by its expiry ends expired, its file deleted, and the breeder is
// told; checked or not.
func TestWorkflow_AnImportNotAppliedExpires(t *testing.T) {
	t.Parallel()
	f := &fake{}
	env := newEnv(t, f)
	update(env, 6*24*time.Hour, importing.CheckUpdate, importing.CheckRequest{})
	env.ExecuteWorkflow(importing.WorkflowName, input())
	require.NoError(t, env.GetWorkflowError())
	endedAt := env.Now()
	var res importing.Result
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, importing.Expired, res.Stage)
	require.Equal(t, []string{"check", "end:expired"}, f.steps)
	require.Equal(t, start.Add(importing.Expiry), endedAt.UTC(), "at its expiry, not 7 days after the check")
	require.Len(t, f.notified, 1)
	require.Equal(t, "Your import expired", f.notified[0].Title)
}

// A cancelled import ends at once with its file deleted; nothing is applied after.
func TestWorkflow_ACancelledImportEnds(t *testing.T) {
	t.Parallel()
	f := &fake{}
	env := newEnv(t, f)
	update(env, time.Minute, importing.CheckUpdate, importing.CheckRequest{})
	cancel := update(env, time.Hour, importing.CancelUpdate)
	env.ExecuteWorkflow(importing.WorkflowName, input())
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, importing.Progress{Stage: importing.Cancelled, Checks: 1}, cancel.progress)
	require.Equal(t, []string{"check", "end:cancelled"}, f.steps)
	require.Empty(t, f.notified, "the breeder cancelled it")
}

// A file no row of which can go in cannot be applied; a check more than MaxChecks is
// refused.
func TestWorkflow_RefusesWhatCannotBe(t *testing.T) {
	t.Parallel()
	f := &fake{check: func() (importing.CheckResult, error) {
		return importing.CheckResult{Checksum: "ab12", Unreadable: "the file is empty"}, nil
	}}
	env := newEnv(t, f)
	for i := range importing.MaxChecks {
		update(env, time.Duration(i+1)*time.Minute, importing.CheckUpdate, importing.CheckRequest{})
	}
	once := update(env, time.Hour, importing.CheckUpdate, importing.CheckRequest{})
	apply := update(env, 2*time.Hour, importing.ApplyUpdate)
	update(env, 3*time.Hour, importing.CancelUpdate)
	env.ExecuteWorkflow(importing.WorkflowName, input())
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, "The import was checked 20 times; upload the file again as a new import to check it anew.", refusal(t, once))
	require.Equal(t, "No row of the file can be imported; correct the file, or its mapping, and check it again.", refusal(t, apply))
	require.Len(t, f.checks, importing.MaxChecks)
	require.NotContains(t, f.steps, "apply")
}

// Storage that keeps failing while the file is applied is retried within the bound, then
// the import ends failed saying where, and the breeder is told.
func TestWorkflow_StorageThatKeepsFailingEndsTheImportFailed(t *testing.T) {
	t.Parallel()
	var tries []time.Time
	var env *testsuite.TestWorkflowEnvironment
	f := &fake{apply: func() (importing.Totals, error) {
		tries = append(tries, env.Now())
		return importing.Totals{}, errors.New("connection refused")
	}}
	env = newEnv(t, f)
	update(env, time.Minute, importing.CheckUpdate, importing.CheckRequest{})
	update(env, time.Hour, importing.ApplyUpdate)
	env.ExecuteWorkflow(importing.WorkflowName, input())
	require.Error(t, env.GetWorkflowError())
	require.Greater(t, len(tries), 3, "retried")
	require.LessOrEqual(t, tries[len(tries)-1].Sub(tries[0]), 30*time.Minute, "within the bound")
	require.Equal(t, "end:failed", f.steps[len(f.steps)-1])
	problem := "The import stopped while applying the file; the rows of the batches applied are in, the others not: " +
		"storage or the database did not answer for half an hour."
	require.Equal(t, importing.Ended{Stage: importing.Failed, Problem: problem}, f.ended[0])
	require.Len(t, f.notified, 1)
	require.Equal(t, "Your import could not be finished", f.notified[0].Title)
	require.Equal(t, "The import of collection.csv: "+problem, f.notified[0].Body)
}

// A file that is not the one checked fails the import at once, without retrying.
func TestWorkflow_AFileChangedFailsAtOnce(t *testing.T) {
	t.Parallel()
	f := &fake{apply: func() (importing.Totals, error) {
		return importing.Totals{}, temporal.NewNonRetryableApplicationError("changed", importing.ErrTypeFileChanged, nil)
	}}
	env := newEnv(t, f)
	update(env, time.Minute, importing.CheckUpdate, importing.CheckRequest{})
	update(env, time.Hour, importing.ApplyUpdate)
	env.ExecuteWorkflow(importing.WorkflowName, input())
	require.Error(t, env.GetWorkflowError())
	require.Equal(t, []string{"check", "apply", "end:failed"}, f.steps)
	require.Contains(t, f.ended[0].Problem, "the file is not the one checked")
}

// An apply sent while the file is being checked waits for the check, then applies the file;
// one sent while a check that finds no row that can go in is under way is refused once it
// ends.
func TestWorkflow_AnApplyWaitsForTheCheckUnderWay(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		valid int
		steps []string
	}{
		{"rows to apply", 9, []string{"check", "apply", "end:applied"}},
		{"no row to apply", 0, []string{"check", "end:expired"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := &fake{check: func() (importing.CheckResult, error) {
				return importing.CheckResult{Checksum: "ab12", Rows: 9, Valid: c.valid}, nil
			}}
			env := newEnv(t, f)
			var apply *outcome
			env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
				if info.ActivityType.Name == importing.CheckActivity && apply == nil {
					apply = &outcome{}
					env.UpdateWorkflow(importing.ApplyUpdate, uuid.NewString(), &testsuite.TestUpdateCallback{
						OnReject: func(err error) { apply.rejected, apply.done = err, true },
						OnAccept: func() {},
						OnComplete: func(v any, err error) {
							apply.done, apply.rejected = true, err
							if p, ok := v.(importing.Progress); ok {
								apply.progress = p
							}
						},
					})
				}
			})
			update(env, time.Minute, importing.CheckUpdate, importing.CheckRequest{})
			env.ExecuteWorkflow(importing.WorkflowName, input())
			require.NoError(t, env.GetWorkflowError())
			require.Equal(t, c.steps, f.steps)
			if c.valid > 0 {
				require.NoError(t, apply.rejected)
				require.Equal(t, importing.Applying, apply.progress.Stage)
			} else {
				require.Equal(t, "No row of the file can be imported; correct the file, or its mapping, and check it again.", refusal(t, apply))
			}
		})
	}
}
