package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// SellerAccount is an organization's Stripe Connect account and the state Stripe last
// reported of it.
type SellerAccount struct {
	OrgID            uuid.UUID
	StripeAccountID  string
	Country          string
	ChargesEnabled   bool
	PayoutsEnabled   bool
	DetailsSubmitted bool
	RequirementsDue  []string // never nil
	DisabledReason   string
	CreatedBy        uuid.UUID
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

const sellerAccountColumns = `org_id, stripe_account_id, country, charges_enabled, payouts_enabled,
	details_submitted, requirements_due, disabled_reason, created_by, created_at, updated_at`

func scanSellerAccount(row pgx.Row) (SellerAccount, error) {
	var a SellerAccount
	err := row.Scan(&a.OrgID, &a.StripeAccountID, &a.Country, &a.ChargesEnabled, &a.PayoutsEnabled,
		&a.DetailsSubmitted, &a.RequirementsDue, &a.DisabledReason, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt)
	if a.RequirementsDue == nil {
		a.RequirementsDue = []string{}
	}
	return a, notFound(err)
}

// SellerAccountOf reads the seller account of an organization visible to the transaction's
// tenant; ErrNotFound when it has none.
func SellerAccountOf(ctx context.Context, q Querier, orgID uuid.UUID) (SellerAccount, error) {
	return scanSellerAccount(q.QueryRow(ctx, `SELECT `+sellerAccountColumns+` FROM seller_accounts WHERE org_id = $1`, orgID))
}

// InsertSellerAccount records the transaction's organization's seller account, unless it
// already has one, and returns the one it has: a concurrent creation that committed first
// wins.
func InsertSellerAccount(ctx context.Context, tx pgx.Tx, a SellerAccount) (SellerAccount, error) {
	_, err := tx.Exec(ctx, `INSERT INTO seller_accounts (org_id, stripe_account_id, country, charges_enabled,
			payouts_enabled, details_submitted, requirements_due, disabled_reason, created_by)
		VALUES (app_org_id(), $1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (org_id) DO NOTHING`,
		a.StripeAccountID, a.Country, a.ChargesEnabled, a.PayoutsEnabled, a.DetailsSubmitted,
		nonNilStrings(a.RequirementsDue), a.DisabledReason, a.CreatedBy)
	if err != nil {
		return SellerAccount{}, fmt.Errorf("insert seller account: %w", err)
	}
	return scanSellerAccount(tx.QueryRow(ctx, `SELECT `+sellerAccountColumns+` FROM seller_accounts WHERE org_id = app_org_id()`))
}

// UpdateSellerAccountState records what Stripe reports of the transaction's organization's
// account a.StripeAccountID: charges, payouts, details and requirements. ErrNotFound when
// the organization has no account with that ID.
func UpdateSellerAccountState(ctx context.Context, tx pgx.Tx, a SellerAccount) (SellerAccount, error) {
	return scanSellerAccount(tx.QueryRow(ctx, `UPDATE seller_accounts SET charges_enabled = $2, payouts_enabled = $3,
			details_submitted = $4, requirements_due = $5, disabled_reason = $6, updated_at = now()
		WHERE org_id = app_org_id() AND stripe_account_id = $1
		RETURNING `+sellerAccountColumns,
		a.StripeAccountID, a.ChargesEnabled, a.PayoutsEnabled, a.DetailsSubmitted, nonNilStrings(a.RequirementsDue), a.DisabledReason))
}

// nonNilStrings is s, or an empty slice for nil, so that a text[] column is never NULL.
func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
