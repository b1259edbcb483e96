package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The records of Idempotency-Keys (table idempotency_keys). A key's scope is the tenant's
// organization and user, set on the transaction, and an operation the caller names; the same
// key in another organization, of another user or for another operation is another key.

// ErrIdempotencyMismatch is a key already used, in its scope, for a different request.
var ErrIdempotencyMismatch = errors.New("idempotency key used for a different request")

// ErrIdempotencyInFlight is a key whose first request is still being handled.
var ErrIdempotencyInFlight = errors.New("idempotency key in flight")

// IdempotencyTTL is how long a key is remembered after its first use.
const IdempotencyTTL = 24 * time.Hour

// sweepBatch bounds how many expired records of its organization one claim deletes, so that
// the sweep's cost per request is bounded however many keys expired since the last one.
const sweepBatch = 100

// StoredResponse is the answer a request got, kept to answer its retries.
type StoredResponse struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// IdempotencyClaim is the outcome of claiming a key: either a stored response to replay, or
// the key now locked for this request.
type IdempotencyClaim struct {
	// Response is the answer of an earlier request with this key; nil when this request runs.
	Response *StoredResponse
	// Retried says an earlier request with this key ended without an answer: it failed in a
	// way that leaves its outcome unknown, or its process died. The operation runs again.
	Retried bool
}

// ClaimIdempotencyKey claims a key for the tenant's operation, with the hash of what the
// request asks, for lease (longer than the request may run). It commits nothing itself: the
// caller commits the transaction at once, so that a concurrent request sees the claim. A key
// answered before with the same hash gives its response; with another hash,
// ErrIdempotencyMismatch; still locked by another request, ErrIdempotencyInFlight. Records
// past their expiry are forgotten, and up to a batch of the organization's are deleted.
func ClaimIdempotencyKey(ctx context.Context, tx pgx.Tx, operation, key string, hash []byte, lease time.Duration) (IdempotencyClaim, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
			SELECT ctid FROM idempotency_keys WHERE org_id = app_org_id() AND expires_at <= now()
			LIMIT $1 FOR UPDATE SKIP LOCKED))`, sweepBatch); err != nil {
		return IdempotencyClaim{}, fmt.Errorf("sweep idempotency keys: %w", err)
	}
	leaseSecs, ttlSecs := lease.Seconds(), IdempotencyTTL.Seconds()
	// A new key, or one whose record expired, is claimed afresh.
	tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys AS k (org_id, user_id, operation, key, request_hash, locked_until, expires_at)
		VALUES (app_org_id(), app_user_id(), $1, $2, $3, now() + make_interval(secs => $4), now() + make_interval(secs => $5))
		ON CONFLICT (org_id, user_id, operation, key) DO UPDATE
			SET request_hash = excluded.request_hash, locked_until = excluded.locked_until, response_status = NULL,
				response_headers = NULL, response_body = NULL, created_at = now(), expires_at = excluded.expires_at
			WHERE k.expires_at <= now()`, operation, key, hash, leaseSecs, ttlSecs)
	if err != nil {
		return IdempotencyClaim{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return IdempotencyClaim{}, nil
	}
	var (
		same, locked bool
		status       *int
		resp         StoredResponse
	)
	err = tx.QueryRow(ctx, `SELECT request_hash = $3, coalesce(locked_until > now(), false), response_status,
			coalesce(response_headers, '{}'), response_body
		FROM idempotency_keys WHERE org_id = app_org_id() AND user_id = app_user_id() AND operation = $1 AND key = $2
		FOR UPDATE`, operation, key, hash).Scan(&same, &locked, &status, &resp.Headers, &resp.Body)
	if err != nil {
		return IdempotencyClaim{}, fmt.Errorf("read idempotency key: %w", err)
	}
	switch {
	case !same:
		return IdempotencyClaim{}, ErrIdempotencyMismatch
	case status != nil:
		resp.Status = *status
		return IdempotencyClaim{Response: &resp}, nil
	case locked:
		return IdempotencyClaim{}, ErrIdempotencyInFlight
	}
	// The earlier request ended without an answer, or its lease lapsed: this one takes over.
	_, err = tx.Exec(ctx, `UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => $3)
		WHERE org_id = app_org_id() AND user_id = app_user_id() AND operation = $1 AND key = $2`, operation, key, leaseSecs)
	if err != nil {
		return IdempotencyClaim{}, fmt.Errorf("take over idempotency key: %w", err)
	}
	return IdempotencyClaim{Retried: true}, nil
}

// SaveIdempotentResponse stores the answer of the tenant's request that claimed a key and
// unlocks it. Called in the transaction of the operation's own writes, the answer is kept if
// and only if they are.
func SaveIdempotentResponse(ctx context.Context, q Querier, operation, key string, r StoredResponse) error {
	if r.Headers == nil {
		r.Headers = map[string]string{}
	}
	tag, err := q.Exec(ctx, `UPDATE idempotency_keys SET response_status = $3, response_headers = $4, response_body = $5, locked_until = NULL
		WHERE org_id = app_org_id() AND user_id = app_user_id() AND operation = $1 AND key = $2`,
		operation, key, r.Status, r.Headers, r.Body)
	if err != nil {
		return fmt.Errorf("save idempotent response: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("save idempotent response: key %s of %s: %w", key, operation, ErrNotFound)
	}
	return nil
}

// ReleaseIdempotencyKey unlocks the tenant's key whose request ended without an answer.
// forget deletes it, for a request that was refused and changed nothing (the key may be used
// again for any request); otherwise its record stays, so that a retry knows it is one.
func ReleaseIdempotencyKey(ctx context.Context, q Querier, operation, key string, forget bool) error {
	sql := `UPDATE idempotency_keys SET locked_until = NULL`
	if forget {
		sql = `DELETE FROM idempotency_keys`
	}
	_, err := q.Exec(ctx, sql+` WHERE org_id = app_org_id() AND user_id = app_user_id() AND operation = $1 AND key = $2
		AND response_status IS NULL`, operation, key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}
