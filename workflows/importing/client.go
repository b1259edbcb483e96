package importing

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/process"
)

// Start starts an import's process and returns its run. Started again with the same input,
// it returns the run under way, or the finished one: an import has one process. With another
// input it is an error wrapping process.ErrStartedOtherwise.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := process.Start(ctx, c, startOptions(taskQueue, in), WorkflowName, in, Input.same)
	if err != nil {
		return nil, fmt.Errorf("start import %s: %w", in.PublicID, err)
	}
	return run, nil
}

// startOptions start the import's process once: a finished import is not run again, and an
// update sent with the start joins the process already running.
func startOptions(taskQueue string, in Input) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       WorkflowID(in.ImportID),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
}

// Ask sends the breeder's update (CheckUpdate with a CheckRequest, ApplyUpdate or
// CancelUpdate) and answers the import's progress once it is taken. The process is started
// with it when its start job has not run yet (update-with-start). An update the import
// cannot take at its stage is an application error of ErrTypeRefused saying why; a process
// that has finished answers IsWorkflowExecutionAlreadyStartedError.
func Ask(ctx context.Context, c client.Client, taskQueue string, in Input, update string, args ...any) (Progress, error) {
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: c.NewWithStartWorkflowOperation(startOptions(taskQueue, in), WorkflowName, in),
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: update, Args: args,
			WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return Progress{}, err
	}
	var p Progress
	err = h.Get(ctx, &p)
	return p, err
}

// QueryProgress asks an import's process where it stands.
func QueryProgress(ctx context.Context, c client.Client, importID uuid.UUID) (Progress, error) {
	v, err := c.QueryWorkflow(ctx, WorkflowID(importID), "", ProgressQuery)
	if err != nil {
		return Progress{}, fmt.Errorf("query import %s: %w", importID, err)
	}
	var p Progress
	if err := v.Get(&p); err != nil {
		return Progress{}, fmt.Errorf("query import %s: %w", importID, err)
	}
	return p, nil
}

// InputOf is the process's input of an import as recorded: what its start job and the
// breeder's updates start it with.
func InputOf(im store.Import) Input {
	return Input{ImportID: im.ID, PublicID: im.PublicID, OrgID: im.OrgID, CreatedBy: im.CreatedBy, ObjectKey: im.ObjectKey,
		FileName: im.FileName, ExpiresAt: im.ExpiresAt.UTC()}
}
