package export_test

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
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/export"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// fake stands in for the database and object storage, recording the steps run.
type fake struct {
	mu       sync.Mutex
	steps    []string
	notified []notify.Request
	problem  string
	// file is the File step for a file; nil writes 10 rows.
	file func(file string) (export.Written, error)
	// assemble is the Assemble step; nil stores a ZIP of 4096 bytes.
	assemble func() (export.Assembled, error)
	// begun is what Begin answers.
	begun export.Begun
}

func (f *fake) step(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.steps = append(f.steps, s)
}

func (f *fake) File(_ context.Context, in export.Input, file string) (export.Written, error) {
	f.step(file)
	if f.file != nil {
		return f.file(file)
	}
	p := export.PartsPrefix(in.OrgID, in.ExportID)
	return export.Written{File: file, Rows: 10, CSVKey: p + file + ".csv", JSONKey: p + file + ".json"}, nil
}

func (f *fake) Assemble(_ context.Context, in export.Input, files []export.Written) (export.Assembled, error) {
	f.step("assemble")
	if len(files) != len(export.Files) {
		return export.Assembled{}, temporal.NewNonRetryableApplicationError("assembled without every file", "Test", nil)
	}
	if f.assemble != nil {
		return f.assemble()
	}
	return export.Assembled{Key: export.ObjectKey(in.OrgID, in.ExportID), Bytes: 4096}, nil
}

func (f *fake) Finish(_ context.Context, _ export.Input, zip export.Assembled, files []export.Written) (export.Ready, error) {
	f.step("finish")
	if zip.Bytes != 4096 || len(files) != len(export.Files) {
		return export.Ready{}, temporal.NewNonRetryableApplicationError("finished without what was stored", "Test", nil)
	}
	return export.Ready{URL: "https://objects.example/" + zip.Key + "?X-Amz-Signature=ab", ExpiresAt: time.Date(2026, 12, 12, 13, 0, 0, 0, time.UTC)}, nil
}

func (f *fake) Fail(_ context.Context, _ export.Input, problem string) error {
	f.step("fail")
	f.problem = problem
	return nil
}

func (f *fake) Begin(context.Context, export.ScheduledInput) (export.Begun, error) {
	f.step("begin")
	return f.begun, nil
}

func (f *fake) record(_ context.Context, r notify.Request) (uuid.UUID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notified = append(f.notified, r)
	return uuid.New(), nil
}

func newEnv(t *testing.T, f *fake) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	export.Register(env, f)
	env.RegisterActivityWithOptions(f.record, activity.RegisterOptions{Name: escalation.RecordActivity})
	return env
}

func input() export.Input {
	return export.Input{ExportID: uuid.New(), PublicID: "9sZqL4mWc2Ht7Xk1bR5pNe", OrgID: uuid.New(), RequestedBy: uuid.New()}
}

// Every file is written, in order, then assembled, then the export is ready and the
// requester is sent the link; the progress query follows each step.
func TestWorkflow_WritesEachFileAssemblesAndSendsTheLink(t *testing.T) {
	t.Parallel()
	f := &fake{}
	env := newEnv(t, f)
	var seen []export.Progress
	f.file = func(file string) (export.Written, error) {
		return export.Written{File: file, Rows: 10}, nil
	}
	env.SetOnActivityStartedListener(func(_ *activity.Info, _ context.Context, _ converter.EncodedValues) {
		v, err := env.QueryWorkflow(export.ProgressQuery)
		require.NoError(t, err)
		var p export.Progress
		require.NoError(t, v.Get(&p))
		seen = append(seen, p)
	})
	in := input()
	env.ExecuteWorkflow(export.WorkflowName, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res export.Result
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, export.ObjectKey(in.OrgID, in.ExportID), res.Key)
	require.Equal(t, int64(10*len(export.Files)), res.Rows)

	require.Equal(t, append(append([]string{}, export.Files...), "assemble", "finish"), f.steps)
	require.Equal(t, export.Progress{Stage: export.Writing, FilesDone: 0, FilesTotal: len(export.Files)}, seen[0])
	require.Equal(t, export.Progress{Stage: export.Writing, FilesDone: 3, FilesTotal: len(export.Files), Rows: 30}, seen[3])
	require.Equal(t, export.Assembling, seen[len(export.Files)].Stage)
	require.Equal(t, export.Finishing, seen[len(export.Files)+1].Stage)
	v, err := env.QueryWorkflow(export.ProgressQuery)
	require.NoError(t, err)
	var last export.Progress
	require.NoError(t, v.Get(&last))
	require.Equal(t, export.Progress{Stage: export.Done, FilesDone: len(export.Files), FilesTotal: len(export.Files),
		Rows: int64(10 * len(export.Files))}, last)

	require.Len(t, f.notified, 1)
	n := f.notified[0]
	require.Equal(t, in.RequestedBy, n.UserID)
	require.Equal(t, "export.outcome", n.Type)
	require.Equal(t, "Your export is ready to download", n.Title)
	require.Contains(t, n.Body, "https://objects.example/"+res.Key)
	require.Contains(t, n.Body, "12 December 2026 13:00 UTC")
	require.Contains(t, n.Body, "4 KB")
	require.Equal(t, "/exports/"+in.PublicID, n.Link, "the export's page")
}

