package deletion

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
)

// Activities is what a deletion asks of the database. The person is told through the
// escalation's notification activity, which the worker registers with the escalation.
type Activities interface {
	// Plan reads what erasing would do to the person's organizations as things stand.
	Plan(ctx context.Context, in Input) (Plan, error)
	// Cancel records the deletion cancelled: the account is no longer to be erased.
	Cancel(ctx context.Context, in Input) error
	// Erase records notice (to the person, while their address is still known) and erases
	// the account in one transaction, telling each new owner; run again once erased, it
	// changes nothing and answers no fates.
	Erase(ctx context.Context, in Input, notice notify.Request) ([]Fate, error)
	// Scrub deletes the erased person's notifications, with their deliveries.
	Scrub(ctx context.Context, in Input) error
}

// Register registers the deletion workflow and acts' activities with w, each under the name
// the workflow schedules it by.
func Register(w worker.Registry, acts Activities) {
	RegisterWorkflow(w)
	w.RegisterActivityWithOptions(acts.Plan, activity.RegisterOptions{Name: PlanActivity})
	w.RegisterActivityWithOptions(acts.Cancel, activity.RegisterOptions{Name: CancelActivity})
	w.RegisterActivityWithOptions(acts.Erase, activity.RegisterOptions{Name: EraseActivity})
	w.RegisterActivityWithOptions(acts.Scrub, activity.RegisterOptions{Name: ScrubActivity})
}

// RegisterWorkflow registers the deletion workflow alone under its name, as a replayer of
// recorded histories needs it.
func RegisterWorkflow(w worker.WorkflowRegistry) {
	w.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
}
