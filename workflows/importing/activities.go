package importing

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Activities is what an import asks of the database and object storage. The breeder is
// told through the escalation's notification activity, which the worker registers with the
// escalation.
type Activities interface {
	// Check reads the uploaded file with the mapping asked for, checks every row and plans
	// it against the organization (the dry run), and records the import checked with the
	// report; run again, it records the same.
	Check(ctx context.Context, in Input, req CheckRequest) (CheckResult, error)
	// Apply applies the checked file in batches of BatchRows, each in one transaction that
	// records it done, heartbeating the batches done; run again, it goes on after the last
	// batch done. A file that is not the one checked is ErrTypeFileChanged.
	Apply(ctx context.Context, in Input, checked CheckResult) (Totals, error)
	// End marks the import ended as e says, unless it has ended already, and deletes its
	// file.
	End(ctx context.Context, in Input, e Ended) error
}

// Register registers the import workflow and acts' activities with w, each under the name
// the workflow schedules it by.
func Register(w worker.Registry, acts Activities) {
	RegisterWorkflow(w)
	w.RegisterActivityWithOptions(acts.Check, activity.RegisterOptions{Name: CheckActivity})
	w.RegisterActivityWithOptions(acts.Apply, activity.RegisterOptions{Name: ApplyActivity})
	w.RegisterActivityWithOptions(acts.End, activity.RegisterOptions{Name: EndActivity})
}

// RegisterWorkflow registers the import workflow alone under its name, as a replayer of
// recorded histories needs it.
func RegisterWorkflow(w worker.WorkflowRegistry) {
	w.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
}
