package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// timedSeries are the histograms (in seconds) whose change over a run says where a transfer's
// time went: the Temporal SDK's calls to the server, how long tasks waited to be picked up,
// and how long workflow tasks and activities ran. Make dev serves the API's and the worker's
// on the API's /metrics.
var timedSeries = []string{
	"reptidex_temporal_request_latency_seconds",
	"reptidex_temporal_long_request_latency_seconds",
	"reptidex_temporal_workflow_task_schedule_to_start_latency_seconds",
	"reptidex_temporal_workflow_task_execution_latency_seconds",
	"reptidex_temporal_activity_schedule_to_start_latency_seconds",
	"reptidex_temporal_activity_execution_latency_seconds",
}

// poll calls are long polls that wait for work: their time is idle, not a cost.
var pollOperations = map[string]bool{"PollWorkflowTaskQueue": true, "PollActivityTaskQueue": true, "PollNexusTaskQueue": true}

// samples are the values of a /metrics page by series, as "name{labels}".
type samples map[string]float64

// parseMetrics reads the Prometheus text format: one sample a line, comments skipped.
func parseMetrics(page []byte) samples {
	out := samples{}
	sc := bufio.NewScanner(bytes.NewReader(page))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		out[strings.TrimSpace(line[:i])] = v
	}
	return out
}

// readMetrics reads a /metrics page.
func readMetrics(ctx context.Context, client *http.Client, url string) (samples, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer func() { _ = resp.Body.Close() }() // read path: a failed close loses nothing
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: status %d", url, resp.StatusCode)
	}
	return parseMetrics(buf.Bytes()), nil
}

// Timing is how often something happened during the run and how long it took on average,
// from the change of one of the server's histograms.
type Timing struct {
	What        string  `json:"what"`
	Count       float64 `json:"count"`
	PerTransfer float64 `json:"per_transfer"`
	MeanMs      float64 `json:"mean_ms"`
	TotalSec    float64 `json:"total_seconds"`
}

// Server is what the server's metrics say of the run.
type Server struct {
	Timings []Timing `json:"timings"`
	// PoolWaitMs is the mean wait for a database connection over the run's acquires.
	PoolWaitMs float64 `json:"pool_wait_ms"`
	Acquires   float64 `json:"pool_acquires"`
}

// serverTimings compares two scrapes: for each timed series, the calls made in between
// grouped by operation, workflow and activity type, busiest first, with transfers to share
// them by.
func serverTimings(before, after samples, transfers int) Server {
	type agg struct{ sum, count float64 }
	by := map[string]*agg{}
	for series, v := range after {
		name, labels, _ := strings.Cut(series, "{")
		base, kind := "", ""
		switch {
		case strings.HasSuffix(name, "_sum"):
			base, kind = strings.TrimSuffix(name, "_sum"), "sum"
		case strings.HasSuffix(name, "_count"):
			base, kind = strings.TrimSuffix(name, "_count"), "count"
		default:
			continue
		}
		if !isTimed(base) {
			continue
		}
		op := label(labels, "operation")
		if pollOperations[op] {
			continue
		}
		what := describe(base, op, label(labels, "workflow_type"), label(labels, "activity_type"))
		d := v - before[series]
		if d <= 0 {
			continue
		}
		a := by[what]
		if a == nil {
			a = &agg{}
			by[what] = a
		}
		if kind == "sum" {
			a.sum += d
		} else {
			a.count += d
		}
	}
	var s Server
	for what, a := range by {
		if a.count == 0 {
			continue
		}
		t := Timing{What: what, Count: a.count, MeanMs: 1000 * a.sum / a.count, TotalSec: a.sum}
		if transfers > 0 {
			t.PerTransfer = a.count / float64(transfers)
		}
		s.Timings = append(s.Timings, t)
	}
	sort.Slice(s.Timings, func(i, j int) bool {
		if s.Timings[i].TotalSec != s.Timings[j].TotalSec {
			return s.Timings[i].TotalSec > s.Timings[j].TotalSec
		}
		return s.Timings[i].What < s.Timings[j].What
	})
	s.Acquires = after["reptidex_db_pool_acquires_total"] - before["reptidex_db_pool_acquires_total"]
	if s.Acquires > 0 {
		wait := after["reptidex_db_pool_acquire_wait_seconds_total"] - before["reptidex_db_pool_acquire_wait_seconds_total"]
		s.PoolWaitMs = 1000 * wait / s.Acquires
	}
	return s
}

func isTimed(base string) bool {
	for _, t := range timedSeries {
		if base == t {
			return true
		}
	}
	return false
}

// describe names a group of calls, as "server call UpdateWorkflowExecution" or
// "activity run transfer.move".
func describe(base, op, workflowType, activityType string) string {
	known := func(s string) string {
		if s == "none" {
			return ""
		}
		return s
	}
	workflowType, activityType = known(workflowType), known(activityType)
	switch base {
	case "reptidex_temporal_workflow_task_schedule_to_start_latency_seconds":
		return "workflow task wait " + workflowType
	case "reptidex_temporal_workflow_task_execution_latency_seconds":
		return "workflow task run " + workflowType
	case "reptidex_temporal_activity_schedule_to_start_latency_seconds":
		return "activity wait " + activityType
	case "reptidex_temporal_activity_execution_latency_seconds":
		return "activity run " + activityType
	}
	return strings.TrimSpace("server call " + op + " " + workflowType)
}

// label returns the value of one label in a series' label text (`a="x",b="y"}`), or "".
func label(labels, name string) string {
	for rest := labels; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, `",`)
		k, v, ok := strings.Cut(pair, `="`)
		if ok && k == name {
			return strings.TrimSuffix(strings.TrimSuffix(v, "}"), `"`)
		}
	}
	return ""
}
