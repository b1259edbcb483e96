package stripehooks

import (
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// Sign is the Stripe-Signature header Stripe would send with payload at the given time:
// t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed with the endpoint's secret>,
// as stripe-go's own test signing writes it. stripe-mock sends no webhooks, so tests and
// local walks post the events Stripe would send, signed with it.
func Sign(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}
