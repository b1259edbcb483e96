package onboarding

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/workflows/process"
)

// Start starts the onboarding of an organization and returns its run. Started again with
// the same input, it returns the run already under way, or the finished one: an
// organization is onboarded once. With another input (another owner) it is an error
// wrapping process.ErrStartedOtherwise.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := process.Start(ctx, c, client.StartWorkflowOptions{
		ID:                       WorkflowID(in.OrgID),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionTimeout: 24 * time.Hour,
	}, WorkflowName, in, Input.same)
	if err != nil {
		return nil, fmt.Errorf("start onboarding of %s: %w", in.OrgID, err)
	}
	return run, nil
}
