package certificate_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/workflows/certificate"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// A certificate started again hands back the run already there (running or finished) when
// it is the same certificate, and is refused when it names another animal.
func TestStart_ADuplicateStartReturnsTheRunOrRefusesAnotherInput(t *testing.T) {
	t.Parallel()
	first := input()
	other := first
	other.AnimalID = uuid.New()
	processtest.DuplicateStart(t, certificate.Start, certificate.WorkflowID(first.CertificateID), first, first, other)
}
