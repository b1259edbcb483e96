package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
)

// queue is where both runs' jobs go, so that the baseline and the email run are worked by
// identically configured queues.
const queue = notify.Queue

// noopArgs is a job that does nothing: what River itself costs per job.
type noopArgs struct{}

func (noopArgs) Kind() string { return "noop" }

func (noopArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queue} }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
}

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// bench holds what the runs share.
type bench struct {
	c        config
	db       *store.DB
	sink     *sink
	log      *slog.Logger
	notifier *notify.Notifier // records through an insert-only River client
}

func newBench(c config, db *store.DB, s *sink, log *slog.Logger) (*bench, error) {
	inserter, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("river insert client: %w", err)
	}
	return &bench{c: c, db: db, sink: s, log: log, notifier: &notify.Notifier{River: inserter}}, nil
}

// jobRun is how one River client worked through the jobs waiting for it.
type jobRun struct {
	jobs                            int
	completed, cancelled, discarded int
	retried                         int // failed attempts that River will retry
	elapsed                         time.Duration
	timedOut                        bool
}

func (r jobRun) settled() int { return r.completed + r.cancelled + r.discarded }

// rate is the completed jobs per second.
func (r jobRun) rate() float64 { return rate(r.completed, r.elapsed) }

func (r jobRun) String() string {
	s := fmt.Sprintf("%d completed in %.2fs = %.0f jobs/s (from Start to the last completion)", r.completed, r.elapsed.Seconds(), r.rate())
	if r.cancelled+r.discarded+r.retried > 0 {
		s += fmt.Sprintf("; cancelled %d, discarded %d, retried %d", r.cancelled, r.discarded, r.retried)
	}
	if r.timedOut {
		s += fmt.Sprintf("; TIMED OUT with %d of %d settled", r.settled(), r.jobs)
	}
	return s
}

// work starts a River client with workers on the queue and waits until n jobs have settled
// (completed, cancelled or discarded), timing from Start to the last of them.
func (b *bench) work(ctx context.Context, workers *river.Workers, n int) (jobRun, error) {
	rc, err := river.NewClient(riverpgxv5.New(b.db.Pool), &river.Config{
		Logger:        b.log,
		Queues:        map[string]river.QueueConfig{queue: {MaxWorkers: b.c.workers}},
		FetchCooldown: b.c.fetchCooldown,
		Workers:       workers,
	})
	if err != nil {
		return jobRun{}, fmt.Errorf("river client: %w", err)
	}
	// Room for every event, so none is dropped while this goroutine is behind.
	events, unsubscribe := rc.SubscribeConfig(&river.SubscribeConfig{ChanSize: 2*n + 1000,
		Kinds: []river.EventKind{river.EventKindJobCompleted, river.EventKindJobCancelled, river.EventKindJobFailed}})
	defer unsubscribe()

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	if err := rc.Start(runCtx); err != nil {
		return jobRun{}, fmt.Errorf("start river: %w", err)
	}
	r, waitErr := waitSettled(ctx, events, n, start, b.c.timeout)
	stopCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer done()
	if err := rc.Stop(stopCtx); err != nil {
		return r, errors.Join(waitErr, fmt.Errorf("stop river: %w", err))
	}
	return r, waitErr
}

// waitSettled counts job events until n jobs have settled or timeout has passed since start.
func waitSettled(ctx context.Context, events <-chan *river.Event, n int, start time.Time, timeout time.Duration) (jobRun, error) {
	r := jobRun{jobs: n}
	deadline := time.NewTimer(time.Until(start.Add(timeout)))
	defer deadline.Stop()
	for r.settled() < n {
		select {
		case e := <-events:
			switch {
			case e.Kind == river.EventKindJobCompleted:
				r.completed++
			case e.Kind == river.EventKindJobCancelled:
				r.cancelled++
			case e.Job.State == rivertype.JobStateDiscarded:
				r.discarded++
			default:
				r.retried++
			}
			r.elapsed = time.Since(start)
		case <-deadline.C:
			r.timedOut, r.elapsed = true, time.Since(start)
			return r, nil
		case <-ctx.Done():
			return r, ctx.Err()
		}
	}
	return r, nil
}

