package escalation

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/process"
)

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
	// Every activity is one short database transaction, given up after giveUp.
	ctx = workflow.WithActivityOptions(ctx, process.DatabaseActivity(giveUp, ErrTypeInvalid))
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
