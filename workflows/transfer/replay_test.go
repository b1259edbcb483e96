package transfer_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// Histories of each path a transfer takes, recorded from the dev server by `make
// record-histories`, replay against today's code: a change that would break transfers
// already under way fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file string
		want transfer.Status
	}{
		{"testdata/accepted.json", transfer.Accepted},
		{"testdata/declined.json", transfer.Declined},
		{"testdata/cancelled.json", transfer.Cancelled},
		{"testdata/expired_after_a_reminder.json", transfer.Expired},
		{"testdata/declined_reason_refused_then_released.json", transfer.Declined},
	}
	recorded, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	var named []string
	for _, c := range cases {
		named = append(named, c.file)
	}
	require.ElementsMatch(t, named, recorded, "every recorded history is named here, and every one named is recorded")

	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(c.file)
			require.NoError(t, err)
			defer func() { _ = f.Close() }()
			history, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
			require.NoError(t, err)

			last := history.Events[len(history.Events)-1]
			require.Equal(t, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, last.EventType, "the history is of a finished transfer")
			var res transfer.Result
			require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(
				last.GetWorkflowExecutionCompletedEventAttributes().GetResult(), &res))
			require.Equal(t, c.want, res.Status)

			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflowWithOptions(transfer.Workflow, workflow.RegisterOptions{Name: transfer.WorkflowName})
			replayer.RegisterWorkflowWithOptions(escalation.Workflow, workflow.RegisterOptions{Name: escalation.WorkflowName})
			require.NoError(t, replayer.ReplayWorkflowHistory(nil, history))
		})
	}
}
