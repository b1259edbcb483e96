package obs

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// NewRegistry returns a Prometheus registry with the Go runtime and process collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// poolCollector exposes a pgx pool's statistics.
type poolCollector struct {
	pool                                         *pgxpool.Pool
	acquired, idle, total, max                   *prometheus.Desc
	acquireCount, acquireWait, emptyAcquire, new *prometheus.Desc
}

// NewPoolCollector exposes the database pool's connections and waits under reptidex_db_pool_*.
func NewPoolCollector(pool *pgxpool.Pool) prometheus.Collector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("reptidex_db_pool_"+name, help, nil, nil)
	}
	return &poolCollector{
		pool:         pool,
		acquired:     d("acquired_connections", "Connections currently in use."),
		idle:         d("idle_connections", "Connections currently idle."),
		total:        d("total_connections", "Connections open."),
		max:          d("max_connections", "Largest pool size allowed."),
		acquireCount: d("acquires_total", "Successful connection acquisitions."),
		acquireWait:  d("acquire_wait_seconds_total", "Time spent waiting for a connection."),
		emptyAcquire: d("empty_acquires_total", "Acquisitions that had to wait for a connection."),
		new:          d("new_connections_total", "Connections opened."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.total, c.max, c.acquireCount, c.acquireWait, c.emptyAcquire, c.new} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.acquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(c.acquireCount, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.acquireWait, prometheus.CounterValue, s.AcquireDuration().Seconds())
	ch <- prometheus.MustNewConstMetric(c.emptyAcquire, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.new, prometheus.CounterValue, float64(s.NewConnsCount()))
}
