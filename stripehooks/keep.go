package stripehooks

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/reptidex/reptidex/store"
)

// Deliveries that only keep their event (billing's, handled later, and types nobody handles)
// are written together: a burst of Stripe's deliveries would otherwise queue for the
// database's connections one row and one commit each. Deliveries arriving while flushers
// batches are being written join the open batch, written, as one statement, as soon as a
// writer is free. Nothing waits for company: a delivery alone is written at once.

// flushers is how many batches are written at once.
const flushers = 2

// maxBatch bounds the events written by one statement.
const maxBatch = 200

// writeTimeout bounds the writing of a batch.
const writeTimeout = 10 * time.Second

// keeper batches the events kept without a handler running.
type keeper struct {
	mu   sync.Mutex
	open *batch // the batch deliveries join; nil when none waits
	busy int    // batches being written
}

// batch is events written together; done is closed once each has its outcome.
type batch struct {
	items []*keeping
	done  chan struct{}
}

// keeping is one delivery's event and what became of it.
type keeping struct {
	event    store.StripeEvent
	inserted bool
	err      error
}

// keep writes e with the events of concurrent deliveries: inserted is false when an event
// with its ID was kept before (or by an earlier delivery in the same batch).
func (k *keeper) keep(ctx context.Context, db *store.DB, e store.StripeEvent) (bool, error) {
	me := &keeping{event: e}
	k.mu.Lock()
	if k.open == nil {
		k.open = &batch{done: make(chan struct{})}
	}
	b := k.open
	b.items = append(b.items, me)
	start := k.busy < flushers
	if start {
		k.busy++
		k.open = nil
	}
	k.mu.Unlock()
	if start {
		go k.run(db, b)
	}
	select {
	case <-b.done:
		return me.inserted, me.err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// run writes b, then each batch that opened meanwhile, until none waits.
func (k *keeper) run(db *store.DB, b *batch) {
	for b != nil {
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		for chunk := range slices.Chunk(b.items, maxBatch) {
			write(ctx, db, chunk)
		}
		cancel()
		close(b.done)

		k.mu.Lock()
		b, k.open = k.open, nil
		if b == nil {
			k.busy--
		}
		k.mu.Unlock()
	}
}

// write keeps a batch in one statement; if that fails (one event the database refuses),
// each is written alone, so that only the one refused fails.
func write(ctx context.Context, db *store.DB, batch []*keeping) {
	events := make([]store.StripeEvent, len(batch))
	for i, b := range batch {
		events[i] = b.event
	}
	inserted, err := store.InsertStripeEvents(ctx, db.Pool, events)
	if err == nil {
		for i, b := range batch {
			b.inserted = inserted[i]
		}
		return
	}
	for _, b := range batch {
		b.inserted, b.err = store.InsertStripeEvent(ctx, db.Pool, b.event)
	}
}
