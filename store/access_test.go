package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// session stores a live refresh token for u in o and returns its session.
func session(t *testing.T, db *store.DB, u store.User, o store.Organization) uuid.UUID {
	t.Helper()
	sid := uuid.New()
	require.NoError(t, store.InsertRefreshToken(context.Background(), db.Pool, store.RefreshToken{ID: uuid.New(), SessionID: sid,
		UserID: u.ID, OrgID: o.ID, Hash: []byte(uuid.NewString()), ExpiresAt: time.Now().Add(time.Hour)}))
	return sid
}

func TestAuthenticate_ReadsTheUserOfALiveSessionAndRefusesAnEndedOne(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	admin := testkit.AdminPool(t)
	ctx := context.Background()
	u, o := account(t, db, "authn")
	sid := session(t, db, u, o)

	c, err := store.Authenticate(ctx, db.Pool, u.PublicID, sid)
	require.NoError(t, err)
	require.Equal(t, store.Caller{UserID: u.ID}, c)

	_, err = admin.Exec(ctx, `UPDATE users SET platform_admin = true WHERE id = $1`, u.ID)
	require.NoError(t, err)
	c, err = store.Authenticate(ctx, db.Pool, u.PublicID, sid)
	require.NoError(t, err)
	require.True(t, c.PlatformAdmin)

	_, err = store.Authenticate(ctx, db.Pool, u.PublicID, uuid.New())
	require.ErrorIs(t, err, store.ErrSessionRevoked, "a session the user never had")
	_, err = store.Authenticate(ctx, db.Pool, store.NewPublicID(), sid)
	require.ErrorIs(t, err, store.ErrNotFound, "a user who does not exist")

	require.NoError(t, store.RevokeSession(ctx, db.Pool, sid))
	_, err = store.Authenticate(ctx, db.Pool, u.PublicID, sid)
	require.ErrorIs(t, err, store.ErrSessionRevoked, "a session logged out")
}

func TestAuthorize_ChecksTheSessionAsAuthenticateDoes(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	ctx := context.Background()
	u, o := account(t, db, "authz")
	_, other := account(t, db, "authz-other")
	sid := session(t, db, u, o)
	authorize := func(orgPublicID string) (store.Access, error) {
		var a store.Access
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			a, err = store.Authorize(ctx, tx, u.PublicID, orgPublicID, sid)
			return err
		})
		return a, err
	}

	a, err := authorize(o.PublicID)
	require.NoError(t, err)
	require.Equal(t, u.ID, a.UserID)
	require.Equal(t, o.ID, a.OrgID)
	_, err = authorize(other.PublicID)
	require.ErrorIs(t, err, store.ErrNotFound, "an organization the user does not belong to")

	require.NoError(t, store.RevokeSession(ctx, db.Pool, sid))
	_, err = authorize(o.PublicID)
	require.ErrorIs(t, err, store.ErrSessionRevoked)
	_, err = authorize(other.PublicID)
	require.ErrorIs(t, err, store.ErrNotFound, "not belonging answers before the session does")
}
