package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
)

// Access is who is acting and for which organization, as resolved inside a transaction.
type Access struct {
	UserID      uuid.UUID
	OrgID       uuid.UUID
	OrgPublicID string
	Role        membership.Role
}

// ErrSessionRevoked means the caller's session was logged out or has expired.
var ErrSessionRevoked = errors.New("session revoked")

// Authorize sets the transaction's tenant for a caller: the user (by public ID) acting in
// the organization (by public ID) under the session the caller's token belongs to. It is one
// round trip. An organization the user does not belong to is ErrNotFound; a user who no
// longer exists is ErrNotFound; a revoked or expired session is ErrSessionRevoked.
func Authorize(ctx context.Context, tx pgx.Tx, userPublicID, orgPublicID string, sessionID uuid.UUID) (Access, error) {
	batch := &pgx.Batch{}
	result := QueueAuthorize(batch, userPublicID, orgPublicID, sessionID)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return Access{}, fmt.Errorf("authorize: %w", err)
	}
	return result()
}

// QueueAuthorize queues Authorize's queries on a batch, so that a handler can send its own
// reads in the same round trip; the function it returns gives the outcome once the batch
// has been sent. Reads queued after it run as the caller (RLS applies), and must be
// discarded unless the outcome is a success.
func QueueAuthorize(batch *pgx.Batch, userPublicID, orgPublicID string, sessionID uuid.UUID) func() (Access, error) {
	var a Access
	var userFound, sessionLive bool
	batch.Queue(`SELECT u.id, set_config('app.user_id', u.id::text, true) IS NOT NULL
		FROM users u WHERE u.public_id = $1`, userPublicID).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&a.UserID, &userFound)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	batch.Queue(`SELECT o.id, o.public_id, m.role, set_config('app.org_id', o.id::text, true) IS NOT NULL,
			EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = $2 AND t.user_id = m.user_id
				AND t.revoked_at IS NULL AND t.expires_at > now())
		FROM memberships m JOIN organizations o ON o.id = m.org_id
		WHERE o.public_id = $1 AND m.user_id = app_user_id()`, orgPublicID, binaryUUID(sessionID)).QueryRow(func(row pgx.Row) error {
		var set bool
		err := row.Scan(&a.OrgID, &a.OrgPublicID, &a.Role, &set, &sessionLive)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return func() (Access, error) {
		if !userFound || a.OrgID == uuid.Nil {
			return Access{}, ErrNotFound
		}
		if !sessionLive {
			return Access{}, ErrSessionRevoked
		}
		return a, nil
	}
}
