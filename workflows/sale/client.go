package sale

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/workflows/process"
)

// Start starts the order's sale and returns its run. Started again with the same input, it
// returns the run already under way, or the finished one: an order is sold once. With
// another input it is an error wrapping process.ErrStartedOtherwise.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := process.Start(ctx, c, client.StartWorkflowOptions{
		ID:                    WorkflowID(in.OrderID),
		TaskQueue:             taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, WorkflowName, in, Input.same)
	if err != nil {
		return nil, fmt.Errorf("start sale %s: %w", in.PublicID, err)
	}
	return run, nil
}

// Ask sends an update (ship, delivered, confirm, report-problem, cancel, resolve) to the
// order's sale and waits for the state it leads to. The same updateID (when not empty) sent
// again attaches to the first update and gets its outcome. A sale that has not started yet
// or has finished is ErrNotRunning.
func Ask(ctx context.Context, c client.Client, orderID uuid.UUID, update, updateID string, arg any) (State, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: WorkflowID(orderID), UpdateName: update,
		UpdateID: updateID, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if notRunning(err) {
		return State{}, ErrNotRunning
	}
	if err != nil {
		return State{}, err
	}
	var st State
	err = h.Get(ctx, &st)
	if notRunning(err) {
		return State{}, ErrNotRunning
	}
	return st, err
}

// ErrNotRunning is an update or signal to a sale that is not running: not started yet, or
// over.
var ErrNotRunning = errors.New("the sale is not running")

// Tell passes a payment event to the order's sale. A sale that is not running is
// ErrNotRunning: the event came before the sale asked for the payment, or after it ended.
func Tell(ctx context.Context, c client.Client, orderID uuid.UUID, p Payment) error {
	err := c.SignalWorkflow(ctx, WorkflowID(orderID), "", PaymentSignal, p)
	if notRunning(err) {
		return ErrNotRunning
	}
	return err
}

// StateOf asks a running sale where it stands.
func StateOf(ctx context.Context, c client.Client, orderID uuid.UUID) (State, error) {
	v, err := c.QueryWorkflow(ctx, WorkflowID(orderID), "", StateQuery)
	if err != nil {
		return State{}, fmt.Errorf("query %s: %w", WorkflowID(orderID), err)
	}
	var st State
	return st, v.Get(&st)
}

// notRunning reports whether err says the workflow does not exist or has completed (the
// server answers NotFound to both).
func notRunning(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
