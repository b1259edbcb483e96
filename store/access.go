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

// Caller is the user an access token names, as read under the token's session.
type Caller struct {
	UserID uuid.UUID
	// PlatformAdmin says whether the user administers shared reference data.
	PlatformAdmin bool
}

// Authenticate reads the user (by public ID) an access token names under the token's
// session: the check Authorize starts with, for a request that acts for no organization. A
// user who no longer exists is ErrNotFound; a session that was logged out, revoked or has
// expired is ErrSessionRevoked, whatever the user's role. In a transaction, the user becomes
// its acting user.
func Authenticate(ctx context.Context, q Querier, userPublicID string, sessionID uuid.UUID) (Caller, error) {
	var c callerRow
	if err := c.scan(q.QueryRow(ctx, callerQuery, userPublicID, binaryUUID(sessionID))); err != nil {
		return Caller{}, fmt.Errorf("authenticate: %w", err)
	}
	if !c.found {
		return Caller{}, ErrNotFound
	}
	if !c.live {
		return Caller{}, ErrSessionRevoked
	}
	return c.Caller, nil
}

// callerQuery reads the user ($1, a public ID) and whether their session ($2) still has a
// live refresh token, and makes the user the transaction's acting user: every request with
// an access token starts with it.
const callerQuery = `SELECT u.id, u.platform_admin, set_config('app.user_id', u.id::text, true) IS NOT NULL,
		EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = $2 AND t.user_id = u.id
			AND t.revoked_at IS NULL AND t.expires_at > now())
	FROM users u WHERE u.public_id = $1`

// callerRow is what callerQuery read: found is false when no user has the public ID.
type callerRow struct {
	Caller
	found, live bool
}

func (c *callerRow) scan(row pgx.Row) error {
	var set bool
	err := row.Scan(&c.UserID, &c.PlatformAdmin, &set, &c.live)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	c.found = err == nil
	return err
}

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
	var c callerRow
	batch.Queue(callerQuery, userPublicID, binaryUUID(sessionID)).QueryRow(c.scan)
	var a Access
	batch.Queue(`SELECT o.id, o.public_id, m.role, set_config('app.org_id', o.id::text, true) IS NOT NULL
		FROM memberships m JOIN organizations o ON o.id = m.org_id
		WHERE o.public_id = $1 AND m.user_id = app_user_id()`, orgPublicID).QueryRow(func(row pgx.Row) error {
		var set bool
		err := row.Scan(&a.OrgID, &a.OrgPublicID, &a.Role, &set)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return func() (Access, error) {
		if !c.found || a.OrgID == uuid.Nil {
			return Access{}, ErrNotFound
		}
		if !c.live {
			return Access{}, ErrSessionRevoked
		}
		a.UserID = c.UserID
		return a, nil
	}
}
