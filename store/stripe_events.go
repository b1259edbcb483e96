package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// StripeEvent is a webhook event as Stripe sent it (table stripe_events), kept for audit and
// so that each event is processed once.
type StripeEvent struct {
	ID          string
	Type        string
	APIVersion  string
	Account     string // the connected account; empty for the platform's own events
	Created     time.Time
	Payload     []byte // the event's JSON (as jsonb keeps it: keys ordered, spacing dropped)
	ReceivedAt  time.Time
	ProcessedAt *time.Time
	// HandleLater, when keeping it: its handler runs in the worker after the delivery is
	// answered, due at once. HandleAt, when read: when the worker is next to run it (nil
	// when it is not to: handled, given up, or handled on arrival).
	HandleLater bool
	HandleAt    *time.Time
	// Attempts is how many times its handler has failed; LastError the last failure.
	Attempts  int
	LastError string
}

// InsertStripeEvent keeps an event the first time it arrives (q may be the pool, or a
// transaction the handler then runs in): inserted is false when an event with its ID was
// received before, and then nothing is written. A concurrent delivery of the same event
// waits for the first one's insert and is then a repeat.
func InsertStripeEvent(ctx context.Context, q Querier, e StripeEvent) (inserted bool, err error) {
	ins, err := InsertStripeEvents(ctx, q, []StripeEvent{e})
	if err != nil {
		return false, err
	}
	return ins[0], nil
}

// InsertStripeEvents keeps, in one statement, the events that arrive for the first time:
// inserted[i] is false when events[i] was received before, or is a repeat of an earlier
// event in the same batch.
func InsertStripeEvents(ctx context.Context, q Querier, events []StripeEvent) (inserted []bool, err error) {
	n := len(events)
	ids, types, versions, accounts := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]*string, 0, n)
	created, payloads, later := make([]time.Time, 0, n), make([]string, 0, n), make([]bool, 0, n)
	first := make(map[string]int, n)
	for i, e := range events {
		if _, seen := first[e.ID]; seen {
			continue
		}
		first[e.ID] = i
		var account *string
		if e.Account != "" {
			account = &e.Account
		}
		ids, types, versions, accounts = append(ids, e.ID), append(types, e.Type), append(versions, e.APIVersion), append(accounts, account)
		created, payloads, later = append(created, e.Created), append(payloads, string(e.Payload)), append(later, e.HandleLater)
	}
	rows, err := q.Query(ctx, `INSERT INTO stripe_events (id, type, api_version, account, created, payload, handle_at)
		SELECT id, type, api_version, account, created, payload::jsonb, CASE WHEN later THEN now() END
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::boolean[])
			AS e (id, type, api_version, account, created, payload, later)
		ON CONFLICT (id) DO NOTHING
		RETURNING id`, ids, types, versions, accounts, created, payloads, later)
	if err != nil {
		return nil, fmt.Errorf("keep %d stripe events: %w", len(ids), err)
	}
	kept, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("keep %d stripe events: %w", len(ids), err)
	}
	inserted = make([]bool, n)
	for _, id := range kept {
		inserted[first[id]] = true
	}
	return inserted, nil
}

// MarkStripeEventProcessed records that the handler of an event has run: it is due no more.
func MarkStripeEventProcessed(ctx context.Context, tx pgx.Tx, id string) error {
	if _, err := tx.Exec(ctx, `UPDATE stripe_events SET processed_at = now(), handle_at = NULL WHERE id = $1`, id); err != nil {
		return fmt.Errorf("mark stripe event %s processed: %w", id, err)
	}
	return nil
}

// StripeEventsDue says, in one statement, whether any event is due to be handled.
func StripeEventsDue(ctx context.Context, q Querier) (bool, error) {
	var due bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stripe_events WHERE handle_at <= now() AND processed_at IS NULL)`).Scan(&due); err != nil {
		return false, fmt.Errorf("look for due stripe events: %w", err)
	}
	return due, nil
}

// ClaimDueStripeEvent holds, until tx ends, the event longest due to be handled that no other
// transaction holds and nothing has processed (while a worker of an earlier release runs,
// one may process an event without clearing its handle_at); ErrNotFound when none is due.
func ClaimDueStripeEvent(ctx context.Context, tx pgx.Tx) (StripeEvent, error) {
	var e StripeEvent
	var payload string
	err := tx.QueryRow(ctx, `SELECT id, type, payload::text, attempts FROM stripe_events
		WHERE handle_at <= now() AND processed_at IS NULL ORDER BY handle_at LIMIT 1 FOR UPDATE SKIP LOCKED`).
		Scan(&e.ID, &e.Type, &payload, &e.Attempts)
	if err != nil {
		return StripeEvent{}, fmt.Errorf("claim a due stripe event: %w", notFound(err))
	}
	e.Payload = []byte(payload)
	return e, nil
}

// StripeEventFailed records that the handler of an event failed, for the attempts-th time,
// with failure: it is due again after retry, or, when retry is zero, no more (its tries are
// spent; it stays unprocessed, with its last error, for support).
func StripeEventFailed(ctx context.Context, tx pgx.Tx, id string, attempts int, retry time.Duration, failure string) error {
	const maxError = 2000
	failure = strings.ReplaceAll(failure, "\x00", "")
	if len(failure) > maxError {
		failure = failure[:maxError]
	}
	failure = strings.ToValidUTF8(failure, "")
	_, err := tx.Exec(ctx, `UPDATE stripe_events SET attempts = $2, last_error = $3,
		handle_at = CASE WHEN $4::bigint > 0 THEN now() + $4::bigint * interval '1 microsecond' END
		WHERE id = $1`, id, attempts, failure, retry.Microseconds())
	if err != nil {
		return fmt.Errorf("record stripe event %s failed: %w", id, err)
	}
	return nil
}

// StripeEventByID is a received event.
func StripeEventByID(ctx context.Context, q Querier, id string) (StripeEvent, error) {
	var e StripeEvent
	var account *string
	var payload string
	var lastError *string
	err := q.QueryRow(ctx, `SELECT id, type, api_version, account, created, payload::text, received_at, processed_at,
			handle_at, attempts, last_error
		FROM stripe_events WHERE id = $1`, id).Scan(&e.ID, &e.Type, &e.APIVersion, &account, &e.Created, &payload,
		&e.ReceivedAt, &e.ProcessedAt, &e.HandleAt, &e.Attempts, &lastError)
	if err != nil {
		return StripeEvent{}, fmt.Errorf("read stripe event %s: %w", id, notFound(err))
	}
	if account != nil {
		e.Account = *account
	}
	if lastError != nil {
		e.LastError = *lastError
	}
	e.Payload = []byte(payload)
	return e, nil
}
