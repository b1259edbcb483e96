package onboarding

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Activities is what onboarding asks of the database.
type Activities interface {
	// Provision marks the organization provisioned and has its owner welcomed; run again,
	// it changes nothing and reports so.
	Provision(ctx context.Context, in Input) (Result, error)
}

// Register registers the onboarding workflow and acts' activity with w, under the name
// the workflow schedules it by.
func Register(w worker.Registry, acts Activities) {
	RegisterWorkflow(w)
	w.RegisterActivityWithOptions(acts.Provision, activity.RegisterOptions{Name: ProvisionActivity})
}

// RegisterWorkflow registers the onboarding workflow alone under its name, as a replayer of
// recorded histories needs it.
func RegisterWorkflow(w worker.WorkflowRegistry) {
	w.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
}
