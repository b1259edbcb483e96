package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// RefreshToken is a stored refresh token (only its hash is kept).
type RefreshToken struct {
	ID         uuid.UUID
	SessionID  uuid.UUID
	UserID     uuid.UUID
	OrgID      uuid.UUID
	Hash       []byte
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	ReplacedBy *uuid.UUID
}

// InsertRefreshToken stores a new refresh token.
func InsertRefreshToken(ctx context.Context, q Querier, t RefreshToken) error {
	_, err := q.Exec(ctx, `INSERT INTO refresh_tokens (id, session_id, user_id, org_id, token_hash, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, t.ID, t.SessionID, t.UserID, t.OrgID, t.Hash, t.ExpiresAt)
	if err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// RefreshTokenByHash finds a refresh token by its hash and locks it, so two concurrent
// refreshes with the same token cannot both rotate it.
func RefreshTokenByHash(ctx context.Context, tx pgx.Tx, hash []byte) (RefreshToken, error) {
	var t RefreshToken
	err := tx.QueryRow(ctx, `SELECT id, session_id, user_id, org_id, token_hash, expires_at, revoked_at, replaced_by
		FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`, hash).
		Scan(&t.ID, &t.SessionID, &t.UserID, &t.OrgID, &t.Hash, &t.ExpiresAt, &t.RevokedAt, &t.ReplacedBy)
	return t, notFound(err)
}

// RotateRefreshToken revokes old, pointing it at its replacement.
func RotateRefreshToken(ctx context.Context, tx pgx.Tx, old, replacement uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2 WHERE id = $1`, old, replacement)
	if err != nil {
		return fmt.Errorf("rotate refresh token: %w", err)
	}
	return nil
}

// MoveRefreshToken makes a live refresh token act for another organization.
func MoveRefreshToken(ctx context.Context, tx pgx.Tx, id, orgID uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE refresh_tokens SET org_id = $2 WHERE id = $1 AND revoked_at IS NULL`, id, orgID)
	if err != nil {
		return fmt.Errorf("move refresh token: %w", err)
	}
	return nil
}

// RevokeSession revokes every live token of a session (logout, or reuse of a rotated token).
func RevokeSession(ctx context.Context, q Querier, sessionID uuid.UUID) error {
	_, err := q.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE session_id = $1 AND revoked_at IS NULL`, sessionID)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}
