package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PersonalExport is everything held about a person, asked for by them: running until its
// document is stored, then ready until it expires; or failed.
type PersonalExport struct {
	ID         uuid.UUID
	PublicID   string
	UserID     uuid.UUID
	Status     string
	ObjectKey  string
	Bytes      int64
	Problem    string
	CreatedAt  time.Time
	FinishedAt *time.Time
	ExpiresAt  *time.Time
}

// PersonalDataSections are the sections of a person's data, in the order personal_data
// answers them and the document holds them.
var PersonalDataSections = []string{"account", "memberships", "sessions", "notifications", "notification_preferences",
	"invitations", "transfers", "orders", "events", "changes"}

// InsertPersonalExport records a personal export running for the transaction's user; one
// while another runs is ErrExportRunning, and tx goes on (the insert is in a savepoint).
func InsertPersonalExport(ctx context.Context, tx pgx.Tx, e PersonalExport) error {
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		_, err := sp.Exec(ctx, `INSERT INTO personal_exports (id, public_id, user_id) VALUES ($1, $2, app_user_id())`, e.ID, e.PublicID)
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "personal_exports_running_key" {
		return ErrExportRunning
	}
	if err != nil {
		return fmt.Errorf("insert personal export: %w", err)
	}
	return nil
}

const personalExportSelect = `SELECT id, public_id, user_id, status, coalesce(object_key, ''), coalesce(bytes, 0),
	coalesce(problem, ''), created_at, finished_at, expires_at FROM personal_exports`

func scanPersonalExport(row pgx.Row) (PersonalExport, error) {
	var e PersonalExport
	err := row.Scan(&e.ID, &e.PublicID, &e.UserID, &e.Status, &e.ObjectKey, &e.Bytes, &e.Problem, &e.CreatedAt, &e.FinishedAt, &e.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return PersonalExport{}, ErrNotFound
	}
	if err != nil {
		return PersonalExport{}, fmt.Errorf("read personal export: %w", err)
	}
	return e, nil
}

// PersonalExportByID reads one of the user's personal exports.
func PersonalExportByID(ctx context.Context, q Querier, id uuid.UUID) (PersonalExport, error) {
	return scanPersonalExport(q.QueryRow(ctx, personalExportSelect+` WHERE id = $1`, id))
}

// PersonalExportByPublicID reads one of the user's personal exports by its public ID.
func PersonalExportByPublicID(ctx context.Context, q Querier, publicID string) (PersonalExport, error) {
	return scanPersonalExport(q.QueryRow(ctx, personalExportSelect+` WHERE public_id = $1`, publicID))
}

// FinishPersonalExport ends a running personal export: ready with its document until
// expiresAt, or (key empty) failed with problem. It reports whether it was running.
func FinishPersonalExport(ctx context.Context, tx pgx.Tx, id uuid.UUID, key string, bytes int64, expiresAt time.Time,
	problem string) (bool, error) {
	var tag pgconn.CommandTag
	var err error
	if key != "" {
		tag, err = tx.Exec(ctx, `UPDATE personal_exports SET status = 'ready', object_key = $2, bytes = $3, finished_at = now(),
			expires_at = $4 WHERE id = $1 AND status = 'running'`, id, key, bytes, expiresAt)
	} else {
		tag, err = tx.Exec(ctx, `UPDATE personal_exports SET status = 'failed', problem = $2, finished_at = now()
			WHERE id = $1 AND status = 'running'`, id, problem)
	}
	if err != nil {
		return false, fmt.Errorf("finish personal export: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// PersonalData calls item with each item held about the transaction's user, section by
// section in the order of PersonalDataSections, each section's items by when they happened.
func PersonalData(ctx context.Context, tx pgx.Tx, item func(section string, raw []byte) error) error {
	rows, err := tx.Query(ctx, `SELECT section, item FROM personal_data()
		ORDER BY array_position($1::text[], section), at, item::text`, PersonalDataSections)
	if err != nil {
		return fmt.Errorf("read personal data: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var section string
		var raw []byte
		if err := rows.Scan(&section, &raw); err != nil {
			return fmt.Errorf("read personal data: %w", err)
		}
		if err := item(section, raw); err != nil {
			return err
		}
	}
	return rows.Err()
}
