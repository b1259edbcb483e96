package escalation

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/workflows/process"
)

// Start starts the escalation of a notification on its own and returns its run. Started
// again with the same input, it returns the run already under way, or the finished one: an
// escalation is not repeated. With another input under the same dedup key it is an error
// wrapping process.ErrStartedOtherwise.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := process.Start(ctx, c, client.StartWorkflowOptions{
		ID:                    WorkflowID(in.Notification.DedupKey),
		TaskQueue:             taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, WorkflowName, in, process.SameJSON[Input])
	if err != nil {
		return nil, fmt.Errorf("start escalation of %s: %w", in.Notification.DedupKey, err)
	}
	return run, nil
}

// ChildOptions are the options to run the escalation as a child of the workflow that owns
// the action: it is cancelled when that workflow ends.
func ChildOptions(dedupKey string) workflow.ChildWorkflowOptions {
	return workflow.ChildWorkflowOptions{
		WorkflowID:            WorkflowID(dedupKey),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
	}
}

// Actioned tells the escalation of a notification, from outside a workflow, that the
// action happened. An escalation that has already ended is not an error.
func Actioned(ctx context.Context, c client.Client, dedupKey string) error {
	err := c.SignalWorkflow(ctx, WorkflowID(dedupKey), "", ActionedSignal, nil)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	return err
}
