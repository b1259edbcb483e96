package onboarding_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/workflows/onboarding"
	"github.com/reptidex/reptidex/workflows/process/processtest"
)

// Histories of each path an onboarding takes, recorded from the dev server by `make
// record-histories`, replay against today's code: a change that would break onboardings
// already under way fails here.
func TestWorkflow_ReplaysTheRecordedHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	provisioned := func(want bool) processtest.Ending {
		return processtest.Completed(func(t *testing.T, res onboarding.Result) { require.Equal(t, want, res.Provisioned) })
	}
	processtest.Replay(t, map[string]processtest.Ending{
		"testdata/provisioned.json":            provisioned(true),
		"testdata/already_provisioned.json":    provisioned(false),
		"testdata/organization_not_found.json": processtest.Failed(onboarding.ErrTypeNotFound),
		"testdata/invalid_input.json":          processtest.Failed("InvalidInput"),
	}, onboarding.RegisterWorkflow)
}
