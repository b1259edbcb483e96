package stripehooks_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/testkit"
)

// The tests of Handling do not run in parallel: it claims any due event in the package's
// database, and only these tests keep events for later.

// kept reads the event id as kept.
func kept(t *testing.T, db *store.DB, id string) store.StripeEvent {
	t.Helper()
	e, err := store.StripeEventByID(context.Background(), db.Pool, id)
	require.NoError(t, err)
	return e
}

// makeDue makes the event id due now, as if its retry's time had come.
func makeDue(t *testing.T, id string) {
	t.Helper()
	_, err := testkit.AdminPool(t).Exec(context.Background(), `UPDATE stripe_events SET handle_at = now() WHERE id = $1`, id)
	require.NoError(t, err)
}

func TestHandling_AnEventHandledLaterIsKeptDueThenHandledOnce(t *testing.T) {
	db := testkit.DB(t)
	var calls atomic.Int32
	fail := errors.New("stripe unavailable")
	d := stripehooks.NewDispatcher().HandleLater("invoice.paid", func(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
		// What the handler writes commits with the event processed, or not at all.
		if _, err := tx.Exec(ctx, `UPDATE stripe_events SET account = 'written by the handler' WHERE id = $1`, ev.ID); err != nil {
			return err
		}
		if calls.Add(1) == 1 {
			return fail
		}
		return nil
	})
	r := &stripehooks.Receiver{DB: db, Secret: secret, Handlers: d}
	h := &stripehooks.Handling{DB: db, Handlers: d}
	id, payload := event(t, "invoice.paid")
	out, err := r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
	require.NoError(t, err)
	require.Equal(t, stripehooks.Outcome{EventID: id, Type: "invoice.paid", Queued: true}, out)
	require.Zero(t, calls.Load(), "nothing runs while the delivery waits")
	e := kept(t, db, id)
	require.NotNil(t, e.HandleAt, "kept due")
	require.Nil(t, e.ProcessedAt)

	// The first try fails: what it wrote is undone, the failure recorded, and the event is
	// due again a second later (1⁴ s, give or take a tenth), not at once.
	before := time.Now()
	claimed, err := h.Next(context.Background())
	after := time.Now()
	require.True(t, claimed)
	require.ErrorIs(t, err, fail)
	e = kept(t, db, id)
	require.Nil(t, e.ProcessedAt)
	require.Equal(t, 1, e.Attempts)
	require.Contains(t, e.LastError, "stripe unavailable")
	require.Empty(t, e.Account, "the failed try's write is undone")
	require.NotNil(t, e.HandleAt)
	require.True(t, !e.HandleAt.Before(before.Add(900*time.Millisecond)) && !e.HandleAt.After(after.Add(1100*time.Millisecond)),
		"due again at %s, a second after the failure (between %s and %s)", e.HandleAt, before, after)
	claimed, err = h.Next(context.Background())
	require.NoError(t, err)
	require.False(t, claimed, "not due yet")

	makeDue(t, id)
	claimed, err = h.Next(context.Background())
	require.NoError(t, err)
	require.True(t, claimed)
	e = kept(t, db, id)
	require.NotNil(t, e.ProcessedAt)
	require.Nil(t, e.HandleAt, "due no more")
	require.Equal(t, "written by the handler", e.Account)
	claimed, err = h.Next(context.Background())
	require.NoError(t, err)
	require.False(t, claimed)
	require.EqualValues(t, 2, calls.Load())

	// A redelivery is acknowledged as a duplicate and makes nothing due.
	out, err = r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
	require.NoError(t, err)
	require.True(t, out.Duplicate)
	require.False(t, out.Queued)
	require.Nil(t, kept(t, db, id).HandleAt)
}

