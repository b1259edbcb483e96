package deletion

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/workflows/process"
)

// Start starts a deletion and returns its run. Started again with the same input, it
// returns the run under way, or the finished one; with another input it is an error
// wrapping process.ErrStartedOtherwise. A finished deletion (cancelled) lets a new one start
// under the same workflow ID.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := process.Start(ctx, c, client.StartWorkflowOptions{
		ID:                    WorkflowID(in.UserID),
		TaskQueue:             taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, WorkflowName, in, Input.same)
	if err != nil {
		return nil, fmt.Errorf("start the deletion of %s: %w", in.PublicID, err)
	}
	return run, nil
}

// Cancel cancels a deletion within its grace and waits for it to be taken; the deletion is
// started with it when its start job has not run yet (update-with-start). A deletion whose
// erasure has begun refuses with an application error of ErrTypeRefused.
func Cancel(ctx context.Context, c client.Client, taskQueue string, in Input) error {
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID: WorkflowID(in.UserID), TaskQueue: taskQueue,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, WorkflowName, in),
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: CancelUpdate, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return err
	}
	var s Stage
	return h.Get(ctx, &s)
}
