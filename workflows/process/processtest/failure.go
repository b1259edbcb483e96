package processtest

import (
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
)

// RetryEvery is how far apart ErrRetryLater asks to be retried. The test environment
// gives up an activity after 10 tries when its policy sets no limit, so only long delays
// between tries show how long a policy keeps trying.
const RetryEvery = 20 * time.Minute

// ErrRetryLater is a retryable activity failure that asks to be retried RetryEvery later.
var ErrRetryLater = temporal.NewApplicationErrorWithOptions("the database is unreachable", "Unreachable",
	temporal.ApplicationErrorOptions{NextRetryDelay: RetryEvery})

// FinalFailure is one way an activity fails for good, as a process's tests make it fail.
type FinalFailure struct {
	Name string
	Err  error
	// Within is how long after its first try the activity is given up, and Tries how many
	// times it is tried in all.
	Within time.Duration
	Tries  int
}

// FinalFailures are the ways an activity of a process fails for good: refused at its first
// try with refused (an error the process does not retry, such as activities.Classify
// makes of data Postgres refuses), and failing with ErrRetryLater for longer than giveUp,
// the bound the process sets on the activity (a multiple of RetryEvery).
func FinalFailures(refused error, giveUp time.Duration) []FinalFailure {
	return []FinalFailure{
		{Name: "refused for good", Err: refused, Within: 0, Tries: 1},
		{Name: "failing for hours", Err: ErrRetryLater, Within: giveUp, Tries: int(giveUp/RetryEvery) + 1},
	}
}

// EachFinalFailure runs check in a parallel subtest, named for the failure, for each of
// failures.
func EachFinalFailure(t *testing.T, failures []FinalFailure, check func(t *testing.T, fail FinalFailure)) {
	t.Helper()
	for _, fail := range failures {
		t.Run(fail.Name, func(t *testing.T) {
			t.Parallel()
			check(t, fail)
		})
	}
}
