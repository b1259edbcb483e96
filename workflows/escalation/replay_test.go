package escalation_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// Histories of escalations run as a transfer's child, recorded from the dev server by `make
// record-histories`, replay against today's code: a change that would break escalations
// already under way fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachEnding(t *testing.T) {
	t.Parallel()
	processtest.Replay(t, map[string]processtest.Ending{
		"testdata/actioned.json": processtest.Completed(func(t *testing.T, res escalation.Result) {
			require.True(t, res.Actioned, "told the action happened")
		}),
		"testdata/cancelled_with_its_transfer.json": processtest.Ended(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED),
	}, escalation.RegisterWorkflow)
}
