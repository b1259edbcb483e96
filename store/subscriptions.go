package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// BillingCustomerOf returns the Stripe customer the transaction's organization is billed as;
// ErrNotFound when it has none yet.
func BillingCustomerOf(ctx context.Context, q Querier) (string, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT stripe_customer_id FROM billing_customers WHERE org_id = app_org_id()`).Scan(&id)
	return id, notFound(err)
}

// InsertBillingCustomer records the transaction's organization's Stripe customer unless it
// has one, and returns the one it has: a concurrent creation that committed first wins.
func InsertBillingCustomer(ctx context.Context, tx pgx.Tx, customerID string, by uuid.UUID) (string, error) {
	_, err := tx.Exec(ctx, `INSERT INTO billing_customers (org_id, stripe_customer_id, created_by)
		VALUES (app_org_id(), $1, $2) ON CONFLICT (org_id) DO NOTHING`, customerID, by)
	if err != nil {
		return "", fmt.Errorf("insert billing customer: %w", err)
	}
	return BillingCustomerOf(ctx, tx)
}

// Subscription is a Stripe subscription as last reconciled.
type Subscription struct {
	StripeID          string
	OrgID             uuid.UUID
	CustomerID        string
	Status            string // Stripe's: active, past_due, canceled, ...
	ItemID            string
	PriceID           string
	PlanKey           string // "" when the price is none of the plans
	CancelAtPeriodEnd bool
	CurrentPeriodEnd  *time.Time
	GraceEndedAt      *time.Time // the dunning's grace ended unpaid
	StateAt           time.Time  // when Stripe said what is stored
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

const subscriptionColumns = `stripe_subscription_id, org_id, stripe_customer_id, status, stripe_item_id,
	stripe_price_id, coalesce(plan_key, ''), cancel_at_period_end, current_period_end, grace_ended_at,
	state_at, created_at, updated_at`

func scanSubscription(row pgx.Row) (Subscription, error) {
	var s Subscription
	err := row.Scan(&s.StripeID, &s.OrgID, &s.CustomerID, &s.Status, &s.ItemID, &s.PriceID, &s.PlanKey,
		&s.CancelAtPeriodEnd, &s.CurrentPeriodEnd, &s.GraceEndedAt, &s.StateAt, &s.CreatedAt, &s.UpdatedAt)
	return s, notFound(err)
}

// LockSubscription reads a subscription of the transaction's organization and holds it until
// tx ends, so that two events about it apply one after the other; ErrNotFound when it is not
// stored.
func LockSubscription(ctx context.Context, tx pgx.Tx, stripeID string) (Subscription, error) {
	return scanSubscription(tx.QueryRow(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions
		WHERE stripe_subscription_id = $1 FOR UPDATE`, stripeID))
}

// SaveSubscription stores s for the transaction's organization, in place of what was stored
// of it (grace_ended_at is kept: SetGraceEnded writes it).
func SaveSubscription(ctx context.Context, tx pgx.Tx, s Subscription) error {
	_, err := tx.Exec(ctx, `INSERT INTO subscriptions (stripe_subscription_id, org_id, stripe_customer_id, status,
			stripe_item_id, stripe_price_id, plan_key, cancel_at_period_end, current_period_end, state_at)
		VALUES ($1, app_org_id(), $2, $3, $4, $5, nullif($6, ''), $7, $8, $9)
		ON CONFLICT (stripe_subscription_id) DO UPDATE SET stripe_customer_id = excluded.stripe_customer_id,
			status = excluded.status, stripe_item_id = excluded.stripe_item_id,
			stripe_price_id = excluded.stripe_price_id, plan_key = excluded.plan_key,
			cancel_at_period_end = excluded.cancel_at_period_end,
			current_period_end = excluded.current_period_end, state_at = excluded.state_at, updated_at = now()`,
		s.StripeID, s.CustomerID, s.Status, s.ItemID, s.PriceID, s.PlanKey, s.CancelAtPeriodEnd,
		s.CurrentPeriodEnd, s.StateAt)
	if err != nil {
		return fmt.Errorf("save subscription %s: %w", s.StripeID, err)
	}
	return nil
}

// SetGraceEnded records that the dunning of a subscription ended its grace period unpaid
// (at), or clears it (nil) when an invoice is paid.
func SetGraceEnded(ctx context.Context, tx pgx.Tx, stripeID string, at *time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE subscriptions SET grace_ended_at = $2, updated_at = now()
		WHERE stripe_subscription_id = $1`, stripeID, at)
	if err != nil {
		return fmt.Errorf("set grace ended of %s: %w", stripeID, err)
	}
	return nil
}

// CurrentSubscription returns the transaction's organization's subscription that counts: the
// newest one that has not ended, or else the newest one; ErrNotFound when it never
// subscribed.
func CurrentSubscription(ctx context.Context, q Querier) (Subscription, error) {
	return scanSubscription(q.QueryRow(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions
		WHERE org_id = app_org_id()
		ORDER BY status IN ('canceled', 'incomplete_expired'), created_at DESC LIMIT 1`))
}

