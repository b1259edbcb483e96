package stripehooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/testkit"
)

const secret = "whsec_stripehooks_test"

// event is the JSON of an event of type typ with a fresh id, as Stripe renders it.
func event(t testing.TB, typ string) (id string, payload []byte) {
	t.Helper()
	id = "evt_" + uuid.NewString()
	payload, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": typ, "api_version": "2023-10-16", "created": time.Now().Unix(),
		"livemode": false, "pending_webhooks": 1,
		"data": map[string]any{"object": map[string]any{"id": "acct_123", "object": "account", "charges_enabled": true}},
	})
	require.NoError(t, err)
	return id, payload
}

func TestSign_IsWhatStripeGoVerifies(t *testing.T) {
	t.Parallel()
	_, payload := event(t, "account.updated")
	now := time.Now()
	require.NoError(t, webhook.ValidatePayloadWithTolerance(payload, stripehooks.Sign(payload, secret, now), secret, stripehooks.Tolerance))
	require.Equal(t, fmt.Sprintf("t=%d,v1=%x", now.Unix(), webhook.ComputeSignature(now, payload, secret)),
		stripehooks.Sign(payload, secret, now))

	altered := append([]byte{}, payload...)
	altered[len(altered)-2] = ' '
	require.ErrorIs(t, webhook.ValidatePayloadWithTolerance(altered, stripehooks.Sign(payload, secret, now), secret, stripehooks.Tolerance),
		webhook.ErrNoValidSignature)
	require.Equal(t, "2023-10-16", stripehooks.APIVersion, "the version stripe-go v76 decodes")
}

func TestReceive_RefusesEachBadDeliveryAndKeepsNothing(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	r := &stripehooks.Receiver{DB: db, Secret: secret, Handlers: stripehooks.NewDispatcher()}
	id, payload := event(t, "account.updated")
	now := time.Now()
	wrongVersion := []byte(`{"id":"evt_x","object":"event","type":"account.updated","api_version":"2020-08-27","created":1700000000}`)
	noID := []byte(`{"object":"event","type":"account.updated","api_version":"2023-10-16","created":1700000000}`)
	nul := []byte(`{"id":"evt_nul","object":"event","type":"account.updated","api_version":"2023-10-16","created":1700000000,"data":{"object":{"name":"a\\\u0000"}}}`)
	notUTF8 := []byte("{\"id\":\"evt_utf8\",\"object\":\"event\",\"type\":\"account.updated\",\"api_version\":\"2023-10-16\",\"created\":1700000000,\"data\":{\"object\":{\"name\":\"\xff\"}}}")
	farFuture := []byte(`{"id":"evt_future","object":"event","type":"account.updated","api_version":"2023-10-16","created":99999999999999}`)
	for _, tc := range []struct {
		name      string
		body      []byte
		signature string
		reason    error
		says      string
	}{
		{"unsigned", payload, "", stripehooks.ErrUnsigned, "Stripe-Signature: the header is missing"},
		{"garbled header", payload, "v1=abc", stripehooks.ErrSignatureHeader, "Stripe-Signature: the header is not"},
		{"no timestamp", payload, stripehooks.Sign(payload, secret, now)[len("t=1234567890,"):], stripehooks.ErrSignatureHeader, "the header is not"},
		{"no signature", payload, "t=1700000000", stripehooks.ErrSignatureHeader, "the header is not"},
		{"forged", payload, stripehooks.Sign(payload, "whsec_someone_else", now), stripehooks.ErrSignatureMismatch, "no v1 signature matches"},
		{"altered", append([]byte(" "), payload...), stripehooks.Sign(payload, secret, now), stripehooks.ErrSignatureMismatch, "no v1 signature matches"},
		{"stale", payload, stripehooks.Sign(payload, secret, now.Add(-301*time.Second)), stripehooks.ErrStale, "more than 300 s old"},
		{"not JSON", []byte("hello"), stripehooks.Sign([]byte("hello"), secret, now), stripehooks.ErrNotJSON, "not a JSON Stripe event"},
		{"an array", []byte("[1]"), stripehooks.Sign([]byte("[1]"), secret, now), stripehooks.ErrNotJSON, "not a JSON Stripe event"},
		{"wrong version", wrongVersion, stripehooks.Sign(wrongVersion, secret, now), stripehooks.ErrAPIVersion, `API version "2020-08-27"; this endpoint takes 2023-10-16`},
		{"no id", noID, stripehooks.Sign(noID, secret, now), stripehooks.ErrNotAnEvent, "id: the event has no id"},
		{"a NUL", nul, stripehooks.Sign(nul, secret, now), stripehooks.ErrNotJSON, "holds a NUL character"},
		{"not UTF-8", notUTF8, stripehooks.Sign(notUTF8, secret, now), stripehooks.ErrNotJSON, "not valid UTF-8"},
		{"created in year 3170843", farFuture, stripehooks.Sign(farFuture, secret, now), stripehooks.ErrNotAnEvent, "past the year 9999"},
	} {
		_, err := r.Receive(context.Background(), tc.body, tc.signature)
		var rej *stripehooks.RejectedError
		require.ErrorAs(t, err, &rej, tc.name)
		require.ErrorIs(t, err, tc.reason, tc.name)
		require.Contains(t, rej.Detail, tc.says, tc.name)
	}
	require.NoError(t, db.InTx(context.Background(), func(tx pgx.Tx) error {
		_, err := store.StripeEventByID(context.Background(), tx, id)
		require.ErrorIs(t, err, store.ErrNotFound, "a refused delivery keeps nothing")
		return nil
	}))
}

