package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/stripehooks"
)

const stripeWebhookPath = "/api/v1/stripe/webhooks"

// stripeEvent is the JSON of a Stripe event of type typ with a fresh id, in the API version
// the platform takes.
func stripeEvent(t *testing.T, typ string) (id string, payload []byte) {
	t.Helper()
	id = "evt_" + uuid.NewString()
	payload, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": typ, "api_version": "2023-10-16", "created": time.Now().Unix(),
		"livemode": false, "pending_webhooks": 1, "request": map[string]any{"id": nil, "idempotency_key": nil},
		"data": map[string]any{"object": map[string]any{"id": "acct_" + uuid.NewString()[:8], "object": "account",
			"charges_enabled": true, "payouts_enabled": true}},
	})
	require.NoError(t, err)
	return id, payload
}

// postStripe delivers payload to the webhook as Stripe would, with signature as its
// Stripe-Signature header ("" for none).
func (b *bundle) postStripe(t *testing.T, payload []byte, signature string) reply {
	t.Helper()
	req := b.newRequest(t, http.MethodPost, stripeWebhookPath, "", payload)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	return b.send(t, req)
}

// signed is the Stripe-Signature of payload signed now with the server's webhook secret.
func (b *bundle) signed(payload []byte) string {
	return stripehooks.Sign(payload, b.Cfg.Stripe.WebhookSecret, time.Now())
}

func TestStripeWebhook_ASignedEventIsKeptOnceAndAcknowledged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id, payload := stripeEvent(t, "account.updated")

	r := b.postStripe(t, payload, b.signed(payload))
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, map[string]any{"event_id": id, "duplicate": false, "handled": true, "queued": false}, r.Body,
		"account.updated is handled; this account is no organization's, so nothing changes")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM stripe_events WHERE id = $1 AND type = 'account.updated'
		AND api_version = '2023-10-16' AND payload->>'id' = $1`, id))

	// Stripe delivers it again (a retry, or two deliveries crossing): acknowledged, not again.
	r = b.postStripe(t, payload, b.signed(payload))
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, map[string]any{"event_id": id, "duplicate": true, "handled": false, "queued": false}, r.Body)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM stripe_events WHERE id = $1`, id))
}

func TestStripeWebhook_AnEventOfATypeNobodyHandlesIsAcknowledgedAndKept(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id, payload := stripeEvent(t, "issuing_card.created")
	r := b.postStripe(t, payload, b.signed(payload))
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, false, r.Body["handled"])
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM stripe_events WHERE id = $1 AND processed_at IS NULL`, id))
}

func TestStripeWebhook_RefusesWhatStripeDidNotSendNamingTheCheck(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id, payload := stripeEvent(t, "payment_intent.succeeded")
	secret := b.Cfg.Stripe.WebhookSecret
	now := time.Now()
	oldVersion := []byte(`{"id":"evt_old","object":"event","type":"payment_intent.succeeded","api_version":"2022-11-15","created":1700000000}`)
	notJSON := []byte(`{"id": "evt_cut`)
	for _, tc := range []struct {
		name, signature string
		body            []byte
		says            string
	}{
		{"unsigned", "", payload, "Stripe-Signature: the header is missing"},
		{"not a signature header", "sha256=deadbeef", payload, "Stripe-Signature: the header is not t=<unix time>,v1=<signature>"},
		{"forged", stripehooks.Sign(payload, "whsec_forger", now), payload, "no v1 signature matches the body"},
		{"altered after signing", stripehooks.Sign(payload, secret, now), append(payload[:len(payload)-1:len(payload)-1], []byte(`,"x":1}`)...),
			"no v1 signature matches the body"},
		{"stale", stripehooks.Sign(payload, secret, now.Add(-stripehooks.Tolerance-2*time.Second)), payload,
			"the timestamp is more than 300 s old"},
		{"another API version", stripehooks.Sign(oldVersion, secret, now), oldVersion,
			`api_version: the event is rendered in API version "2022-11-15"; this endpoint takes 2023-10-16`},
		{"not JSON", stripehooks.Sign(notJSON, secret, now), notJSON, "The body is not a JSON Stripe event object."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.postStripe(t, tc.body, tc.signature)
			requireProblem(t, r, http.StatusBadRequest, "malformed-request")
			require.Contains(t, r.Body["detail"], tc.says)
		})
	}
	require.Zero(t, b.count(t, `SELECT count(*) FROM stripe_events WHERE id = ANY($1)`, []string{id, "evt_old"}),
		"nothing refused is kept")

	// Not sent as JSON at all.
	req := b.newRequest(t, http.MethodPost, stripeWebhookPath, "", payload)
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Stripe-Signature", b.signed(payload))
	requireProblem(t, b.send(t, req), http.StatusUnsupportedMediaType, "unsupported-media-type")
}

func TestStripeWebhook_RefusesABodyOverTheLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, withConfig(func(c *config.Config) { c.HTTP.MaxBodyBytes = 4096 }))
	_, payload := stripeEvent(t, "account.updated")
	big := append(payload[:len(payload)-1:len(payload)-1], []byte(`,"padding":"`+strings.Repeat("x", 5000)+`"}`)...)
	requireProblem(t, b.postStripe(t, big, b.signed(big)), http.StatusRequestEntityTooLarge, "body-too-large")
}
