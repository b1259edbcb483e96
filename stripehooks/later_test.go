package stripehooks_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

func TestReceive_AnEventHandledLaterIsQueuedThenHandledOnce(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	var calls atomic.Int32
	fail := errors.New("stripe unavailable")
	d := stripehooks.NewDispatcher().HandleLater("invoice.paid", func(context.Context, pgx.Tx, stripe.Event) error {
		if calls.Add(1) == 1 {
			return fail
		}
		return nil
	})
	r := stripehooks.Receiver{DB: db, Secret: secret, Handlers: d, Queue: registered.Queue(t, db)}
	id, payload := event(t, "invoice.paid")
	out, err := r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
	require.NoError(t, err)
	require.Equal(t, stripehooks.Outcome{EventID: id, Type: "invoice.paid", Queued: true}, out)
	require.Zero(t, calls.Load(), "nothing runs while the delivery waits")
	var jobs int
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(),
		`SELECT count(*) FROM river_job WHERE kind = 'stripe_event' AND args->>'event_id' = $1`, id).Scan(&jobs))
	require.Equal(t, 1, jobs, "the job is enqueued with the event")

	// The job's first try fails and leaves the event unprocessed; the next handles it, and
	// any later run (a retried job) does nothing.
	require.ErrorIs(t, stripehooks.Process(context.Background(), db, d, id), fail)
	require.NoError(t, stripehooks.Process(context.Background(), db, d, id))
	require.NoError(t, stripehooks.Process(context.Background(), db, d, id))
	require.EqualValues(t, 2, calls.Load())
	require.NoError(t, db.InTx(context.Background(), func(tx pgx.Tx) error {
		kept, err := store.StripeEventByID(context.Background(), tx, id)
		require.NotNil(t, kept.ProcessedAt)
		return err
	}))

	// A redelivery is acknowledged as a duplicate and enqueues nothing more.
	out, err = r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
	require.NoError(t, err)
	require.True(t, out.Duplicate)
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(),
		`SELECT count(*) FROM river_job WHERE kind = 'stripe_event' AND args->>'event_id' = $1`, id).Scan(&jobs))
	require.Equal(t, 1, jobs)
}

// BenchmarkReceive_Queued is the webhook's own work for an event handled later, 50
// deliveries in flight at once: the signature, the event kept and its job enqueued in one
// transaction (HTTP and the handler's work excluded).
func BenchmarkReceive_Queued(b *testing.B) {
	db := testkit.DB(b)
	d := stripehooks.NewDispatcher().HandleLater("invoice.paid", func(context.Context, pgx.Tx, stripe.Event) error { return nil })
	benchmarkReceive(b, stripehooks.Receiver{DB: db, Secret: secret, Handlers: d, Queue: registered.Queue(b, db)})
}

// BenchmarkReceive_HandledAtOnce is the same with a handler that does nothing, run in the
// delivery's transaction (the event kept and marked processed), for comparison.
func BenchmarkReceive_HandledAtOnce(b *testing.B) {
	d := stripehooks.NewDispatcher().Handle("invoice.paid", func(context.Context, pgx.Tx, stripe.Event) error { return nil })
	benchmarkReceive(b, stripehooks.Receiver{DB: testkit.DB(b), Secret: secret, Handlers: d})
}

// benchmarkReceive delivers invoice.paid events to r, 50 at a time.
func benchmarkReceive(b *testing.B, r stripehooks.Receiver) {
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
