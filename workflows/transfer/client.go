package transfer

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
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

// Running reports whether the transfer's workflow is running: false when it has closed,
// however it ended, or was never started.
func Running(ctx context.Context, c client.Client, transferID uuid.UUID) (bool, error) {
	desc, err := c.DescribeWorkflowExecution(ctx, WorkflowID(transferID), "")
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("describe %s: %w", WorkflowID(transferID), err)
	}
	return desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}
