package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/workflows/onboarding"
)

// StartOnboardingWorker starts the onboarding workflow through the same client code the
// API uses; a workflow already started or finished for the organization counts as done.
type StartOnboardingWorker struct {
	river.WorkerDefaults[StartOnboardingArgs]
	Temporal  client.Client
	TaskQueue string
}

// Work starts the workflow.
func (w *StartOnboardingWorker) Work(ctx context.Context, job *river.Job[StartOnboardingArgs]) error {
	_, err := onboarding.Start(ctx, w.Temporal, w.TaskQueue, onboarding.Input{OrgID: job.Args.OrgID, OwnerUserID: job.Args.OwnerUserID})
	if errors.Is(err, onboarding.ErrAlreadyOnboarded) {
		return nil
	}
	if err != nil {
		return cancelIfPermanent(fmt.Errorf("start onboarding of %s: %w", job.Args.OrgID, err))
	}
	return nil
}
