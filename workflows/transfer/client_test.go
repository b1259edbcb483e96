package transfer_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/mocks"

	"github.com/reptidex/reptidex/workflows/process"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// A transfer started a second time is never a silent nothing: with the offer it was
// started with, Start hands back that run (running or finished); with another offer under
// the same transfer, it is an error.
func TestStart_ADuplicateStartReturnsTheRunOrRefusesAnotherOffer(t *testing.T) {
	t.Parallel()
	first := offer()
	// The same offer, its times read back in another zone: the same instants.
	again := first
	again.OfferedAt, again.ExpiresAt = first.OfferedAt.In(time.FixedZone("CEST", 2*3600)), first.ExpiresAt.Local()
	other := first
	other.RecipientEmail = "someone.else@example.com"

	cases := []struct {
		name      string
		in        transfer.Input
		wantRun   bool
		wantError error
	}{
		{"the same offer gets the existing run", again, true, nil},
		{"another offer is refused", other, false, process.ErrStartedOtherwise},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tc := mocks.NewClient(t)
			tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, transfer.WorkflowName, c.in).
				Return(nil, serviceerror.NewWorkflowExecutionAlreadyStarted("already started", "", "run-1"))
			payloads, err := converter.GetDefaultDataConverter().ToPayloads(first)
			require.NoError(t, err)
			events := mocks.NewHistoryEventIterator(t)
			events.On("HasNext").Return(true)
			events.On("Next").Return(&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
				Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{
					WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{Input: payloads}}}, nil)
			tc.On("GetWorkflowHistory", mock.Anything, transfer.WorkflowID(first.TransferID), "run-1", false,
				enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT).Return(events)
			existing := mocks.NewWorkflowRun(t)
			if c.wantRun {
				tc.On("GetWorkflow", mock.Anything, transfer.WorkflowID(first.TransferID), "run-1").Return(existing)
			}

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
