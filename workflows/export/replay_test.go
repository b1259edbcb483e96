package export_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/workflows/export"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// Histories of each path an export takes, recorded from the dev server by `make
// record-histories`, replay against today's code: a change that would break exports being
// built fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	processtest.Replay(t, map[string]processtest.Ending{
		"testdata/ready.json": processtest.Completed(func(t *testing.T, res export.Result) {
			require.Contains(t, res.Key, "exports/")
			require.Positive(t, res.Bytes)
		}),
		"testdata/not_running.json": processtest.Failed(export.ErrTypeNotFound),
		"testdata/scheduled_ready.json": processtest.Completed(func(t *testing.T, res export.Result) {
			require.Contains(t, res.Key, "exports/")
		}),
		"testdata/scheduled_paused.json": processtest.Completed(func(t *testing.T, res export.Result) {
			require.Equal(t, export.Result{}, res, "a paused schedule's run makes no export")
		}),
	}, export.RegisterWorkflow)
}
