// Package processtest holds what the processes' tests share: a Temporal client that
// already holds a run (AlreadyStarted) and the check of the start policy against it
// (DuplicateStart), the ways an activity fails for good (FinalFailures), and the replay of
// recorded histories (Replay).
package processtest

import (
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/mocks"
	"go.temporal.io/sdk/testsuite"
)

// AlreadyStarted makes c answer a start of workflowID as the server does when a run of it
// already exists (running, or finished and not to be repeated): the start is refused
// naming the run, whose history begins with input first. It returns the run c hands back
// when asked for it; a test that expects the run not to be asked for passes wantRun false.
func AlreadyStarted(t *testing.T, c *mocks.Client, workflowID string, first any, wantRun bool) *mocks.WorkflowRun {
	t.Helper()
	const runID = "run-1"
	c.On("ExecuteWorkflow", mock.Anything, mock.MatchedBy(func(o client.StartWorkflowOptions) bool { return o.ID == workflowID }), mock.Anything, mock.Anything).
		Return(nil, serviceerror.NewWorkflowExecutionAlreadyStarted("workflow execution already started", "", runID))
	payloads, err := converter.GetDefaultDataConverter().ToPayloads(first)
	require.NoError(t, err)
	events := mocks.NewHistoryEventIterator(t)
	events.On("HasNext").Return(true)
	events.On("Next").Return(&historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{
			WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{Input: payloads}}}, nil)
	c.On("GetWorkflowHistory", mock.Anything, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT).Return(events)
	run := mocks.NewWorkflowRun(t)
	if wantRun {
		c.On("GetWorkflow", mock.Anything, workflowID, runID).Return(run)
	}
	return run
}

// Result is the result of the workflow env ran, which must have completed without error.
func Result[R any](t *testing.T, env *testsuite.TestWorkflowEnvironment) R {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res R
	require.NoError(t, env.GetWorkflowResult(&res))
	return res
}
