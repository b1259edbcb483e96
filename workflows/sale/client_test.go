package sale_test

import (
	"testing"
	"time"

	"github.com/reptidex/reptidex/workflows/process/processtest"
	"github.com/reptidex/reptidex/workflows/sale"
)

// A sale started a second time is never a silent nothing: with the order it was started
// with, Start hands back that run (running or finished); with another order under the same
// ID, it is an error.
func TestStart_ADuplicateStartReturnsTheRunOrRefusesAnotherOrder(t *testing.T) {
	t.Parallel()
	first := input()
	// The same order, its times read back in another zone: the same instants.
	again := first
	again.PlacedAt, again.PaymentDueAt = first.PlacedAt.In(time.FixedZone("CEST", 2*3600)), first.PaymentDueAt.Local()
	other := first
	other.Amount = 12000
	processtest.DuplicateStart(t, sale.Start, sale.WorkflowID(first.OrderID), first, again, other)
}