// Object storage that keeps failing while a file is written is retried within the bound,
// then the export ends failed naming the file, nothing is assembled, and the requester is
// told why.
func TestWorkflow_StorageThatKeepsFailingEndsTheExportFailed(t *testing.T) {
	t.Parallel()
	var tries []time.Time
	var env *testsuite.TestWorkflowEnvironment
	f := &fake{file: func(file string) (export.Written, error) {
		if file != "pairings" {
			return export.Written{File: file}, nil
		}
		tries = append(tries, env.Now())
		return export.Written{}, errors.New("connection refused")
	}}
	env = newEnv(t, f)
	env.ExecuteWorkflow(export.WorkflowName, input())
	require.True(t, env.IsWorkflowCompleted())
	require.Error(t, env.GetWorkflowError())
	require.Greater(t, len(tries), 3, "retried")
	require.LessOrEqual(t, tries[len(tries)-1].Sub(tries[0]), 30*time.Minute, "within the bound")
	require.NotContains(t, f.steps, "assemble")
	require.Equal(t, "fail", f.steps[len(f.steps)-1])
	require.Equal(t, "The export stopped while writing pairings.csv: storage or the database did not answer for half an hour. "+
		"Nothing was exported; please ask again.", f.problem)
	require.Len(t, f.notified, 1)
	require.Equal(t, "Your export could not be finished", f.notified[0].Title)
	require.Equal(t, f.problem, f.notified[0].Body)
}

// A ZIP that cannot be stored ends the export failed, naming the step.
func TestWorkflow_AZipThatCannotBeStoredEndsTheExportFailed(t *testing.T) {
	t.Parallel()
	f := &fake{assemble: func() (export.Assembled, error) {
		return export.Assembled{}, temporal.NewNonRetryableApplicationError("refused", "Test", nil)
	}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(export.WorkflowName, input())
	require.Error(t, env.GetWorkflowError())
	require.NotContains(t, f.steps, "finish")
	require.Contains(t, f.problem, "while putting its files into the ZIP")
}

// An export no longer running fails at once, without retrying.
func TestWorkflow_AnExportNotRunningFailsAtOnce(t *testing.T) {
	t.Parallel()
	f := &fake{file: func(string) (export.Written, error) {
		return export.Written{}, temporal.NewNonRetryableApplicationError("gone", export.ErrTypeNotFound, nil)
	}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(export.WorkflowName, input())
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, env.GetWorkflowError(), &appErr)
	require.Equal(t, export.ErrTypeNotFound, appErr.Type())
	require.Equal(t, []string{"animals", "fail"}, f.steps)
	require.Equal(t, "The export stopped while writing animals.csv: it was no longer running. Nothing was exported; please ask again.",
		f.problem)
}

func TestWorkflow_RefusesEmptyInput(t *testing.T) {
	t.Parallel()
	f := &fake{}
	env := newEnv(t, f)
	env.ExecuteWorkflow(export.WorkflowName, export.Input{})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, env.GetWorkflowError(), &appErr)
	require.True(t, appErr.NonRetryable())
	require.Empty(t, f.steps)
}

// A scheduled run records its export and builds it as the export workflow's child, under the
// export's own workflow ID, with the requester told as for one asked for.
func TestScheduledWorkflow_BuildsTheExportItRecordedAsAChild(t *testing.T) {
	t.Parallel()
	in := input()
	f := &fake{begun: export.Begun{Export: in}}
	env := newEnv(t, f)
	var child string
	env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, _ converter.EncodedValues) {
		child = info.WorkflowExecution.ID
	})
	env.ExecuteWorkflow(export.ScheduledWorkflowName, export.ScheduledInput{ScheduleID: uuid.New(), OrgID: in.OrgID})
	require.NoError(t, env.GetWorkflowError())
	res := processtest.Result[export.Result](t, env)
	require.Equal(t, export.ObjectKey(in.OrgID, in.ExportID), res.Key)
	require.Equal(t, export.WorkflowID(in.ExportID), child)
	require.Equal(t, "begin", f.steps[0])
	require.Equal(t, "finish", f.steps[len(f.steps)-1])
	require.Len(t, f.notified, 1)
}

// A run whose schedule makes no export ends at once, having built nothing.
func TestScheduledWorkflow_ARunThatMakesNoExportEndsAtOnce(t *testing.T) {
	t.Parallel()
	f := &fake{begun: export.Begun{Skipped: "an export of the organization is already running"}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(export.ScheduledWorkflowName, export.ScheduledInput{ScheduleID: uuid.New(), OrgID: uuid.New()})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, []string{"begin"}, f.steps)
	require.Empty(t, f.notified)
}
