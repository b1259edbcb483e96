package stripehooks

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/store"
)

// Events whose handling asks Stripe or Temporal something (billing's) are handled after the
// delivery is acknowledged: the delivery keeps the event, due at once, in one statement, and
// Handling, in the worker, claims each due event and runs its handler in a transaction of its
// own. Stripe counts a delivery as failed after a few seconds; acknowledging at once keeps a
// burst of events from holding the database's connections while each waits on another
// service, and writing one row, rather than the row and a job in a transaction, halves what
// the answer waits on.

// Workers is how many events a worker handles at once: each holds a transaction (a pooled
// connection) while its handler asks Stripe and Temporal, so a burst of events never takes
// the connections the API's requests and the other jobs need.
const Workers = 4

// Poll is how often a worker looks for due events while its runners wait (one cheap query);
// a runner that claims one wakes another, so a burst is taken up by all of them at once.
const Poll = 500 * time.Millisecond

// Attempts bounds the tries of an event's handler, spaced further apart each time (the n-th
// retry n⁴ seconds after the failure, the last about 11 hours after the first); an event
// still failing then stays kept, unprocessed, with its last error, for support to look at.
const Attempts = 12

// Handling runs, in the worker, the handlers of the events kept to be handled later.
type Handling struct {
	DB *store.DB
	// Handlers is the routing table; it may be set after Handling is made (the handlers need
	// the River client of the worker that runs it), but before Run.
	Handlers *Dispatcher
	Log      *slog.Logger
	// Workers and Poll default to the constants of those names.
	Workers int
	Poll    time.Duration
}

// HandleTimeout bounds one event's handling, its transaction included.
const HandleTimeout = 2 * time.Minute

// Run handles due events, Workers at a time, until ctx ends; it then returns once the
// events in hand are handled (each within HandleTimeout).
func (h *Handling) Run(ctx context.Context) {
	workers, poll := cmp.Or(h.Workers, Workers), cmp.Or(h.Poll, Poll)
	wake := make(chan struct{}, workers)
	nudge := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(poll)
		defer tick.Stop()
		for {
			due, err := store.StripeEventsDue(ctx, h.DB.Pool)
			switch {
			case err != nil && ctx.Err() == nil && h.Log != nil:
				h.Log.Warn("stripe events: looking for due events", "err", err)
			case due:
				nudge()
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
	for range workers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-wake:
				}
				for ctx.Err() == nil {
					claimed, err := h.Next(ctx)
					if err != nil && ctx.Err() == nil && h.Log != nil {
						h.Log.Warn("stripe event not handled", "err", err)
					}
					if !claimed {
						break
					}
					nudge() // more may be due: another runner looks too
				}
			}
		})
	}
	wg.Wait()
}

// Next claims the event longest due, if any, and runs its handler: claimed says whether one
// was claimed and what became of it recorded. The handler runs in a savepoint of the
// transaction that holds the event: when it succeeds the event is recorded processed with
// what the handler wrote; when it fails what it wrote is undone and the failure recorded,
// the event due again later or, its tries spent, no more. The handler's failure is
// returned. An event once claimed is handled to the end, within HandleTimeout, even when
// ctx ends meanwhile.
func (h *Handling) Next(ctx context.Context) (claimed bool, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), HandleTimeout)
	defer cancel()
	var failed error
	err = h.DB.InTx(ctx, func(tx pgx.Tx) error {
		e, err := store.ClaimDueStripeEvent(ctx, tx)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		claimed = true
		if failed = h.handle(ctx, tx, e); failed == nil {
			return store.MarkStripeEventProcessed(ctx, tx, e.ID)
		}
		var retry time.Duration
		if e.Attempts+1 < Attempts {
			retry = retryDelay(e.Attempts + 1)
		}
		return store.StripeEventFailed(ctx, tx, e.ID, e.Attempts+1, retry, failed.Error())
	})
	return claimed && err == nil, errors.Join(err, failed)
}

// handle runs the handler of e in a savepoint of tx.
func (h *Handling) handle(ctx context.Context, tx pgx.Tx, e store.StripeEvent) error {
	var ev stripe.Event
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		return fmt.Errorf("read stripe event %s: %w", e.ID, err)
	}
	handler := h.Handlers.handler(ev.Type)
	if handler == nil {
		return fmt.Errorf("stripe event %s: no handler takes %s any more", e.ID, ev.Type)
	}
	return pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		if err := handler(ctx, sp, ev); err != nil {
			return fmt.Errorf("handle stripe event %s (%s): %w", ev.ID, ev.Type, err)
		}
		return nil
	})
}

// retryDelay is how long after its n-th failure an event is tried again: n⁴ seconds, give or
// take a tenth so that events failing together are not retried together.
func retryDelay(n int) time.Duration {
	d := time.Duration(n*n*n*n) * time.Second
	return d + time.Duration((rand.Float64()-0.5)*0.2*float64(d))
}
