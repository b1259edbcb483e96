package transfer_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/mocks"

	"github.com/reptidex/reptidex/workflows/process"
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

	cases := []struct {
		name      string
		in        transfer.Input
		wantError error
	}{
		{"the same offer gets the existing run", again, nil},
		{"another offer is refused", other, process.ErrStartedOtherwise},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tc := mocks.NewClient(t)
			existing := processtest.AlreadyStarted(t, tc, transfer.WorkflowID(first.TransferID), first, c.wantError == nil)

			run, err := transfer.Start(context.Background(), tc, "reptidex", c.in)
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
