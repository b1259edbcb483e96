package export

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/workflows/process"
)

// Start starts building an export and returns its run. Started again with the same input,
// it returns the run already under way, or the finished one: an export is built once. With
// another input it is an error wrapping process.ErrStartedOtherwise.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := process.Start(ctx, c, client.StartWorkflowOptions{
		ID:                    WorkflowID(in.ExportID),
		TaskQueue:             taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, WorkflowName, in, Input.same)
	if err != nil {
		return nil, fmt.Errorf("start export %s: %w", in.PublicID, err)
	}
	return run, nil
}

// QueryProgress asks a running export how far it has gone.
func QueryProgress(ctx context.Context, c client.Client, exportID uuid.UUID) (Progress, error) {
	v, err := c.QueryWorkflow(ctx, WorkflowID(exportID), "", ProgressQuery)
	if err != nil {
		return Progress{}, fmt.Errorf("query export %s: %w", exportID, err)
	}
	var p Progress
	if err := v.Get(&p); err != nil {
		return Progress{}, fmt.Errorf("query export %s: %w", exportID, err)
	}
	return p, nil
}

// Running reports whether the export's workflow is running; one never started, or ended, is
// not.
func Running(ctx context.Context, c client.Client, exportID uuid.UUID) (bool, error) {
	return process.Running(ctx, c, WorkflowID(exportID))
}
