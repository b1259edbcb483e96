// Package process holds what every ReptiDex process (a workflow package under workflows/)
// shares: the start policy, the activity options by kind of dependency and the
// classification of their errors. Its processtest package holds what their tests share.
package process

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
)

// Running reports whether the workflow with the ID is running: false when it has closed,
// however it ended, or was never started.
func Running(ctx context.Context, c client.Client, workflowID string) (bool, error) {
	desc, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("describe %s: %w", workflowID, err)
	}
	return desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}

// ErrStartedOtherwise means a workflow with the same ID was started with another input: the
// second start did not run.
var ErrStartedOtherwise = errors.New("already started with another input")

// Start starts the workflow named name with in, under opts, and returns its run. A
// duplicate start is never a silent second run: when a workflow with opts.ID exists
// (running, or finished and not to be repeated), Start returns that run if it was started
// with the same input (same reports whether two inputs are), and an error wrapping
// ErrStartedOtherwise if not. Whether a finished workflow may run again is opts'
// WorkflowIDReusePolicy; its conflict policy is always to fail, so that the input is
// compared.
func Start[In any](ctx context.Context, c client.Client, opts client.StartWorkflowOptions, name string, in In,
	same func(a, b In) bool) (client.WorkflowRun, error) {
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL
	opts.WorkflowExecutionErrorWhenAlreadyStarted = true
	run, err := c.ExecuteWorkflow(ctx, opts, name, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if !errors.As(err, &started) {
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", opts.ID, err)
		}
		return run, nil
	}
	first, err := startedWith[In](ctx, c, opts.ID, started.RunId)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", opts.ID, err)
	}
	if !same(first, in) {
		return nil, fmt.Errorf("start %s: %w", opts.ID, ErrStartedOtherwise)
	}
	return c.GetWorkflow(ctx, opts.ID, started.RunId), nil
}

// startedWith reads the input a workflow run was started with, from the first event of its
// history.
func startedWith[In any](ctx context.Context, c client.Client, workflowID, runID string) (In, error) {
	var in In
	events := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !events.HasNext() {
		return in, fmt.Errorf("read the start of %s: no history", workflowID)
	}
	first, err := events.Next()
	if err != nil {
		return in, fmt.Errorf("read the start of %s: %w", workflowID, err)
	}
	attrs := first.GetWorkflowExecutionStartedEventAttributes()
	if attrs == nil {
		return in, fmt.Errorf("read the start of %s: the first event is %s", workflowID, first.GetEventType())
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), &in); err != nil {
		return in, fmt.Errorf("read the start of %s: %w", workflowID, err)
	}
	return in, nil
}

// SameJSON reports whether a and b encode to the same JSON, as the workflow receives
// them: for inputs whose fields compare by value (no times in other zones).
func SameJSON[In any](a, b In) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
