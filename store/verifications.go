package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// linkTokenBytes is the randomness of a token sent in an emailed link.
const linkTokenBytes = 32

// NewLinkToken returns a token for an emailed link (32 random bytes, base64url) and the
// SHA-256 hash of it, which is all that is stored.
func NewLinkToken() (token string, hash []byte) {
	b := make([]byte, linkTokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails since Go 1.24
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashLinkToken(b)
}

// ParseLinkToken returns the hash to look a link token up by; ok is false when the token is
// not one NewLinkToken could have made, so it cannot match anything.
func ParseLinkToken(token string) (hash []byte, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != linkTokenBytes {
		return nil, false
	}
	return hashLinkToken(b), true
}

func hashLinkToken(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}

// EmailVerification is a link that proves a person reads an address (only its hash is kept).
type EmailVerification struct {
	TokenHash []byte
	UserID    uuid.UUID
	Email     string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// InsertEmailVerification stores a new verification link.
func InsertEmailVerification(ctx context.Context, tx pgx.Tx, v EmailVerification) error {
	_, err := tx.Exec(ctx, `INSERT INTO email_verifications (token_hash, user_id, email, expires_at) VALUES ($1, $2, $3, $4)`,
		v.TokenHash, v.UserID, v.Email, v.ExpiresAt)
	if err != nil {
		return fmt.Errorf("insert email verification: %w", err)
	}
	return nil
}

// EmailVerificationByHash finds a verification link by its token's hash and locks it, so two
// clicks at once verify once.
func EmailVerificationByHash(ctx context.Context, tx pgx.Tx, hash []byte) (EmailVerification, error) {
	var v EmailVerification
	err := tx.QueryRow(ctx, `SELECT token_hash, user_id, email, expires_at, used_at, created_at
		FROM email_verifications WHERE token_hash = $1 FOR UPDATE`, hash).
		Scan(&v.TokenHash, &v.UserID, &v.Email, &v.ExpiresAt, &v.UsedAt, &v.CreatedAt)
	return v, notFound(err)
}

// MarkEmailVerificationUsed records that a verification link was followed.
func MarkEmailVerificationUsed(ctx context.Context, tx pgx.Tx, hash []byte) error {
	_, err := tx.Exec(ctx, `UPDATE email_verifications SET used_at = coalesce(used_at, now()) WHERE token_hash = $1`, hash)
	if err != nil {
		return fmt.Errorf("mark email verification used: %w", err)
	}
	return nil
}

// MarkEmailVerified records that the user proved they read email, if it is still their
// address; the first verification's time stays. It reports whether the address is theirs.
func MarkEmailVerified(ctx context.Context, tx pgx.Tx, userID uuid.UUID, email string) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
		WHERE id = $1 AND lower(email) = lower($2)`, userID, email)
	if err != nil {
		return false, fmt.Errorf("mark email verified: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// LastEmailVerificationAge locks the user, so that two requests at once see each other, and
// says how long ago their latest verification link was made (by the database's clock, which
// made it); ok is false when none was.
func LastEmailVerificationAge(ctx context.Context, tx pgx.Tx, userID uuid.UUID) (age time.Duration, ok bool, err error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
		return 0, false, fmt.Errorf("lock user: %w", err)
	}
	var seconds *float64
	err = tx.QueryRow(ctx, `SELECT extract(epoch FROM clock_timestamp() - max(created_at))::float8
		FROM email_verifications WHERE user_id = $1`, userID).Scan(&seconds)
	if err != nil {
		return 0, false, fmt.Errorf("read last email verification: %w", err)
	}
	if seconds == nil {
		return 0, false, nil
	}
	return time.Duration(*seconds * float64(time.Second)), true, nil
}
