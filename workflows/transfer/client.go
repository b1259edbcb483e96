package transfer

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/process"
)

// InputOf is the workflow input of an offer as it was recorded, with the escalation delays
// of n: what the start job and an answer start the workflow with.
func InputOf(t store.Transfer, n config.Notify) Input {
	in := Input{TransferID: t.ID, PublicID: t.PublicID, OrgID: t.OrgID, OrgName: t.OrgName, OfferedBy: t.OfferedBy,
		AnimalID: t.AnimalID, AnimalName: t.AnimalName, RecipientEmail: t.RecipientEmail, Message: t.Message,
		OfferedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, EmailAfter: n.EmailAfter, SMSAfter: n.SMSAfter}
	if in.AnimalName == "" {
		in.AnimalName = "animal " + t.AnimalPublicID
	}
	if t.RecipientOrgID != nil {
		in.RecipientOrgID = *t.RecipientOrgID
	}
	if t.RemindAt != nil {
		in.RemindAt = *t.RemindAt
	}
	return in
}

// Start starts the transfer's workflow and returns its run. Started again with the same
// input, it returns the run already under way, or the finished one: a transfer is never
// run twice. With another input it is an error wrapping process.ErrStartedOtherwise.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := process.Start(ctx, c, startOptions(taskQueue, in), WorkflowName, in, Input.same)
	if err != nil {
		return nil, fmt.Errorf("start transfer %s: %w", in.PublicID, err)
	}
	return run, nil
}

// startOptions start the transfer's workflow once: a finished transfer is not run again,
// and an answer sent with the start joins the workflow already running.
func startOptions(taskQueue string, in Input) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       WorkflowID(in.TransferID),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
}

// Answer sends an update (accept, decline or cancel) and waits for its outcome. The
// workflow is started with it if its start job has not run yet (update-with-start), so an
// answer never waits on the job. The same updateID (when not empty) sent again attaches to
// the first update and gets its outcome. A workflow that has finished answers
// IsWorkflowExecutionAlreadyStartedError.
func Answer(ctx context.Context, c client.Client, taskQueue string, in Input, update, updateID string, arg any) (Result, error) {
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: c.NewWithStartWorkflowOperation(startOptions(taskQueue, in), WorkflowName, in),
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: update, UpdateID: updateID, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = h.Get(ctx, &res)
	return res, err
}

// Reply is a person's answer to an offer, as AnswerOffer sends it.
type Reply struct {
	Update string // AcceptUpdate, DeclineUpdate or CancelUpdate
	Actor  Actor
	Reason string // a decline's
	// Key is the Idempotency-Key the answer is sent under (empty: none), and Retried is true
	// when an earlier request under it ended without an answer.
	Key     string
	Retried bool
}

// EndedError refuses an answer to a transfer that has ended, saying how it ended.
type EndedError struct {
	Status string
}

func (e *EndedError) Error() string { return "the transfer was already " + e.Status }

// AnswerOffer sends r to the workflow of the offer t, as recorded, and waits for its outcome
// (Answer). An answer sent under a key is sent as one update, so that its retry attaches to
// the first. An offer t shows ended is an *EndedError, unless r retries the very answer that
// ended it, which succeeds again without being sent.
func AnswerOffer(ctx context.Context, c client.Client, taskQueue string, n config.Notify, t store.Transfer, r Reply) error {
	if t.Status != string(Offered) {
		if r.Retried && r.ended(t) {
			return nil
		}
		return &EndedError{Status: t.Status}
	}
	_, err := Answer(ctx, c, taskQueue, InputOf(t, n), r.Update, r.updateID(), r.arg())
	return err
}

// arg is the argument r's update takes.
func (r Reply) arg() any {
	if r.Update == DeclineUpdate {
		return DeclineInput{Actor: r.Actor, Reason: r.Reason}
	}
	return r.Actor
}

// updateID names an answer sent under a key, so that its retry attaches to the update
// already under way; without a key every answer is its own update.
func (r Reply) updateID() string {
	if r.Key == "" {
		return ""
	}
	return r.Update + "/" + r.Actor.UserID.String() + "/" + r.Key
}

// ended reports whether the transfer t ended as r would have ended it.
func (r Reply) ended(t store.Transfer) bool {
	if t.EndedBy == nil || *t.EndedBy != r.Actor.UserID {
		return false
	}
	switch r.Update {
	case AcceptUpdate:
		return t.Status == string(Accepted) && t.ToOrgID != nil && *t.ToOrgID == r.Actor.OrgID
	case DeclineUpdate:
		return t.Status == string(Declined)
	case CancelUpdate:
		return t.Status == string(Cancelled)
	}
	return false
}

// Running reports whether the transfer's workflow is running: false when it has closed,
// however it ended, or was never started.
func Running(ctx context.Context, c client.Client, transferID uuid.UUID) (bool, error) {
	return process.Running(ctx, c, WorkflowID(transferID))
}
