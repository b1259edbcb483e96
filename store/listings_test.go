package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// seller is an organization with listings written straight through the store (the
// marketplace's rules are tested with its commands).
type seller struct {
	db   *store.DB
	user store.User
	org  store.Organization
}

func newSeller(t *testing.T, prefix string) seller {
	t.Helper()
	db := testkit.DB(t)
	u, o := account(t, db, prefix)
	return seller{db: db, user: u, org: o}
}

func (s seller) inTenant(t *testing.T, fn func(context.Context, pgx.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	return s.db.InTenant(ctx, store.Tenant{OrgID: s.org.ID, UserID: s.user.ID}, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

// list registers an animal of species with genetics and lists it at price (usd).
func (s seller) list(t *testing.T, species, geneticsText string, price int64) store.Listing {
	t.Helper()
	var l store.Listing
	require.NoError(t, s.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		a := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: species, Sex: genetics.Female,
			Status: "active", Visibility: "organization", GeneticsText: geneticsText}
		if err := store.InsertAnimal(ctx, tx, a); err != nil {
			return err
		}
		id := uuid.New()
		if err := store.HoldAnimal(ctx, tx, a.ID, id); err != nil {
			return err
		}
		var err error
		l, err = store.InsertListing(ctx, tx, store.Listing{ID: id, PublicID: store.NewPublicID(), AnimalID: a.ID,
			Price: price, Currency: "usd", Title: geneticsText, ShipsWithinDays: 3, ShipRegions: []string{"US"},
			LiveArrivalHours: 48, AnimalPublicID: a.PublicID, SpeciesKey: species, Sex: a.Sex, GeneticsText: geneticsText,
			CreatedBy: s.user.ID})
		return err
	}))
	return l
}

func publicIDs(ls []store.Listing) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.PublicID)
	}
	return out
}

func TestBrowseListings_FiltersSortsAndPagesByTheSortKey(t *testing.T) {
	t.Parallel()
	s := newSeller(t, "browse")
	cheap := s.list(t, "ball-python", "Pastel Clown", 15000)
	mid := s.list(t, "ball-python", "Het Clown Pastel", 30000)
	tie := s.list(t, "ball-python", "Mojave", 30000)
	dear := s.list(t, "leopard-gecko", "Tremper Albino", 90000)
	ctx := context.Background()
	browse := func(f store.BrowseFilter) []string {
		t.Helper()
		f.Breeder = s.org.PublicID
		if f.Limit == 0 {
			f.Limit = 10
		}
		ls, err := store.BrowseListings(ctx, s.db.Pool, f)
		require.NoError(t, err)
		return publicIDs(ls)
	}
	// The two at 30000 follow each other by ID, whichever way the price goes.
	low, high := mid.PublicID, tie.PublicID
	if tie.ID.String() < mid.ID.String() {
		low, high = high, low
	}

	require.Equal(t, []string{dear.PublicID, tie.PublicID, mid.PublicID, cheap.PublicID}, browse(store.BrowseFilter{}), "newest first")
	require.Equal(t, []string{cheap.PublicID, low, high, dear.PublicID}, browse(store.BrowseFilter{Sort: store.SortPriceAsc}))
	require.Equal(t, []string{dear.PublicID, high, low, cheap.PublicID}, browse(store.BrowseFilter{Sort: store.SortPriceDesc}))
	require.Equal(t, []string{dear.PublicID}, browse(store.BrowseFilter{Species: "leopard-gecko"}))
	require.Equal(t, []string{mid.PublicID, cheap.PublicID}, browse(store.BrowseFilter{Genes: []string{"clown", "PASTEL"}}),
		"every gene, in any case")
	require.Empty(t, browse(store.BrowseFilter{Genes: []string{"clown", "mojave"}}))
	require.Empty(t, browse(store.BrowseFilter{Genes: []string{"%"}}), "a wildcard is a literal character")
	require.Equal(t, []string{tie.PublicID, mid.PublicID}, browse(store.BrowseFilter{MinPrice: 20000, MaxPrice: 50000}))
	require.Empty(t, browse(store.BrowseFilter{Currency: "eur"}))

	// Pages of one follow the sort key, each listing once.
	for _, sort := range []string{store.SortNewest, store.SortPriceAsc, store.SortPriceDesc} {
		all := browse(store.BrowseFilter{Sort: sort})
		var paged []string
		after := ""
		for range 5 {
			page := browse(store.BrowseFilter{Sort: sort, After: after, Limit: 1})
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			after = page[0]
		}
		require.Equal(t, all, paged, sort)
	}

	// A cursor whose listing has left the market since still places the next page, read
	// by anyone; one naming no listing at all says so.
	require.NoError(t, s.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := store.WithdrawListing(ctx, tx, mid.ID)
		return err
	}))
	require.Equal(t, []string{cheap.PublicID}, browse(store.BrowseFilter{After: mid.PublicID}), "newest first, after the withdrawn one")
	require.Equal(t, []string{tie.PublicID, cheap.PublicID}, browse(store.BrowseFilter{After: dear.PublicID}))
	afterMid := browse(store.BrowseFilter{Sort: store.SortPriceAsc, After: mid.PublicID})
	if low == mid.PublicID {
		require.Equal(t, []string{tie.PublicID, dear.PublicID}, afterMid)
	} else {
		require.Equal(t, []string{dear.PublicID}, afterMid)
	}
	_, err := store.BrowseListings(ctx, s.db.Pool, store.BrowseFilter{After: store.NewPublicID(), Limit: 5})
	require.ErrorIs(t, err, store.ErrCursorGone)
}

