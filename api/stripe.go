package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/reptidex/reptidex/stripehooks"
)

// stripeReceipt is the answer to a webhook delivery Stripe can count as received.
type stripeReceipt struct {
	// The event's id (evt_...).
	EventID string `json:"event_id"`
	// true when the event was received before and is not processed again.
	Duplicate bool `json:"duplicate"`
	// true when a handler for the event's type processed it; false for a type the platform
	// does not act on (the event is kept for audit), one handled later, and a duplicate.
	Handled bool `json:"handled"`
	// true when the event is handled right after this answer (subscriptions and invoices).
	Queued bool `json:"queued"`
}

// stripeWebhook takes one delivery of Stripe's webhooks: the body as sent (the signature
// covers its exact bytes) and its Stripe-Signature header, the only credential.
func (s *Server) stripeWebhook(w http.ResponseWriter, r *http.Request) error {
	if p := checkJSONMediaType(r); p != nil {
		return p
	}
	payload, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeProblem(err)
	}
	out, err := s.stripeHooks.Receive(r.Context(), payload, r.Header.Get("Stripe-Signature"))
	var rejected *stripehooks.RejectedError
	if errors.As(err, &rejected) {
		return newProblem(kindMalformed, rejected.Detail)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, stripeReceipt{EventID: out.EventID, Duplicate: out.Duplicate, Handled: out.Handled, Queued: out.Queued})
}
