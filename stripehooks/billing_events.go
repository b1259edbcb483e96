package stripehooks

import (
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v76"
)

// The events of subscription billing, rendered as Stripe renders them, for tests and the
// local command that plays Stripe.

// SubscriptionState is a subscription as customer.subscription.* describes it.
type SubscriptionState struct {
	ID                string // sub_...
	CustomerID        string // cus_...
	OrgPublicID       string // in its metadata as organization_id, as Checkout created it
	Status            stripe.SubscriptionStatus
	ItemID            string // si_...; default si_<ID>
	PriceID           string // price_...
	CancelAtPeriodEnd bool
	PeriodEnd         time.Time // default 30 days after the event
}

// BuildSubscriptionEvent renders customer.subscription.created, .updated or .deleted about s
// at at (default now).
func BuildSubscriptionEvent(typ stripe.EventType, s SubscriptionState, at time.Time) ([]byte, error) {
	switch typ {
	case stripe.EventTypeCustomerSubscriptionCreated, stripe.EventTypeCustomerSubscriptionUpdated,
		stripe.EventTypeCustomerSubscriptionDeleted:
	default:
		return nil, fmt.Errorf("%w: type %q is not a subscription event", ErrEventInput, typ)
	}
	if s.ID == "" || s.CustomerID == "" || s.Status == "" {
		return nil, fmt.Errorf("%w %s: no subscription id, customer or status", ErrEventInput, typ)
	}
	if at.IsZero() {
		at = time.Now()
	}
	end := s.PeriodEnd
	if end.IsZero() {
		end = at.Add(30 * 24 * time.Hour)
	}
	item := or(s.ItemID, "si_"+s.ID[len("sub_"):])
	meta := map[string]string{}
	if s.OrgPublicID != "" {
		meta["organization_id"] = s.OrgPublicID
	}
	return envelope(typ, at, map[string]any{
		"id": s.ID, "object": "subscription", "customer": s.CustomerID, "status": s.Status,
		"cancel_at_period_end": s.CancelAtPeriodEnd, "current_period_start": end.Add(-30 * 24 * time.Hour).Unix(),
		"current_period_end": end.Unix(), "metadata": meta, "created": at.Unix(), "livemode": false,
		"items": map[string]any{"object": "list", "has_more": false, "data": []any{map[string]any{
			"id": item, "object": "subscription_item", "subscription": s.ID, "quantity": 1,
			"price": map[string]any{"id": s.PriceID, "object": "price", "currency": "usd", "type": "recurring"},
		}}},
	})
}

// InvoiceState is a subscription's invoice as invoice.* describes it.
type InvoiceState struct {
	ID             string // in_...
	SubscriptionID string // sub_...
	CustomerID     string // cus_...
	OrgPublicID    string // in subscription_details.metadata as organization_id
	Status         stripe.InvoiceStatus
	AmountDue      int64
	AttemptCount   int64
}

// BuildInvoiceEvent renders invoice.paid, invoice.payment_failed or
// invoice.payment_action_required about in at at (default now). Its status follows the
// type unless in sets it: paid for invoice.paid, open otherwise.
func BuildInvoiceEvent(typ stripe.EventType, in InvoiceState, at time.Time) ([]byte, error) {
	status := in.Status
	switch typ {
	case stripe.EventTypeInvoicePaid:
		status = or(status, stripe.InvoiceStatusPaid)
	case stripe.EventTypeInvoicePaymentFailed, stripe.EventTypeInvoicePaymentActionRequired:
		status = or(status, stripe.InvoiceStatusOpen)
	default:
		return nil, fmt.Errorf("%w: type %q is not an invoice event", ErrEventInput, typ)
	}
	if in.ID == "" || in.SubscriptionID == "" || in.CustomerID == "" {
		return nil, fmt.Errorf("%w %s: no invoice id, subscription or customer", ErrEventInput, typ)
	}
	if at.IsZero() {
		at = time.Now()
	}
	paid := int64(0)
	if status == stripe.InvoiceStatusPaid {
		paid = in.AmountDue
	}
	meta := map[string]string{}
	if in.OrgPublicID != "" {
		meta["organization_id"] = in.OrgPublicID
	}
	return envelope(typ, at, map[string]any{
		"id": in.ID, "object": "invoice", "subscription": in.SubscriptionID, "customer": in.CustomerID,
		"status": status, "amount_due": in.AmountDue, "amount_paid": paid, "currency": "usd",
		"attempt_count": max(in.AttemptCount, 1), "billing_reason": stripe.InvoiceBillingReasonSubscriptionCycle,
		"hosted_invoice_url": "https://invoice.stripe.com/i/" + in.ID, "number": "RDX-" + in.ID[len("in_"):],
		"period_start": at.Add(-30 * 24 * time.Hour).Unix(), "period_end": at.Unix(),
		"subscription_details": map[string]any{"metadata": meta}, "created": at.Unix(), "livemode": false,
	})
}

// BuildPaymentMethodEvent renders payment_method.attached: a card attached to the customer.
func BuildPaymentMethodEvent(customerID string, at time.Time) ([]byte, error) {
	if customerID == "" {
		return nil, fmt.Errorf("%w %s: no customer", ErrEventInput, stripe.EventTypePaymentMethodAttached)
	}
	if at.IsZero() {
		at = time.Now()
	}
	return envelope(stripe.EventTypePaymentMethodAttached, at, map[string]any{
		"id": "pm_" + randomID(), "object": "payment_method", "type": "card", "customer": customerID,
		"card":    map[string]any{"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": at.Year() + 3},
		"created": at.Unix(), "livemode": false,
	})
}
