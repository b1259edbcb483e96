package loadgen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// oneTo100ms is 1ms, 2ms, …, 100ms.
func oneTo100ms() []time.Duration {
	d := make([]time.Duration, 0, 100)
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	return d
}

func TestPercentile_IsNearestRank(t *testing.T) {
	t.Parallel()
	hundred := oneTo100ms()
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"median of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p90 of 1..100", hundred, 90, 90 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"max of 1..100", hundred, 100, 100 * time.Millisecond},
		{"tiny p is the first", hundred, 0.1, time.Millisecond},
		{"p50 of three rounds up", []time.Duration{1, 2, 3}, 50, 2},
		{"p99 of one", []time.Duration{7}, 99, 7},
		{"none", nil, 50, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Percentile(tc.sorted, tc.p))
		})
	}
}

func TestSpread_TakesPercentilesAndMeanOfUnsortedLatencies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []time.Duration
		want Latency
	}{
		{"none", nil, Latency{}},
		{"one", []time.Duration{7 * time.Millisecond}, Latency{P50ms: 7, P90ms: 7, P99ms: 7, MaxMs: 7, MeanMs: 7}},
		{"three", []time.Duration{30 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond},
			Latency{P50ms: 20, P90ms: 30, P99ms: 30, MaxMs: 30, MeanMs: 20}},
		{"sub-millisecond", []time.Duration{250 * time.Microsecond, 750 * time.Microsecond},
			Latency{P50ms: 0.25, P90ms: 0.75, P99ms: 0.75, MaxMs: 0.75, MeanMs: 0.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Spread(tc.in))
		})
	}
}

func TestSpread_LeavesItsArgumentUnsorted(t *testing.T) {
	t.Parallel()
	hundred := oneTo100ms()
	for i, j := 0, len(hundred)-1; i < j; i, j = i+1, j-1 {
		hundred[i], hundred[j] = hundred[j], hundred[i]
	}
	require.Equal(t, Latency{P50ms: 50, P90ms: 90, P99ms: 99, MaxMs: 100, MeanMs: 50.5}, Spread(hundred))
	require.Equal(t, 100*time.Millisecond, hundred[0], "Spread must not sort its argument")
}

func TestLatency_StringShowsMillisecondsToTwoPlaces(t *testing.T) {
	t.Parallel()
	require.Equal(t, "p50 0.25ms  p90 12.00ms  p99 99.99ms  max 1500.00ms  mean 3.46ms",
		Latency{P50ms: 0.25, P90ms: 12, P99ms: 99.994, MaxMs: 1500, MeanMs: 3.456}.String())
}

func TestSummarize_JoinsClientsAndCountsErrorsAsFailed(t *testing.T) {
	t.Parallel()
	a, b := NewStats(), NewStats()
	a.latencies = []time.Duration{30 * time.Millisecond, 10 * time.Millisecond}
	a.statuses = map[int]int{200: 1, 503: 1}
	b.latencies = []time.Duration{20 * time.Millisecond}
	b.statuses = map[int]int{200: 1}
	b.errors = 1

	got := summarize([]*Stats{a, b}, 2*time.Second)
	require.Equal(t, Summary{Requests: 4, DurationSec: 2, RPS: 2, P50ms: 20, P90ms: 30, P99ms: 30, MaxMs: 30,
		Errors: 1, Failed: 2, Statuses: map[string]int{"200": 2, "503": 1}}, got)
	require.Equal(t, 30*time.Millisecond, a.latencies[0], "summarize must not reorder a client's latencies")
}

func TestBreakdown_SortsKeys(t *testing.T) {
	t.Parallel()
	require.Equal(t, "200=2 409=1 error=3", Breakdown(map[string]int{"error": 3, "409": 1, "200": 2}))
	require.Equal(t, "none", Breakdown(nil))
}
