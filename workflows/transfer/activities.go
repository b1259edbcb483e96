package transfer

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Activities is what a transfer asks of the database, each one short transaction. The
// workflow also records notifications and runs offer escalations: register the escalation
// process beside it.
type Activities interface {
	// TransferRecipients finds who the offer is addressed to.
	TransferRecipients(ctx context.Context, in Input) ([]Recipient, error)
	// MoveOwnership moves the animal of an accepted transfer, and re-issues its certificate
	// for the new owner, once.
	MoveOwnership(ctx context.Context, m MoveInput) error
	// FinishTransfer records how the transfer ended and releases the animal.
	FinishTransfer(ctx context.Context, f FinishInput) error
	// ReleaseTransfer records an ending without what the person gave, and releases the animal.
	ReleaseTransfer(ctx context.Context, r ReleaseInput) error
	// NoteTransfer adds an entry to the transfer's timeline.
	NoteTransfer(ctx context.Context, n NoteInput) error
}

// Register registers the transfer workflow and acts' activities with w, each under the
// name the workflow schedules it by.
func Register(w worker.Registry, acts Activities) {
	RegisterWorkflow(w)
	w.RegisterActivityWithOptions(acts.TransferRecipients, activity.RegisterOptions{Name: RecipientsActivity})
	w.RegisterActivityWithOptions(acts.MoveOwnership, activity.RegisterOptions{Name: MoveActivity})
	w.RegisterActivityWithOptions(acts.FinishTransfer, activity.RegisterOptions{Name: FinishActivity})
	w.RegisterActivityWithOptions(acts.ReleaseTransfer, activity.RegisterOptions{Name: ReleaseActivity})
	w.RegisterActivityWithOptions(acts.NoteTransfer, activity.RegisterOptions{Name: NoteActivity})
}

// RegisterWorkflow registers the transfer workflow alone under its name, as a replayer of
// recorded histories needs it.
func RegisterWorkflow(w worker.WorkflowRegistry) {
	w.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
}
