package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The seller's inventory: its listings as a seller sees them, by where each stands in a
// sale. It reads the listings table itself, in the seller's tenant.

// The states of a listing in the inventory.
const (
	InventoryListed   = "listed"   // active and free: a buyer may order it
	InventoryReserved = "reserved" // active, held by an open order
	InventorySold     = "sold"     // sold by a completed order
)

// InventoryItem is one of the seller's listings with its state and the order that holds or
// bought it, if any.
type InventoryItem struct {
	ListingPublicID string
	Title           string
	AnimalPublicID  string
	AnimalName      string
	SpeciesKey      string
	Price           int64
	Currency        string
	State           string
	OrderPublicID   string // the open order (reserved) or the completed one (sold)
	CreatedAt       time.Time
	SoldAt          *time.Time
}

// InventoryFilter selects a page of the inventory: the states wanted (empty: all three), after
// the listing afterPublicID (empty: from the start), at most Limit.
type InventoryFilter struct {
	States []string
	After  string
	Limit  int
}

// Inventory lists the tenant's listings that are listed, reserved or sold (not withdrawn),
// newest first.
func Inventory(ctx context.Context, q Querier, f InventoryFilter) ([]InventoryItem, error) {
	rows, err := q.Query(ctx, `WITH inv AS (
			SELECT l.id, l.public_id, l.title, l.animal_public_id, l.animal_name, l.species_key, l.price, l.currency,
				l.created_at, l.sold_at,
				CASE WHEN l.status = 'sold' THEN 'sold' WHEN l.reserved_by IS NOT NULL THEN 'reserved' ELSE 'listed' END AS state,
				coalesce((SELECT o.public_id FROM orders o WHERE o.listing_id = l.id
					AND (o.id = l.reserved_by OR (l.status = 'sold' AND o.status = 'completed'))
					ORDER BY o.created_at DESC LIMIT 1), '') AS order_public_id
			FROM listings l
			WHERE l.org_id = app_org_id() AND l.status IN ('active', 'sold'))
		SELECT public_id, title, animal_public_id, animal_name, species_key, price, currency, state, order_public_id,
			created_at, sold_at
		FROM inv
		WHERE (coalesce(cardinality($1::text[]), 0) = 0 OR state = ANY($1))
			AND ($2 = '' OR (created_at, id) < (SELECT created_at, id FROM listings WHERE public_id = $2))
		ORDER BY created_at DESC, id DESC LIMIT $3`, f.States, f.After, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list inventory: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (InventoryItem, error) {
		var i InventoryItem
		return i, r.Scan(&i.ListingPublicID, &i.Title, &i.AnimalPublicID, &i.AnimalName, &i.SpeciesKey, &i.Price,
			&i.Currency, &i.State, &i.OrderPublicID, &i.CreatedAt, &i.SoldAt)
	})
}
