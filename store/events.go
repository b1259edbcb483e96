package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Event is a domain event: a business fact, appended in the transaction that makes it true.
type Event struct {
	ID            int64
	OrgID         uuid.UUID
	Type          string // e.g. organization.created, member.added
	AggregateType string // e.g. organization, animal
	AggregateID   string // the aggregate's public ID
	ActorUserID   *uuid.UUID
	Payload       json.RawMessage
	OccurredAt    time.Time
}

// AppendEvent records an event for the transaction's organization and acting user.
func AppendEvent(ctx context.Context, tx pgx.Tx, typ, aggregateType, aggregateID string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", typ, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO events (org_id, type, aggregate_type, aggregate_id, actor_user_id, payload)
		VALUES (app_org_id(), $1, $2, $3, app_user_id(), $4)`, typ, aggregateType, aggregateID, body)
	if err != nil {
		return fmt.Errorf("append %s event: %w", typ, err)
	}
	return nil
}

// EventsOfAggregate lists the events of one aggregate visible to the tenant, oldest first.
func EventsOfAggregate(ctx context.Context, q Querier, aggregateType, aggregateID string) ([]Event, error) {
	rows, err := q.Query(ctx, `SELECT id, org_id, type, aggregate_type, aggregate_id, actor_user_id, payload, occurred_at
		FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY id`, aggregateType, aggregateID)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		err := r.Scan(&e.ID, &e.OrgID, &e.Type, &e.AggregateType, &e.AggregateID, &e.ActorUserID, &e.Payload, &e.OccurredAt)
		return e, err
	})
}

// CountEvents counts the tenant's events of a type within the last window, and says when
// the oldest of them leaves it.
func CountEvents(ctx context.Context, q Querier, typ string, window time.Duration) (int, time.Time, error) {
	return countWindow(ctx, q, typ, window, `SELECT count(*), min(occurred_at) FROM events
		WHERE org_id = app_org_id() AND type = $1 AND occurred_at > now() - $2::interval`)
}

// EventExists reports whether the tenant recorded an event of a type on an aggregate whose
// payload has the given value under key.
func EventExists(ctx context.Context, q Querier, typ, aggregateType, aggregateID, key, value string) (bool, error) {
	var yes bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE org_id = app_org_id() AND type = $1
		AND aggregate_type = $2 AND aggregate_id = $3 AND payload ->> $4 = $5)`, typ, aggregateType, aggregateID, key, value).Scan(&yes)
	if err != nil {
		return false, fmt.Errorf("find %s event: %w", typ, err)
	}
	return yes, nil
}

// LockOrganization serializes, until the transaction ends, the tenant organization's
// transactions that take the same named lock.
func LockOrganization(ctx context.Context, tx pgx.Tx, name string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || app_org_id()::text, 0))`, name)
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	return nil
}

// CountEventsByUser counts the acting user's events of a type within the last window, in
// every organization, and says when the oldest of them leaves it.
func CountEventsByUser(ctx context.Context, q Querier, typ string, window time.Duration) (int, time.Time, error) {
	return countWindow(ctx, q, typ, window, `SELECT n, oldest FROM events_by_acting_user($1, now() - $2::interval)`)
}

// CountEventsTo counts the events of a type sent to recipient within the last window, by
// every organization, and says when the oldest of them leaves it. Events name their
// recipient under the payload key "recipient".
func CountEventsTo(ctx context.Context, q Querier, typ, recipient string, window time.Duration) (int, time.Time, error) {
	return countWindow(ctx, q, typ, window, `SELECT n, oldest FROM events_to_recipient($1, $3, now() - $2::interval)`, recipient)
}

// CountTenantEventsTo counts the tenant organization's events of a type sent to recipient
// within the last window, and says when the oldest of them leaves it.
func CountTenantEventsTo(ctx context.Context, q Querier, typ, recipient string, window time.Duration) (int, time.Time, error) {
	return countWindow(ctx, q, typ, window, `SELECT count(*), min(occurred_at) FROM events
		WHERE org_id = app_org_id() AND payload ? 'recipient' AND payload ->> 'recipient' = $3 AND type = $1
		AND occurred_at > now() - $2::interval`, recipient)
}

func countWindow(ctx context.Context, q Querier, typ string, window time.Duration, sql string, args ...any) (int, time.Time, error) {
	var (
		n      int
		oldest *time.Time
	)
	if err := q.QueryRow(ctx, sql, append([]any{typ, window}, args...)...).Scan(&n, &oldest); err != nil {
		return 0, time.Time{}, fmt.Errorf("count %s events: %w", typ, err)
	}
	if oldest == nil {
		return n, time.Time{}, nil
	}
	return n, oldest.Add(window), nil
}

// LockKey serializes, until the transaction ends, the transactions that take the same
// named lock, whatever their organization.
func LockKey(ctx context.Context, tx pgx.Tx, name string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, name); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	return nil
}
