package processtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/reptidex/reptidex/workflows/process"
)

// Ending checks how a recorded history ended, from its last event.
type Ending func(t *testing.T, last *historypb.HistoryEvent)

// Completed is the ending of a workflow that completed with a result check accepts.
func Completed[R any](check func(t *testing.T, res R)) Ending {
	return func(t *testing.T, last *historypb.HistoryEvent) {
		t.Helper()
		done := last.GetWorkflowExecutionCompletedEventAttributes()
		require.NotNil(t, done, "the history is of a completed workflow, not %s", last.GetEventType())
		var res R
		require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(done.GetResult(), &res))
		check(t, res)
	}
}

// Ended is the ending of a workflow whose last event is of type typ.
func Ended(typ enumspb.EventType) Ending {
	return func(t *testing.T, last *historypb.HistoryEvent) {
		t.Helper()
		require.Equal(t, typ, last.GetEventType())
	}
}

// Failed is the ending of a workflow that failed with an application error of type typ,
// its own or the cause of its failure (an activity's, a child's), as process.IsErrorType
// finds it.
func Failed(typ string) Ending {
	return func(t *testing.T, last *historypb.HistoryEvent) {
		t.Helper()
		failed := last.GetWorkflowExecutionFailedEventAttributes()
		require.NotNil(t, failed, "the history is of a failed workflow, not %s", last.GetEventType())
		err := temporal.GetDefaultFailureConverter().FailureToError(failed.GetFailure())
		require.True(t, process.IsErrorType(err, typ), "failed with %v, not an error of type %s", err, typ)
	}
}

// Replay replays each history recorded in testdata (by `make record-histories`) against
// today's workflows, which register registers, after checking it ended as histories says:
// a change that would break the processes already under way fails here. Every recorded
// history must be named in histories, and every one named recorded.
func Replay(t *testing.T, histories map[string]Ending, register ...func(worker.WorkflowRegistry)) {
	t.Helper()
	recorded, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	named := make([]string, 0, len(histories))
	for file := range histories {
		named = append(named, file)
	}
	require.ElementsMatch(t, named, recorded, "every recorded history is named here, and every one named is recorded")

	for file, ending := range histories {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(file)
			require.NoError(t, err)
			defer func() { _ = f.Close() }()
			history, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
			require.NoError(t, err)
			require.NotEmpty(t, history.Events)
			ending(t, history.Events[len(history.Events)-1])

			replayer := worker.NewWorkflowReplayer()
			for _, r := range register {
				r(replayer)
			}
			require.NoError(t, replayer.ReplayWorkflowHistory(nil, history))
		})
	}
}
