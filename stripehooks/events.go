package stripehooks

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
)

// The events a sale reacts to, rendered as Stripe renders them (API version APIVersion), for
// tests and for the local command that plays Stripe: stripe-mock sends no webhooks, so what
// Stripe would post about an order's payment is built here and signed with Sign.

// SaleEventTypes are the event types BuildEvent renders.
var SaleEventTypes = []stripe.EventType{
	stripe.EventTypePaymentIntentAmountCapturableUpdated,
	stripe.EventTypePaymentIntentSucceeded,
	stripe.EventTypePaymentIntentPaymentFailed,
	stripe.EventTypePaymentIntentCanceled,
	stripe.EventTypeChargeRefunded,
	stripe.EventTypeChargeDisputeCreated,
}

// ErrEventInput is a SalePayment BuildEvent cannot render: a missing id, order, amount or
// currency, or an event type it does not build.
var ErrEventInput = errors.New("cannot build the event")

// SalePayment is the payment of an order that an event describes, and what each type needs
// besides. Optional fields left empty take the value shown.
type SalePayment struct {
	PaymentIntentID string    // pi_...; the PaymentIntent the sale created
	ChargeID        string    // ch_...; its latest charge
	OrderID         uuid.UUID // in the PaymentIntent's metadata as order_id
	Amount          int64     // minor units, > 0
	Currency        string    // ISO 4217, lower case
	TransferGroup   string    // the PaymentIntent's transfer_group; none if empty

	// payment_intent.payment_failed: the issuer's reason (default generic_decline).
	DeclineCode stripe.DeclineCode
	// payment_intent.canceled: why (default automatic, an authorization that lapsed).
	CancellationReason stripe.PaymentIntentCancellationReason
	// charge.refunded: how much of the charge has been refunded in all (default Amount).
	AmountRefunded int64
	// charge.dispute.created: the dispute (default a new dp_ id) and the buyer's reason
	// (default product_not_received).
	DisputeID     string
	DisputeReason stripe.DisputeReason

	// When the event happened (default now).
	At time.Time
}

// BuildEvent renders the event of type typ about p as the JSON Stripe posts: a new evt_ id,
// object "event", api_version APIVersion, created, type, data.object (a PaymentIntent, a
// Charge or a Dispute) and livemode false. Sign it with Sign to post it.
func BuildEvent(typ stripe.EventType, p SalePayment) ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrEventInput, typ, err)
	}
	at := p.At
	if at.IsZero() {
		at = time.Now()
	}
	var object map[string]any
	switch typ {
	case stripe.EventTypePaymentIntentAmountCapturableUpdated:
		object = p.paymentIntent(at, stripe.PaymentIntentStatusRequiresCapture)
		object["amount_capturable"] = p.Amount
	case stripe.EventTypePaymentIntentSucceeded:
		object = p.paymentIntent(at, stripe.PaymentIntentStatusSucceeded)
		object["amount_received"] = p.Amount
	case stripe.EventTypePaymentIntentPaymentFailed:
		object = p.paymentIntent(at, stripe.PaymentIntentStatusRequiresPaymentMethod)
		object["last_payment_error"] = map[string]any{
			"type": stripe.ErrorTypeCard, "code": stripe.ErrorCodeCardDeclined,
			"decline_code": or(p.DeclineCode, stripe.DeclineCodeGenericDecline),
			"message":      "Your card was declined.", "charge": p.ChargeID,
		}
	case stripe.EventTypePaymentIntentCanceled:
		object = p.paymentIntent(at, stripe.PaymentIntentStatusCanceled)
		object["cancellation_reason"] = or(p.CancellationReason, stripe.PaymentIntentCancellationReasonAutomatic)
		object["canceled_at"] = at.Unix()
	case stripe.EventTypeChargeRefunded:
		object = p.charge(at)
	case stripe.EventTypeChargeDisputeCreated:
		object = p.dispute(at)
	default:
		return nil, fmt.Errorf("%w: type %q is not one of the sale's events", ErrEventInput, typ)
	}
	return envelope(typ, at, object)
}

// envelope renders the event of type typ about object as the JSON Stripe posts.
func envelope(typ stripe.EventType, at time.Time, object map[string]any) ([]byte, error) {
	payload, err := json.Marshal(map[string]any{
		"id": "evt_" + randomID(), "object": "event", "api_version": APIVersion, "created": at.Unix(),
		"type": typ, "data": map[string]any{"object": object}, "livemode": false, "pending_webhooks": 1,
		"request": map[string]any{"id": nil, "idempotency_key": nil},
	})
	if err != nil {
		return nil, fmt.Errorf("render %s event: %w", typ, err)
	}
	return payload, nil
}

