package onboarding

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Start starts the onboarding of an organization, or returns the run already under way for
// it. A completed onboarding is never repeated: starting again is an error that wraps
// ErrAlreadyOnboarded.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       WorkflowID(in.OrgID),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A finished onboarding is an error, not a handle on the old run.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		WorkflowExecutionTimeout:                 24 * time.Hour,
	}, WorkflowName, in)
	if err != nil {
		if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return nil, fmt.Errorf("%w: %s", ErrAlreadyOnboarded, WorkflowID(in.OrgID))
		}
		return nil, fmt.Errorf("start onboarding: %w", err)
	}
	return run, nil
}
