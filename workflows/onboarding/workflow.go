package onboarding

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/workflows/process"
)

// giveUp bounds the provisioning, from its first try to its last: it is one short
// database transaction, so one failing for an hour meets an outage or a fault that
// retrying will not mend. Nothing waits on provisioning (the organization is usable from
// its registration), so giving up holds nothing; the owner goes without the welcome email.
const giveUp = time.Hour

// Workflow provisions the organization through its activity, retrying with a bounded
// policy; a missing organization, or data the database refuses, is a permanent failure.
// A provisioning that finally fails is logged and fails the onboarding, which is not
// started again (an operator can see it among the failed workflows).
func Workflow(ctx workflow.Context, in Input) (Result, error) {
	if in.OrgID == uuid.Nil || in.OwnerUserID == uuid.Nil {
		return Result{}, temporal.NewNonRetryableApplicationError("organization and owner are required", "InvalidInput", nil)
	}
	opts := process.DatabaseActivity(giveUp, ErrTypeNotFound)
	// Provisioning has had 30 s a try since its first runs. Within giveUp there is room for
	// about 20 tries; the count is a second bound.
	opts.StartToCloseTimeout = 30 * time.Second
	opts.RetryPolicy.MaximumAttempts = 50
	ctx = workflow.WithActivityOptions(ctx, opts)
	var res Result
	if err := workflow.ExecuteActivity(ctx, ProvisionActivity, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("the organization could not be provisioned; its onboarding gives up",
			"organization", in.OrgID, "error", err)
		return Result{}, err
	}
	return res, nil
}
