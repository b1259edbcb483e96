package obs_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/obs"
)

// sample is one series read back from a registry.
type sample struct {
	value float64 // counter or gauge value, histogram sum
	count uint64  // histogram sample count
}

// series gathers reg and returns the series of family name whose non-empty labels are exactly
// want (every other label must be empty). It fails the test if there is no such series.
func series(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) sample {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				if lp.GetValue() != "" {
					got[lp.GetName()] = lp.GetValue()
				}
			}
			if len(got) != len(want) {
				continue
			}
			match := true
			for k, v := range want {
				if got[k] != v {
					match = false
				}
			}
			if !match {
				continue
			}
			switch {
			case m.GetCounter() != nil:
				return sample{value: m.GetCounter().GetValue()}
			case m.GetGauge() != nil:
				return sample{value: m.GetGauge().GetValue()}
			case m.GetHistogram() != nil:
				return sample{value: m.GetHistogram().GetSampleSum(), count: m.GetHistogram().GetSampleCount()}
			}
			require.Failf(t, "unexpected metric type", "%s", name)
		}
		require.Failf(t, "series not found", "%s with labels %v in %v", name, want, f.GetMetric())
	}
	require.Failf(t, "family not found", "%s", name)
	return sample{}
}

// seriesCount returns how many series family name has.
func seriesCount(t *testing.T, reg *prometheus.Registry, name string) int {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range fams {
		if f.GetName() == name {
			return len(f.GetMetric())
		}
	}
	return 0
}

// labelNames returns the label names of the first series of family name.
func labelNames(t *testing.T, reg *prometheus.Registry, name string) []string {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range fams {
		if f.GetName() == name && len(f.GetMetric()) > 0 {
			var out []string
			for _, lp := range f.GetMetric()[0].GetLabel() {
				out = append(out, lp.GetName())
			}
			return out
		}
	}
	require.Failf(t, "family not found", "%s", name)
	return nil
}

func TestTemporalMetrics_RegistersEachKindWithTagsAsLabels(t *testing.T) {
	t.Parallel()
	tags := map[string]string{"namespace": "default", "task_queue": "reptidex", "workflow_type": "Pairing"}
	tests := []struct {
		kind   string
		emit   func(h client.MetricsHandler)
		family string
		want   sample
	}{
		{
			kind: "counter",
			emit: func(h client.MetricsHandler) {
				c := h.Counter("temporal_request")
				c.Inc(2)
				c.Inc(3)
			},
			family: "reptidex_temporal_request_total",
			want:   sample{value: 5},
		},
		{
			kind: "gauge",
			emit: func(h client.MetricsHandler) {
				g := h.Gauge("temporal_worker_task_slots_available")
				g.Update(7)
				g.Update(4)
			},
			family: "reptidex_temporal_worker_task_slots_available",
			want:   sample{value: 4},
		},
		{
			kind: "timer",
			emit: func(h client.MetricsHandler) {
				tm := h.Timer("temporal_request_latency")
				tm.Record(1500 * time.Millisecond)
				tm.Record(500 * time.Millisecond)
			},
			family: "reptidex_temporal_request_latency_seconds",
			want:   sample{value: 2, count: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			tt.emit(obs.NewTemporalMetrics(reg).WithTags(tags))
			got := series(t, reg, tt.family, tags)
			require.InDelta(t, tt.want.value, got.value, 1e-9)
			require.Equal(t, tt.want.count, got.count)
			require.ElementsMatch(t, []string{
				"namespace", "task_queue", "workflow_type", "activity_type", "operation",
				"worker_type", "poller_type", "client_name", "failure_reason", "query_type",
				"update_name", "nexus_service", "nexus_operation",
			}, labelNames(t, reg, tt.family), "one fixed label set per family")
		})
	}
}

