package escalation_test

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
)

// Histories of escalations run as a transfer's child, recorded from the dev server by `make
// record-histories`, replay against today's code: a change that would break escalations
// already under way fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachEnding(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file     string
		end      enumspb.EventType
		actioned bool // for a completed escalation: whether it was told the action happened
	}{
		{"testdata/actioned.json", enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, true},
		{"testdata/cancelled_with_its_transfer.json", enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, false},
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
			require.Equal(t, c.end, last.EventType)
			if done := last.GetWorkflowExecutionCompletedEventAttributes(); done != nil {
				var res escalation.Result
				require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(done.GetResult(), &res))
				require.Equal(t, c.actioned, res.Actioned)
			}

			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflowWithOptions(escalation.Workflow, workflow.RegisterOptions{Name: escalation.WorkflowName})
			require.NoError(t, replayer.ReplayWorkflowHistory(nil, history))
		})
	}
}
