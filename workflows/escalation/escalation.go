// Package escalation is the process that makes sure a notification needing an action is
// seen: in-app at once, then email after a delay if it is still unread and unactioned, then
// SMS after a further delay for types that allow it — until it is told the action happened.
package escalation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
)

// WorkflowName is the registered name of the escalation workflow.
const WorkflowName = "notification.escalation"

// ActionedSignal tells a running escalation that the action happened; it carries nothing.
const ActionedSignal = "actioned"

// Registered activity names.
const (
	RecordActivity       = "notification.record"
	EscalateActivity     = "notification.escalate"
	MarkActionedActivity = "notification.mark_actioned"
)

// ErrTypeInvalid is the application error type of a notification that cannot be recorded.
const ErrTypeInvalid = "InvalidNotification"

// giveUp bounds every activity of an escalation, from its first try to its last: each is
// one short database transaction, so one failing for an hour meets an outage or a fault
// that retrying will not mend. A notification that cannot be recorded ends the
// escalation (failed: there is nothing to escalate); a channel that cannot be reached is
// passed over, noted in the result, and the next one tried; an action that cannot be
// marked ends the escalation (failed: the action itself happened).
const giveUp = time.Hour

// passOverFailedChannels is the change that passes over a channel whose escalation
// finally failed, where the workflow used to fail: histories recorded before it replay as
// they ran.
const passOverFailedChannels = "pass-over-failed-channels"

// Input is the notification to escalate and the delays between its steps.
type Input struct {
	Notification notify.Request
	EmailAfter   time.Duration // from the in-app delivery to the email
	SMSAfter     time.Duration // from the email to the SMS
}

// Step is one channel the escalation reached or passed over, and why.
type Step struct {
	Channel   notify.Channel
	Delivered bool
	Reason    string `json:",omitempty"`
}

// Result says how the escalation ended.
type Result struct {
	NotificationID uuid.UUID
	Actioned       bool // told the action happened before every step ran
	Steps          []Step
}

// Target is the notification an activity works on and whom it acts as under RLS.
type Target struct {
	NotificationID uuid.UUID
	OrgID, UserID  uuid.UUID
	Channel        notify.Channel `json:",omitempty"`
}

// WorkflowID derives the workflow ID from the notification's dedup key: one escalation
// per notification.
func WorkflowID(dedupKey string) string { return "notification/" + dedupKey }

// Start starts the escalation of a notification on its own, or returns the run already
// under way for it. A finished escalation is not repeated.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       WorkflowID(in.Notification.DedupKey),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, WorkflowName, in)
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

// Workflow records the notification (delivering it in-app, or by email to someone without
// an account), then climbs to the next channels after their delays, stopping as soon as it
// is told the action happened.
func Workflow(ctx workflow.Context, in Input) (Result, error) {
	t, ok := notify.LookupType(in.Notification.Type)
	if !ok || !t.NeedsAction {
		return Result{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("notification type %q does not need an action", in.Notification.Type), ErrTypeInvalid, nil)
	}
	if in.EmailAfter < 0 || in.SMSAfter < 0 {
		return Result{}, temporal.NewNonRetryableApplicationError("delays must not be negative", ErrTypeInvalid, nil)
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		// Every activity is one short database transaction: a lost task is retried soon, and
		// one still failing after giveUp has failed for good. Data the database refuses is
		// not retried at all (activities.Classify).
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: giveUp,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			NonRetryableErrorTypes: []string{ErrTypeInvalid},
		},
	})
	actioned := workflow.GetSignalChannel(ctx, ActionedSignal)

	var res Result
	if err := workflow.ExecuteActivity(ctx, RecordActivity, in.Notification).Get(ctx, &res.NotificationID); err != nil {
		return res, err
	}
	target := Target{NotificationID: res.NotificationID, OrgID: in.Notification.OrgID, UserID: in.Notification.UserID}
	steps := []struct {
		channel notify.Channel
		after   time.Duration
	}{{notify.Email, in.EmailAfter}, {notify.SMS, in.SMSAfter}}
	for _, s := range steps {
		if !t.Allows(s.channel) {
			continue
		}
		if res.Actioned = waitOrActioned(ctx, actioned, s.after); res.Actioned {
			break
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		target.Channel = s.channel
		var e notify.Escalation
		if err := workflow.ExecuteActivity(ctx, EscalateActivity, target).Get(ctx, &e); err != nil {
			if temporal.IsCanceledError(err) || ctx.Err() != nil ||
				workflow.GetVersion(ctx, passOverFailedChannels, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
				return res, err
			}
			workflow.GetLogger(ctx).Error("a channel of the escalation failed; it is passed over",
				"dedup_key", in.Notification.DedupKey, "channel", s.channel, "error", err)
			e = notify.Escalation{Reason: "could not be escalated"}
		}
		res.Steps = append(res.Steps, Step{Channel: s.channel, Delivered: e.Delivered, Reason: e.Reason})
	}
	if !res.Actioned {
		res.Actioned = actioned.ReceiveAsync(nil)
	}
	if res.Actioned {
		target.Channel = ""
		if err := workflow.ExecuteActivity(ctx, MarkActionedActivity, target).Get(ctx, nil); err != nil {
			return res, err
		}
	}
	return res, nil
}

// waitOrActioned waits for d or the actioned signal, whichever comes first, and reports
// whether the signal came. A cancelled workflow stops waiting.
func waitOrActioned(ctx workflow.Context, actioned workflow.ReceiveChannel, d time.Duration) bool {
	timerCtx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	got := false
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(workflow.NewTimer(timerCtx, d), func(workflow.Future) {})
	sel.AddReceive(actioned, func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		got = true
	})
	sel.Select(ctx)
	return got
}
