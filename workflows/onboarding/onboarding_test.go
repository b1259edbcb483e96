package onboarding_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/workflows/onboarding"
)

// provisioner stands in for the database: the function is the provisioning.
type provisioner func(context.Context, onboarding.Input) (onboarding.Result, error)

// Provision runs the function.
func (p provisioner) Provision(ctx context.Context, in onboarding.Input) (onboarding.Result, error) {
	return p(ctx, in)
}

func newEnv(t *testing.T, provision provisioner) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	onboarding.Register(env, provision)
	return env
}

func TestWorkflow_ProvisionsTheOrganization(t *testing.T) {
	t.Parallel()
	in := onboarding.Input{OrgID: uuid.New(), OwnerUserID: uuid.New()}
	var got onboarding.Input
	env := newEnv(t, func(_ context.Context, i onboarding.Input) (onboarding.Result, error) {
		got = i
		return onboarding.Result{Provisioned: true}, nil
	})
	env.ExecuteWorkflow(onboarding.WorkflowName, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res onboarding.Result
	require.NoError(t, env.GetWorkflowResult(&res))
	require.True(t, res.Provisioned)
	require.Equal(t, in, got)
}

func TestWorkflow_RetriesTransientFailures(t *testing.T) {
	t.Parallel()
	calls := 0
	env := newEnv(t, func(context.Context, onboarding.Input) (onboarding.Result, error) {
		calls++
		if calls < 3 {
			return onboarding.Result{}, errors.New("connection refused")
		}
		return onboarding.Result{Provisioned: true}, nil
	})
	env.ExecuteWorkflow(onboarding.WorkflowName, onboarding.Input{OrgID: uuid.New(), OwnerUserID: uuid.New()})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, 3, calls)
}

func TestWorkflow_MissingOrganizationFailsWithoutRetrying(t *testing.T) {
	t.Parallel()
	calls := 0
	env := newEnv(t, func(context.Context, onboarding.Input) (onboarding.Result, error) {
		calls++
		return onboarding.Result{}, temporal.NewApplicationError("gone", onboarding.ErrTypeNotFound)
	})
	env.ExecuteWorkflow(onboarding.WorkflowName, onboarding.Input{OrgID: uuid.New(), OwnerUserID: uuid.New()})
	err := env.GetWorkflowError()
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, onboarding.ErrTypeNotFound, appErr.Type())
	require.Equal(t, 1, calls)
}

func TestWorkflow_RefusesEmptyInput(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(context.Context, onboarding.Input) (onboarding.Result, error) {
		t.Error("the activity must not run")
		return onboarding.Result{}, nil
	})
	env.ExecuteWorkflow(onboarding.WorkflowName, onboarding.Input{})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, env.GetWorkflowError(), &appErr)
	require.True(t, appErr.NonRetryable())
}

func TestWorkflowID_IsDerivedFromTheOrganization(t *testing.T) {
	t.Parallel()
	id := uuid.MustParse("0b0f5a52-5f43-4a8e-9d6c-111111111111")
	require.Equal(t, "onboarding/0b0f5a52-5f43-4a8e-9d6c-111111111111", onboarding.WorkflowID(id))
}
