// Package orders holds the commands of the sale process (workflows/sale) that requests and
// jobs make, each in the caller's transaction: placing an order, and reading orders and
// inventory for the parties. The workflow itself reaches the database only through its
// activities.
package orders

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
)

// NewOrder is a buyer's order of a listing, validated by the caller.
type NewOrder struct {
	ListingPublicID string
	// What the buyer was shown: the order is refused if the listing's price or currency
	// has changed since.
	Amount   int64
	Currency string
	ShipTo   string // ISO 3166-1 alpha-2, upper case
	// The buying organization (the transaction's tenant) and the person ordering, an owner
	// or admin of it with a verified email address.
	BuyerOrgID  uuid.UUID
	BuyerUserID uuid.UUID
}

// Refusals of an order; a listing withdrawn or sold is store.ErrListingNotForSale, one
// another buyer holds store.ErrListingReserved.
var (
	ErrListingNotFound = errors.New("no listing has this ID")
	ErrOwnListing      = errors.New("an organization cannot order its own listing")
	ErrPriceChanged    = errors.New("the listing's price or currency is not the one ordered")
	ErrNotShipped      = errors.New("the seller does not ship to that country")
	ErrSellerNotReady  = errors.New("the seller cannot take payments now")
)

// Place records an order of a listing — reserving it for the buyer until the payment window
// closes (the database refuses a second open order of it) — with its timeline and event, and
// enqueues the start of its sale, all in tx. The platform's fee is taken from terms.
func Place(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], terms config.Sales, o NewOrder) (store.Order, error) {
	l, err := store.ListingToOrder(ctx, tx, o.ListingPublicID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Order{}, ErrListingNotFound
	case err != nil:
		return store.Order{}, err
	case l.OrgID == o.BuyerOrgID:
		return store.Order{}, ErrOwnListing
	case l.Status != "active":
		return store.Order{}, store.ErrListingNotForSale
	case l.Reserved:
		return store.Order{}, store.ErrListingReserved
	case l.Price != o.Amount || l.Currency != o.Currency:
		return store.Order{}, ErrPriceChanged
	case !slices.Contains(l.ShipRegions, o.ShipTo):
		return store.Order{}, ErrNotShipped
	case !l.SellerReady:
		return store.Order{}, ErrSellerNotReady
	}
	order, err := store.InsertOrder(ctx, tx, store.Order{ID: uuid.New(), PublicID: store.NewPublicID(), ListingID: l.ID,
		OrgID: l.OrgID, BuyerOrgID: o.BuyerOrgID, BuyerUserID: o.BuyerUserID, AnimalID: l.AnimalID, Amount: l.Price,
		Currency: l.Currency, PlatformFee: Fee(l.Price, terms.FeeBasisPoints), ShipsWithinDays: l.ShipsWithinDays,
		LiveArrivalHours: l.LiveArrivalHours, ShipTo: o.ShipTo, PaymentDueAt: time.Now().Add(terms.PaymentWindow)})
	if err != nil {
		return store.Order{}, err
	}
	if err := store.AppendEvent(ctx, tx, "order.placed", "order", order.PublicID,
		map[string]any{"listing_id": order.ListingPublicID, "amount": order.Amount, "currency": order.Currency}); err != nil {
		return store.Order{}, err
	}
	if _, err := queue.InsertTx(ctx, tx, jobs.StartSaleArgs{OrderID: order.ID, SellerOrgID: order.OrgID}, nil); err != nil {
		return store.Order{}, fmt.Errorf("enqueue sale start: %w", err)
	}
	return order, nil
}

// Fee is the platform's fee on a price, in basis points, rounded down.
func Fee(price int64, basisPoints int) int64 { return price * int64(basisPoints) / 10000 }
