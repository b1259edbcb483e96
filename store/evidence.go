package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Evidence is a photo a buyer sent with a reported problem (media.PutEvidence stores it).
type Evidence struct {
	ID           uuid.UUID
	OrderID      uuid.UUID
	OrgID        uuid.UUID // the buyer's organization
	OriginalKey  string
	ThumbnailKey string
	ContentType  string
	Bytes        int
	Width        int
	Height       int
	CreatedBy    uuid.UUID
	CreatedAt    time.Time
}

// InsertEvidence records photos of a problem with an order, as its buyer.
func InsertEvidence(ctx context.Context, tx pgx.Tx, es []Evidence) error {
	for _, e := range es {
		_, err := tx.Exec(ctx, `INSERT INTO order_evidence (id, order_id, org_id, original_key, thumbnail_key, content_type,
			bytes, width, height, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			e.ID, e.OrderID, e.OrgID, e.OriginalKey, e.ThumbnailKey, e.ContentType, e.Bytes, e.Width, e.Height, e.CreatedBy)
		if err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
	}
	return nil
}

// OrderEvidence lists the photos of problems with an order, oldest first, as a party to it
// sees them.
func OrderEvidence(ctx context.Context, q Querier, orderID uuid.UUID) ([]Evidence, error) {
	rows, err := q.Query(ctx, `SELECT id, order_id, org_id, original_key, thumbnail_key, content_type, bytes, width, height,
		created_by, created_at FROM order_evidence WHERE order_id = $1 ORDER BY created_at, id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Evidence, error) {
		var e Evidence
		err := row.Scan(&e.ID, &e.OrderID, &e.OrgID, &e.OriginalKey, &e.ThumbnailKey, &e.ContentType, &e.Bytes,
			&e.Width, &e.Height, &e.CreatedBy, &e.CreatedAt)
		return e, err
	})
}

// DeleteEvidence removes photos recorded for a report that was refused, as the buyer.
func DeleteEvidence(ctx context.Context, tx pgx.Tx, es []Evidence) error {
	ids := make([]uuid.UUID, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	if _, err := tx.Exec(ctx, `DELETE FROM order_evidence WHERE id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("delete evidence: %w", err)
	}
	return nil
}
