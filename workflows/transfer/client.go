package transfer

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/workflows/process"
)

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