// noopRun inserts the no-op jobs, then works them.
func (b *bench) noopRun(ctx context.Context) (jobRun, error) {
	params := make([]river.InsertManyParams, b.c.jobs)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{}}
	}
	if _, err := b.notifier.River.InsertMany(ctx, params); err != nil {
		return jobRun{}, fmt.Errorf("insert no-op jobs: %w", err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &noopWorker{})
	return b.work(ctx, workers, b.c.jobs)
}

// emailResult is the email run: recording, delivering, and what arrived.
type emailResult struct {
	record     time.Duration
	jobs       jobRun
	deliveries deliveryCount
	mail       tally
}

// recipient is the address of the i-th email, one without an account.
func recipient(i int) string { return fmt.Sprintf("reader-%06d@loadnotify.reptidex.local", i) }

// emailRun records one notification to each of c.jobs addresses with no River client
// working, then delivers them all and checks what the sink received.
func (b *bench) emailRun(ctx context.Context, o owner) (emailResult, error) {
	var res emailResult
	n := b.c.jobs
	addresses := make([]string, n)
	ids := make([]uuid.UUID, n)
	start := time.Now()
	for first := 0; first < n; first += b.c.batch {
		err := b.db.InTenant(ctx, o.tenant(), func(tx pgx.Tx) error {
			for i := first; i < min(first+b.c.batch, n); i++ {
				addresses[i] = recipient(i)
				stored, err := b.notifier.Record(ctx, tx, notify.Request{DedupKey: fmt.Sprintf("loadnotify/email/%d", i),
					Type: "organization.message", OrgID: o.org.ID, Email: addresses[i], Title: "Feeding day moved",
					Body: "Feeding moves to Thursday this week.\n\nThanks!", Link: "/api/v1/notifications"})
				if err != nil {
					return fmt.Errorf("record email %d: %w", i, err)
				}
				ids[i] = stored.ID
			}
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	res.record = time.Since(start)

	workers := river.NewWorkers()
	river.AddWorker(workers, &notify.DeliveryWorker{DB: b.db,
		Mail:  &mailer.Sender{Addr: b.sink.SMTPAddr(), From: "ReptiDex <no-reply@reptidex.local>", Timeout: 10 * time.Second},
		Links: notify.Links{BaseURL: "http://127.0.0.1:8080", Secret: []byte("loadnotify")}, RetryBase: 100 * time.Millisecond})
	var err error
	if res.jobs, err = b.work(ctx, workers, n); err != nil {
		return res, err
	}

	err = b.db.InTenant(ctx, o.tenant(), func(tx pgx.Tx) error {
		ds, err := store.DeliveriesOf(ctx, tx, ids)
		res.deliveries = countEmailDeliveries(ds)
		return err
	})
	if err != nil {
		return res, err
	}
	msgs, err := (&mailsink.Client{BaseURL: b.sink.URL()}).List(ctx, "")
	if err != nil {
		return res, fmt.Errorf("list the sink's messages: %w", err)
	}
	res.mail = tallyMail(addresses, msgs)
	return res, nil
}

// deliveryCount is the email deliveries of the run's notifications, by status.
type deliveryCount map[string]int

func countEmailDeliveries(ds map[uuid.UUID][]store.Delivery) deliveryCount {
	c := deliveryCount{}
	for _, list := range ds {
		for _, d := range list {
			if d.Channel == string(notify.Email) {
				c[d.Status]++
			}
		}
	}
	return c
}

// ok reports whether each of n notifications has exactly one email delivery, sent.
func (c deliveryCount) ok(n int) bool { return c["sent"] == n && len(c) == 1 }

func (c deliveryCount) String() string {
	var parts []string
	for _, s := range []string{"sent", "pending", "failed", "skipped"} {
		parts = append(parts, fmt.Sprintf("%s %d", s, c[s]))
	}
	return strings.Join(parts, ", ") + " (email deliveries in the database)"
}
