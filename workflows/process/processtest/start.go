package processtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"

	"github.com/reptidex/reptidex/workflows/process"
)

// Starter is a process's Start, as its client exports it.
type Starter[In any] func(ctx context.Context, c client.Client, taskQueue string, in In) (client.WorkflowRun, error)

// DuplicateStart checks the start policy of a process (process.Start) through its Start,
// against a server that already holds a run of workflowID started with first: started
// again with same (first, or an input equal to it), Start hands back that run; with
// other, it is refused with process.ErrStartedOtherwise and no run.
func DuplicateStart[In any](t *testing.T, start Starter[In], workflowID string, first, same, other In) {
	t.Helper()
	cases := []struct {
		name      string
		in        In
		wantError error
	}{
		{"the same input gets the existing run", same, nil},
		{"another input is refused", other, process.ErrStartedOtherwise},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tc := mocks.NewClient(t)
			existing := AlreadyStarted(t, tc, workflowID, first, c.wantError == nil)

			run, err := start(context.Background(), tc, "reptidex", c.in)
			if c.wantError != nil {
				require.ErrorIs(t, err, c.wantError)
				require.Nil(t, run)
				return
			}
			require.NoError(t, err)
			require.Same(t, existing, run)
		})
	}
}
