package orders

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/sale"
)

// Detail is an order as its parties see it: the row, its timeline and the totals of its
// money in the ledger.
type Detail struct {
	Order    store.Order
	Timeline []store.OrderEntry
	Money    store.LedgerTotals
	// Evidence are the photos the buyer sent with the problem the sale took; none before.
	Evidence []store.Evidence
}

// Read reads the order with the public ID, in a tenant that is a party to it (another's is
// store.ErrNotFound), with its timeline and money.
func Read(ctx context.Context, q store.Querier, publicID string) (Detail, error) {
	o, err := store.OrderByPublicID(ctx, q, publicID)
	if err != nil {
		return Detail{}, err
	}
	return readRest(ctx, q, o)
}

func readRest(ctx context.Context, q store.Querier, o store.Order) (Detail, error) {
	timeline, err := store.OrderTimeline(ctx, q, o.ID)
	if err != nil {
		return Detail{}, err
	}
	money, err := store.OrderMoney(ctx, q, o.ID)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Order: o, Timeline: timeline, Money: money}
	if o.Problem != "" {
		// Photos count once the sale has taken the report they came with.
		if d.Evidence, err = store.OrderEvidence(ctx, q, o.ID); err != nil {
			return Detail{}, err
		}
	}
	return d, nil
}

// ReadForAdmin reads an order for a platform admin, who is no party to it: its parties are
// found by its public ID (store.OrderPartiesForAdmin, which answers platform admins only),
// then it is read in the seller's tenant as the admin. The returned tenant is the one to
// read it in again. An order that does not exist is store.ErrNotFound.
func ReadForAdmin(ctx context.Context, db *store.DB, admin store.Tenant, publicID string) (Detail, store.Tenant, error) {
	var parties store.OrderParties
	err := db.InTenant(ctx, admin, func(tx pgx.Tx) error {
		var err error
		parties, err = store.OrderPartiesForAdmin(ctx, tx, publicID)
		return err
	})
	if err != nil {
		return Detail{}, store.Tenant{}, err
	}
	id := parties.ID
	seller := store.Tenant{OrgID: parties.SellerOrgID, UserID: admin.UserID}
	var d Detail
	err = db.InTenant(ctx, seller, func(tx pgx.Tx) error {
		o, err := store.OrderByID(ctx, tx, id)
		if err != nil {
			return err
		}
		d, err = readRest(ctx, tx, o)
		return err
	})
	return d, seller, err
}

// answeredBy lists the timeline entries an update leaves when it takes effect.
var answeredBy = map[string][]string{
	sale.ShipUpdate:      {"shipped"},
	sale.DeliveredUpdate: {"delivered"},
	sale.ConfirmUpdate:   {"confirmed"},
	sale.ProblemUpdate:   {"problem_reported"},
	sale.CancelUpdate:    {string(sale.Cancelled)},
	sale.ResolveUpdate:   {string(sale.Completed), string(sale.Refunded)},
}

// Answered reports whether the order's timeline shows the update taken from the user with
// the public ID: a retried update whose sale has since ended took effect the first time.
func Answered(d Detail, update, userPublicID string) bool {
	kinds := answeredBy[update]
	return slices.ContainsFunc(d.Timeline, func(e store.OrderEntry) bool {
		return e.ActorPublicID == userPublicID && slices.Contains(kinds, e.Kind)
	})
}
