package stripehooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/sale"
)

// Playing Stripe locally: stripe-mock keeps no state and sends no webhooks, so
// `reptidex stripe-event` and the end-to-end tests read an order's payment (or a seller's
// account) as the schema owner, render the event Stripe would send about it and post it,
// signed, to the API's webhook endpoint, as Stripe does.

// WebhookPath is where the API receives Stripe's events.
const WebhookPath = "/api/v1/stripe/webhooks"

// ErrNoPayment is an order whose sale has not asked Stripe for the payment yet: there is no
// PaymentIntent for Stripe to send events about.
var ErrNoPayment = errors.New("the order has no PaymentIntent yet")

// PaymentOfOrder is the payment of the order o as the sale created it: its PaymentIntent,
// amount, currency and transfer group, and its charge (until the sale captures, the order
// records none, and the charge is named after the order).
func PaymentOfOrder(o store.OrderPayment) (SalePayment, error) {
	if o.PaymentIntentID == "" {
		return SalePayment{}, fmt.Errorf("%w: order %s is %s", ErrNoPayment, o.PublicID, o.Status)
	}
	charge := o.ChargeID
	if charge == "" {
		charge = "ch_" + o.PublicID
	}
	return SalePayment{PaymentIntentID: o.PaymentIntentID, ChargeID: charge, OrderID: o.OrderID, Amount: o.Amount,
		Currency: o.Currency, TransferGroup: sale.TransferGroup(o.OrderID)}, nil
}

// OrderEvent renders the event typ about the payment of the order publicID, read through
// owner (a connection that bypasses row-level security, see store.OrderPaymentAsOwner).
// What the type needs besides (a decline code, the amount refunded) is taken from extra.
func OrderEvent(ctx context.Context, owner store.Querier, typ stripe.EventType, publicID string, extra SalePayment) ([]byte, error) {
	o, err := store.OrderPaymentAsOwner(ctx, owner, publicID)
	if err != nil {
		return nil, err
	}
	p, err := PaymentOfOrder(o)
	if err != nil {
		return nil, err
	}
	p.DeclineCode, p.CancellationReason, p.AmountRefunded = extra.DeclineCode, extra.CancellationReason, extra.AmountRefunded
	p.DisputeID, p.DisputeReason, p.At = extra.DisputeID, extra.DisputeReason, extra.At
	return BuildEvent(typ, p)
}

// AccountEvent renders account.updated about the seller account of the organization
// orgPublicID, read through owner, as the platform recorded it.
func AccountEvent(ctx context.Context, owner store.Querier, orgPublicID string) ([]byte, error) {
	a, err := store.SellerAccountAsOwner(ctx, owner, orgPublicID)
	if err != nil {
		return nil, err
	}
	return BuildAccountEvent(SellerAccountState{AccountID: a.StripeAccountID, OrgPublicID: orgPublicID, Country: a.Country,
		ChargesEnabled: a.ChargesEnabled, PayoutsEnabled: a.PayoutsEnabled, DetailsSubmitted: a.DetailsSubmitted,
		RequirementsDue: a.RequirementsDue}, time.Now())
}

// Delivery is the API's answer to a posted event.
type Delivery struct {
	Status int
	Body   []byte
}

// Deliver posts payload to the webhook endpoint of the API at apiBase (scheme and host, as
// PUBLIC_BASE_URL), signed now with the endpoint's secret as Stripe signs it, and returns the
// answer whatever its status.
func Deliver(ctx context.Context, hc *http.Client, apiBase, secret string, payload []byte) (Delivery, error) {
	url := strings.TrimSuffix(apiBase, "/") + WebhookPath
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return Delivery{}, fmt.Errorf("build the delivery to %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
	req.Header.Set("Stripe-Signature", Sign(payload, secret, time.Now()))
	resp, err := hc.Do(req)
	if err != nil {
		return Delivery{}, fmt.Errorf("post the event to %s: %w", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Delivery{}, fmt.Errorf("read the answer of %s: %w", url, err)
	}
	return Delivery{Status: resp.StatusCode, Body: body}, nil
}
