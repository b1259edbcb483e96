package obs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
)

// riverJobs counts finished River jobs by kind and outcome, and times them.
type riverJobs struct {
	finished *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// WatchRiver records the outcome and run time of every job a River client works, under
// reptidex_river_jobs_*, until ctx ends. Call it before the client starts.
func WatchRiver[TTx any](ctx context.Context, reg prometheus.Registerer, c *river.Client[TTx]) {
	m := riverJobs{
		finished: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reptidex_river_jobs_finished_total", Help: "River jobs worked, by kind and outcome.",
		}, []string{"kind", "outcome"})),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "reptidex_river_job_run_seconds", Help: "River job run time, by kind.",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 30},
		}, []string{"kind"})),
	}
	events, cancel := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	go func() {
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				if ev.Job == nil {
					continue
				}
				m.finished.WithLabelValues(ev.Job.Kind, string(ev.Kind)).Inc()
				if ev.JobStats != nil {
					m.duration.WithLabelValues(ev.Job.Kind).Observe(ev.JobStats.RunDuration.Seconds())
				}
			}
		}
	}()
}

// riverQueue reports how many River jobs are in each state, read at scrape time.
type riverQueue struct {
	pool *pgxpool.Pool
	desc *prometheus.Desc
}

// NewRiverQueueCollector exposes reptidex_river_jobs{state} from the river_job table.
func NewRiverQueueCollector(pool *pgxpool.Pool) prometheus.Collector {
	return &riverQueue{pool: pool, desc: prometheus.NewDesc("reptidex_river_jobs", "River jobs by state.", []string{"state"}, nil)}
}

func (c *riverQueue) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *riverQueue) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.pool.Query(ctx, "SELECT state::text, count(*) FROM river_job GROUP BY state")
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			ch <- prometheus.NewInvalidMetric(c.desc, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), state)
	}
	if err := rows.Err(); err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
	}
}