func TestTemporalMetrics_NamesAreSanitized(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sdkName string
		want    string
	}{
		{"temporal_poll_no_task", "reptidex_temporal_poll_no_task_total"},
		{"sticky.cache-hit", "reptidex_temporal_sticky_cache_hit_total"},
		{"temporal_workflow.completed", "reptidex_temporal_workflow_completed_total"},
	}
	for _, tt := range tests {
		t.Run(tt.sdkName, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			obs.NewTemporalMetrics(reg).Counter(tt.sdkName).Inc(1)
			require.Equal(t, 1.0, series(t, reg, tt.want, map[string]string{}).value)
		})
	}
}

func TestTemporalMetrics_WithTagsMerges(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	root := obs.NewTemporalMetrics(reg)
	ns := root.WithTags(map[string]string{"namespace": "a", "task_queue": "q1"})
	child := ns.WithTags(map[string]string{"task_queue": "q2", "activity_type": "SendMail"})

	root.Counter("temporal_request").Inc(1)
	ns.Counter("temporal_request").Inc(10)
	child.Counter("temporal_request").Inc(100)

	require.Equal(t, 1.0, series(t, reg, "reptidex_temporal_request_total", map[string]string{}).value,
		"root handler has no tags")
	require.Equal(t, 10.0, series(t, reg, "reptidex_temporal_request_total",
		map[string]string{"namespace": "a", "task_queue": "q1"}).value, "parent tags are not changed by a child")
	require.Equal(t, 100.0, series(t, reg, "reptidex_temporal_request_total",
		map[string]string{"namespace": "a", "task_queue": "q2", "activity_type": "SendMail"}).value,
		"child inherits and overrides tags")
	require.Equal(t, 3, seriesCount(t, reg, "reptidex_temporal_request_total"))
}

func TestTemporalMetrics_UnknownTagsAreDropped(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	h := obs.NewTemporalMetrics(reg).WithTags(map[string]string{"namespace": "default", "status_code": "OK", "eager": "true"})
	require.NotPanics(t, func() {
		h.Counter("temporal_request").Inc(1)
		h.Gauge("temporal_num_pollers").Update(2)
		h.Timer("temporal_request_latency").Record(time.Millisecond)
	})
	require.Equal(t, 1.0, series(t, reg, "reptidex_temporal_request_total", map[string]string{"namespace": "default"}).value)
	names := labelNames(t, reg, "reptidex_temporal_request_total")
	require.Contains(t, names, "namespace")
	require.NotContains(t, names, "status_code")
	require.NotContains(t, names, "eager")
}

func TestTemporalMetrics_TwoHandlersShareOneRegistry(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	tags := map[string]string{"task_queue": "reptidex"}
	api := obs.NewTemporalMetrics(reg).WithTags(tags)
	worker := obs.NewTemporalMetrics(reg).WithTags(tags)

	require.NotPanics(t, func() {
		api.Counter("temporal_request").Inc(1)
		worker.Counter("temporal_request").Inc(2)
		api.Gauge("temporal_num_pollers").Update(3)
		worker.Gauge("temporal_num_pollers").Update(5)
		api.Timer("temporal_request_latency").Record(time.Second)
		worker.Timer("temporal_request_latency").Record(time.Second)
	})

	require.Equal(t, 3.0, series(t, reg, "reptidex_temporal_request_total", tags).value,
		"the second handler reuses the registered counter")
	require.Equal(t, 5.0, series(t, reg, "reptidex_temporal_num_pollers", tags).value)
	require.Equal(t, uint64(2), series(t, reg, "reptidex_temporal_request_latency_seconds", tags).count)
}

func TestTemporalMetrics_ConcurrentUseIsSafe(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	h := obs.NewTemporalMetrics(reg)
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			hh := h.WithTags(map[string]string{"worker_type": []string{"WorkflowWorker", "ActivityWorker"}[i%2]})
			for range 100 {
				hh.Counter("temporal_request").Inc(1)
			}
		}()
	}
	for range 8 {
		<-done
	}
	require.Equal(t, 400.0, series(t, reg, "reptidex_temporal_request_total", map[string]string{"worker_type": "WorkflowWorker"}).value)
	require.Equal(t, 400.0, series(t, reg, "reptidex_temporal_request_total", map[string]string{"worker_type": "ActivityWorker"}).value)
}
