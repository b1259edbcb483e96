package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// What the local stand-in for Stripe (`reptidex stripe-event`) reads and writes. stripe-mock
// sends no webhooks, so in development the command posts the events Stripe would send about
// an order or a seller account; it belongs to no tenant and knows them by public ID, so it
// reads as the schema owner through DATABASE_ADMIN_URL, a role that bypasses row-level
// security (the superuser of `make dev` and the tests). Through the application role these
// find nothing.

// OrderPayment is what Stripe knows of an order's payment: the PaymentIntent the sale
// created, its charge once captured, and the amount and currency.
type OrderPayment struct {
	OrderID         uuid.UUID
	PublicID        string
	Status          string
	PaymentIntentID string // empty until the sale asks for payment
	ChargeID        string // empty until the sale captures
	Amount          int64
	Currency        string
}

// OrderPaymentAsOwner reads the payment of the order publicID through a connection that
// bypasses row-level security; ErrNotFound when no order has that public ID.
func OrderPaymentAsOwner(ctx context.Context, q Querier, publicID string) (OrderPayment, error) {
	var p OrderPayment
	err := q.QueryRow(ctx, `SELECT id, public_id, status::text, coalesce(payment_intent_id, ''), coalesce(charge_id, ''),
			amount, currency
		FROM orders WHERE public_id = $1`, publicID).
		Scan(&p.OrderID, &p.PublicID, &p.Status, &p.PaymentIntentID, &p.ChargeID, &p.Amount, &p.Currency)
	if err != nil {
		return OrderPayment{}, fmt.Errorf("read the payment of order %s as the schema owner: %w", publicID, notFound(err))
	}
	return p, nil
}

// SellerAccountAsOwner reads the seller account of the organization orgPublicID through a
// connection that bypasses row-level security; ErrNotFound when it has none.
func SellerAccountAsOwner(ctx context.Context, q Querier, orgPublicID string) (SellerAccount, error) {
	a, err := scanSellerAccount(q.QueryRow(ctx, `SELECT `+sellerAccountColumns+` FROM seller_accounts
		WHERE org_id = (SELECT id FROM organizations WHERE public_id = $1)`, orgPublicID))
	if err != nil {
		return SellerAccount{}, fmt.Errorf("read the seller account of organization %s as the schema owner: %w", orgPublicID, err)
	}
	return a, nil
}

// MarkSellerReadyAsOwner records the seller account of the organization orgPublicID as
// Stripe's account.updated leaves it once onboarding is done — charges and payouts enabled,
// details submitted, nothing due — through a connection that bypasses row-level security.
// It is for development only: stripe-mock answers every account as not enabled, so no event
// can make a local seller ready. ErrNotFound when the organization has no seller account.
func MarkSellerReadyAsOwner(ctx context.Context, q Querier, orgPublicID string) (SellerAccount, error) {
	a, err := scanSellerAccount(q.QueryRow(ctx, `UPDATE seller_accounts SET charges_enabled = true, payouts_enabled = true,
			details_submitted = true, requirements_due = '{}', disabled_reason = '', updated_at = now()
		WHERE org_id = (SELECT id FROM organizations WHERE public_id = $1)
		RETURNING `+sellerAccountColumns, orgPublicID))
	if err != nil {
		return SellerAccount{}, fmt.Errorf("mark the seller account of organization %s ready: %w", orgPublicID, err)
	}
	return a, nil
}

// LocalSubscription is what playing Stripe locally needs to render an organization's
// billing events: its customer, its current subscription (empty when it has none) and the
// Stripe prices of the plans.
type LocalSubscription struct {
	CustomerID, SubscriptionID string
	// The subscription's customer, status and price as last told (empty without one).
	SubscriptionCustomer, Status, PriceID string
	Prices                                map[string]string // plan key → Stripe price ID, for plans that have one
}

// SubscriptionAsOwner reads the billing state of the organization orgPublicID through a
// connection that bypasses row-level security (see OrderPaymentAsOwner).
func SubscriptionAsOwner(ctx context.Context, q Querier, orgPublicID string) (LocalSubscription, error) {
	var s LocalSubscription
	err := q.QueryRow(ctx, `SELECT coalesce((SELECT stripe_customer_id FROM billing_customers WHERE org_id = o.id), ''),
			coalesce(s.stripe_subscription_id, ''), coalesce(s.stripe_customer_id, ''), coalesce(s.status, ''),
			coalesce(s.stripe_price_id, '')
		FROM organizations o
		LEFT JOIN LATERAL (SELECT * FROM subscriptions WHERE org_id = o.id
			ORDER BY status IN ('canceled', 'incomplete_expired'), created_at DESC LIMIT 1) s ON true
		WHERE o.public_id = $1`, orgPublicID).Scan(&s.CustomerID, &s.SubscriptionID, &s.SubscriptionCustomer, &s.Status, &s.PriceID)
	if err != nil {
		return LocalSubscription{}, fmt.Errorf("read the subscription of organization %s as the schema owner: %w", orgPublicID, notFound(err))
	}
	rows, err := q.Query(ctx, `SELECT key, stripe_price_id FROM plans WHERE stripe_price_id <> ''`)
	if err != nil {
		return LocalSubscription{}, fmt.Errorf("read the plans' prices: %w", err)
	}
	defer rows.Close()
	s.Prices = map[string]string{}
	for rows.Next() {
		var key, price string
		if err := rows.Scan(&key, &price); err != nil {
			return LocalSubscription{}, err
		}
		s.Prices[key] = price
	}
	return s, rows.Err()
}
