package deletion

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process"
)

// giveUp bounds the steps that read or record the deletion: half an hour of the database
// not answering.
const giveUp = 30 * time.Minute

// eraseGiveUp bounds the erasure: a person who asked to be erased is, even through a
// week-long outage; past that the workflow fails, for an operator to look at.
const eraseGiveUp = 7 * 24 * time.Hour

// run is the workflow's state: where it stands, whether the person cancelled, and, once the
// cancel is recorded, how that went (keepErr).
type run struct {
	in        Input
	stage     Stage
	cancelled bool
	kept      bool
	keepErr   error
}

// Workflow deletes an account: the person told what will happen, the grace waited out (a
// reminder before it ends), then the erasure and, a day later, the scrub of their
// notifications. A cancel within the grace ends it, the account kept.
func Workflow(ctx workflow.Context, in Input) (Result, error) {
	if in.UserID == uuid.Nil || in.PublicID == "" || in.EraseAt.IsZero() {
		return Result{}, temporal.NewNonRetryableApplicationError("person and erasure time are required", "InvalidInput", nil)
	}
	r := &run{in: in, stage: Scheduled}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, CancelUpdate, r.cancel,
		workflow.UpdateHandlerOptions{Validator: r.validateCancel}); err != nil {
		return Result{}, err
	}
	res, err := r.steps(ctx)
	if !r.kept {
		// Ended before a cancel could be recorded (a step failed): the cancel answers that.
		r.kept, r.keepErr = true, temporal.NewApplicationError("The deletion ended before it could be cancelled.", ErrTypeRefused)
	}
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return res, err
}

func (r *run) validateCancel(workflow.Context) error {
	if r.stage != Scheduled {
		return temporal.NewApplicationError("The account is already "+string(r.stage)+"; it can be kept only until its erasure begins.",
			ErrTypeRefused)
	}
	return nil
}

// cancel asks for the account to be kept, and answers once that is recorded.
func (r *run) cancel(ctx workflow.Context) (Stage, error) {
	r.cancelled, r.stage = true, Cancelled
	if err := workflow.Await(ctx, func() bool { return r.kept }); err != nil {
		return "", err
	}
	return r.stage, r.keepErr
}

// steps runs the deletion to its end.
func (r *run) steps(ctx workflow.Context) (Result, error) {
	actx := workflow.WithActivityOptions(ctx, process.DatabaseActivity(giveUp, ErrTypeNotFound))
	var plan Plan
	if err := workflow.ExecuteActivity(actx, PlanActivity, r.in).Get(ctx, &plan); err != nil {
		return Result{}, err
	}
	tell(actx, r.in, requestedMessage(r.in, plan))
	for _, step := range []struct {
		at   time.Time
		then func()
	}{
		{r.in.RemindAt, func() { tell(actx, r.in, reminderMessage(r.in)) }},
		{r.in.EraseAt, func() {}},
	} {
		if r.waitUntil(ctx, step.at) {
			err := workflow.ExecuteActivity(actx, CancelActivity, r.in).Get(ctx, nil)
			r.kept, r.keepErr = true, err
			if err != nil {
				return Result{}, err
			}
			tell(actx, r.in, cancelledMessage(r.in))
			return Result{Stage: Cancelled}, nil
		}
		step.then()
	}
	r.stage = Erasing
	ectx := workflow.WithActivityOptions(ctx, process.StreamActivity(eraseGiveUp, ErrTypeNotFound))
	var fates []Fate
	if err := workflow.ExecuteActivity(ectx, EraseActivity, r.in, erasedMessage(r.in)).Get(ctx, &fates); err != nil {
		return Result{}, err
	}
	r.stage = Erased
	if err := workflow.Sleep(ctx, r.in.ScrubAfter); err != nil {
		return Result{}, err
	}
	if err := workflow.ExecuteActivity(actx, ScrubActivity, r.in).Get(ctx, nil); err != nil {
		return Result{}, err
	}
	return Result{Stage: Erased, Fates: fates}, nil
}

// waitUntil waits until at, or the person cancels; it reports whether they did.
func (r *run) waitUntil(ctx workflow.Context, at time.Time) bool {
	if wait := at.Sub(workflow.Now(ctx)); wait > 0 {
		_, _ = workflow.AwaitWithTimeout(ctx, wait, func() bool { return r.cancelled })
	}
	return r.cancelled
}

// tell records a notification to the person, best effort: one that cannot be recorded is
// logged, and the deletion goes on.
func tell(ctx workflow.Context, in Input, req notify.Request) {
	var id uuid.UUID
	if err := workflow.ExecuteActivity(ctx, escalation.RecordActivity, req).Get(ctx, &id); err != nil {
		workflow.GetLogger(ctx).Warn("a deletion notice was not recorded", "user", in.PublicID, "error", err)
	}
}
