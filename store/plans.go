package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// PlanLimits are what an organization on a plan may hold or do; nil means unlimited.
type PlanLimits struct {
	Animals              *int
	ActiveListings       *int
	CertificatesPerMonth *int
	ScheduledExports     *int
	SMSPerMonth          *int
	Members              *int
}

// Plan is a stored plan: its name, its displayed price, its Stripe price and its limits.
type Plan struct {
	Key           string
	Name          string
	PriceMinor    int64  // the monthly price in minor units of Currency, for display
	Currency      string // lower-case ISO 4217 code, such as usd
	StripePriceID string // empty until the plan is set up in Stripe
	Limits        PlanLimits
	Position      int // where the plan is listed, lowest first
	UpdatedAt     time.Time
}

const planColumns = `key, name, price_minor, currency, stripe_price_id, animals, active_listings,
	certificates_per_month, scheduled_exports, sms_per_month, members, position, updated_at`

func scanPlan(row pgx.Row) (Plan, error) {
	var p Plan
	l := &p.Limits
	err := row.Scan(&p.Key, &p.Name, &p.PriceMinor, &p.Currency, &p.StripePriceID, &l.Animals, &l.ActiveListings,
		&l.CertificatesPerMonth, &l.ScheduledExports, &l.SMSPerMonth, &l.Members, &p.Position, &p.UpdatedAt)
	return p, err
}

// ListPlans lists every plan in the order they are shown.
func ListPlans(ctx context.Context, q Querier) ([]Plan, error) {
	rows, err := q.Query(ctx, `SELECT `+planColumns+` FROM plans ORDER BY position, key`)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, fmt.Errorf("list plans: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GetPlan returns one plan by key, or ErrNotFound.
func GetPlan(ctx context.Context, q Querier, key string) (Plan, error) {
	p, err := scanPlan(q.QueryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE key = $1`, key))
	if err != nil {
		return Plan{}, fmt.Errorf("get plan %s: %w", key, notFound(err))
	}
	return p, nil
}

// LockPlan returns one plan by key, or ErrNotFound, and holds it until tx ends so that two
// edits of the same plan apply one after the other.
func LockPlan(ctx context.Context, tx pgx.Tx, key string) (Plan, error) {
	p, err := scanPlan(tx.QueryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE key = $1 FOR UPDATE`, key))
	if err != nil {
		return Plan{}, fmt.Errorf("lock plan %s: %w", key, notFound(err))
	}
	return p, nil
}

// UpdatePlan stores p's name, price, Stripe price and limits in place of its key's, naming the
// administrator who edited it, and returns it as stored. A plan not stored is ErrNotFound.
func UpdatePlan(ctx context.Context, q Querier, p Plan, by uuid.UUID) (Plan, error) {
	l := p.Limits
	out, err := scanPlan(q.QueryRow(ctx, `UPDATE plans SET name = $2, price_minor = $3, currency = $4,
			stripe_price_id = $5, animals = $6, active_listings = $7, certificates_per_month = $8,
			scheduled_exports = $9, sms_per_month = $10, members = $11, updated_at = now(), updated_by = $12
		WHERE key = $1 RETURNING `+planColumns,
		p.Key, p.Name, p.PriceMinor, p.Currency, p.StripePriceID, l.Animals, l.ActiveListings,
		l.CertificatesPerMonth, l.ScheduledExports, l.SMSPerMonth, l.Members, by))
	if err != nil {
		return Plan{}, fmt.Errorf("update plan %s: %w", p.Key, notFound(err))
	}
	return out, nil
}

// OrganizationPlan returns the plan the tenant organization is on.
func OrganizationPlan(ctx context.Context, q Querier) (Plan, error) {
	p, err := scanPlan(q.QueryRow(ctx, `SELECT `+planColumns+` FROM plans
		WHERE key = (SELECT plan_key FROM organizations WHERE id = app_org_id())`))
	if err != nil {
		return Plan{}, fmt.Errorf("organization plan: %w", notFound(err))
	}
	return p, nil
}

// PlanOfPrice returns the key of the plan charged by a Stripe price; ErrNotFound when none
// is (or the price is empty).
func PlanOfPrice(ctx context.Context, q Querier, priceID string) (string, error) {
	var key string
	err := q.QueryRow(ctx, `SELECT key FROM plans WHERE stripe_price_id = $1 AND $1 <> ''`, priceID).Scan(&key)
	if err != nil {
		return "", fmt.Errorf("plan of price %s: %w", priceID, notFound(err))
	}
	return key, nil
}

// SetDevelopmentPrice gives the plan key the Stripe price priceID unless it has one: stripe-mock
// takes any price, and Checkout needs one. For development only.
func SetDevelopmentPrice(ctx context.Context, q Querier, key, priceID string) error {
	if _, err := q.Exec(ctx, `UPDATE plans SET stripe_price_id = $2 WHERE key = $1 AND stripe_price_id = ''`, key, priceID); err != nil {
		return fmt.Errorf("set the development price of plan %s: %w", key, err)
	}
	return nil
}
