package importing

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process"
)

// giveUp bounds each step, from its first try to its last: a check takes seconds, applying
// 100,000 rows a few minutes. A step failing for half an hour meets an outage that retrying
// will not mend soon; the import ends failed and the breeder is told.
const giveUp = 30 * time.Minute

// ErrTypeRefused is the application error type of an update the import cannot take at its
// stage; its message says why, for people.
const ErrTypeRefused = "ImportRefused"

// run is the workflow's state: its input, where it stands, what the breeder asked for and
// not yet done, and the last check's outcome.
type run struct {
	in       Input
	progress Progress
	// asked is the update waiting to be acted on: CheckUpdate (with check) or ApplyUpdate;
	// cancel is set when the breeder cancelled.
	asked   string
	check   CheckRequest
	cancel  bool
	checked CheckResult
	// ended is set once the import is marked ended (endErr: how that went), which a cancel
	// waits for before it answers.
	ended  bool
	endErr error
}

// Workflow is an import from its upload to its end: each check asked for is run, then the
// file is applied once asked; cancelled, or not applied within its expiry, it ends with its
// file deleted. A step that finally fails ends the import failed, tells the breeder, and
// fails the workflow.
func Workflow(ctx workflow.Context, in Input) (Result, error) {
	if in.ImportID == uuid.Nil || in.OrgID == uuid.Nil || in.CreatedBy == uuid.Nil || in.PublicID == "" || in.ObjectKey == "" {
		return Result{}, temporal.NewNonRetryableApplicationError("import, organization, creator and file are required", "InvalidInput", nil)
	}
	r := &run{in: in, progress: Progress{Stage: Uploading}}
	if err := r.handle(ctx); err != nil {
		return Result{}, err
	}
	res, err := r.steps(ctx)
	if !r.ended {
		r.ended, r.endErr = true, refused("The import ended before it could be cancelled.")
	}
	// Updates are answered as they come; wait for any still being answered.
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return res, err
}

// handle answers the progress query and the breeder's updates.
func (r *run) handle(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) { return r.progress, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, CheckUpdate, r.askCheck,
		workflow.UpdateHandlerOptions{Validator: r.validateCheck}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, ApplyUpdate, r.askApply,
		workflow.UpdateHandlerOptions{Validator: r.validateApply}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, CancelUpdate, r.askCancel,
		workflow.UpdateHandlerOptions{Validator: r.validateCancel})
}

// refused is an update's refusal, saying why.
func refused(why string) error { return temporal.NewApplicationError(why, ErrTypeRefused) }

func (r *run) validateCheck(_ workflow.Context, _ CheckRequest) error {
	switch {
	case r.cancel || r.progress.Stage != Uploading && r.progress.Stage != Checked:
		return refused(fmt.Sprintf("The import is %s; it can be checked once uploaded, and again until it is applied.", r.progress.Stage))
	case r.progress.Checks >= MaxChecks:
		return refused(fmt.Sprintf("The import was checked %d times; upload the file again as a new import to check it anew.", MaxChecks))
	}
	return nil
}

func (r *run) askCheck(_ workflow.Context, req CheckRequest) (Progress, error) {
	r.asked, r.check = CheckUpdate, req
	r.progress.Stage = Checking
	return r.progress, nil
}

// validateApply takes an apply once the import is checked, or while it is being checked (the
// apply then waits for the check).
func (r *run) validateApply(workflow.Context) error {
	switch {
	case r.cancel || r.progress.Stage != Checked && r.progress.Stage != Checking:
		return refused(fmt.Sprintf("The import is %s; it can be applied once checked.", r.progress.Stage))
	case r.progress.Stage == Checked && r.checked.Valid == 0:
		return refused(noRows)
	}
	return nil
}

// noRows refuses to apply a file none of whose rows can go in.
const noRows = "No row of the file can be imported; correct the file, or its mapping, and check it again."

// askApply applies the checked file, once a check under way has ended.
func (r *run) askApply(ctx workflow.Context) (Progress, error) {
	if err := workflow.Await(ctx, func() bool { return r.progress.Stage != Checking }); err != nil {
		return Progress{}, err
	}
	switch {
	case r.progress.Stage != Checked || r.asked != "":
		return Progress{}, refused(fmt.Sprintf("The import is %s; it can be applied once checked.", r.progress.Stage))
	case r.checked.Valid == 0:
		return Progress{}, refused(noRows)
	}
	r.asked = ApplyUpdate
	r.progress.Stage = Applying
	return r.progress, nil
}

