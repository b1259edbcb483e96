package main

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestCallStats_CountsEveryCallButTimesOnlySuccesses(t *testing.T) {
	t.Parallel()
	a, b := newCallStats(), newCallStats()
	a.record(200, 200, 30*time.Millisecond, nil)
	a.record(409, 200, time.Millisecond, nil)
	b.record(200, 200, 10*time.Millisecond, nil)
	b.record(0, 200, 0, errors.New("connection reset"))
	b.record(200, 200, 20*time.Millisecond, nil)

	s := merge([]*callStats{a, b}).summary()
	require.Equal(t, 5, s.Calls)
	require.Equal(t, 3, s.OK)
	require.Equal(t, map[string]int{"200": 3, "409": 1, "error": 1}, s.Statuses)
	require.Equal(t, loadgen.Latency{P50ms: 20, P90ms: 30, P99ms: 30, MaxMs: 30, MeanMs: 20}, s.Latency, "the fast 409 is not timed")
	require.Equal(t, "3 calls, 3 ok: p50 20.00ms  p90 30.00ms  p99 30.00ms  max 30.00ms  mean 20.00ms  status 200=3 409=1 error=1",
		CallSummary{Calls: 3, OK: 3, Latency: s.Latency, Statuses: s.Statuses}.String())
}

func TestVerify_SortsEachOfferByWhatTheRecipientSees(t *testing.T) {
	t.Parallel()
	list := []listed{
		{id: "t1", status: "accepted", toOrgID: "buyer"},
		{id: "t2", status: "offered"},
		{id: "t3", status: "accepted", toOrgID: "someone-else"},
		{id: "t5", status: "accepted", toOrgID: "buyer"},
		{id: "not-ours", status: "declined"},
	}
	for _, tc := range []struct {
		name    string
		offered []string
		want    Verification
	}{
		{"all accepted", []string{"t1", "t5"}, Verification{Accepted: 2, Others: map[string]int{}}},
		{"some not", []string{"t1", "t2", "t3", "t4"},
			Verification{Accepted: 1, Others: map[string]int{"offered": 1, "accepted elsewhere": 1, "missing": 1}}},
		{"nothing offered", nil, Verification{Others: map[string]int{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, verify(tc.offered, list, "buyer"))
		})
	}
}

func TestResult_IsOKOnlyWhenEveryTransferIsAcceptedAndVerified(t *testing.T) {
	t.Parallel()
	all := Result{Transfers: 3, Offer: CallSummary{OK: 3}, Accept: CallSummary{OK: 3}, Verified: Verification{Accepted: 3}}
	for _, tc := range []struct {
		name   string
		mutate func(*Result)
		want   bool
	}{
		{"all three", func(*Result) {}, true},
		{"an offer failed", func(r *Result) { r.Offer.OK = 2 }, false},
		{"an accept failed", func(r *Result) { r.Accept.OK = 2 }, false},
		{"the list disagrees", func(r *Result) { r.Verified.Accepted = 2 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := all
			tc.mutate(&r)
			require.Equal(t, tc.want, r.OK())
		})
	}
}

func TestValidate_RefusesWhatCannotRun(t *testing.T) {
	t.Parallel()
	valid := config{base: "http://127.0.0.1:8080", databaseURL: "postgres://reptidex_app@127.0.0.1:5432/reptidex", transfers: 500, clients: 16, createWorkers: 8, species: "ball-python", timeout: time.Minute}
	c := valid
	require.NoError(t, validate(&c))
	for _, tc := range []struct {
		name   string
		mutate func(*config)
	}{
		{"a remote API", func(c *config) { c.base = "http://10.0.0.1:8080" }},
		{"a remote database", func(c *config) { c.databaseURL = "postgres://reptidex_app@10.0.0.1:5432/reptidex" }},
		{"no transfers", func(c *config) { c.transfers = 0 }},
		{"more transfers than a token lives for", func(c *config) { c.transfers = maxTransfers + 1 }},
		{"no clients", func(c *config) { c.clients = 0 }},
		{"no workers to create animals", func(c *config) { c.createWorkers = 0 }},
		{"no timeout", func(c *config) { c.timeout = 0 }},
		{"no species", func(c *config) { c.species = " " }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := valid
			tc.mutate(&c)
			require.Error(t, validate(&c))
		})
	}
}

