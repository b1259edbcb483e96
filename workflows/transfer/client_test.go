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
	"go.temporal.io/sdk/client"
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

// An answer to an offer that has ended reaches no workflow: it is refused saying how the
// offer ended, unless it retries the very answer that ended it — the same update, by the
// same person, into the same organization — which succeeds again.
func TestAnswerOffer_AnEndedOfferRefusesAllButTheRetryOfItsOwnEnding(t *testing.T) {
	t.Parallel()
	buyer, buyerOrg, otherOrg := uuid.New(), uuid.New(), uuid.New()
	ended := func(status transfer.Status, by uuid.UUID, to *uuid.UUID) store.Transfer {
		return store.Transfer{ID: uuid.New(), PublicID: "T1", Status: string(status), EndedBy: &by, ToOrgID: to}
	}
	accept := transfer.Reply{Update: transfer.AcceptUpdate, Actor: transfer.Actor{UserID: buyer, OrgID: buyerOrg}, Key: "k1", Retried: true}
	decline := transfer.Reply{Update: transfer.DeclineUpdate, Actor: transfer.Actor{UserID: buyer}, Key: "k1", Retried: true}
	notRetried := accept
	notRetried.Retried = false
	intoOther := accept
	intoOther.Actor.OrgID = otherOrg
	cases := []struct {
		name    string
		t       store.Transfer
		reply   transfer.Reply
		refused bool
	}{
		{"the retried accept that accepted it", ended(transfer.Accepted, buyer, &buyerOrg), accept, false},
		{"the retried decline that declined it", ended(transfer.Declined, buyer, nil), decline, false},
		{"an accept sent for the first time", ended(transfer.Accepted, buyer, &buyerOrg), notRetried, true},
		{"an accept into another organization", ended(transfer.Accepted, buyer, &buyerOrg), intoOther, true},
		{"an accept of a declined offer", ended(transfer.Declined, buyer, nil), accept, true},
		{"an accept of an offer someone else accepted", ended(transfer.Accepted, uuid.New(), &buyerOrg), accept, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tc := mocks.NewClient(t) // no expectations: any call to Temporal fails the test
			err := transfer.AnswerOffer(context.Background(), tc, "queue", config.Notify{}, c.t, c.reply)
			if !c.refused {
				require.NoError(t, err)
				return
			}
			var endedErr *transfer.EndedError
			require.ErrorAs(t, err, &endedErr)
			require.Equal(t, c.t.Status, endedErr.Status)
		})
	}
}

// An answer to an open offer is sent with the workflow's start, as the update its reply
// names, with the argument that update takes; an answer sent under a key is named by it, so
// that its retry attaches to the first.
func TestAnswerOffer_SendsTheUpdateWithTheStartNamedByItsKey(t *testing.T) {
	t.Parallel()
	actor := transfer.Actor{UserID: uuid.New(), OrgID: uuid.New(), Email: "buyer@example.com"}
	cases := []struct {
		name   string
		reply  transfer.Reply
		id     string
		wantIn any
	}{
		{"accept under a key", transfer.Reply{Update: transfer.AcceptUpdate, Actor: actor, Key: "k1"},
			transfer.AcceptUpdate + "/" + actor.UserID.String() + "/k1", actor},
		{"decline without a key", transfer.Reply{Update: transfer.DeclineUpdate, Actor: actor, Reason: "too far"},
			"", transfer.DeclineInput{Actor: actor, Reason: "too far"}},
		{"cancel", transfer.Reply{Update: transfer.CancelUpdate, Actor: actor, Key: "k2"},
			transfer.CancelUpdate + "/" + actor.UserID.String() + "/k2", actor},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := offer()
			recorded := store.Transfer{ID: in.TransferID, PublicID: in.PublicID, Status: string(transfer.Offered)}
			tc := mocks.NewClient(t)
			tc.On("NewWithStartWorkflowOperation", mock.MatchedBy(func(o client.StartWorkflowOptions) bool {
				return o.ID == transfer.WorkflowID(in.TransferID) && o.TaskQueue == "queue"
			}), transfer.WorkflowName, mock.Anything).Return(nil)
			h := mocks.NewWorkflowUpdateHandle(t)
			h.On("Get", mock.Anything, mock.Anything).Return(nil)
			tc.On("UpdateWithStartWorkflow", mock.Anything, mock.MatchedBy(func(o client.UpdateWithStartWorkflowOptions) bool {
				u := o.UpdateOptions
				return u.UpdateName == c.reply.Update && u.UpdateID == c.id && len(u.Args) == 1 && u.Args[0] == c.wantIn &&
					u.WaitForStage == client.WorkflowUpdateStageCompleted
			})).Return(h, nil)
			require.NoError(t, transfer.AnswerOffer(context.Background(), tc, "queue", config.Notify{}, recorded, c.reply))
		})
	}
}
