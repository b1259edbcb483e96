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
	rows, err := q.Query(ctx, `SELECT org_id, org_public_id, org_name, heir_id, coalesce(heir_name, '') FROM account_heirs()`)
	if err != nil {
		return nil, fmt.Errorf("read heirs: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Heir, error) {
		var h Heir
		err := r.Scan(&h.OrgID, &h.OrgPublicID, &h.OrgName, &h.HeirID, &h.HeirName)
		return h, err
	})
}

// EraseAccount erases the transaction's user's account (erase_account): pseudonym names
// what is left of it, and unusableHash is a password hash no one knows. It answers the
// organizations where they were the last owner and who owns each now (nil: closed); nothing
// when the account was erased already.
func EraseAccount(ctx context.Context, tx pgx.Tx, pseudonym, unusableHash string) ([]Heir, error) {
	rows, err := tx.Query(ctx, `SELECT org_id, org_name, new_owner FROM erase_account($1, $2)`, pseudonym, unusableHash)
	if err != nil {
		return nil, fmt.Errorf("erase account: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Heir, error) {
		var h Heir
		err := r.Scan(&h.OrgID, &h.OrgName, &h.HeirID)
		return h, err
	})
}

// ScrubAccount deletes the erased transaction's user's notifications, with their
// deliveries (scrub_account).
func ScrubAccount(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SELECT scrub_account()`); err != nil {
		return fmt.Errorf("scrub account: %w", err)
	}
	return nil
}
