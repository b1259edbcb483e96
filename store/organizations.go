package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
)

// Organization is a breeder's account (a vivarium).
type Organization struct {
	ID            uuid.UUID
	PublicID      string
	Name          string
	CreatedBy     uuid.UUID
	ProvisionedAt *time.Time
	WelcomedAt    *time.Time
	CreatedAt     time.Time
}

// InsertOrganization creates an organization; the transaction's tenant must be its ID.
func InsertOrganization(ctx context.Context, tx pgx.Tx, o Organization) error {
	_, err := tx.Exec(ctx, `INSERT INTO organizations (id, public_id, name, created_by) VALUES ($1, $2, $3, $4)`,
		o.ID, o.PublicID, o.Name, o.CreatedBy)
	if err != nil {
		return fmt.Errorf("insert organization: %w", err)
	}
	return nil
}

// OrganizationByID reads an organization visible to the transaction's tenant.
func OrganizationByID(ctx context.Context, q Querier, id uuid.UUID) (Organization, error) {
	var o Organization
	err := q.QueryRow(ctx, `SELECT id, public_id, name, created_by, provisioned_at, welcomed_at, created_at
		FROM organizations WHERE id = $1`, id).
		Scan(&o.ID, &o.PublicID, &o.Name, &o.CreatedBy, &o.ProvisionedAt, &o.WelcomedAt, &o.CreatedAt)
	return o, notFound(err)
}

// MarkProvisioned records that the organization's onboarding ran; it reports false when it
// had already been recorded, so the caller can skip what follows.
func MarkProvisioned(ctx context.Context, tx pgx.Tx, id uuid.UUID) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE organizations SET provisioned_at = now(), updated_at = now()
		WHERE id = $1 AND provisioned_at IS NULL`, id)
	if err != nil {
		return false, fmt.Errorf("mark organization provisioned: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// MarkWelcomed records that the welcome email went out; false when it already had.
func MarkWelcomed(ctx context.Context, tx pgx.Tx, id uuid.UUID) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE organizations SET welcomed_at = now(), updated_at = now()
		WHERE id = $1 AND welcomed_at IS NULL`, id)
	if err != nil {
		return false, fmt.Errorf("mark organization welcomed: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// OrganizationIDByPublicID finds any organization by public ID (organizations are public
// by name), for naming one as a recipient.
func OrganizationIDByPublicID(ctx context.Context, q Querier, publicID string) (uuid.UUID, OrganizationRef, error) {
	var (
		id  uuid.UUID
		ref OrganizationRef
	)
	err := q.QueryRow(ctx, `SELECT id, public_id, name FROM organization_name WHERE public_id = $1`, publicID).Scan(&id, &ref.PublicID, &ref.Name)
	return id, ref, notFound(err)
}

// UserOrganization is one organization a user belongs to, with their role there.
type UserOrganization struct {
	OrgID    uuid.UUID
	PublicID string
	Name     string
	Role     membership.Role
	Since    time.Time
}

const userOrganizationsSQL = `SELECT o.id, o.public_id, o.name, m.role, m.created_at
	FROM memberships m JOIN organizations o ON o.id = m.org_id
	WHERE m.user_id = $1 ORDER BY m.created_at, o.public_id`

func scanUserOrganization(r pgx.CollectableRow) (UserOrganization, error) {
	var uo UserOrganization
	err := r.Scan(&uo.OrgID, &uo.PublicID, &uo.Name, &uo.Role, &uo.Since)
	return uo, err
}

// OrganizationsOfUser lists the organizations the transaction's user belongs to, oldest
// membership first. The transaction's user must be set.
func OrganizationsOfUser(ctx context.Context, q Querier, userID uuid.UUID) ([]UserOrganization, error) {
	rows, err := q.Query(ctx, userOrganizationsSQL, userID)
	if err != nil {
		return nil, fmt.Errorf("list organizations of user: %w", err)
	}
	return pgx.CollectRows(rows, scanUserOrganization)
}

// QueueOrganizationsOfCurrentUser queues OrganizationsOfUser for the transaction's acting
// user (app.user_id) on a batch.
func QueueOrganizationsOfCurrentUser(batch *pgx.Batch, dst *[]UserOrganization) {
	batch.Queue(strings.Replace(userOrganizationsSQL, "$1", "app_user_id()", 1)).Query(func(rows pgx.Rows) error {
		orgs, err := pgx.CollectRows(rows, scanUserOrganization)
		*dst = orgs
		return err
	})
}

// OrganizationByPublicIDForUser resolves a public organization ID among the organizations
// the user belongs to; any other ID is ErrNotFound, as if it did not exist.
func OrganizationByPublicIDForUser(ctx context.Context, q Querier, publicID string, userID uuid.UUID) (UserOrganization, error) {
	var uo UserOrganization
	err := q.QueryRow(ctx, `SELECT o.id, o.public_id, o.name, m.role, m.created_at
		FROM memberships m JOIN organizations o ON o.id = m.org_id
		WHERE o.public_id = $1 AND m.user_id = $2`, publicID, userID).
		Scan(&uo.OrgID, &uo.PublicID, &uo.Name, &uo.Role, &uo.Since)
	return uo, notFound(err)
}

// UpdateOrganizationSettings changes the transaction's organization's name and inbreeding
// warning threshold.
func UpdateOrganizationSettings(ctx context.Context, tx pgx.Tx, name string, threshold float64) error {
	_, err := tx.Exec(ctx, `UPDATE organizations SET name = $1, coi_warning_threshold = $2, updated_at = now() WHERE id = app_org_id()`, name, threshold)
	if err != nil {
		return fmt.Errorf("update organization: %w", err)
	}
	return nil
}

// TransferSettings are the tenant organization's reminder and expiry delays for offers.
func TransferSettings(ctx context.Context, q Querier) (remindAfter, expireAfter time.Duration, err error) {
	err = q.QueryRow(ctx, `SELECT extract(epoch FROM transfer_remind_after)::bigint * 1000000000,
			extract(epoch FROM transfer_expire_after)::bigint * 1000000000
		FROM organizations WHERE id = app_org_id()`).Scan(&remindAfter, &expireAfter)
	if err != nil {
		return 0, 0, fmt.Errorf("read transfer settings: %w", notFound(err))
	}
	return remindAfter, expireAfter, nil
}

// SetTransferSettings stores the tenant organization's reminder and expiry delays for offers.
func SetTransferSettings(ctx context.Context, tx pgx.Tx, remindAfter, expireAfter time.Duration) error {
	_, err := tx.Exec(ctx, `UPDATE organizations SET transfer_remind_after = make_interval(secs => $1),
		transfer_expire_after = make_interval(secs => $2), updated_at = now() WHERE id = app_org_id()`,
		remindAfter.Seconds(), expireAfter.Seconds())
	if err != nil {
		return fmt.Errorf("store transfer settings: %w", err)
	}
	return nil
}
