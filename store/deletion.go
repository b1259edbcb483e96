package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Heir is an organization where a person is the last owner, and who would own it were they
// to leave (HeirID nil: no one; it would be closed).
type Heir struct {
	OrgID       uuid.UUID
	OrgPublicID string
	OrgName     string
	HeirID      *uuid.UUID
	HeirName    string
	// Paid is whether the organization pays a subscription.
	Paid bool
}

// Deletion is where the deletion of the transaction's user stands: when it is to be erased
// (nil: no deletion asked for), and when it was.
type Deletion struct {
	EraseAt  *time.Time
	ErasedAt *time.Time
}

// DeletionOfUser reads where the deletion of the transaction's user stands.
func DeletionOfUser(ctx context.Context, q Querier) (Deletion, error) {
	var d Deletion
	err := q.QueryRow(ctx, `SELECT erase_at, erased_at FROM users WHERE id = app_user_id()`).Scan(&d.EraseAt, &d.ErasedAt)
	if err != nil {
		return Deletion{}, fmt.Errorf("read deletion: %w", notFound(err))
	}
	return d, nil
}

// ScheduleDeletion records the transaction's user's account to be erased at eraseAt; it
// reports whether it was not already to be (or erased).
func ScheduleDeletion(ctx context.Context, tx pgx.Tx, eraseAt time.Time) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE users SET erase_at = $1, updated_at = now()
		WHERE id = app_user_id() AND erase_at IS NULL AND erased_at IS NULL`, eraseAt)
	if err != nil {
		return false, fmt.Errorf("schedule deletion: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// CancelDeletion records that the transaction's user's account is no longer to be erased;
// it reports whether it was to be.
func CancelDeletion(ctx context.Context, tx pgx.Tx) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE users SET erase_at = NULL, updated_at = now()
		WHERE id = app_user_id() AND erase_at IS NOT NULL AND erased_at IS NULL`)
	if err != nil {
		return false, fmt.Errorf("cancel deletion: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// HeirsOfUser lists the organizations where the transaction's user is the last owner, and
// their heirs (account_heirs).
func HeirsOfUser(ctx context.Context, q Querier) ([]Heir, error) {
	rows, err := q.Query(ctx, `SELECT org_id, org_public_id, org_name, heir_id, coalesce(heir_name, ''), paid FROM account_heirs()`)
	if err != nil {
		return nil, fmt.Errorf("read heirs: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Heir, error) {
		var h Heir
		err := r.Scan(&h.OrgID, &h.OrgPublicID, &h.OrgName, &h.HeirID, &h.HeirName, &h.Paid)
		return h, err
	})
}

// EraseAccount erases the transaction's user's account (erase_account); unusableHash is an
// argon2id password hash no one knows. It answers the organizations where they were the last
// owner and who owns each now (nil: closed); nothing when the account was erased already.
func EraseAccount(ctx context.Context, tx pgx.Tx, unusableHash string) ([]Heir, error) {
	rows, err := tx.Query(ctx, `SELECT org_id, org_name, new_owner FROM erase_account($1)`, unusableHash)
	if err != nil {
		return nil, fmt.Errorf("erase account: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Heir, error) {
		var h Heir
		err := r.Scan(&h.OrgID, &h.OrgName, &h.HeirID)
		return h, err
	})
}

// PersonalExportKeysOfUser lists the object keys of the transaction's user's personal
// exports.
func PersonalExportKeysOfUser(ctx context.Context, q Querier) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT object_key FROM personal_exports WHERE user_id = app_user_id() AND object_key IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("list personal exports: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// ExportSchedulesOf lists the IDs of the transaction's organization's export schedules.
func ExportSchedulesOf(ctx context.Context, q Querier) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, `SELECT id FROM export_schedules WHERE org_id = (SELECT app_org_id())`)
	if err != nil {
		return nil, fmt.Errorf("list export schedules: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// SweptPersonalExport is a personal export past its expiry, for the sweep.
type SweptPersonalExport struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	ObjectKey string
}

// PersonalExportsToSweep lists, across people, the ready personal exports past their
// expiry, at most 500.
func PersonalExportsToSweep(ctx context.Context, db *DB) ([]SweptPersonalExport, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, user_id, object_key FROM personal_exports_to_sweep()`)
	if err != nil {
		return nil, fmt.Errorf("list personal exports to sweep: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SweptPersonalExport, error) {
		var e SweptPersonalExport
		err := r.Scan(&e.ID, &e.UserID, &e.ObjectKey)
		return e, err
	})
}

// MarkPersonalExportExpired records a ready personal export past its expiry expired.
func MarkPersonalExportExpired(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE personal_exports SET status = 'expired' WHERE id = $1 AND status = 'ready' AND expires_at <= now()`, id)
	if err != nil {
		return fmt.Errorf("mark personal export expired: %w", err)
	}
	return nil
}

// ScrubAccount deletes the erased transaction's user's notifications, with their
// deliveries (scrub_account).
func ScrubAccount(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SELECT scrub_account()`); err != nil {
		return fmt.Errorf("scrub account: %w", err)
	}
	return nil
}
