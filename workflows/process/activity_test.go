package process_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/workflows/process"
)

// The database activity options are the bounds every process has run with: a try of 10 s,
// tries a second to five minutes apart, given up when the process says, the named errors
// not retried.
func TestDatabaseActivity_IsBoundedAndRetriesOnlyWhatCanMend(t *testing.T) {
	t.Parallel()
	require.Equal(t, workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: []string{"Refused"},
		},
	}, process.DatabaseActivity(time.Hour, "Refused"))
}

// A streaming activity has half an hour a try, is noticed lost within its heartbeat, and is
// given up when the process says.
func TestStreamActivity_HeartbeatsAndIsBounded(t *testing.T) {
	t.Parallel()
	require.Equal(t, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Minute,
		HeartbeatTimeout:       30 * time.Second,
		ScheduleToCloseTimeout: 2 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: []string{"Refused"},
		},
	}, process.StreamActivity(2*time.Hour, "Refused"))
}
