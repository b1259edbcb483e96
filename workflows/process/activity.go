package process

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// DatabaseGiveUp bounds an activity that is one short database transaction, from its first
// try to its last: one failing for an hour meets an outage or a fault that retrying will
// not mend, not a blip, and the process takes its failure path.
const DatabaseGiveUp = time.Hour

// DatabaseActivity is the options of an activity that is one short database transaction:
// a lost task is retried soon (10 s), tries are spaced from a second up to five minutes
// apart, and after DatabaseGiveUp the activity has failed for good. Errors of the
// nonRetryable types, and data the database refuses (activities.Classify), fail at once.
// A process that needs a bound of its own sets it on the options and says why.
func DatabaseActivity(nonRetryable ...string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: DatabaseGiveUp,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}
