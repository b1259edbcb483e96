package escalation_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// recorder stands in for the notification activities and notes when each ran, in the
// workflow's (skipped) time.
type recorder struct {
	mu        sync.Mutex
	t         *testing.T
	env       *testsuite.TestWorkflowEnvironment
	id        uuid.UUID
	start     time.Time
	escalated map[notify.Channel]time.Duration // channel → when, after the start
	actioned  bool
	escalate  func(notify.Channel) notify.Escalation

	// Failures, set before the workflow runs, and when the first and last tries of a
	// failing activity ran.
	recordErr   error
	escalateErr func(notify.Channel) error
	markErr     error
	first, last time.Time
}

// try notes a try of a failing activity.
func (rec *recorder) try(now time.Time) {
	if rec.first.IsZero() {
		rec.first = now
	}
	rec.last = now
}

// RecordNotification records the notification, or fails as set.
func (rec *recorder) RecordNotification(_ context.Context, _ notify.Request) (uuid.UUID, error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.recordErr != nil {
		rec.try(rec.env.Now())
		return uuid.Nil, rec.recordErr
	}
	rec.start = rec.env.Now()
	return rec.id, nil
}

// EscalateNotification notes when the channel was reached, or fails as set.
func (rec *recorder) EscalateNotification(_ context.Context, tg escalation.Target) (notify.Escalation, error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.Equal(rec.t, rec.id, tg.NotificationID)
	if rec.escalateErr != nil {
		if err := rec.escalateErr(tg.Channel); err != nil {
			rec.try(rec.env.Now())
			return notify.Escalation{}, err
		}
	}
	rec.escalated[tg.Channel] = rec.env.Now().Sub(rec.start)
	return rec.escalate(tg.Channel), nil
}

// MarkNotificationActioned notes the action, or fails as set.
func (rec *recorder) MarkNotificationActioned(_ context.Context, tg escalation.Target) error {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.Equal(rec.t, rec.id, tg.NotificationID)
	if rec.markErr != nil {
		rec.try(rec.env.Now())
		return rec.markErr
	}
	rec.actioned = true
	return nil
}

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *recorder) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	rec := &recorder{t: t, env: env, id: uuid.New(), escalated: map[notify.Channel]time.Duration{},
		escalate: func(notify.Channel) notify.Escalation { return notify.Escalation{Delivered: true} }}
	escalation.Register(env, rec)
	return env, rec
}

func offer() escalation.Input {
	return escalation.Input{
		Notification: notify.Request{DedupKey: "transfer/t1/offered", Type: "transfer.offered",
			OrgID: uuid.New(), UserID: uuid.New(), Title: "An animal is offered to you"},
		EmailAfter: time.Hour,
		SMSAfter:   24 * time.Hour,
	}
}

func result(t *testing.T, env *testsuite.TestWorkflowEnvironment) escalation.Result {
	t.Helper()
	return processtest.Result[escalation.Result](t, env)
}

func TestWorkflow_EscalatesToEmailThenSMSAfterTheirDelays(t *testing.T) {
	t.Parallel()
	env, rec := newEnv(t)
	env.ExecuteWorkflow(escalation.WorkflowName, offer())
	res := result(t, env)
	require.Equal(t, rec.id, res.NotificationID)
	require.False(t, res.Actioned)
	require.Equal(t, map[notify.Channel]time.Duration{notify.Email: time.Hour, notify.SMS: 25 * time.Hour}, rec.escalated)
	require.Equal(t, []escalation.Step{{Channel: notify.Email, Delivered: true}, {Channel: notify.SMS, Delivered: true}}, res.Steps)
	require.False(t, rec.actioned)
}

func TestWorkflow_ActionBeforeTheEmailStopsEverything(t *testing.T) {
	t.Parallel()
	env, rec := newEnv(t)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(escalation.ActionedSignal, nil) }, 30*time.Minute)
	env.ExecuteWorkflow(escalation.WorkflowName, offer())
	res := result(t, env)
	require.True(t, res.Actioned)
	require.Empty(t, res.Steps)
	require.Empty(t, rec.escalated)
	require.True(t, rec.actioned)
}

func TestWorkflow_ActionAfterTheEmailStopsTheSMS(t *testing.T) {
	t.Parallel()
	env, rec := newEnv(t)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(escalation.ActionedSignal, nil) }, 2*time.Hour)
	env.ExecuteWorkflow(escalation.WorkflowName, offer())
	res := result(t, env)
	require.True(t, res.Actioned)
	require.Equal(t, map[notify.Channel]time.Duration{notify.Email: time.Hour}, rec.escalated)
	require.True(t, rec.actioned)
}

func TestWorkflow_RecordsWhyAChannelWasPassedOver(t *testing.T) {
	t.Parallel()
	env, rec := newEnv(t)
	rec.escalate = func(c notify.Channel) notify.Escalation {
		if c == notify.SMS {
			return notify.Escalation{Reason: "no verified phone number"}
		}
		return notify.Escalation{Delivered: true}
	}
	env.ExecuteWorkflow(escalation.WorkflowName, offer())
	res := result(t, env)
	require.Equal(t, escalation.Step{Channel: notify.SMS, Reason: "no verified phone number"}, res.Steps[1])
}

func TestWorkflow_ZeroDelaysEscalateAtOnce(t *testing.T) {
	t.Parallel()
	env, rec := newEnv(t)
	in := offer()
	in.EmailAfter, in.SMSAfter = 0, 0
	env.ExecuteWorkflow(escalation.WorkflowName, in)
	result(t, env)
	require.Equal(t, map[notify.Channel]time.Duration{notify.Email: 0, notify.SMS: 0}, rec.escalated)
}

func TestWorkflow_RefusesATypeThatNeedsNoAction(t *testing.T) {
	t.Parallel()
	env, _ := newEnv(t)
	in := offer()
	in.Notification.Type = "organization.message"
	env.ExecuteWorkflow(escalation.WorkflowName, in)
	err := env.GetWorkflowError()
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, escalation.ErrTypeInvalid, appErr.Type())
}

func TestWorkflow_CancelledWhileWaitingEndsWithoutEscalating(t *testing.T) {
	t.Parallel()
	env, rec := newEnv(t)
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Minute)
	env.ExecuteWorkflow(escalation.WorkflowName, offer())
	require.True(t, env.IsWorkflowCompleted())
	require.True(t, temporal.IsCanceledError(env.GetWorkflowError()))
	require.Empty(t, rec.escalated)
}

func TestWorkflowID_DerivesFromTheNotification(t *testing.T) {
	t.Parallel()
	require.Equal(t, "notification/transfer/t1/offered", escalation.WorkflowID("transfer/t1/offered"))
}
