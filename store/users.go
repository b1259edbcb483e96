package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// User is a person who can log in.
type User struct {
	ID              uuid.UUID
	PublicID        string
	Email           string
	DisplayName     string
	PasswordHash    string
	EmailVerifiedAt *time.Time
	CreatedAt       time.Time
}

const userColumns = "id, public_id, email, display_name, password_hash, email_verified_at, created_at"

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.PublicID, &u.Email, &u.DisplayName, &u.PasswordHash, &u.EmailVerifiedAt, &u.CreatedAt)
	return u, notFound(err)
}

// InsertUser creates a user; a taken email (case-insensitive) is ErrConflict.
func InsertUser(ctx context.Context, tx pgx.Tx, u User) error {
	_, err := tx.Exec(ctx, `INSERT INTO users (id, public_id, email, display_name, password_hash)
		VALUES ($1, $2, $3, $4, $5)`, u.ID, u.PublicID, u.Email, u.DisplayName, u.PasswordHash)
	if isUniqueViolation(err) {
		return fmt.Errorf("email %s: %w", u.Email, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// UserByEmail finds a user by email, case-insensitively.
func UserByEmail(ctx context.Context, q Querier, email string) (User, error) {
	return scanUser(q.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE lower(email) = lower($1)", email))
}

// UserByID finds a user by internal ID.
func UserByID(ctx context.Context, q Querier, id uuid.UUID) (User, error) {
	return scanUser(q.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1", id))
}

// UserByPublicID finds a user by public ID.
func UserByPublicID(ctx context.Context, q Querier, publicID string) (User, error) {
	return scanUser(q.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE public_id = $1", publicID))
}

// QueueCurrentUser queues the read of the transaction's acting user (app.user_id) on a batch.
func QueueCurrentUser(batch *pgx.Batch, dst *User) {
	batch.Queue("SELECT " + userColumns + " FROM users WHERE id = app_user_id()").QueryRow(func(row pgx.Row) error {
		u, err := scanUser(row)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		*dst = u
		return err
	})
}
