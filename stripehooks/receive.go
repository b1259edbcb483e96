// Package stripehooks is the door Stripe's webhooks come in by: it verifies an event's
// signature and API version, keeps the event once, and routes it by type to the handler
// registered for it. A repeated delivery of an event is acknowledged without being
// processed again; an event of a type nobody handles is acknowledged and kept.
package stripehooks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/reptidex/reptidex/store"
)

// Tolerance is how old a signature's timestamp may be: an older delivery may be a replay.
const Tolerance = 300 * time.Second

// APIVersion is the Stripe API version events must be rendered in: the one stripe-go v76
// decodes (2023-10-16). The webhook endpoint is created with it.
const APIVersion = stripe.APIVersion

// maxIDLength bounds an event's id and type, as the table does.
const maxIDLength = 255

// Why a delivery is refused. Each is wrapped in a *RejectedError with the detail.
var (
	ErrUnsigned          = errors.New("no Stripe-Signature header")
	ErrSignatureHeader   = errors.New("malformed Stripe-Signature header")
	ErrSignatureMismatch = errors.New("signature does not match")
	ErrStale             = errors.New("signature too old")
	ErrNotJSON           = errors.New("body is not a JSON event")
	ErrAPIVersion        = errors.New("wrong API version")
	ErrNotAnEvent        = errors.New("not a Stripe event")
)

// RejectedError is a delivery refused before anything was kept: its Detail says which check
// failed, for the sender.
type RejectedError struct {
	Reason error // one of the Err values above
	Detail string
}

func (e *RejectedError) Error() string { return e.Detail }

func (e *RejectedError) Unwrap() error { return e.Reason }

func rejected(reason error, detail string) *RejectedError {
	return &RejectedError{Reason: reason, Detail: detail}
}

// Outcome is what became of a delivered event.
type Outcome struct {
	EventID string
	Type    string
	// Duplicate: the event was received before and is not processed again.
	Duplicate bool
	// Handled: a handler for its type ran (false for a type nobody handles, or a duplicate).
	Handled bool
	// Queued: its handler runs after the delivery is acknowledged (ProcessWorker).
	Queued bool
}

// Receiver takes Stripe's deliveries for the platform.
type Receiver struct {
	DB *store.DB
	// Secret is the webhook endpoint's signing secret (whsec_...).
	Secret   string
	Handlers *Dispatcher
	// Queue enqueues the handling of the types handled later, in the delivery's transaction.
	Queue *river.Client[pgx.Tx]
}

// Receive verifies a delivery (its body and Stripe-Signature header), keeps the event and
// runs its handler, all in one transaction: a handler that fails leaves no trace of the
// event, so Stripe's retry processes it afresh. A delivery that fails a check is a
// *RejectedError, and nothing is kept.
func (r Receiver) Receive(ctx context.Context, payload []byte, signature string) (Outcome, error) {
	if r.Secret == "" {
		return Outcome{}, errors.New("stripe webhooks: no signing secret configured (STRIPE_WEBHOOK_SECRET)")
	}
	ev, err := verify(payload, signature, r.Secret)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{EventID: ev.ID, Type: string(ev.Type)}
	err = r.DB.InTx(ctx, func(tx pgx.Tx) error {
		inserted, err := store.InsertStripeEvent(ctx, tx, store.StripeEvent{ID: ev.ID, Type: string(ev.Type),
			APIVersion: ev.APIVersion, Account: ev.Account, Created: time.Unix(ev.Created, 0), Payload: payload})
		if err != nil || !inserted {
			out.Duplicate = !inserted
			return err
		}
		h := r.Handlers.handler(ev.Type)
		if h == nil {
			return nil
		}
		if r.Handlers.deferred(ev.Type) {
			if _, err := r.Queue.InsertTx(ctx, tx, ProcessArgs{EventID: ev.ID}, nil); err != nil {
				return fmt.Errorf("enqueue stripe event %s: %w", ev.ID, err)
			}
			out.Queued = true
			return nil
		}
		if err := h(ctx, tx, ev); err != nil {
			return fmt.Errorf("handle stripe event %s (%s): %w", ev.ID, ev.Type, err)
		}
		out.Handled = true
		return store.MarkStripeEventProcessed(ctx, tx, ev.ID)
	})
	if err != nil {
		return Outcome{}, err
	}
	return out, nil
}

