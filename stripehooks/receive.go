// Package stripehooks is the door Stripe's webhooks come in by: it verifies an event's
// signature and API version, keeps the event once, and routes it by type to the handler
// registered for it. A repeated delivery of an event is acknowledged without being
// processed again; an event of a type nobody handles is acknowledged and kept.
package stripehooks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/reptidex/reptidex/store"
)

// Tolerance is how old a signature's timestamp may be: an older delivery may be a replay.
const Tolerance = 300 * time.Second

// APIVersion is the Stripe API version events must be rendered in: the one stripe-go v76
// decodes (2023-10-16). The webhook endpoint is created with it.
const APIVersion = stripe.APIVersion

// maxCreated is the last second of the year 9999: an event's creation time beyond it is not
// one.
const maxCreated = 253402300799

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
	// Queued: its handler runs after the delivery is acknowledged (Handling).
	Queued bool
}

// Receiver takes Stripe's deliveries for the platform.
type Receiver struct {
	DB *store.DB
	// Secret is the webhook endpoint's signing secret (whsec_...).
	Secret   string
	Handlers *Dispatcher
	// keeper writes together the events kept by concurrent deliveries; a Receiver is used
	// by pointer once it has received.
	keeper keeper
}

// Receive verifies a delivery (its body and Stripe-Signature header) and keeps the event.
// An event of a type handled on arrival has its handler run in the transaction that keeps
// it: a handler that fails leaves no trace of the event, so Stripe's retry processes it
// afresh. An event handled later (Handling runs it), or of a type nobody handles, is kept
// and nothing else, in one statement with those of concurrent deliveries, so that the
// answer waits on nothing more. A delivery that fails a check is a *RejectedError, and
// nothing is kept.
func (r *Receiver) Receive(ctx context.Context, payload []byte, signature string) (Outcome, error) {
	if r.Secret == "" {
		return Outcome{}, errors.New("stripe webhooks: no signing secret configured (STRIPE_WEBHOOK_SECRET)")
	}
	head, err := verify(payload, signature, r.Secret)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{EventID: head.ID, Type: head.Type}
	kept := store.StripeEvent{ID: head.ID, Type: head.Type, APIVersion: head.APIVersion, Account: head.Account,
		Created: time.Unix(head.Created, 0), Payload: payload}
	t := stripe.EventType(head.Type)
	h := r.Handlers.handler(t)
	if h == nil || r.Handlers.deferred(t) {
		kept.HandleLater = h != nil
		inserted, err := r.keeper.keep(ctx, r.DB, kept)
		if err != nil {
			return Outcome{}, err
		}
		out.Duplicate, out.Queued = !inserted, inserted && kept.HandleLater
		return out, nil
	}
	var ev stripe.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Outcome{}, rejected(ErrNotJSON, "The body is not a JSON Stripe event object.")
	}
	err = r.DB.InTx(ctx, func(tx pgx.Tx) error {
		inserted, err := store.InsertStripeEvent(ctx, tx, kept)
		if err != nil || !inserted {
			out.Duplicate = !inserted
			return err
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

// eventHead is what every event says of itself, all the webhook reads of an event it only
// keeps: the whole event is read by its handler.
type eventHead struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	APIVersion string `json:"api_version"`
	Account    string `json:"account"`
	Created    int64  `json:"created"`
}

// verify checks a delivery's signature (over "t.payload", within Tolerance), that its body
// is a JSON event, and that the event is rendered in APIVersion.
func verify(payload []byte, signature, secret string) (eventHead, error) {
	err := webhook.ValidatePayloadWithTolerance(payload, signature, secret, Tolerance)
	if err != nil && signature != "" && !wellFormed(signature) {
		// stripe-go reads a header without a timestamp as signed in year 1 (stale) and one
		// without a readable v1 as forged; say instead that the header is not one.
		err = webhook.ErrInvalidHeader
	}
	switch {
	case errors.Is(err, webhook.ErrNotSigned):
		return eventHead{}, rejected(ErrUnsigned, "Stripe-Signature: the header is missing; Stripe signs every delivery.")
	case errors.Is(err, webhook.ErrInvalidHeader):
		return eventHead{}, rejected(ErrSignatureHeader, "Stripe-Signature: the header is not t=<unix time>,v1=<signature>.")
	case errors.Is(err, webhook.ErrTooOld):
		return eventHead{}, rejected(ErrStale, fmt.Sprintf("Stripe-Signature: the timestamp is more than %d s old; "+
			"the delivery is stale or replayed.", int(Tolerance.Seconds())))
	case errors.Is(err, webhook.ErrNoValidSignature):
		return eventHead{}, rejected(ErrSignatureMismatch, "Stripe-Signature: no v1 signature matches the body "+
			"with the endpoint's secret (forged, altered, or signed with another secret).")
	case err != nil:
		return eventHead{}, rejected(ErrSignatureHeader, "Stripe-Signature: the signature could not be checked.")
	}
	var ev eventHead
	if err := json.Unmarshal(payload, &ev); err != nil {
		return eventHead{}, rejected(ErrNotJSON, "The body is not a JSON Stripe event object.")
	}
	if !utf8.Valid(payload) || escapesNUL(payload) {
		return eventHead{}, rejected(ErrNotJSON, "The body is not valid UTF-8 JSON, or holds a NUL character (\\u0000).")
	}
	if ev.APIVersion != APIVersion {
		return eventHead{}, rejected(ErrAPIVersion, fmt.Sprintf("api_version: the event is rendered in API version %q; "+
			"this endpoint takes %s.", truncate(ev.APIVersion), APIVersion))
	}
	switch {
	case ev.ID == "" || len(ev.ID) > maxIDLength:
		return eventHead{}, rejected(ErrNotAnEvent, "id: the event has no id (or one over 255 characters).")
	case ev.Type == "" || len(ev.Type) > maxIDLength:
		return eventHead{}, rejected(ErrNotAnEvent, "type: the event has no type (or one over 255 characters).")
	case ev.Created <= 0 || ev.Created > maxCreated:
		return eventHead{}, rejected(ErrNotAnEvent, "created: the event has no creation time (or one past the year 9999).")
	}
	return ev, nil
}

// escapesNUL says whether a JSON text holds the escape \u0000 (a NUL character, which no
// text in the database can hold), rather than an escaped backslash followed by "u0000".
func escapesNUL(payload []byte) bool {
	for i := 0; ; {
		j := bytes.Index(payload[i:], []byte(`\u0000`))
		if j < 0 {
			return false
		}
		at := i + j
		backslashes := 1
		for k := at - 1; k >= 0 && payload[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 1 {
			return true
		}
		i = at + 1
	}
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
