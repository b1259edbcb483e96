package dunning_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/workflows/dunning"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// Histories of each path a dunning takes, recorded from the dev server by `make
// record-histories`, replay against today's code: a change that would break dunnings
// already under way fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	endedAs := func(want string) processtest.Ending {
		return processtest.Completed(func(t *testing.T, res dunning.Result) { require.Equal(t, want, res.Outcome) })
	}
	processtest.Replay(t, map[string]processtest.Ending{
		"testdata/paid.json":              endedAs(dunning.OutcomePaid),
		"testdata/retried_then_paid.json": endedAs(dunning.OutcomePaid),
		"testdata/cancelled.json":         endedAs(dunning.OutcomeEnded),
		"testdata/downgraded.json":        endedAs(dunning.OutcomeDowngraded),
	}, dunning.RegisterWorkflow)
}