func TestHandling_GivesUpAfterItsTries(t *testing.T) {
	db := testkit.DB(t)
	var calls atomic.Int32
	d := stripehooks.NewDispatcher().HandleLater("invoice.payment_failed", func(context.Context, pgx.Tx, stripe.Event) error {
		calls.Add(1)
		return errors.New("the organization is not found under\x00 row-level security " + strings.Repeat("é", 3000))
	})
	r := &stripehooks.Receiver{DB: db, Secret: secret, Handlers: d}
	h := &stripehooks.Handling{DB: db, Handlers: d}
	id, payload := event(t, "invoice.payment_failed")
	_, err := r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
	require.NoError(t, err)
	for try := 1; try <= stripehooks.Attempts; try++ {
		claimed, err := h.Next(context.Background())
		require.True(t, claimed, "try %d", try)
		require.Error(t, err)
		e := kept(t, db, id)
		require.Equal(t, try, e.Attempts)
		if try < stripehooks.Attempts {
			require.NotNil(t, e.HandleAt, "try %d", try)
			wait := time.Duration(try*try*try*try) * time.Second
			require.WithinDuration(t, time.Now().Add(wait), *e.HandleAt, wait/10+time.Second, "try %d", try)
			makeDue(t, id)
		}
	}
	e := kept(t, db, id)
	require.Nil(t, e.HandleAt, "its tries spent, it is due no more")
	require.Nil(t, e.ProcessedAt, "and stays unprocessed for support")
	require.True(t, strings.HasPrefix(e.LastError, "handle stripe event "+id+" (invoice.payment_failed): the organization is not found under row-level security"),
		e.LastError)
	require.LessOrEqual(t, len(e.LastError), 2000)
	claimed, err := h.Next(context.Background())
	require.NoError(t, err)
	require.False(t, claimed)
	require.EqualValues(t, stripehooks.Attempts, calls.Load())
}

func TestHandling_RunHandlesABurstOnceEachAndDrainsOnStop(t *testing.T) {
	db := testkit.DB(t)
	var (
		mu    sync.Mutex
		seen  = map[string]int{}
		inAll atomic.Int32
		most  atomic.Int32
	)
	d := stripehooks.NewDispatcher().HandleLater("customer.subscription.updated", func(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
		n := inAll.Add(1)
		defer inAll.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond) // a call to Stripe
		mu.Lock()
		seen[ev.ID]++
		mu.Unlock()
		return nil
	})
	r := &stripehooks.Receiver{DB: db, Secret: secret, Handlers: d}
	const events = 40
	ids := make([]string, events)
	for i := range ids {
		var payload []byte
		ids[i], payload = event(t, "customer.subscription.updated")
		out, err := r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
		require.NoError(t, err)
		require.True(t, out.Queued)
	}

	// Two workers, as two worker processes would, each running several at once.
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { (&stripehooks.Handling{DB: db, Handlers: d, Workers: 3, Poll: 50 * time.Millisecond}).Run(ctx) })
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == events
	}, 10*time.Second, 20*time.Millisecond)
	stop()
	wg.Wait()
	for _, id := range ids {
		require.Equal(t, 1, seen[id], id)
		require.NotNil(t, kept(t, db, id).ProcessedAt)
	}
	require.LessOrEqual(t, most.Load(), int32(6), "at most Workers at a time in each")
	require.Greater(t, most.Load(), int32(1), "a burst is taken up by more than one runner")
}

// BenchmarkReceive_Queued is the webhook's own work for an event handled later, 50
// deliveries in flight at once: the signature, and the event kept due in one statement
// (HTTP and the handler's work excluded).
func BenchmarkReceive_Queued(b *testing.B) {
	d := stripehooks.NewDispatcher().HandleLater("invoice.paid", func(context.Context, pgx.Tx, stripe.Event) error { return nil })
	benchmarkReceive(b, &stripehooks.Receiver{DB: testkit.DB(b), Secret: secret, Handlers: d})
}

// BenchmarkReceive_HandledAtOnce is the same with a handler that does nothing, run in the
// delivery's transaction (the event kept and marked processed), for comparison.
func BenchmarkReceive_HandledAtOnce(b *testing.B) {
	d := stripehooks.NewDispatcher().Handle("invoice.paid", func(context.Context, pgx.Tx, stripe.Event) error { return nil })
	benchmarkReceive(b, &stripehooks.Receiver{DB: testkit.DB(b), Secret: secret, Handlers: d})
}

// benchmarkReceive delivers invoice.paid events to r, 50 at a time.
func benchmarkReceive(b *testing.B, r *stripehooks.Receiver) {
	b.SetParallelism(25)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, payload := event(b, "invoice.paid")
			if _, err := r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now())); err != nil {
				b.Error(err)
			}
		}
	})
}
