package export

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process"
)

// giveUp bounds each step, from its first try to its last: each file is written in seconds,
// the ZIP of a large collection in under a minute. A step failing for half an hour meets an
// outage of object storage or the database that retrying will not mend soon; the requester
// is told, can ask again, and no ZIP of the export is visible.
const giveUp = 30 * time.Minute

// run is the workflow's state: its input and how far it has gone.
type run struct {
	in       Input
	progress Progress
}

// Workflow builds the export: each file written, the ZIP assembled, the export marked ready
// and the requester sent the link. A step that finally fails marks the export failed with
// the step it stopped at, tells the requester, and fails the workflow.
func Workflow(ctx workflow.Context, in Input) (Result, error) {
	if in.ExportID == uuid.Nil || in.OrgID == uuid.Nil || in.RequestedBy == uuid.Nil || in.PublicID == "" {
		return Result{}, temporal.NewNonRetryableApplicationError("export, organization and requester are required", "InvalidInput", nil)
	}
	r := &run{in: in, progress: Progress{Stage: Writing, FilesTotal: len(Files)}}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) { return r.progress, nil }); err != nil {
		return Result{}, err
	}
	res, err := r.build(ctx)
	if err != nil {
		r.fail(ctx, err)
		return Result{}, err
	}
	return res, nil
}

// build runs the steps, in order.
func (r *run) build(ctx workflow.Context) (Result, error) {
	sctx := workflow.WithActivityOptions(ctx, process.StreamActivity(giveUp, ErrTypeNotFound))
	written := make([]Written, 0, len(Files))
	for _, f := range Files {
		var w Written
		if err := workflow.ExecuteActivity(sctx, FileActivity, r.in, f).Get(ctx, &w); err != nil {
			return Result{}, err
		}
		written = append(written, w)
		r.progress.FilesDone++
		r.progress.Rows += w.Rows
	}
	r.progress.Stage = Assembling
	var zip Assembled
	if err := workflow.ExecuteActivity(sctx, AssembleActivity, r.in, written).Get(ctx, &zip); err != nil {
		return Result{}, err
	}
	r.progress.Stage = Finishing
	actx := workflow.WithActivityOptions(ctx, process.DatabaseActivity(giveUp, ErrTypeNotFound))
	var ready Ready
	if err := workflow.ExecuteActivity(actx, FinishActivity, r.in, zip, written).Get(ctx, &ready); err != nil {
		return Result{}, err
	}
	r.progress.Stage = Done
	tell(actx, r.in, readyMessage(r.in, ready, zip.Bytes))
	return Result{Key: zip.Key, Bytes: zip.Bytes, Rows: r.progress.Rows, ExpiresAt: ready.ExpiresAt}, nil
}

// fail marks the export failed, naming the stage it stopped at, and tells the requester, on
// a context the workflow's cancellation does not end, so that no export stays running.
func (r *run) fail(ctx workflow.Context, cause error) {
	problem := problemAt(r.progress, cause)
	workflow.GetLogger(ctx).Error("the export could not be finished; it ends failed",
		"export", r.in.PublicID, "problem", problem, "error", cause)
	r.progress.Stage = Failed
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	dctx = workflow.WithActivityOptions(dctx, process.DatabaseActivity(giveUp, ErrTypeNotFound))
	if err := workflow.ExecuteActivity(dctx, FailActivity, r.in, problem).Get(dctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("the failed export could not be marked failed", "export", r.in.PublicID, "error", err)
	}
	tell(dctx, r.in, FailedMessage(r.in, problem))
}

// problemAt says, for people, where an export stopped and why: data the database refused,
// an export no longer running, or else storage or the database not answering.
func problemAt(p Progress, cause error) string {
	var step string
	switch p.Stage {
	case Writing:
		step = "while writing " + Files[p.FilesDone] + ".csv"
	case Assembling:
		step = "while putting its files into the ZIP"
	default:
		step = "before it could be marked ready"
	}
	why := "storage or the database did not answer for half an hour"
	switch {
	case process.IsErrorType(cause, ErrTypeNotFound):
		why = "it was no longer running"
	case process.IsErrorType(cause, errTypeInvalidData):
		why = "the database refused what it read"
	}
	return "The export stopped " + step + ": " + why + ". Nothing was exported; please ask again."
}

// errTypeInvalidData is the type of an activity error whose input the database refuses for
// good (activities.ErrTypeInvalidData).
const errTypeInvalidData = "InvalidData"

// tell records a notification to the requester, best effort: one that cannot be recorded is
// logged, and the export stands as it is.
func tell(ctx workflow.Context, in Input, req notify.Request) {
	var id uuid.UUID
	if err := workflow.ExecuteActivity(ctx, escalation.RecordActivity, req).Get(ctx, &id); err != nil {
		workflow.GetLogger(ctx).Warn("an export notification was not recorded", "export", in.PublicID, "error", err)
	}
}

// ScheduledWorkflow is one run of a schedule of exports: the export recorded, then built as
// the export workflow's child, under the export's own workflow ID; a run whose schedule makes
// no export (Begun.Skipped) ends at once, having made none.
func ScheduledWorkflow(ctx workflow.Context, in ScheduledInput) (Result, error) {
	if in.ScheduleID == uuid.Nil || in.OrgID == uuid.Nil {
		return Result{}, temporal.NewNonRetryableApplicationError("schedule and organization are required", "InvalidInput", nil)
	}
	actx := workflow.WithActivityOptions(ctx, process.DatabaseActivity(giveUp))
	var begun Begun
	if err := workflow.ExecuteActivity(actx, BeginActivity, in).Get(ctx, &begun); err != nil {
		return Result{}, err
	}
	if begun.Skipped != "" {
		workflow.GetLogger(ctx).Info("a scheduled export made no export", "schedule", in.ScheduleID, "why", begun.Skipped)
		return Result{}, nil
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: WorkflowID(begun.Export.ExportID)})
	var res Result
	err := workflow.ExecuteChildWorkflow(cctx, WorkflowName, begun.Export).Get(ctx, &res)
	return res, err
}
