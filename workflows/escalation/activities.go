package escalation

import (
	"context"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
)

// Activities is what an escalation asks of the database and the notifier, each one short
// step. Other processes (a transfer's offer and outcome) record notifications through
// RecordNotification too.
type Activities interface {
	// RecordNotification records the notification once per dedup key, delivering it
	// in-app, and returns its ID.
	RecordNotification(ctx context.Context, r notify.Request) (uuid.UUID, error)
	// EscalateNotification sends the notification on the target's channel, unless it was
	// read or actioned, and says whether it was delivered.
	EscalateNotification(ctx context.Context, t Target) (notify.Escalation, error)
	// MarkNotificationActioned records that the notification's action happened.
	MarkNotificationActioned(ctx context.Context, t Target) error
}

// Register registers the escalation workflow and acts' activities with w, each under the
// name the workflows schedule it by.
func Register(w worker.Registry, acts Activities) {
	RegisterWorkflow(w)
	w.RegisterActivityWithOptions(acts.RecordNotification, activity.RegisterOptions{Name: RecordActivity})
	w.RegisterActivityWithOptions(acts.EscalateNotification, activity.RegisterOptions{Name: EscalateActivity})
	w.RegisterActivityWithOptions(acts.MarkNotificationActioned, activity.RegisterOptions{Name: MarkActionedActivity})
}

// RegisterWorkflow registers the escalation workflow alone under its name, as a replayer of
// recorded histories needs it.
func RegisterWorkflow(w worker.WorkflowRegistry) {
	w.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
}
