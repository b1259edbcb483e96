package transfer_test

import (
	"testing"
	"time"

	"github.com/reptidex/reptidex/workflows/process/processtest"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// A transfer started a second time is never a silent nothing: with the offer it was
// started with, Start hands back that run (running or finished); with another offer under
// the same transfer, it is an error.
func TestStart_ADuplicateStartReturnsTheRunOrRefusesAnotherOffer(t *testing.T) {
	t.Parallel()
	first := offer()
	// The same offer, its times read back in other zones: the same instants.
	again := first
	again.OfferedAt, again.ExpiresAt = first.OfferedAt.In(time.FixedZone("CEST", 2*3600)), first.ExpiresAt.Local()
	other := first
	other.RecipientEmail = "someone.else@example.com"
	processtest.DuplicateStart(t, transfer.Start, transfer.WorkflowID(first.TransferID), first, again, other)
}
