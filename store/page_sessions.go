package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// PageSession is a session of the pages for people, found by the refresh token its cookie
// holds: the person, and the organization the session acts for.
type PageSession struct {
	SessionID    uuid.UUID
	UserPublicID string
	Name         string
	Email        string
	Verified     bool
	OrgPublicID  string
	OrgName      string
}

// PageSessionByHash reads the live session whose refresh token has the hash, in one round
// trip; a token unknown, revoked or expired, or whose organization the person has left, is
// ErrNotFound.
func PageSessionByHash(ctx context.Context, db *DB, hash []byte) (PageSession, error) {
	var s PageSession
	found := false
	batch := &pgx.Batch{}
	// The organization is read as its member: the first statement sets who that is.
	batch.Queue(`SELECT set_config('app.user_id', coalesce((SELECT user_id::text FROM refresh_tokens
		WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()), ''), true)`, hash)
	batch.Queue(`SELECT t.session_id, u.public_id, u.display_name, u.email, u.email_verified_at IS NOT NULL,
			o.public_id, o.name
		FROM refresh_tokens t JOIN users u ON u.id = t.user_id JOIN organizations o ON o.id = t.org_id
		JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()`, hash).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&s.SessionID, &s.UserPublicID, &s.Name, &s.Email, &s.Verified, &s.OrgPublicID, &s.OrgName)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	})
	if err := db.ReadBatch(ctx, batch); err != nil {
		return PageSession{}, fmt.Errorf("page session: %w", err)
	}
	if !found {
		return PageSession{}, ErrNotFound
	}
	return s, nil
}