func TestParseMetrics_ReadsSamplesAndSkipsComments(t *testing.T) {
	t.Parallel()
	page := []byte(`# HELP x_seconds Something.
# TYPE x_seconds histogram
x_seconds_sum{operation="UpdateWorkflowExecution",workflow_type="none"} 1.5
x_seconds_count{operation="UpdateWorkflowExecution",workflow_type="none"} 3

plain_total 7
broken_line
bad_value{a="b"} NaNx
`)
	require.Equal(t, samples{
		`x_seconds_sum{operation="UpdateWorkflowExecution",workflow_type="none"}`:   1.5,
		`x_seconds_count{operation="UpdateWorkflowExecution",workflow_type="none"}`: 3,
		"plain_total": 7,
	}, parseMetrics(page))
}

func TestLabel_FindsOneLabelExactly(t *testing.T) {
	t.Parallel()
	labels := `nexus_operation="",operation="StartWorkflowExecution",workflow_type="transfer"}`
	for _, tc := range []struct{ name, want string }{
		{"operation", "StartWorkflowExecution"},
		{"workflow_type", "transfer"},
		{"nexus_operation", ""},
		{"activity_type", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, label(labels, tc.name))
		})
	}
}

func TestServerTimings_GroupsWhatChangedBusiestFirstWithoutPolls(t *testing.T) {
	t.Parallel()
	const (
		start  = `reptidex_temporal_request_latency_seconds_%s{activity_type="none",operation="StartWorkflowExecution",workflow_type="transfer"}`
		update = `reptidex_temporal_long_request_latency_seconds_%s{operation="UpdateWorkflowExecution",workflow_type="none"}`
		poll   = `reptidex_temporal_long_request_latency_seconds_%s{operation="PollActivityTaskQueue",workflow_type="none"}`
		move   = `reptidex_temporal_activity_execution_latency_seconds_%s{activity_type="transfer.move",operation="",workflow_type="transfer"}`
	)
	series := func(f, kind string) string { return fmt.Sprintf(f, kind) }
	before := samples{
		series(start, "sum"): 1, series(start, "count"): 10,
		series(update, "sum"): 0, series(update, "count"): 0,
		series(poll, "sum"): 0, series(poll, "count"): 0,
		series(move, "sum"): 5, series(move, "count"): 100,
		"reptidex_db_pool_acquires_total": 100, "reptidex_db_pool_acquire_wait_seconds_total": 1,
	}
	after := samples{
		series(start, "sum"): 3, series(start, "count"): 30, // 20 starts, 100 ms each
		series(update, "sum"): 4, series(update, "count"): 10, // 10 updates, 400 ms each
		series(poll, "sum"): 600, series(poll, "count"): 10, // idle: not counted
		series(move, "sum"): 5, series(move, "count"): 100, // unchanged: not shown
		"reptidex_db_pool_acquires_total": 300, "reptidex_db_pool_acquire_wait_seconds_total": 1.5,
	}
	got := serverTimings(before, after, 10)
	require.Equal(t, []Timing{
		{What: "server call UpdateWorkflowExecution", Count: 10, PerTransfer: 1, MeanMs: 400, TotalSec: 4},
		{What: "server call StartWorkflowExecution transfer", Count: 20, PerTransfer: 2, MeanMs: 100, TotalSec: 2},
	}, got.Timings)
	require.InDelta(t, 200.0, got.Acquires, 1e-9)
	require.InDelta(t, 2.5, got.PoolWaitMs, 1e-9)
}
