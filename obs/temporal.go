package obs

import (
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// temporalLabels is the fixed label set of every Temporal SDK metric. The SDK tags metrics
// with varying subsets of these; Prometheus wants one label set per name, so missing tags
// are empty and tags outside this list are dropped.
var temporalLabels = []string{
	"namespace", "task_queue", "workflow_type", "activity_type", "operation",
	"worker_type", "poller_type", "client_name", "failure_reason", "query_type",
	"update_name", "nexus_service", "nexus_operation",
}

// TemporalMetrics adapts the Temporal SDK's metrics to Prometheus under reptidex_temporal_*.
type TemporalMetrics struct {
	reg      prometheus.Registerer
	mu       sync.Mutex
	counters map[string]*prometheus.CounterVec
	gauges   map[string]*prometheus.GaugeVec
	timers   map[string]*prometheus.HistogramVec
}

// NewTemporalMetrics returns a handler for client.Options.MetricsHandler that registers
// its metrics with reg as the SDK first emits them.
func NewTemporalMetrics(reg prometheus.Registerer) client.MetricsHandler {
	t := &TemporalMetrics{
		reg:      reg,
		counters: map[string]*prometheus.CounterVec{},
		gauges:   map[string]*prometheus.GaugeVec{},
		timers:   map[string]*prometheus.HistogramVec{},
	}
	return taggedHandler{t: t, tags: map[string]string{}}
}

func metricName(name string) string {
	name = strings.TrimPrefix(name, "temporal_")
	return "reptidex_temporal_" + strings.NewReplacer(".", "_", "-", "_").Replace(name)
}

func (t *TemporalMetrics) counter(name string) *prometheus.CounterVec {
	t.mu.Lock()
	defer t.mu.Unlock()
	if v, ok := t.counters[name]; ok {
		return v
	}
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricName(name) + "_total", Help: "Temporal SDK counter " + name + "."}, temporalLabels)
	t.counters[name] = register(t.reg, v)
	return t.counters[name]
}

func (t *TemporalMetrics) gauge(name string) *prometheus.GaugeVec {
	t.mu.Lock()
	defer t.mu.Unlock()
	if v, ok := t.gauges[name]; ok {
		return v
	}
	v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: metricName(name), Help: "Temporal SDK gauge " + name + "."}, temporalLabels)
	t.gauges[name] = register(t.reg, v)
	return t.gauges[name]
}

func (t *TemporalMetrics) timer(name string) *prometheus.HistogramVec {
	t.mu.Lock()
	defer t.mu.Unlock()
	if v, ok := t.timers[name]; ok {
		return v
	}
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    metricName(name) + "_seconds",
		Help:    "Temporal SDK timer " + name + ".",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, temporalLabels)
	t.timers[name] = register(t.reg, v)
	return t.timers[name]
}

// register registers c, or returns the collector already registered under its name (two
// processes in one binary, as `reptidex dev` runs them, share a registry).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

type taggedHandler struct {
	t    *TemporalMetrics
	tags map[string]string
}

func (h taggedHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	for k, v := range h.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	return taggedHandler{t: h.t, tags: merged}
}

func (h taggedHandler) labels() prometheus.Labels {
	l := make(prometheus.Labels, len(temporalLabels))
	for _, k := range temporalLabels {
		l[k] = h.tags[k]
	}
	return l
}

func (h taggedHandler) Counter(name string) client.MetricsCounter {
	return counterFunc(h.t.counter(name).With(h.labels()).Add)
}

func (h taggedHandler) Gauge(name string) client.MetricsGauge {
	return gaugeFunc(h.t.gauge(name).With(h.labels()).Set)
}

func (h taggedHandler) Timer(name string) client.MetricsTimer {
	return timerFunc(h.t.timer(name).With(h.labels()).Observe)
}

type counterFunc func(float64)

func (f counterFunc) Inc(n int64) { f(float64(n)) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(float64)

func (f timerFunc) Record(d time.Duration) { f(d.Seconds()) }
