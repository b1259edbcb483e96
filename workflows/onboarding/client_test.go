package onboarding_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/workflows/onboarding"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// An onboarding started again hands back the run already there (running or finished)
// when it is for the same owner, and is refused when it names another.
func TestStart_ADuplicateStartReturnsTheRunOrRefusesAnotherOwner(t *testing.T) {
	t.Parallel()
	first := onboarding.Input{OrgID: uuid.New(), OwnerUserID: uuid.New()}
	other := first
	other.OwnerUserID = uuid.New()
	processtest.DuplicateStart(t, onboarding.Start, onboarding.WorkflowID(first.OrgID), first, first, other)
}
