package export_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/workflows/export"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// An export started again hands back the run already there (running or finished) when it is
// the same export, and is refused when it names another requester.
func TestStart_ADuplicateStartReturnsTheRunOrRefusesAnotherInput(t *testing.T) {
	t.Parallel()
	first := input()
	other := first
	other.RequestedBy = uuid.New()
	processtest.DuplicateStart(t, export.Start, export.WorkflowID(first.ExportID), first, first, other)
}
