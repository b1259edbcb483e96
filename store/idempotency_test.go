package store_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

const lease = time.Minute

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// claim claims a key as the tenant, in its own transaction, committed at once as the API does.
func claim(t *testing.T, db *store.DB, tenant store.Tenant, op, key, body string) (store.IdempotencyClaim, error) {
	t.Helper()
	var c store.IdempotencyClaim
	err := db.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		var err error
		c, err = store.ClaimIdempotencyKey(context.Background(), tx, op, key, hashOf(body), lease)
		return err
	})
	return c, err
}

func inTenant(t *testing.T, db *store.DB, tenant store.Tenant, fn func(pgx.Tx) error) {
	t.Helper()
	require.NoError(t, db.InTenant(context.Background(), tenant, fn))
}

func TestIdempotencyKey_AnsweredKeyReplaysSameRequestAndRefusesAnother(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	u, o := account(t, db, "idem-replay")
	me := store.Tenant{OrgID: o.ID, UserID: u.ID}
	ctx := context.Background()

	first, err := claim(t, db, me, "transfer.offer", "k1", "body")
	require.NoError(t, err)
	require.Nil(t, first.Response)
	require.False(t, first.Retried)

	_, err = claim(t, db, me, "transfer.offer", "k1", "body")
	require.ErrorIs(t, err, store.ErrIdempotencyInFlight, "the first request has not answered yet")
	_, err = claim(t, db, me, "transfer.offer", "k1", "another body")
	require.ErrorIs(t, err, store.ErrIdempotencyMismatch)

	answer := store.StoredResponse{Status: 201, Headers: map[string]string{"Location": "/api/v1/transfers/x"}, Body: []byte("{\"id\":\"x\"}\n")}
	inTenant(t, db, me, func(tx pgx.Tx) error { return store.SaveIdempotentResponse(ctx, tx, "transfer.offer", "k1", answer) })

	again, err := claim(t, db, me, "transfer.offer", "k1", "body")
	require.NoError(t, err)
	require.Equal(t, &answer, again.Response, "the stored answer, byte for byte")
	_, err = claim(t, db, me, "transfer.offer", "k1", "another body")
	require.ErrorIs(t, err, store.ErrIdempotencyMismatch)
}

