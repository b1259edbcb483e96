package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/scripts/loadgen"
)

// The baseline runs as many no-op activities as an issued certificate runs: snapshot, sign,
// store, issue and the requester's notification.
func TestCertificateHistory_CountsEveryStepOfAnIssuedCertificate(t *testing.T) {
	t.Parallel()
	n, err := loadgen.HistorySteps(filepath.Join("..", "..", "workflows", "certificate", "testdata", "issued.json"))
	require.NoError(t, err)
	require.Equal(t, 5, n)
}

func TestValidate_RefusesWhatCannotRun(t *testing.T) {
	t.Parallel()
	valid := config{base: "http://127.0.0.1:8080", mailURL: "http://127.0.0.1:8025", temporal: "127.0.0.1:7233",
		databaseURL: "postgres://reptidex_app@127.0.0.1:5432/reptidex",
		species:     "ball-python", certificates: 1000, animals: 100, clients: 32, createWorkers: 8, pollers: 16,
		poll: 250 * time.Millisecond, waitMax: time.Minute, timeout: time.Minute}
	require.NoError(t, validate(valid))
	for _, tc := range []struct {
		name   string
		mutate func(*config)
	}{
		{"a remote API", func(c *config) { c.base = "http://10.0.0.1:8080" }},
		{"a remote Temporal", func(c *config) { c.temporal = "temporal.example.com:7233" }},
		{"a remote mail sink", func(c *config) { c.mailURL = "http://10.0.0.1:8025" }},
		{"a remote database", func(c *config) { c.databaseURL = "postgres://reptidex_app@10.0.0.1:5432/reptidex" }},
		{"no certificates", func(c *config) { c.certificates = 0 }},
		{"more certificates than a token lives for", func(c *config) { c.certificates = maxCertificates + 1 }},
		{"no animals", func(c *config) { c.animals = 0 }},
		{"more animals than certificates", func(c *config) { c.animals = c.certificates + 1 }},
		{"more certificates an animal than its list shows", func(c *config) { c.animals = 9 }},
		{"no clients", func(c *config) { c.clients = 0 }},
		{"no creating clients", func(c *config) { c.createWorkers = 0 }},
		{"no pollers", func(c *config) { c.pollers = 0 }},
		{"no poll interval", func(c *config) { c.poll = 0 }},
		{"no wait", func(c *config) { c.waitMax = 0 }},
		{"no species", func(c *config) { c.species = " " }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := valid
			tc.mutate(&c)
			require.Error(t, validate(c))
		})
	}
}

func TestResult_IsOKOnlyWhenEveryCertificateWasIssuedAndEveryNoopWorkflowCompleted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		r    Result
		want bool
	}{
		{"all", Result{Certificates: 3, Issued: 3, Baseline: &loadgen.Baseline{Workflows: 3, Completed: 3}}, true},
		{"no baseline", Result{Certificates: 3, Issued: 3}, true},
		{"a certificate failed", Result{Certificates: 3, Issued: 2, Failed: 1}, false},
		{"a certificate still issuing", Result{Certificates: 3, Issued: 2}, false},
		{"a request refused", Result{Certificates: 3, Requested: 2, Issued: 2}, false},
		{"a no-op workflow failed", Result{Certificates: 3, Issued: 3, Baseline: &loadgen.Baseline{Workflows: 3, Completed: 2}}, false},
		{"nothing asked", Result{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.r.OK())
		})
	}
}

// An animal's list settles the pending certificates that ended, issued (superseded or revoked
// since counts as issued) or failed, and leaves those still issuing and those of other runs.
func TestSettle_TakesTheOutcomesOfThePendingCertificates(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	pending := map[string]bool{"A": true, "B": true, "C": true, "D": true}
	got := settle(pending, []certificate{
		{Serial: "A", Status: "issued", IssuedAt: &at},
		{Serial: "B", Status: "issuing"},
		{Serial: "C", Status: "failed"},
		{Serial: "D", Status: "superseded", IssuedAt: &at},
		{Serial: "E", Status: "issued", IssuedAt: &at},
	})
	require.Equal(t, map[string]outcome{"A": {issued: true, issuedAt: at}, "C": {}, "D": {issued: true, issuedAt: at}}, got)
}

// The rate runs from the first request sent to the last certificate issued; each
// certificate's latency from its request to its issue; the ratio is to the baseline's rate.
func TestSummarize_RatesFromTheFirstRequestToTheLastIssue(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	reqs := []request{
		{animal: "x", serial: "A", sent: t0, answer: 10 * time.Millisecond},
		{animal: "x", serial: "B", sent: t0.Add(time.Second), answer: 20 * time.Millisecond},
		{animal: "y", serial: "C", sent: t0.Add(2 * time.Second), answer: 30 * time.Millisecond},
		{animal: "y", serial: "D", sent: t0.Add(3 * time.Second), answer: 40 * time.Millisecond},
	}
	outcomes := map[string]outcome{
		"A": {issued: true, issuedAt: t0.Add(2 * time.Second)},
		"B": {issued: true, issuedAt: t0.Add(4 * time.Second)},
		"C": {},
	}
	r := Result{Certificates: 4, Baseline: &loadgen.Baseline{Workflows: 4, Completed: 4, PerSecond: 2}}
	summarize(&r, reqs, outcomes)
	require.Equal(t, 4, r.Requested)
	require.Equal(t, 2, r.Issued)
	require.Equal(t, 1, r.Failed)
	require.InDelta(t, 4.0, r.WallSeconds, 1e-9)
	require.InDelta(t, 0.5, r.PerSecond, 1e-9)
	require.InDelta(t, 0.25, r.Ratio, 1e-9)
	require.InDelta(t, 2000.0, r.Issue.P50ms, 1e-9)
	require.InDelta(t, 3000.0, r.Issue.MaxMs, 1e-9)
	require.InDelta(t, 40.0, r.Answer.MaxMs, 1e-9)
	require.False(t, r.OK())

	var none Result
	summarize(&none, nil, nil)
	require.Zero(t, none.PerSecond)
	require.Zero(t, none.Ratio)
}
