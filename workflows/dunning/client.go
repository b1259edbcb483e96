package dunning

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Fail tells the subscription's dunning that an invoice failed, starting the dunning if none
// is running (signal-with-start): the first failure starts it, the next join it. A
// dunning that has ended (paid, or downgraded) is started afresh by a new failure.
func Fail(ctx context.Context, c client.Client, taskQueue string, in Input, f Failure) error {
	_, err := c.SignalWithStartWorkflow(ctx, WorkflowID(in.SubscriptionID), FailedSignal, f,
		client.StartWorkflowOptions{
			ID:                    WorkflowID(in.SubscriptionID),
			TaskQueue:             taskQueue,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		}, WorkflowName, in)
	if err != nil {
		return fmt.Errorf("tell %s of failed invoice %s: %w", WorkflowID(in.SubscriptionID), f.InvoiceID, err)
	}
	return nil
}

// ErrNotRunning is a signal to a subscription that has no dunning running.
var ErrNotRunning = errors.New("no dunning is running for the subscription")

// Tell sends a running dunning one of its signals (PaidSignal, PaymentMethodSignal,
// EndedSignal); ErrNotRunning when none runs.
func Tell(ctx context.Context, c client.Client, subscriptionID, signal string, arg any) error {
	err := c.SignalWorkflow(ctx, WorkflowID(subscriptionID), "", signal, arg)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return ErrNotRunning
	}
	if err != nil {
		return fmt.Errorf("signal %s to %s: %w", signal, WorkflowID(subscriptionID), err)
	}
	return nil
}

// StateOf asks a running dunning where it stands.
func StateOf(ctx context.Context, c client.Client, subscriptionID string) (State, error) {
	v, err := c.QueryWorkflow(ctx, WorkflowID(subscriptionID), "", StateQuery)
	if err != nil {
		return State{}, fmt.Errorf("query %s: %w", WorkflowID(subscriptionID), err)
	}
	var st State
	return st, v.Get(&st)
}
