package stripehooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/store"
)

// Events whose handling asks Stripe or Temporal something (billing's) are handled after the
// delivery is acknowledged: the delivery keeps the event and enqueues ProcessArgs in one
// short transaction, and ProcessWorker runs the handler in its own. Stripe counts a
// delivery as failed after a few seconds; acknowledging at once keeps a burst of events from
// holding the database's connections while each waits on another service.

// Queue is the River queue of the handling jobs, worked QueueWorkers at a time: each holds
// a transaction (a pooled connection) while its handler asks Stripe and Temporal, so a burst
// of events never takes the connections the API's requests, the webhook's among them, need.
const Queue = "stripe_events"

// QueueWorkers is how many events are handled at once by a worker.
const QueueWorkers = 4

// ProcessArgs is the job that handles a kept event.
type ProcessArgs struct {
	EventID string `json:"event_id"`
}

// Kind names the job.
func (ProcessArgs) Kind() string { return "stripe_event" }

// processAttempts bounds the job's tries (River spaces them further apart each time, the
// last about a day after the first); an event still failing then stays kept, unprocessed,
// for support to look at.
const processAttempts = 12

// InsertOpts bounds the job's tries. It needs no uniqueness: an event is kept, and its job
// enqueued, once (a redelivery finds it kept), and Process runs its handler once.
func (ProcessArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: processAttempts}
}

// ProcessWorker runs the handler of a kept event, once: in one transaction it holds the
// event, runs its handler unless it was processed already, and records it processed.
type ProcessWorker struct {
	river.WorkerDefaults[ProcessArgs]
	DB *store.DB
	// Handlers is the routing table; it may be set after the worker is registered (the
	// handlers need the River client the worker is registered with).
	Handlers *Dispatcher
}

// Work handles the event.
func (w *ProcessWorker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	return Process(ctx, w.DB, w.Handlers, job.Args.EventID)
}

// Process runs the handler of the kept event id, unless it has run already.
func Process(ctx context.Context, db *store.DB, d *Dispatcher, id string) error {
	return db.InTx(ctx, func(tx pgx.Tx) error {
		e, err := store.LockStripeEvent(ctx, tx, id)
		if errors.Is(err, store.ErrNotFound) || err == nil && e.ProcessedAt != nil {
			return nil
		}
		if err != nil {
			return err
		}
		var ev stripe.Event
		if err := json.Unmarshal(e.Payload, &ev); err != nil {
			return fmt.Errorf("read stripe event %s: %w", id, err)
		}
		h := d.handler(ev.Type)
		if h == nil {
			return nil
		}
		if err := h(ctx, tx, ev); err != nil {
			return fmt.Errorf("handle stripe event %s (%s): %w", ev.ID, ev.Type, err)
		}
		return store.MarkStripeEventProcessed(ctx, tx, id)
	})
}
