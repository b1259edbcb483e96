package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Window is the time frame of a run: requests that start before MeasureFrom warm up and
// are not recorded, and no request starts at or after End.
type Window struct {
	Start, MeasureFrom, End time.Time
}

// NewWindow returns the window of a run that starts now, warms up for warmup and is then
// measured for duration.
func NewWindow(warmup, duration time.Duration) Window {
	start := time.Now()
	measureFrom := start.Add(warmup)
	return Window{Start: start, MeasureFrom: measureFrom, End: measureFrom.Add(duration)}
}

// Stats records the requests of one client. It is owned by a single client goroutine, so
// recording needs no locks.
type Stats struct {
	latencies []time.Duration // one per answered request
	statuses  map[int]int
	errors    int // transport errors and timeouts (no answer)
}

// NewStats returns empty stats for one client.
func NewStats() *Stats {
	return &Stats{latencies: make([]time.Duration, 0, 4096), statuses: map[int]int{}}
}

// Measure GETs target with the bearer token and records the answer's status and its
// latency counted from t0, unless ctx was cancelled meanwhile or t0 is before measureFrom
// (still warming up).
func (s *Stats) Measure(ctx context.Context, client *http.Client, target, token string, t0, measureFrom time.Time) {
	status, err := Get(ctx, client, target, token)
	lat := time.Since(t0)
	if ctx.Err() != nil || t0.Before(measureFrom) {
		return // interrupted, or still warming up
	}
	if err != nil {
		s.errors++
		return
	}
	s.latencies = append(s.latencies, lat)
	s.statuses[status]++
}

// Run runs each loop in its own goroutine with its own Stats, waits for all of them and
// summarizes what they recorded after w.MeasureFrom. It fails when nothing was measured
// (interrupted during the warm-up).
func Run(w Window, loops []func(*Stats)) (Summary, error) {
	stats := make([]*Stats, len(loops))
	var wg sync.WaitGroup
	for i, loop := range loops {
		s := NewStats()
		stats[i] = s
		wg.Go(func() { loop(s) })
	}
	wg.Wait()
	elapsed := time.Since(w.MeasureFrom)
	if elapsed <= 0 {
		return Summary{}, errors.New("interrupted during warm-up; nothing measured")
	}
	return summarize(stats, elapsed), nil
}

// Summary is the measured part of a run's result. Programs embed it in their result after
// their own fields, so its fields follow them in the JSON output. Its latency fields are
// those of Spread without the mean, which the report has never shown.
type Summary struct {
	Requests    int            `json:"requests"`
	DurationSec float64        `json:"duration_seconds"`
	RPS         float64        `json:"requests_per_second"`
	P50ms       float64        `json:"p50_ms"`
	P90ms       float64        `json:"p90_ms"`
	P99ms       float64        `json:"p99_ms"`
	MaxMs       float64        `json:"max_ms"`
	Errors      int            `json:"errors"`
	Failed      int            `json:"failed"`
	Statuses    map[string]int `json:"statuses"`
}

// OK reports whether the run measured requests and no more than FailLimit of them failed.
func (r Summary) OK() bool {
	return r.Requests > 0 && float64(r.Failed) <= FailLimit*float64(r.Requests)
}

func summarize(stats []*Stats, elapsed time.Duration) Summary {
	var all []time.Duration
	r := Summary{Statuses: map[string]int{}, DurationSec: elapsed.Seconds()}
	for _, s := range stats {
		all = append(all, s.latencies...)
		r.Errors += s.errors
		for code, n := range s.statuses {
			r.Statuses[fmt.Sprint(code)] += n
			if code != http.StatusOK {
				r.Failed += n
			}
		}
	}
	r.Requests = len(all) + r.Errors
	r.Failed += r.Errors
	r.RPS = float64(r.Requests) / elapsed.Seconds()
	l := Spread(all)
	r.P50ms, r.P90ms, r.P99ms, r.MaxMs = l.P50ms, l.P90ms, l.P99ms, l.MaxMs
	return r
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of sorted,
// or 0 when sorted is empty.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Latency is the spread of a set of latencies, in milliseconds.
type Latency struct {
	P50ms  float64 `json:"p50_ms"`
	P90ms  float64 `json:"p90_ms"`
	P99ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
	MeanMs float64 `json:"mean_ms"`
}

// Spread returns the nearest-rank percentiles, maximum and mean of the latencies, which it
// leaves unchanged (all 0 when there are none).
func Spread(latencies []time.Duration) Latency {
	if len(latencies) == 0 {
		return Latency{}
	}
	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	var total time.Duration
	for _, d := range sorted {
		total += d
	}
	return Latency{
		P50ms: ms(Percentile(sorted, 50)), P90ms: ms(Percentile(sorted, 90)), P99ms: ms(Percentile(sorted, 99)),
		MaxMs: ms(Percentile(sorted, 100)), MeanMs: ms(total / time.Duration(len(sorted))),
	}
}

// String formats the spread for a text report.
func (l Latency) String() string {
	return fmt.Sprintf("p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms  mean %.2fms", l.P50ms, l.P90ms, l.P99ms, l.MaxMs, l.MeanMs)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Report writes the result of a run to w: result as indented JSON when asJSON, otherwise
// the header line followed by the requests, latency and failed lines of r.
func Report(w io.Writer, asJSON bool, result any, header string, r Summary) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(result)
	}
	codes := make([]string, 0, len(r.Statuses))
	for code := range r.Statuses {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var breakdown []string
	for _, code := range codes {
		breakdown = append(breakdown, fmt.Sprintf("%s=%d", code, r.Statuses[code]))
	}
	failedPct := 0.0
	if r.Requests > 0 {
		failedPct = 100 * float64(r.Failed) / float64(r.Requests)
	}
	fmt.Fprintln(w, header)
	fmt.Fprintf(w, "requests  %d in %.2fs = %.1f req/s\n", r.Requests, r.DurationSec, r.RPS)
	fmt.Fprintf(w, "latency   p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n", r.P50ms, r.P90ms, r.P99ms, r.MaxMs)
	fmt.Fprintf(w, "failed    %d (%.2f%%): %d errors, status %s\n", r.Failed, failedPct, r.Errors, strings.Join(breakdown, " "))
	return nil
}

// Breakdown formats counts by key as "k1=n1 k2=n2", keys sorted, or "none" when there are
// none.
func Breakdown(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}
