package onboarding_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/activities"
	"github.com/reptidex/reptidex/workflows/onboarding"
)

// A provisioning that finally fails ends the onboarding, failed, within its bound: at its
// first try when the database refuses the data for good, within the hour when it keeps
// failing. (Retried tries come 20 minutes apart, so that the bound shows in skipped time.)
func TestWorkflow_AProvisioningThatFinallyFailsGivesUp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		err    error
		tries  int
		within time.Duration
	}{
		{"data the database refuses", activities.Classify(fmt.Errorf("mark organization provisioned: %w",
			&pgconn.PgError{Code: "23514", Message: "new row violates check constraint"})), 1, 0},
		{"failing for hours", temporal.NewApplicationErrorWithOptions("the database is unreachable", "Unreachable",
			temporal.ApplicationErrorOptions{NextRetryDelay: 20 * time.Minute}), 4, time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var (
				tries []time.Time
				e     *testsuite.TestWorkflowEnvironment
			)
			e = newEnv(t, func(context.Context, onboarding.Input) (onboarding.Result, error) {
				tries = append(tries, e.Now())
				return onboarding.Result{}, c.err
			})
			e.ExecuteWorkflow(onboarding.WorkflowName, onboarding.Input{OrgID: uuid.New(), OwnerUserID: uuid.New()})
			require.True(t, e.IsWorkflowCompleted())
			require.Error(t, e.GetWorkflowError())
			require.Len(t, tries, c.tries)
			require.LessOrEqual(t, tries[len(tries)-1].Sub(tries[0]), c.within)
		})
	}
}
