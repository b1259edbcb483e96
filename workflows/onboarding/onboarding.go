// Package onboarding is the process that prepares a newly registered organization: it
// records the organization as provisioned and has the owner welcomed by email.
package onboarding

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// WorkflowName is the registered name of the onboarding workflow.
const WorkflowName = "onboarding"

// ProvisionActivity is the registered name of the activity that provisions the organization.
const ProvisionActivity = "onboarding.provision"

// Input names the organization to onboard.
type Input struct {
	OrgID       uuid.UUID
	OwnerUserID uuid.UUID
}

// Result says what onboarding did.
type Result struct {
	// Provisioned is false when an earlier run had already provisioned the organization.
	Provisioned bool
}

// WorkflowID derives the workflow ID from the organization, so one organization has one
// onboarding.
func WorkflowID(orgID uuid.UUID) string { return "onboarding/" + orgID.String() }

// Start starts the onboarding of an organization, or returns the run already under way for
// it. A completed onboarding is never repeated: starting again is an error that wraps
// ErrAlreadyOnboarded.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       WorkflowID(in.OrgID),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A finished onboarding is an error, not a handle on the old run.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		WorkflowExecutionTimeout:                 24 * time.Hour,
	}, WorkflowName, in)
	if err != nil {
		if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return nil, fmt.Errorf("%w: %s", ErrAlreadyOnboarded, WorkflowID(in.OrgID))
		}
		return nil, fmt.Errorf("start onboarding: %w", err)
	}
	return run, nil
}

// ErrAlreadyOnboarded means the organization's onboarding already ran to its end.
var ErrAlreadyOnboarded = errors.New("organization already onboarded")

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
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: giveUp,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
			// Within giveUp there is room for about 20 tries; the count is a second bound.
			MaximumAttempts:        50,
			NonRetryableErrorTypes: []string{ErrTypeNotFound},
		},
	})
	var res Result
	if err := workflow.ExecuteActivity(ctx, ProvisionActivity, in).Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("the organization could not be provisioned; its onboarding gives up",
			"organization", in.OrgID, "error", err)
		return Result{}, err
	}
	return res, nil
}

// ErrTypeNotFound is the application error type of an activity that found no organization.
const ErrTypeNotFound = "OrganizationNotFound"
