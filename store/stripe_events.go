package store

import (
	"context"
	"fmt"
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
}

// InsertStripeEvent keeps an event the first time it arrives: inserted is false when an event
// with its ID was received before, and then nothing is written. A concurrent delivery of the
// same event waits for the first one's transaction and is then a repeat.
func InsertStripeEvent(ctx context.Context, tx pgx.Tx, e StripeEvent) (inserted bool, err error) {
	var account *string
	if e.Account != "" {
		account = &e.Account
	}
	tag, err := tx.Exec(ctx, `INSERT INTO stripe_events (id, type, api_version, account, created, payload)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb)
		ON CONFLICT (id) DO NOTHING`, e.ID, e.Type, e.APIVersion, account, e.Created, string(e.Payload))
	if err != nil {
		return false, fmt.Errorf("keep stripe event %s: %w", e.ID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// MarkStripeEventProcessed records that the handler of an event has run.
func MarkStripeEventProcessed(ctx context.Context, tx pgx.Tx, id string) error {
	if _, err := tx.Exec(ctx, `UPDATE stripe_events SET processed_at = now() WHERE id = $1`, id); err != nil {
		return fmt.Errorf("mark stripe event %s processed: %w", id, err)
	}
	return nil
}

// StripeEventByID is a received event.
func StripeEventByID(ctx context.Context, q Querier, id string) (StripeEvent, error) {
	var e StripeEvent
	var account *string
	var payload string
	err := q.QueryRow(ctx, `SELECT id, type, api_version, account, created, payload::text, received_at, processed_at
		FROM stripe_events WHERE id = $1`, id).Scan(&e.ID, &e.Type, &e.APIVersion, &account, &e.Created, &payload,
		&e.ReceivedAt, &e.ProcessedAt)
	if err != nil {
		return StripeEvent{}, fmt.Errorf("read stripe event %s: %w", id, notFound(err))
	}
	if account != nil {
		e.Account = *account
	}
	e.Payload = []byte(payload)
	return e, nil
}

// LockStripeEvent reads a kept event and holds it until tx ends, so that one handler runs
// it at a time; ErrNotFound when it was never kept.
func LockStripeEvent(ctx context.Context, tx pgx.Tx, id string) (StripeEvent, error) {
	var e StripeEvent
	var payload string
	err := tx.QueryRow(ctx, `SELECT id, type, payload::text, processed_at FROM stripe_events WHERE id = $1 FOR UPDATE`, id).
		Scan(&e.ID, &e.Type, &payload, &e.ProcessedAt)
	if err != nil {
		return StripeEvent{}, fmt.Errorf("lock stripe event %s: %w", id, notFound(err))
	}
	e.Payload = []byte(payload)
	return e, nil
}