// Two requests with one key race: the second waits for the first's claim to commit, then
// finds the key in flight.
func TestIdempotencyKey_ConcurrentClaimBeforeTheFirstCommitsIsInFlight(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	u, o := account(t, db, "idem-race")
	me := store.Tenant{OrgID: o.ID, UserID: u.ID}
	ctx := context.Background()

	tx, err := db.Pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	require.NoError(t, store.SetTenant(ctx, tx, me))
	c, err := store.ClaimIdempotencyKey(ctx, tx, "organization.message", "race", hashOf("body"), lease)
	require.NoError(t, err)
	require.Nil(t, c.Response)

	second := make(chan error, 1)
	go func() {
		_, err := claim(t, db, me, "organization.message", "race", "body")
		second <- err
	}()
	select {
	case err := <-second:
		t.Fatalf("the second claim did not wait for the first: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	require.NoError(t, tx.Commit(ctx))
	require.ErrorIs(t, <-second, store.ErrIdempotencyInFlight)
}

func TestIdempotencyKey_ScopeIsOrganizationUserAndOperation(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	u1, o1 := account(t, db, "idem-scope1")
	u2, o2 := account(t, db, "idem-scope2")
	for _, c := range []struct {
		name   string
		tenant store.Tenant
		op     string
	}{
		{"first", store.Tenant{OrgID: o1.ID, UserID: u1.ID}, "organization.message"},
		{"another organization", store.Tenant{OrgID: o2.ID, UserID: u2.ID}, "organization.message"},
		{"another user", store.Tenant{OrgID: o1.ID, UserID: u2.ID}, "organization.message"},
		{"another operation", store.Tenant{OrgID: o1.ID, UserID: u1.ID}, "transfer.offer"},
	} {
		got, err := claim(t, db, c.tenant, c.op, "same-key", "body of "+c.name)
		require.NoError(t, err, c.name)
		require.Nil(t, got.Response, c.name)
		require.False(t, got.Retried, c.name)
	}
	var visible int
	require.NoError(t, db.InTx(context.Background(), func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM idempotency_keys`).Scan(&visible)
	}))
	require.Zero(t, visible, "without a tenant no key is visible")
}

// A request refused with nothing changed forgets its key; one whose outcome is unknown, or
// whose process died past its lease, leaves it for a retry that knows it is one.
func TestIdempotencyKey_ReleasedOrLapsedKeyIsRetried(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	u, o := account(t, db, "idem-release")
	me := store.Tenant{OrgID: o.ID, UserID: u.ID}
	ctx := context.Background()
	release := func(key string, forget bool) {
		inTenant(t, db, me, func(tx pgx.Tx) error { return store.ReleaseIdempotencyKey(ctx, tx, "op", key, forget) })
	}

	_, err := claim(t, db, me, "op", "refused", "body")
	require.NoError(t, err)
	release("refused", true)
	c, err := claim(t, db, me, "op", "refused", "a corrected body")
	require.NoError(t, err, "a refused request's key is free for another")
	require.False(t, c.Retried)

	_, err = claim(t, db, me, "op", "unknown", "body")
	require.NoError(t, err)
	release("unknown", false)
	_, err = claim(t, db, me, "op", "unknown", "another body")
	require.ErrorIs(t, err, store.ErrIdempotencyMismatch)
	c, err = claim(t, db, me, "op", "unknown", "body")
	require.NoError(t, err)
	require.True(t, c.Retried)

	_, err = claim(t, db, me, "op", "lapsed", "body")
	require.NoError(t, err)
	_, err = testkit.AdminPool(t).Exec(ctx, `UPDATE idempotency_keys SET locked_until = now() - interval '1 second'
		WHERE org_id = $1 AND key = 'lapsed'`, o.ID)
	require.NoError(t, err)
	c, err = claim(t, db, me, "op", "lapsed", "body")
	require.NoError(t, err)
	require.True(t, c.Retried, "a claim whose lease lapsed is taken over")
}

func TestIdempotencyKey_ExpiresAfter24HoursAndIsSweptByTheOrganizationsNextClaim(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	admin := testkit.AdminPool(t)
	u1, o1 := account(t, db, "idem-expiry1")
	u2, o2 := account(t, db, "idem-expiry2")
	mine, theirs := store.Tenant{OrgID: o1.ID, UserID: u1.ID}, store.Tenant{OrgID: o2.ID, UserID: u2.ID}
	ctx := context.Background()

	for _, key := range []string{"kept", "stale"} {
		_, err := claim(t, db, mine, "op", key, "body")
		require.NoError(t, err)
		inTenant(t, db, mine, func(tx pgx.Tx) error {
			return store.SaveIdempotentResponse(ctx, tx, "op", key, store.StoredResponse{Status: 200, Body: []byte("{}\n")})
		})
	}
	_, err := claim(t, db, theirs, "op", "stale", "body")
	require.NoError(t, err)
	var ttl time.Duration
	require.NoError(t, admin.QueryRow(ctx, `SELECT extract(epoch FROM expires_at - created_at)::bigint * 1000000000
		FROM idempotency_keys WHERE org_id = $1 AND key = 'kept'`, o1.ID).Scan(&ttl))
	require.Equal(t, 24*time.Hour, ttl)

	_, err = admin.Exec(ctx, `UPDATE idempotency_keys SET expires_at = now() - interval '1 second'
		WHERE key IN ('kept', 'stale') AND org_id = ANY ($1)`, []any{o1.ID, o2.ID})
	require.NoError(t, err)

	c, err := claim(t, db, mine, "op", "kept", "another body")
	require.NoError(t, err, "an expired key is a new key")
	require.Nil(t, c.Response)
	require.False(t, c.Retried)

	count := func(org any, key string) (n int) {
		require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM idempotency_keys WHERE org_id = $1 AND key = $2`, org, key).Scan(&n))
		return n
	}
	require.Zero(t, count(o1.ID, "stale"), "the organization's expired keys are swept by its next claim")
	require.Equal(t, 1, count(o2.ID, "stale"), "another organization's are its own to sweep")
}
