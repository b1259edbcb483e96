package transfer_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process/processtest"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// Histories of each path a transfer takes, recorded from the dev server by `make
// record-histories`, replay against today's code: a change that would break transfers
// already under way fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	endedAs := func(want transfer.Status) processtest.Ending {
		return processtest.Completed(func(t *testing.T, res transfer.Result) { require.Equal(t, want, res.Status) })
	}
	processtest.Replay(t, map[string]processtest.Ending{
		"testdata/accepted.json":                              endedAs(transfer.Accepted),
		"testdata/declined.json":                              endedAs(transfer.Declined),
		"testdata/cancelled.json":                             endedAs(transfer.Cancelled),
		"testdata/expired_after_a_reminder.json":              endedAs(transfer.Expired),
		"testdata/declined_reason_refused_then_released.json": endedAs(transfer.Declined),
	}, transfer.RegisterWorkflow, escalation.RegisterWorkflow)
}
