package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// The limits a plan sets, as plans name their columns.
const (
	LimitAnimals          = "animals"
	LimitActiveListings   = "active_listings"
	LimitCertificates     = "certificates_per_month"
	LimitScheduledExports = "scheduled_exports"
	LimitSMS              = "sms_per_month"
	LimitMembers          = "members"
)

// PlanLimitNames lists every limit, in the order their locks are taken when several are.
var PlanLimitNames = []string{LimitAnimals, LimitActiveListings, LimitCertificates, LimitScheduledExports, LimitSMS, LimitMembers}

// Of returns the limit named (one of the Limit constants); nil is unlimited, as is an
// unknown name.
func (l PlanLimits) Of(name string) *int {
	switch name {
	case LimitAnimals:
		return l.Animals
	case LimitActiveListings:
		return l.ActiveListings
	case LimitCertificates:
		return l.CertificatesPerMonth
	case LimitScheduledExports:
		return l.ScheduledExports
	case LimitSMS:
		return l.SMSPerMonth
	case LimitMembers:
		return l.Members
	}
	return nil
}

// LockPlanLimit serializes, until tx ends, the tenant organization's transactions that add
// to one limit (and plan changes, which take every limit's lock): the count a check reads
// cannot change before the transaction that checked commits.
func LockPlanLimit(ctx context.Context, tx pgx.Tx, limit string) error {
	return LockOrganization(ctx, tx, "plan-limit:"+limit)
}

// monthStart is the start of the transaction's calendar month in UTC.
const monthStart = `(date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`

// PlanAllowance takes the tenant organization's lock of a limit (LockPlanLimit) and then
// reads its plan and, when the plan limits it, what it holds or did of it (PlanUsage; 0 when
// unlimited), in one round trip: the two statements are pipelined, and the second, which
// starts once the lock is held, sees every transaction that committed while it waited.
func PlanAllowance(ctx context.Context, tx pgx.Tx, limit string, pendingInvitations bool) (Plan, int, error) {
	count, err := usageSQL(limit, pendingInvitations)
	if err != nil {
		return Plan{}, 0, err
	}
	batch := &pgx.Batch{}
	batch.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || app_org_id()::text, 0))`, "plan-limit:"+limit)
	batch.Queue(`SELECT ` + planColumns + `, CASE WHEN plans.` + limit + ` IS NULL THEN 0 ELSE (` + count + `) END
		FROM plans WHERE key = (SELECT plan_key FROM organizations WHERE id = (SELECT app_org_id()))`)
	br := tx.SendBatch(ctx, batch)
	var (
		p    Plan
		used int
	)
	l := &p.Limits
	_, err = br.Exec()
	if err == nil {
		err = br.QueryRow().Scan(&p.Key, &p.Name, &p.PriceMinor, &p.Currency, &p.StripePriceID, &l.Animals, &l.ActiveListings,
			&l.CertificatesPerMonth, &l.ScheduledExports, &l.SMSPerMonth, &l.Members, &p.Position, &p.UpdatedAt, &used)
	}
	if err = errors.Join(err, br.Close()); err != nil {
		return Plan{}, 0, fmt.Errorf("read %s allowance: %w", limit, notFound(err))
	}
	return p, used, nil
}

// PlanUsage counts what the tenant organization holds or did of a limit, from the rows
// themselves: every animal it keeps (archived and reference animals included); its active
// listings; the certificates requested this calendar month (UTC), not counting failed ones
// or re-issues; the text messages sent or sending this month; its members, and with
// pendingInvitations its open invitations too. Scheduled exports have no rows yet: their
// feature counts them itself (billing.CheckWith).
func PlanUsage(ctx context.Context, q Querier, limit string, pendingInvitations bool) (int, error) {
	sql, err := usageSQL(limit, pendingInvitations)
	if err != nil {
		return 0, err
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT `+sql).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", limit, err)
	}
	return n, nil
}

// usageSQL is the expression that counts a limit's usage (PlanUsage). The tenant is read
// once, (SELECT app_org_id()), not once per row counted.
func usageSQL(limit string, pendingInvitations bool) (string, error) {
	var sql string
	switch limit {
	case LimitAnimals:
		sql = `(SELECT count(*)::int FROM animals WHERE org_id = (SELECT app_org_id()))`
	case LimitActiveListings:
		sql = `(SELECT count(*)::int FROM listings WHERE org_id = (SELECT app_org_id()) AND status = 'active')`
	case LimitCertificates:
		sql = `plan_certificates_used(` + monthStart + `)`
	case LimitSMS:
		sql = `plan_sms_used(` + monthStart + `)`
	case LimitScheduledExports:
		sql = `(SELECT count(*)::int FROM export_schedules WHERE org_id = (SELECT app_org_id()))`
	case LimitMembers:
		sql = `(SELECT count(*)::int FROM memberships WHERE org_id = (SELECT app_org_id()))`
		if pendingInvitations {
			sql += ` + (SELECT count(*)::int FROM invitations WHERE org_id = (SELECT app_org_id()) AND accepted_at IS NULL
				AND revoked_at IS NULL AND expires_at > now())`
		}
	default:
		return "", fmt.Errorf("count %s: no counter for this limit", limit)
	}
	return sql, nil
}

