package escalation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// How an activity finally fails: refused for good at its first try (as activities.Classify
// makes of data Postgres refuses), or failing (retryable) for longer than the workflow
// keeps trying (an hour).
var finalFailures = processtest.FinalFailures(
	temporal.NewNonRetryableApplicationError("invalid byte sequence", "InvalidData", nil), time.Hour)

// A channel that cannot be escalated is passed over, noted in the result, and the next
// one is tried after its delay.
func TestWorkflow_AChannelThatFailsIsPassedOver(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, finalFailures, func(t *testing.T, fail processtest.FinalFailure) {
		env, rec := newEnv(t)
		rec.escalateErr = func(c notify.Channel) error {
			if c == notify.Email {
				return fail.Err
			}
			return nil
		}
		env.ExecuteWorkflow(escalation.WorkflowName, offer())
		res := result(t, env)
		require.Equal(t, []escalation.Step{
			{Channel: notify.Email, Reason: "could not be escalated"},
			{Channel: notify.SMS, Delivered: true},
		}, res.Steps)
		require.LessOrEqual(t, rec.last.Sub(rec.first), fail.Within)
		sms := rec.escalated[notify.SMS]
		require.GreaterOrEqual(t, sms, 25*time.Hour, "the SMS keeps its delay after the email")
		require.LessOrEqual(t, sms, 25*time.Hour+fail.Within, "the SMS follows once the email was given up")
	})
}

// A notification that cannot be recorded ends its escalation, failed, within the bound:
// there is nothing to escalate.
func TestWorkflow_ANotificationThatCannotBeRecordedEndsTheEscalation(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, finalFailures, func(t *testing.T, fail processtest.FinalFailure) {
		env, rec := newEnv(t)
		rec.recordErr = fail.Err
		env.ExecuteWorkflow(escalation.WorkflowName, offer())
		require.True(t, env.IsWorkflowCompleted())
		require.Error(t, env.GetWorkflowError())
		require.LessOrEqual(t, rec.last.Sub(rec.first), fail.Within, "given up within the bound")
		require.Empty(t, rec.escalated)
	})
}

// An action that cannot be marked ends the escalation, failed, within the bound, and
// nothing more is escalated.
func TestWorkflow_AnActionThatCannotBeMarkedEndsTheEscalation(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, finalFailures, func(t *testing.T, fail processtest.FinalFailure) {
		env, rec := newEnv(t)
		rec.markErr = fail.Err
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(escalation.ActionedSignal, nil) }, 30*time.Minute)
		env.ExecuteWorkflow(escalation.WorkflowName, offer())
		require.True(t, env.IsWorkflowCompleted())
		require.Error(t, env.GetWorkflowError())
		require.LessOrEqual(t, rec.last.Sub(rec.first), fail.Within, "given up within the bound")
		require.Empty(t, rec.escalated)
	})
}
