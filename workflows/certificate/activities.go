package certificate

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Activities is what a certificate asks of the database, the key and object storage, each
// one short step. The requester is told through the escalation's notification activity,
// which the worker registers with the escalation.
type Activities interface {
	// Snapshot reads the animal and its pedigree as the requesting organization sees them.
	Snapshot(ctx context.Context, in Input) (Snapshot, error)
	// Sign signs the snapshot's canonical JSON with the current certificate key.
	Sign(ctx context.Context, s Snapshot) (Signed, error)
	// Store renders the signed snapshot as a PDF and stores it with the signed record; run
	// again, it writes the same objects.
	Store(ctx context.Context, in Input, s Signed) (Stored, error)
	// Issue marks the certificate issued with what was signed and stored, in one
	// transaction; run again, it changes nothing.
	Issue(ctx context.Context, i Issue) error
	// Fail marks a certificate still issuing failed.
	Fail(ctx context.Context, in Input) error
}

// Register registers the certificate workflow and acts' activities with w, each under the
// name the workflow schedules it by.
func Register(w worker.Registry, acts Activities) {
	RegisterWorkflow(w)
	w.RegisterActivityWithOptions(acts.Snapshot, activity.RegisterOptions{Name: SnapshotActivity})
	w.RegisterActivityWithOptions(acts.Sign, activity.RegisterOptions{Name: SignActivity})
	w.RegisterActivityWithOptions(acts.Store, activity.RegisterOptions{Name: StoreActivity})
	w.RegisterActivityWithOptions(acts.Issue, activity.RegisterOptions{Name: IssueActivity})
	w.RegisterActivityWithOptions(acts.Fail, activity.RegisterOptions{Name: FailActivity})
}

// RegisterWorkflow registers the certificate workflow alone under its name, as a replayer of
// recorded histories needs it.
func RegisterWorkflow(w worker.WorkflowRegistry) {
	w.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
}