func TestListings_RowLevelSecurity(t *testing.T) {
	t.Parallel()
	s := newSeller(t, "listing-rls")
	other := newSeller(t, "listing-rls-other")
	open := s.list(t, "ball-python", "Banana", 20000)
	closed := s.list(t, "ball-python", "Piebald", 50000)
	ctx := context.Background()
	require.NoError(t, s.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		ok, err := store.WithdrawListing(ctx, tx, closed.ID)
		require.True(t, ok)
		return err
	}))

	// Anyone sees the active listing, only the seller the withdrawn one.
	got, err := store.ListingByPublicID(ctx, s.db.Pool, open.PublicID)
	require.NoError(t, err)
	require.Equal(t, s.org.PublicID, got.OrgPublicID)
	_, err = store.ListingByPublicID(ctx, s.db.Pool, closed.PublicID)
	require.ErrorIs(t, err, store.ErrNotFound, "anonymous")
	ls, err := store.BrowseListings(ctx, s.db.Pool, store.BrowseFilter{Breeder: s.org.PublicID, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{open.PublicID}, publicIDs(ls), "anonymous browse sees active listings only")

	require.NoError(t, other.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := store.ListingByPublicID(ctx, tx, closed.PublicID)
		require.ErrorIs(t, err, store.ErrNotFound, "another tenant")
		_, err = store.LockListing(ctx, tx, open.PublicID)
		require.ErrorIs(t, err, store.ErrNotFound, "another tenant cannot lock an active listing")
		changed := open
		changed.Price = 1
		_, err = store.UpdateListing(ctx, tx, changed, open.Version)
		require.ErrorIs(t, err, store.ErrStale, "another tenant's update changes nothing")
		ok, err := store.WithdrawListing(ctx, tx, open.ID)
		require.False(t, ok)
		require.NoError(t, err)
		own, err := store.OwnListings(ctx, tx, "", "", 10)
		require.Empty(t, own)
		return err
	}))

	require.NoError(t, s.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		got, err := store.ListingByPublicID(ctx, tx, closed.PublicID)
		require.NoError(t, err)
		require.Equal(t, "withdrawn", got.Status)
		require.NotNil(t, got.WithdrawnAt)
		own, err := store.OwnListings(ctx, tx, "", "", 10)
		require.NoError(t, err)
		require.Equal(t, []string{closed.PublicID, open.PublicID}, publicIDs(own), "newest first, whatever the status")
		withdrawn, err := store.OwnListings(ctx, tx, "withdrawn", "", 10)
		require.NoError(t, err)
		require.Equal(t, []string{closed.PublicID}, publicIDs(withdrawn))
		page, err := store.OwnListings(ctx, tx, "", closed.PublicID, 10)
		require.NoError(t, err)
		require.Equal(t, []string{open.PublicID}, publicIDs(page))
		got, err = store.ListingByID(ctx, tx, open.ID)
		require.Equal(t, int64(20000), got.Price, "unchanged by the other tenant")
		return err
	}))
}
