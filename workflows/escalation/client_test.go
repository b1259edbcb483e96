package escalation_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/mocks"

	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// An escalation started again under the same dedup key hands back the run already there
// when the notification is the same, and is refused when it is another.
func TestStart_ADuplicateStartReturnsTheRunOrRefusesAnotherNotification(t *testing.T) {
	t.Parallel()
	first := offer()
	other := first
	other.Notification.Title = "Another animal is offered to you"

	cases := []struct {
		name      string
		in        escalation.Input
		wantError error
	}{
		{"the same notification gets the existing run", first, nil},
		{"another notification is refused", other, process.ErrStartedOtherwise},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tc := mocks.NewClient(t)
			existing := processtest.AlreadyStarted(t, tc, escalation.WorkflowID(first.Notification.DedupKey), first, c.wantError == nil)

			run, err := escalation.Start(context.Background(), tc, "reptidex", c.in)
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