// SellerAccountState is a seller's connected account as account.updated describes it.
type SellerAccountState struct {
	AccountID        string // acct_...
	OrgPublicID      string // in the account's metadata as organization_id, as the platform created it
	Country          string // ISO 3166-1 alpha-2
	ChargesEnabled   bool
	PayoutsEnabled   bool
	DetailsSubmitted bool
	RequirementsDue  []string
}

// BuildAccountEvent renders account.updated about the connected account a, as BuildEvent
// renders the sale's events. The platform reconciles with the account as Stripe has it when
// the event arrives, so what reaches the seller account is Stripe's answer, not a's state.
func BuildAccountEvent(a SellerAccountState, at time.Time) ([]byte, error) {
	if a.AccountID == "" || a.OrgPublicID == "" {
		return nil, fmt.Errorf("%w %s: no account id or organization", ErrEventInput, stripe.EventTypeAccountUpdated)
	}
	if at.IsZero() {
		at = time.Now()
	}
	due := a.RequirementsDue
	if due == nil {
		due = []string{}
	}
	return envelope(stripe.EventTypeAccountUpdated, at, map[string]any{
		"id": a.AccountID, "object": "account", "type": stripe.AccountTypeExpress, "country": a.Country,
		"charges_enabled": a.ChargesEnabled, "payouts_enabled": a.PayoutsEnabled, "details_submitted": a.DetailsSubmitted,
		"metadata":     map[string]string{"organization_id": a.OrgPublicID},
		"requirements": map[string]any{"currently_due": due, "eventually_due": due, "past_due": []string{}},
		"created":      at.Unix(), "livemode": false,
	})
}

func (p SalePayment) validate() error {
	switch {
	case p.PaymentIntentID == "":
		return errors.New("no PaymentIntent id")
	case p.ChargeID == "":
		return errors.New("no charge id")
	case p.OrderID == uuid.Nil:
		return errors.New("no order id")
	case p.Amount <= 0:
		return fmt.Errorf("amount %d is not positive", p.Amount)
	case len(p.Currency) != 3:
		return fmt.Errorf("currency %q is not an ISO 4217 code", p.Currency)
	case p.AmountRefunded < 0 || p.AmountRefunded > p.Amount:
		return fmt.Errorf("refunded %d of %d", p.AmountRefunded, p.Amount)
	}
	return nil
}

// paymentIntent is the sale's PaymentIntent (manual capture, the order in its metadata) in
// status, with nothing capturable or received: each type sets what it changes.
func (p SalePayment) paymentIntent(at time.Time, status stripe.PaymentIntentStatus) map[string]any {
	pi := map[string]any{
		"id": p.PaymentIntentID, "object": "payment_intent", "amount": p.Amount, "amount_capturable": 0,
		"amount_received": 0, "currency": p.Currency, "capture_method": stripe.PaymentIntentCaptureMethodManual,
		"status": status, "latest_charge": p.ChargeID, "metadata": map[string]string{"order_id": p.OrderID.String()},
		"payment_method_types": []string{"card"}, "created": at.Unix(), "livemode": false,
	}
	if p.TransferGroup != "" {
		pi["transfer_group"] = p.TransferGroup
	}
	return pi
}

// charge is the sale's captured charge with AmountRefunded (all of it by default) refunded.
// It carries no metadata: a charge's event finds its order by payment_intent.
func (p SalePayment) charge(at time.Time) map[string]any {
	refunded := or(p.AmountRefunded, p.Amount)
	return map[string]any{
		"id": p.ChargeID, "object": "charge", "amount": p.Amount, "amount_captured": p.Amount,
		"amount_refunded": refunded, "refunded": refunded == p.Amount, "captured": true, "paid": true,
		"currency": p.Currency, "payment_intent": p.PaymentIntentID, "status": stripe.ChargeStatusSucceeded,
		"created": at.Unix(), "livemode": false,
	}
}

// dispute is a dispute of the whole charge, opened by the buyer with the card's issuer.
func (p SalePayment) dispute(at time.Time) map[string]any {
	return map[string]any{
		"id": or(p.DisputeID, "dp_"+randomID()), "object": "dispute", "amount": p.Amount, "currency": p.Currency,
		"charge": p.ChargeID, "payment_intent": p.PaymentIntentID,
		"reason":               or(p.DisputeReason, stripe.DisputeReasonProductNotReceived),
		"status":               stripe.DisputeStatusNeedsResponse,
		"is_charge_refundable": false, "created": at.Unix(), "livemode": false,
	}
}

// or is v, or def when v is its type's zero value.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// randomID is the random part of a Stripe id: 24 hex characters.
func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails since Go 1.24
	return hex.EncodeToString(b)
}
