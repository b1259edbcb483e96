package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// The baseline runs as many no-op activities as the recorded completed sale runs
// activities and child workflows.
func TestSaleHistory_CountsEveryStepOfACompletedSale(t *testing.T) {
	t.Parallel()
	n, err := loadgen.HistorySteps(filepath.Join("..", "..", "workflows", "sale", "testdata", "completed.json"))
	require.NoError(t, err)
	require.Greater(t, n, 10, "authorize, capture, payout, move, the stage records, notifications and an escalation")
}

func TestResult_IsOKOnlyWhenEverySaleAndEveryNoopWorkflowCompleted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		r    Result
		want bool
	}{
		{"all", Result{Sales: 3, Completed: 3, Baseline: &loadgen.Baseline{Workflows: 3, Completed: 3}}, true},
		{"no baseline", Result{Sales: 3, Completed: 3}, true},
		{"a sale failed", Result{Sales: 3, Completed: 2, Baseline: &loadgen.Baseline{Workflows: 3, Completed: 3}}, false},
		{"a no-op workflow failed", Result{Sales: 3, Completed: 3, Baseline: &loadgen.Baseline{Workflows: 3, Completed: 2}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.r.OK())
		})
	}
}

func TestValidate_RefusesWhatCannotRun(t *testing.T) {
	t.Parallel()
	valid := config{base: "http://127.0.0.1:8080", mailURL: "http://127.0.0.1:8025",
		adminURL: "postgres://postgres@127.0.0.1:5432/reptidex?sslmode=disable", temporal: "127.0.0.1:7233",
		secret: "whsec_x", species: "ball-python", sales: 200, clients: 32, sellers: 4, buyers: 4, createWorkers: 8,
		pollers: 16, poll: 25 * time.Millisecond, waitMax: time.Minute, timeout: time.Minute}
	require.NoError(t, validate(valid))
	for _, tc := range []struct {
		name   string
		mutate func(*config)
	}{
		{"a remote API", func(c *config) { c.base = "http://10.0.0.1:8080" }},
		{"a remote database", func(c *config) { c.adminURL = "postgres://postgres@db.example.com/reptidex" }},
		{"a remote Temporal", func(c *config) { c.temporal = "temporal.example.com:7233" }},
		{"a remote mail sink", func(c *config) { c.mailURL = "http://10.0.0.1:8025" }},
		{"no sales", func(c *config) { c.sales = 0 }},
		{"more sales than a token lives for", func(c *config) { c.sales = maxSales + 1 }},
		{"no clients", func(c *config) { c.clients = 0 }},
		{"no buyers", func(c *config) { c.buyers = 0 }},
		{"no sellers", func(c *config) { c.sellers = 0 }},
		{"no pollers", func(c *config) { c.pollers = 0 }},
		{"no poll interval", func(c *config) { c.poll = 0 }},
		{"no webhook secret", func(c *config) { c.secret = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := valid
			tc.mutate(&c)
			require.Error(t, validate(c))
		})
	}
}
