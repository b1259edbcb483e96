package deletion_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/workflows/deletion"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// Histories of each path a deletion takes, recorded from the dev server by `make
// record-histories`, replay against today's code: a change that would break deletions
// under way (they last a month) fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	processtest.Replay(t, map[string]processtest.Ending{
		"testdata/cancelled.json": processtest.Completed(func(t *testing.T, res deletion.Result) {
			require.Equal(t, deletion.Cancelled, res.Stage)
		}),
		"testdata/erased.json": processtest.Completed(func(t *testing.T, res deletion.Result) {
			require.Equal(t, deletion.Erased, res.Stage)
			require.Len(t, res.Fates, 2)
		}),
	}, deletion.RegisterWorkflow)
}
