package transfer_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/mocks"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/store"
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

// The workflow input carries the offer as recorded, with the escalation delays; an
// animal without a name is named by its public ID.
func TestInputOf_IsTheOfferAsRecorded(t *testing.T) {
	t.Parallel()
	want := offer()
	want.RecipientEmail, want.RecipientOrgID = "", uuid.New()
	recorded := store.Transfer{ID: want.TransferID, PublicID: want.PublicID, OrgID: want.OrgID, OrgName: want.OrgName,
		OfferedBy: want.OfferedBy, AnimalID: want.AnimalID, AnimalPublicID: "A1", AnimalName: want.AnimalName,
		RecipientOrgID: &want.RecipientOrgID, CreatedAt: want.OfferedAt, RemindAt: &want.RemindAt, ExpiresAt: want.ExpiresAt}
	n := config.Notify{EmailAfter: want.EmailAfter, SMSAfter: want.SMSAfter}
	require.Equal(t, want, transfer.InputOf(recorded, n))

	recorded.AnimalName, recorded.RemindAt = "", nil
	want.AnimalName, want.RemindAt = "animal A1", time.Time{}
	require.Equal(t, want, transfer.InputOf(recorded, n))
}

// The sweep asks whether a transfer's workflow still runs: one closed or never started
// does not, and a failure to ask is an error.
func TestRunning_OnlyARunningWorkflowRuns(t *testing.T) {
	t.Parallel()
	described := func(s enumspb.WorkflowExecutionStatus) *workflowservice.DescribeWorkflowExecutionResponse {
		return &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{Status: s}}
	}
	unreachable := serviceerror.NewUnavailable("connection refused")
	cases := []struct {
		name    string
		desc    *workflowservice.DescribeWorkflowExecutionResponse
		err     error
		running bool
		wantErr error
	}{
		{"running", described(enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING), nil, true, nil},
		{"completed", described(enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED), nil, false, nil},
		{"failed", described(enumspb.WORKFLOW_EXECUTION_STATUS_FAILED), nil, false, nil},
		{"never started", nil, serviceerror.NewNotFound("workflow not found"), false, nil},
		{"unreachable", nil, unreachable, false, unreachable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			id := uuid.New()
			tc := mocks.NewClient(t)
			tc.On("DescribeWorkflowExecution", mock.Anything, transfer.WorkflowID(id), "").Return(c.desc, c.err)
			running, err := transfer.Running(context.Background(), tc, id)
			if c.wantErr != nil {
				require.ErrorIs(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.running, running)
		})
	}
}
