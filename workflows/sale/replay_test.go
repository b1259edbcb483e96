package sale_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process/processtest"
	"github.com/reptidex/reptidex/workflows/sale"
)

// Histories of each path a sale takes, recorded from the dev server by `make
// record-histories` (e2e TestSale_RecordsTheHistoryOfEachPath), replay against today's
// code: a change that would break sales under way fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	endedAs := func(want sale.Status) processtest.Ending {
		return processtest.Completed(func(t *testing.T, res sale.Result) { require.Equal(t, want, res.Status) })
	}
	processtest.Replay(t, map[string]processtest.Ending{
		"testdata/completed.json":                endedAs(sale.Completed),
		"testdata/declined.json":                 endedAs(sale.Failed),
		"testdata/cancelled.json":                endedAs(sale.Cancelled),
		"testdata/problem_refunded_in_part.json": endedAs(sale.Completed),
	}, sale.RegisterWorkflow, escalation.RegisterWorkflow)
}
