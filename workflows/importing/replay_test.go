package importing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/workflows/importing"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// Histories of each path an import takes, recorded from the dev server by `make
// record-histories`, replay against today's code: a change that would break imports under
// way fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	processtest.Replay(t, map[string]processtest.Ending{
		"testdata/applied.json": processtest.Completed(func(t *testing.T, res importing.Result) {
			require.Equal(t, importing.Result{Stage: importing.Applied, Applied: importing.Totals{Created: 3}}, res)
		}),
		"testdata/cancelled.json": processtest.Completed(func(t *testing.T, res importing.Result) {
			require.Equal(t, importing.Cancelled, res.Stage)
		}),
		"testdata/expired.json": processtest.Completed(func(t *testing.T, res importing.Result) {
			require.Equal(t, importing.Expired, res.Stage)
		}),
		"testdata/file_changed.json": processtest.Failed(importing.ErrTypeFileChanged),
	}, importing.RegisterWorkflow)
}
