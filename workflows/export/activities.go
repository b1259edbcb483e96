package export

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Activities is what an export asks of the database and object storage. The requester is
// told through the escalation's notification activity, which the worker registers with the
// escalation.
type Activities interface {
	// File writes one file of the organization's data to object storage, as CSV and as its
	// part of the JSON document, heartbeating the rows written; run again, it writes the
	// same objects anew.
	File(ctx context.Context, in Input, file string) (Written, error)
	// Assemble puts the written files into the ZIP, streamed to object storage by a
	// multipart upload, and deletes the written files; run again, it writes the ZIP anew.
	Assemble(ctx context.Context, in Input, files []Written) (Assembled, error)
	// Finish marks the export ready with its ZIP and presigns its download link, valid
	// until the export expires; run again, it changes nothing and signs the link anew.
	Finish(ctx context.Context, in Input, zip Assembled, files []Written) (Ready, error)
	// Fail marks an export still running failed, with why, and deletes what it wrote.
	Fail(ctx context.Context, in Input, problem string) error
	// Begin records a scheduled run's export as running, requested by the schedule's
	// creator, or says why it makes none.
	Begin(ctx context.Context, in ScheduledInput) (Begun, error)
}

// Register registers the export workflow and acts' activities with w, each under the name
// the workflow schedules it by.
func Register(w worker.Registry, acts Activities) {
	RegisterWorkflow(w)
	w.RegisterActivityWithOptions(acts.File, activity.RegisterOptions{Name: FileActivity})
	w.RegisterActivityWithOptions(acts.Assemble, activity.RegisterOptions{Name: AssembleActivity})
	w.RegisterActivityWithOptions(acts.Finish, activity.RegisterOptions{Name: FinishActivity})
	w.RegisterActivityWithOptions(acts.Fail, activity.RegisterOptions{Name: FailActivity})
	w.RegisterActivityWithOptions(acts.Begin, activity.RegisterOptions{Name: BeginActivity})
}

// RegisterWorkflow registers the export workflow and the scheduled run alone under their
// names, as a replayer of recorded histories needs them.
func RegisterWorkflow(w worker.WorkflowRegistry) {
	w.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
	w.RegisterWorkflowWithOptions(ScheduledWorkflow, workflow.RegisterOptions{Name: ScheduledWorkflowName})
}
