package jobs

import (
	"context"

	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/workflows/onboarding"
)

// StartOnboardingWorker starts the onboarding workflow through the same client code the
// API uses; a workflow already started or finished for the organization with the same
// owner counts as done, and one started for another owner cancels the job.
type StartOnboardingWorker struct {
	river.WorkerDefaults[StartOnboardingArgs]
	Temporal  client.Client
	TaskQueue string
}

// Work starts the workflow.
func (w *StartOnboardingWorker) Work(ctx context.Context, job *river.Job[StartOnboardingArgs]) error {
	_, err := onboarding.Start(ctx, w.Temporal, w.TaskQueue, onboarding.Input{OrgID: job.Args.OrgID, OwnerUserID: job.Args.OwnerUserID})
	return cancelIfPermanent(err)
}
