package process

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// DatabaseActivity is the options of an activity that is one short database transaction:
// a lost task is retried soon (10 s), tries are spaced from a second up to five minutes
// apart, and after giveUp, from its first try, the activity has failed for good: each
// process says how long that is and what its failure path is. Errors of the nonRetryable
// types, and data the database refuses (activities.Classify), fail at once. A process
// that needs another bound sets it on the options and says why.
func DatabaseActivity(giveUp time.Duration, nonRetryable ...string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: giveUp,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}

// StripeActivity is the options of an activity that makes one Stripe call under an
// idempotency key (and records what it did in one short transaction): an attempt may take
// the payments client's own retries (three tries of up to 20 s each), so it has a minute,
// and heartbeats while it waits (a worker that dies mid-call is noticed within
// StripeHeartbeat, not at the end of the minute);
// tries are spaced from two seconds up to five minutes apart, each under the same key, so a
// retry repeats the call rather than making another; after giveUp the activity has failed
// for good and the process takes its failure path. Stripe's refusals (a declined capture,
// an account that cannot be paid) are of the nonRetryable types and fail at once.
func StripeActivity(giveUp time.Duration, nonRetryable ...string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout:    time.Minute,
		HeartbeatTimeout:       StripeHeartbeat,
		ScheduleToCloseTimeout: giveUp,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}

// StripeHeartbeat is how long a Stripe activity may go without a heartbeat before it is
// taken as lost and tried again; the activity beats every third of it.
const StripeHeartbeat = 10 * time.Second

// StreamActivity is the options of an activity that streams a file through object storage
// (an export's files, a spreadsheet being imported): a try may take up to half an hour, and
// it heartbeats as it goes, so a worker that dies mid-stream is noticed within
// StreamHeartbeat and the try starts again elsewhere; tries are spaced from two seconds up
// to five minutes apart, and after giveUp the activity has failed for good and the process
// takes its failure path.
func StreamActivity(giveUp time.Duration, nonRetryable ...string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Minute,
		HeartbeatTimeout:       StreamHeartbeat,
		ScheduleToCloseTimeout: giveUp,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}

// StreamHeartbeat is how long a streaming activity may go without a heartbeat before it is
// taken as lost and tried again; it beats at least every few seconds.
const StreamHeartbeat = 30 * time.Second