// OrganizationOfSubscription returns the organization that holds a Stripe subscription,
// whoever asks (the webhook knows no tenant); ErrNotFound when none does.
func OrganizationOfSubscription(ctx context.Context, q Querier, stripeID string) (uuid.UUID, error) {
	var org *uuid.UUID
	if err := q.QueryRow(ctx, `SELECT organization_of_subscription($1)`, stripeID).Scan(&org); err != nil {
		return uuid.Nil, fmt.Errorf("organization of subscription %s: %w", stripeID, err)
	}
	if org == nil {
		return uuid.Nil, ErrNotFound
	}
	return *org, nil
}

// CustomerSubscription is a live subscription of a Stripe customer, and its organization.
type CustomerSubscription struct {
	OrgID    uuid.UUID
	StripeID string
}

// SubscriptionsOfCustomer lists the live subscriptions of a Stripe customer, whoever asks.
func SubscriptionsOfCustomer(ctx context.Context, q Querier, customerID string) ([]CustomerSubscription, error) {
	rows, err := q.Query(ctx, `SELECT org_id, stripe_subscription_id FROM subscriptions_of_customer($1)`, customerID)
	if err != nil {
		return nil, fmt.Errorf("subscriptions of customer %s: %w", customerID, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[CustomerSubscription])
}

// Invoice is a subscription invoice as last reconciled.
type Invoice struct {
	StripeID       string
	OrgID          uuid.UUID
	SubscriptionID string
	Number         string
	Status         string // draft, open, paid, void or uncollectible
	AmountDue      int64
	AmountPaid     int64
	Currency       string
	AttemptCount   int
	ActionRequired bool
	HostedURL      string
	PeriodStart    *time.Time
	PeriodEnd      *time.Time
	Created        time.Time
	StateAt        time.Time
}

const invoiceColumns = `stripe_invoice_id, org_id, coalesce(stripe_subscription_id, ''), number, status, amount_due,
	amount_paid, currency, attempt_count, action_required, hosted_invoice_url, period_start, period_end,
	created, state_at`

func scanInvoice(row pgx.Row) (Invoice, error) {
	var in Invoice
	err := row.Scan(&in.StripeID, &in.OrgID, &in.SubscriptionID, &in.Number, &in.Status, &in.AmountDue,
		&in.AmountPaid, &in.Currency, &in.AttemptCount, &in.ActionRequired, &in.HostedURL, &in.PeriodStart,
		&in.PeriodEnd, &in.Created, &in.StateAt)
	return in, notFound(err)
}

// LockInvoice reads an invoice of the transaction's organization and holds it until tx
// ends; ErrNotFound when it is not stored.
func LockInvoice(ctx context.Context, tx pgx.Tx, stripeID string) (Invoice, error) {
	return scanInvoice(tx.QueryRow(ctx, `SELECT `+invoiceColumns+` FROM invoices WHERE stripe_invoice_id = $1 FOR UPDATE`, stripeID))
}

// SaveInvoice stores in for the transaction's organization, in place of what was stored of it.
func SaveInvoice(ctx context.Context, tx pgx.Tx, in Invoice) error {
	_, err := tx.Exec(ctx, `INSERT INTO invoices (stripe_invoice_id, org_id, stripe_subscription_id, number, status,
			amount_due, amount_paid, currency, attempt_count, action_required, hosted_invoice_url, period_start,
			period_end, created, state_at)
		VALUES ($1, app_org_id(), nullif($2, ''), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (stripe_invoice_id) DO UPDATE SET number = excluded.number, status = excluded.status,
			amount_due = excluded.amount_due, amount_paid = excluded.amount_paid, currency = excluded.currency,
			attempt_count = excluded.attempt_count, action_required = excluded.action_required,
			hosted_invoice_url = excluded.hosted_invoice_url, period_start = excluded.period_start,
			period_end = excluded.period_end, state_at = excluded.state_at, updated_at = now()`,
		in.StripeID, in.SubscriptionID, in.Number, in.Status, in.AmountDue, in.AmountPaid, in.Currency,
		in.AttemptCount, in.ActionRequired, in.HostedURL, in.PeriodStart, in.PeriodEnd, in.Created, in.StateAt)
	if err != nil {
		return fmt.Errorf("save invoice %s: %w", in.StripeID, err)
	}
	return nil
}

// OpenInvoices lists a subscription's invoices still open, oldest first.
func OpenInvoices(ctx context.Context, q Querier, subscriptionID string) ([]Invoice, error) {
	return collectInvoices(q.Query(ctx, `SELECT `+invoiceColumns+` FROM invoices
		WHERE stripe_subscription_id = $1 AND status = 'open' ORDER BY created, stripe_invoice_id`, subscriptionID))
}

// ListInvoices lists the transaction's organization's invoices, newest first: at most limit,
// from after the invoice named by after (empty for the first page).
func ListInvoices(ctx context.Context, q Querier, after string, limit int) ([]Invoice, error) {
	return collectInvoices(q.Query(ctx, `SELECT `+invoiceColumns+` FROM invoices
		WHERE org_id = app_org_id() AND ($1 = '' OR (created, stripe_invoice_id) <
			(SELECT created, stripe_invoice_id FROM invoices WHERE stripe_invoice_id = $1 AND org_id = app_org_id()))
		ORDER BY created DESC, stripe_invoice_id DESC LIMIT $2`, after, limit))
}

func collectInvoices(rows pgx.Rows, err error) ([]Invoice, error) {
	if err == nil {
		var out []Invoice // never nil: CollectRows starts from an empty slice
		if out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Invoice, error) { return scanInvoice(row) }); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("list invoices: %w", err)
}