// AnimalsJoinedBefore counts the tenant organization's animals that came into it before the
// animal id: recorded there, or received by their latest move there, earlier (ties broken by
// id). The first N by this order are the ones a plan allowing N animals keeps writable.
func AnimalsJoinedBefore(ctx context.Context, q Querier, id uuid.UUID) (int, error) {
	var n int
	err := q.QueryRow(ctx, `WITH joined AS (
			SELECT a.id, coalesce((SELECT max(h.at) FROM ownership_history h
				WHERE h.animal_id = a.id AND h.to_org_id = a.org_id), a.created_at) AS at
			FROM animals a WHERE a.org_id = (SELECT app_org_id()))
		SELECT count(*)::int FROM joined j, joined me WHERE me.id = $1 AND (j.at, j.id) < (me.at, me.id)`, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("rank animal: %w", err)
	}
	return n, nil
}

// OrganizationPlans is which plans an organization is on: the plan in force, and the one
// support granted (empty when none).
type OrganizationPlans struct {
	PublicID string
	Current  string
	Granted  string
}

// LockOrganizationPlans reads the tenant organization's plans and holds its row against
// another plan change until tx ends. It does not block the organization's other writes.
func LockOrganizationPlans(ctx context.Context, tx pgx.Tx) (OrganizationPlans, error) {
	var p OrganizationPlans
	err := tx.QueryRow(ctx, `SELECT public_id, plan_key, coalesce(granted_plan_key, '') FROM organizations
		WHERE id = app_org_id() FOR NO KEY UPDATE`).Scan(&p.PublicID, &p.Current, &p.Granted)
	if err != nil {
		return OrganizationPlans{}, fmt.Errorf("lock organization plan: %w", notFound(err))
	}
	return p, nil
}

// SetOrganizationPlan puts the tenant organization on plan key (billing.SetPlan alone calls
// it).
func SetOrganizationPlan(ctx context.Context, tx pgx.Tx, key string) error {
	if _, err := tx.Exec(ctx, `UPDATE organizations SET plan_key = $1 WHERE id = app_org_id()`, key); err != nil {
		return fmt.Errorf("set organization plan: %w", err)
	}
	return nil
}

// SetGrantedPlan records the plan support grants the tenant organization; empty removes it.
func SetGrantedPlan(ctx context.Context, tx pgx.Tx, key string) error {
	if _, err := tx.Exec(ctx, `UPDATE organizations SET granted_plan_key = nullif($1, '') WHERE id = app_org_id()`, key); err != nil {
		return fmt.Errorf("set granted plan: %w", err)
	}
	return nil
}

// PauseListingsAbove pauses the tenant organization's active listings beyond the first keep,
// newest first, and returns their public IDs. Listings an order holds are never paused (a
// sale under way goes on) and count among those kept.
func PauseListingsAbove(ctx context.Context, tx pgx.Tx, keep int) ([]string, error) {
	rows, err := tx.Query(ctx, `UPDATE listings SET status = 'paused', paused_at = now(), version = version + 1, updated_at = now()
		WHERE id IN (SELECT id FROM (
				SELECT id, reserved_by, row_number() OVER (ORDER BY reserved_by IS NULL, created_at, id) AS n
				FROM listings WHERE org_id = app_org_id() AND status = 'active') r
			WHERE r.n > $1 AND r.reserved_by IS NULL)
		AND status = 'active' AND reserved_by IS NULL
		RETURNING public_id`, keep)
	if err != nil {
		return nil, fmt.Errorf("pause listings: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// ResumePausedListings puts back on sale up to room of the tenant organization's paused
// listings (all of them when room is nil), oldest first, and returns their public IDs.
func ResumePausedListings(ctx context.Context, tx pgx.Tx, room *int) ([]string, error) {
	rows, err := tx.Query(ctx, `UPDATE listings SET status = 'active', paused_at = NULL, version = version + 1, updated_at = now()
		WHERE id IN (SELECT id FROM listings WHERE org_id = app_org_id() AND status = 'paused'
			ORDER BY created_at, id LIMIT $1)
		AND status = 'paused'
		RETURNING public_id`, room)
	if err != nil {
		return nil, fmt.Errorf("resume listings: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// ResumeListing puts one paused listing of the tenant organization back on sale; false when
// it was not paused.
func ResumeListing(ctx context.Context, tx pgx.Tx, id uuid.UUID) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE listings SET status = 'active', paused_at = NULL, version = version + 1, updated_at = now()
		WHERE id = $1 AND org_id = app_org_id() AND status = 'paused'`, id)
	if err != nil {
		return false, fmt.Errorf("resume listing: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ActForOrganization makes tx act for organization orgID, keeping its acting user, and
// returns what puts back the organization it acted for before.
func ActForOrganization(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) (restore func(context.Context) error, err error) {
	var prev *string
	err = tx.QueryRow(ctx, `SELECT current_setting('app.org_id', true), set_config('app.org_id', $1, true)`,
		orgID.String()).Scan(&prev, nil)
	if err != nil {
		return nil, fmt.Errorf("act for organization: %w", err)
	}
	return func(ctx context.Context) error {
		_, err := tx.Exec(ctx, `SELECT set_config('app.org_id', coalesce($1, ''), true)`, prev)
		if err != nil {
			return fmt.Errorf("act for the previous organization: %w", err)
		}
		return nil
	}, nil
}