// verify checks a delivery's signature (over "t.payload", within Tolerance), that its body
// is a JSON event, and that the event is rendered in APIVersion.
func verify(payload []byte, signature, secret string) (stripe.Event, error) {
	err := webhook.ValidatePayloadWithTolerance(payload, signature, secret, Tolerance)
	if err != nil && signature != "" && !wellFormed(signature) {
		// stripe-go reads a header without a timestamp as signed in year 1 (stale) and one
		// without a readable v1 as forged; say instead that the header is not one.
		err = webhook.ErrInvalidHeader
	}
	switch {
	case errors.Is(err, webhook.ErrNotSigned):
		return stripe.Event{}, rejected(ErrUnsigned, "Stripe-Signature: the header is missing; Stripe signs every delivery.")
	case errors.Is(err, webhook.ErrInvalidHeader):
		return stripe.Event{}, rejected(ErrSignatureHeader, "Stripe-Signature: the header is not t=<unix time>,v1=<signature>.")
	case errors.Is(err, webhook.ErrTooOld):
		return stripe.Event{}, rejected(ErrStale, fmt.Sprintf("Stripe-Signature: the timestamp is more than %d s old; "+
			"the delivery is stale or replayed.", int(Tolerance.Seconds())))
	case errors.Is(err, webhook.ErrNoValidSignature):
		return stripe.Event{}, rejected(ErrSignatureMismatch, "Stripe-Signature: no v1 signature matches the body "+
			"with the endpoint's secret (forged, altered, or signed with another secret).")
	case err != nil:
		return stripe.Event{}, rejected(ErrSignatureHeader, "Stripe-Signature: the signature could not be checked.")
	}
	var ev stripe.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return stripe.Event{}, rejected(ErrNotJSON, "The body is not a JSON Stripe event object.")
	}
	if ev.APIVersion != APIVersion {
		return stripe.Event{}, rejected(ErrAPIVersion, fmt.Sprintf("api_version: the event is rendered in API version %q; "+
			"this endpoint takes %s.", truncate(ev.APIVersion), APIVersion))
	}
	switch {
	case ev.ID == "" || len(ev.ID) > maxIDLength:
		return stripe.Event{}, rejected(ErrNotAnEvent, "id: the event has no id (or one over 255 characters).")
	case ev.Type == "" || len(ev.Type) > maxIDLength:
		return stripe.Event{}, rejected(ErrNotAnEvent, "type: the event has no type (or one over 255 characters).")
	case ev.Created <= 0:
		return stripe.Event{}, rejected(ErrNotAnEvent, "created: the event has no creation time.")
	}
	return ev, nil
}

// wellFormed says whether a Stripe-Signature header has Stripe's shape: comma-separated
// key=value pairs with one t=<unix seconds> and at least one v1=<hex HMAC-SHA256>.
func wellFormed(header string) bool {
	stamps, signatures := 0, 0
	for pair := range strings.SplitSeq(header, ",") {
		key, value, ok := strings.Cut(pair, "=")
		if !ok {
			return false
		}
		switch key {
		case "t":
			if _, err := strconv.ParseInt(value, 10, 64); err != nil {
				return false
			}
			stamps++
		case "v1":
			if b, err := hex.DecodeString(value); err == nil && len(b) == sha256.Size {
				signatures++
			}
		}
	}
	return stamps == 1 && signatures > 0
}

// truncate shortens what a sender wrote before it is quoted back.
func truncate(s string) string {
	const limit = 40
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
