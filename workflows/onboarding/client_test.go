package onboarding_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/mocks"

	"github.com/reptidex/reptidex/workflows/onboarding"
	"github.com/reptidex/reptidex/workflows/process"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// An onboarding started again hands back the run already there (running or finished)
// when it is for the same owner, and is refused when it names another.
func TestStart_ADuplicateStartReturnsTheRunOrRefusesAnotherOwner(t *testing.T) {
	t.Parallel()
	first := onboarding.Input{OrgID: uuid.New(), OwnerUserID: uuid.New()}
	other := first
	other.OwnerUserID = uuid.New()

	cases := []struct {
		name      string
		in        onboarding.Input
		wantError error
	}{
		{"the same owner gets the existing run", first, nil},
		{"another owner is refused", other, process.ErrStartedOtherwise},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tc := mocks.NewClient(t)
			existing := processtest.AlreadyStarted(t, tc, onboarding.WorkflowID(first.OrgID), first, c.wantError == nil)

			run, err := onboarding.Start(context.Background(), tc, "reptidex", c.in)
			if c.wantError != nil {
				require.ErrorIs(t, err, c.wantError)
				require.Nil(t, run)
				return
			}
			require.NoError(t, err)
			require.Same(t, existing, run)
		})
	}
}