func (r *run) validateCancel(workflow.Context) error {
	switch r.progress.Stage {
	case Uploading, Checking, Checked:
		return nil
	}
	return refused(fmt.Sprintf("The import is %s; it can be cancelled until it is applied.", r.progress.Stage))
}

// askCancel cancels the import, and answers once it is marked cancelled.
func (r *run) askCancel(ctx workflow.Context) (Progress, error) {
	r.cancel = true
	r.progress.Stage = Cancelled
	if err := workflow.Await(ctx, func() bool { return r.ended }); err != nil {
		return Progress{}, err
	}
	return r.progress, r.endErr
}

// steps acts on what the breeder asks, one at a time, until the import ends: applied,
// cancelled, or expired when nothing was asked before its expiry.
func (r *run) steps(ctx workflow.Context) (Result, error) {
	sctx := workflow.WithActivityOptions(ctx, process.StreamActivity(giveUp, ErrTypeNotFound, ErrTypeFileChanged))
	for {
		asked, err := workflow.AwaitWithTimeout(ctx, r.in.ExpiresAt.Sub(workflow.Now(ctx)), func() bool {
			return r.asked != "" || r.cancel
		})
		if err != nil {
			return Result{}, err
		}
		switch {
		case !asked:
			r.progress.Stage = Expired
			return r.end(ctx, Ended{Stage: Expired}, expiredMessage(r.in))
		case r.cancel:
			return r.end(ctx, Ended{Stage: Cancelled}, nil)
		case r.asked == CheckUpdate:
			var c CheckResult
			if err := workflow.ExecuteActivity(sctx, CheckActivity, r.in, r.check).Get(ctx, &c); err != nil {
				return r.fail(ctx, err)
			}
			r.asked, r.checked = "", c
			r.progress.Checks++
			if !r.cancel {
				r.progress.Stage = Checked
			}
		case r.asked == ApplyUpdate:
			var a Totals
			if err := workflow.ExecuteActivity(sctx, ApplyActivity, r.in, r.checked).Get(ctx, &a); err != nil {
				return r.fail(ctx, err)
			}
			r.progress.Stage = Applied
			res, err := r.end(ctx, Ended{Stage: Applied}, appliedMessage(r.in, a))
			res.Applied = a
			return res, err
		}
	}
}

// end marks the import ended and deletes its file, then tells the breeder (when m is not
// nil), on a context the workflow's cancellation does not end.
func (r *run) end(ctx workflow.Context, e Ended, m *notify.Request) (Result, error) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	dctx = workflow.WithActivityOptions(dctx, process.DatabaseActivity(giveUp, ErrTypeNotFound))
	err := workflow.ExecuteActivity(dctx, EndActivity, r.in, e).Get(dctx, nil)
	r.ended, r.endErr = true, err
	if err != nil {
		return Result{}, err
	}
	if m != nil {
		var id uuid.UUID
		if err := workflow.ExecuteActivity(dctx, escalation.RecordActivity, *m).Get(dctx, &id); err != nil {
			workflow.GetLogger(ctx).Warn("an import notification was not recorded", "import", r.in.PublicID, "error", err)
		}
	}
	return Result{Stage: e.Stage}, nil
}

// fail ends the import failed, naming where it stopped and why, tells the breeder, and
// answers cause.
func (r *run) fail(ctx workflow.Context, cause error) (Result, error) {
	problem := problemAt(r.progress.Stage, cause)
	workflow.GetLogger(ctx).Error("the import could not go on; it ends failed", "import", r.in.PublicID, "problem", problem,
		"error", cause)
	r.progress.Stage = Failed
	if _, err := r.end(ctx, Ended{Stage: Failed, Problem: problem}, failedMessage(r.in, problem)); err != nil {
		workflow.GetLogger(ctx).Error("the failed import could not be marked failed", "import", r.in.PublicID, "error", err)
	}
	return Result{Stage: Failed}, cause
}

// problemAt says, for people, where an import stopped and why.
func problemAt(stage Stage, cause error) string {
	step := "while checking the file"
	if stage == Applying {
		step = "while applying the file; the rows of the batches applied are in, the others not"
	}
	why := "storage or the database did not answer for half an hour"
	switch {
	case process.IsErrorType(cause, ErrTypeNotFound):
		why = "it was no longer there"
	case process.IsErrorType(cause, ErrTypeFileChanged):
		why = "the file is not the one checked, or no longer reads as it did; upload it again"
	}
	return "The import stopped " + step + ": " + why + "."
}
