package onboarding_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/activities"
	"github.com/reptidex/reptidex/workflows/onboarding"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// A provisioning that finally fails ends the onboarding, failed, within its bound: at its
// first try when the database refuses the data for good, within the hour when it keeps
// failing. (Retried tries come processtest.RetryEvery apart, so that the bound shows in
// skipped time.)
func TestWorkflow_AProvisioningThatFinallyFailsGivesUp(t *testing.T) {
	t.Parallel()
	refused := activities.Classify(fmt.Errorf("mark organization provisioned: %w",
		&pgconn.PgError{Code: "23514", Message: "new row violates check constraint"}))
	processtest.EachFinalFailure(t, processtest.FinalFailures(refused, time.Hour), func(t *testing.T, fail processtest.FinalFailure) {
		var (
			tries []time.Time
			e     *testsuite.TestWorkflowEnvironment
		)
		e = newEnv(t, func(context.Context, onboarding.Input) (onboarding.Result, error) {
			tries = append(tries, e.Now())
			return onboarding.Result{}, fail.Err
		})
		e.ExecuteWorkflow(onboarding.WorkflowName, onboarding.Input{OrgID: uuid.New(), OwnerUserID: uuid.New()})
		require.True(t, e.IsWorkflowCompleted())
		require.Error(t, e.GetWorkflowError())
		require.Len(t, tries, fail.Tries)
		require.LessOrEqual(t, tries[len(tries)-1].Sub(tries[0]), fail.Within)
	})
}
