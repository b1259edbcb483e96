package escalation_test

import (
	"testing"

	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// An escalation started again under the same dedup key hands back the run already there
// when the notification is the same, and is refused when it is another.
func TestStart_ADuplicateStartReturnsTheRunOrRefusesAnotherNotification(t *testing.T) {
	t.Parallel()
	first := offer()
	other := first
	other.Notification.Title = "Another animal is offered to you"
	processtest.DuplicateStart(t, escalation.Start, escalation.WorkflowID(first.Notification.DedupKey), first, first, other)
}
