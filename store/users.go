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
	Phone           string // as entered and normalized; used for SMS once verified
	PhoneVerifiedAt *time.Time
	CreatedAt       time.Time
}

const userColumns = "id, public_id, email, display_name, password_hash, email_verified_at, coalesce(phone, ''), phone_verified_at, created_at"

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.PublicID, &u.Email, &u.DisplayName, &u.PasswordHash, &u.EmailVerifiedAt, &u.Phone, &u.PhoneVerifiedAt, &u.CreatedAt)
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

// PhoneCode is the acting user's phone number and the code that verifies it.
type PhoneCode struct {
	Phone      string
	VerifiedAt *time.Time
	CodeHash   []byte
	ExpiresAt  *time.Time
	Attempts   int
	SentAt     *time.Time // the last code sent, whatever number it went to
	SentToday  int        // codes sent since SentSince
	SentSince  *time.Time // start of the current day-long count
}

// CurrentPhoneCode reads the acting user's phone number and pending code, locking the row.
func CurrentPhoneCode(ctx context.Context, tx pgx.Tx) (PhoneCode, error) {
	var p PhoneCode
	err := tx.QueryRow(ctx, `SELECT coalesce(phone, ''), phone_verified_at, phone_code_hash, phone_code_expires_at, phone_code_attempts,
			phone_code_sent_at, phone_codes_sent, phone_codes_since
		FROM users WHERE id = app_user_id() FOR UPDATE`).Scan(&p.Phone, &p.VerifiedAt, &p.CodeHash, &p.ExpiresAt, &p.Attempts,
		&p.SentAt, &p.SentToday, &p.SentSince)
	return p, notFound(err)
}

// SetPhone gives the acting user a new, unverified phone number and the hash of the code
// sent to it, and counts the code: the count restarts a day after its first code.
func SetPhone(ctx context.Context, tx pgx.Tx, phone string, codeHash []byte, expiresAt time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE users SET phone = $1, phone_verified_at = NULL, phone_code_hash = $2,
		phone_code_expires_at = $3, phone_code_attempts = 0, phone_code_sent_at = now(),
		phone_codes_sent = CASE WHEN phone_codes_since > now() - interval '1 day' THEN phone_codes_sent + 1 ELSE 1 END,
		phone_codes_since = CASE WHEN phone_codes_since > now() - interval '1 day' THEN phone_codes_since ELSE now() END,
		updated_at = now() WHERE id = app_user_id()`, phone, codeHash, expiresAt)
	if err != nil {
		return fmt.Errorf("store phone number: %w", err)
	}
	return nil
}

// CountPhoneAttempt records a wrong code.
func CountPhoneAttempt(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `UPDATE users SET phone_code_attempts = phone_code_attempts + 1 WHERE id = app_user_id()`)
	if err != nil {
		return fmt.Errorf("count phone code attempt: %w", err)
	}
	return nil
}

// VerifyPhone marks the acting user's phone number verified and spends the code.
func VerifyPhone(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `UPDATE users SET phone_verified_at = now(), phone_code_hash = NULL, phone_code_expires_at = NULL,
		phone_code_attempts = 0, updated_at = now() WHERE id = app_user_id()`)
	if err != nil {
		return fmt.Errorf("verify phone number: %w", err)
	}
	return nil
}

// ClearPhone removes the acting user's phone number.
func ClearPhone(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `UPDATE users SET phone = NULL, phone_verified_at = NULL, phone_code_hash = NULL,
		phone_code_expires_at = NULL, phone_code_attempts = 0, updated_at = now() WHERE id = app_user_id()`)
	if err != nil {
		return fmt.Errorf("remove phone number: %w", err)
	}
	return nil
}