func TestReceive_ProcessesAnEventOnceHoweverOftenItArrives(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	var calls atomic.Int32
	d := stripehooks.NewDispatcher().Handle("account.updated", func(_ context.Context, _ pgx.Tx, ev stripe.Event) error {
		calls.Add(1)
		return nil
	})
	r := &stripehooks.Receiver{DB: db, Secret: secret, Handlers: d}
	id, payload := event(t, "account.updated")

	// Ten deliveries at once, as retries overlapping: one processes it, the rest are repeats.
	var wg sync.WaitGroup
	outcomes := make(chan stripehooks.Outcome, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
			if err != nil {
				t.Error(err)
				return
			}
			outcomes <- out
		}()
	}
	wg.Wait()
	close(outcomes)
	handled := 0
	for out := range outcomes {
		require.Equal(t, id, out.EventID)
		require.Equal(t, !out.Handled, out.Duplicate)
		if out.Handled {
			handled++
		}
	}
	require.Equal(t, 1, handled)
	require.EqualValues(t, 1, calls.Load())

	var kept store.StripeEvent
	require.NoError(t, db.InTx(context.Background(), func(tx pgx.Tx) (err error) {
		kept, err = store.StripeEventByID(context.Background(), tx, id)
		return err
	}))
	require.Equal(t, "account.updated", kept.Type)
	require.Equal(t, "2023-10-16", kept.APIVersion)
	require.NotNil(t, kept.ProcessedAt)
	require.JSONEq(t, string(payload), string(kept.Payload))
}

func TestReceive_AFailedHandlerLeavesTheEventForStripesRetry(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	fail := errors.New("the order's workflow is unreachable")
	var calls atomic.Int32
	d := stripehooks.NewDispatcher().Handle("payment_intent.amount_capturable_updated", func(context.Context, pgx.Tx, stripe.Event) error {
		if calls.Add(1) == 1 {
			return fail
		}
		return nil
	})
	r := &stripehooks.Receiver{DB: db, Secret: secret, Handlers: d}
	id, payload := event(t, "payment_intent.amount_capturable_updated")
	_, err := r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
	require.ErrorIs(t, err, fail)
	out, err := r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
	require.NoError(t, err)
	require.Equal(t, stripehooks.Outcome{EventID: id, Type: "payment_intent.amount_capturable_updated", Handled: true}, out)
	require.EqualValues(t, 2, calls.Load())
}

func TestReceive_AnEventNobodyHandlesIsAcknowledgedAndKept(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	r := &stripehooks.Receiver{DB: db, Secret: secret, Handlers: stripehooks.Handlers(nil, nil, nil, billing.Sync{})}
	id, payload := event(t, "customer.created")
	out, err := r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
	require.NoError(t, err)
	require.Equal(t, stripehooks.Outcome{EventID: id, Type: "customer.created"}, out)
	out, err = r.Receive(context.Background(), payload, stripehooks.Sign(payload, secret, time.Now()))
	require.NoError(t, err)
	require.True(t, out.Duplicate)
	require.NoError(t, db.InTx(context.Background(), func(tx pgx.Tx) error {
		kept, err := store.StripeEventByID(context.Background(), tx, id)
		require.NoError(t, err)
		require.Nil(t, kept.ProcessedAt, "no handler ran")
		return nil
	}))
}
