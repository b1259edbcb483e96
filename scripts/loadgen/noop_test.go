package loadgen

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestHistorySteps_CountsTheActivitiesAndChildWorkflowsOfARecordedHistory(t *testing.T) {
	t.Parallel()
	// A recorded process's steps are its activities and child workflows, counted here by
	// their event types in the history's text.
	for _, path := range []string{
		filepath.Join("..", "..", "workflows", "sale", "testdata", "completed.json"),
		filepath.Join("..", "..", "workflows", "certificate", "testdata", "issued.json"),
	} {
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		want := strings.Count(string(raw), `"EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"`) +
			strings.Count(string(raw), `"EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED"`)
		n, err := HistorySteps(path)
		require.NoError(t, err)
		require.Equal(t, want, n, path)
		require.Positive(t, n)
	}

	dir := t.TempDir()
	for name, body := range map[string]string{
		"not ended.json": `{"events": [{"eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"},
			{"eventType": "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"}]}`,
		"no activities.json": `{"events": [{"eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED"}]}`,
		"not json.json":      `events`,
	} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		_, err := HistorySteps(path)
		require.Error(t, err, name)
	}
	_, err := HistorySteps(filepath.Join(dir, "missing.json"))
	require.Error(t, err)
}

func TestRunBaseline_CompletesEveryNoopWorkflow(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := RunBaseline(ctx, testkit.Temporal(t), "loadgen-test-"+strings.ReplaceAll(t.Name(), "/", "-")+"-"+time.Now().Format("150405.000000"), 6, 3, 4, 2)
	require.NoError(t, err)
	require.Empty(t, b.Failures)
	require.True(t, b.OK())
	require.Equal(t, 6, b.Completed)
	require.Equal(t, 3, b.Steps)
	require.Positive(t, b.WallSec)
	require.InDelta(t, 6/(b.WallSec/60), b.PerMinute, 1e-6)
	require.InDelta(t, 6/b.WallSec, b.PerSecond, 1e-6)
	require.Positive(t, b.Latency.P50ms)
	require.LessOrEqual(t, b.Latency.MaxMs, b.WallSec*1000)
}

func TestBaseline_IsOKOnlyWhenEveryNoopWorkflowCompleted(t *testing.T) {
	t.Parallel()
	require.True(t, Baseline{Workflows: 3, Completed: 3}.OK())
	require.False(t, Baseline{Workflows: 3, Completed: 2}.OK())
}

func TestPerMinuteAndPerSecond(t *testing.T) {
	t.Parallel()
	require.InDelta(t, 120.0, PerMinute(200, 100*time.Second), 1e-9)
	require.InDelta(t, 2.0, PerSecond(200, 100*time.Second), 1e-9)
	require.Zero(t, PerMinute(5, 0))
	require.Zero(t, PerSecond(5, 0))
}
