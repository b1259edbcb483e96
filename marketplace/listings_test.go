package marketplace_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/marketplace"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// ready gives the bundle's organization a seller account with charges and payouts enabled,
// recorded as an account.updated would (the account is the database's, not stripe-mock's).
func (b bundle) ready(t *testing.T) {
	t.Helper()
	acct := "acct_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := store.InsertSellerAccount(ctx, tx, store.SellerAccount{StripeAccountID: acct, Country: "US",
			RequirementsDue: []string{}, CreatedBy: b.owner.ID})
		return err
	}))
	_, err := b.apply(t, &stripe.Account{ID: acct, ChargesEnabled: true, PayoutsEnabled: true})
	require.NoError(t, err)
}

// animal registers an active animal of the bundle's organization, changed by adjust.
func (b bundle) animal(t *testing.T, adjust func(*store.Animal)) store.Animal {
	t.Helper()
	hatched := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	a := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: "ball-python", Sex: genetics.Female,
		Name: "Clementine", HatchDate: &hatched, Status: "active", Visibility: "organization", GeneticsText: "Pastel Clown"}
	if adjust != nil {
		adjust(&a)
	}
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error { return store.InsertAnimal(ctx, tx, a) }))
	return a
}

func terms() marketplace.Terms {
	return marketplace.Terms{Price: 25000, Currency: "USD", Title: "Pastel Clown female", Description: "Eating well.",
		ShipsWithinDays: 5, ShipRegions: []string{"us", "CA", "US"}, LiveArrivalHours: 48}
}

func (b bundle) list(t *testing.T, animalPublicID string, tm marketplace.Terms) (store.Listing, error) {
	t.Helper()
	var l store.Listing
	err := b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		l, err = marketplace.CreateListing(ctx, tx, b.access(membership.Owner), marketplace.NewListing{AnimalPublicID: animalPublicID, Terms: tm})
		return err
	})
	return l, err
}

func (b bundle) heldBy(t *testing.T, animalPublicID string) *uuid.UUID {
	t.Helper()
	var a store.Animal
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		a, err = store.AnimalByPublicID(ctx, tx, animalPublicID)
		return err
	}))
	return a.HeldBy
}

func (b bundle) events(t *testing.T, typ, listing string) int {
	t.Helper()
	n := 0
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		evs, err := store.EventsOfAggregate(ctx, tx, "listing", listing)
		for _, e := range evs {
			if e.Type == typ {
				n++
			}
		}
		return err
	}))
	return n
}

func TestCreateListing_SnapshotsAndHoldsTheAnimal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.ready(t)
	a := b.animal(t, nil)
	l, err := b.list(t, a.PublicID, terms())
	require.NoError(t, err)
	require.Equal(t, "active", l.Status)
	require.Nil(t, l.ReservedBy)
	require.Equal(t, int64(25000), l.Price)
	require.Equal(t, "usd", l.Currency, "lower case")
	require.Equal(t, []string{"US", "CA"}, l.ShipRegions, "upper case, each once, in order")
	require.Equal(t, a.PublicID, l.AnimalPublicID)
	require.Equal(t, "Clementine", l.AnimalName)
	require.Equal(t, "ball-python", l.SpeciesKey)
	require.Equal(t, genetics.Female, l.Sex)
	require.Equal(t, "2024-06-01", l.HatchDate.Format(time.DateOnly))
	require.Equal(t, "Pastel Clown", l.GeneticsText)
	require.Equal(t, b.org.PublicID, l.OrgPublicID)
	require.Equal(t, b.owner.ID, l.CreatedBy)
	require.Equal(t, &l.ID, b.heldBy(t, a.PublicID), "the listing holds the animal")
	require.Equal(t, 1, b.events(t, "listing.created", l.PublicID))

	_, err = b.list(t, a.PublicID, terms())
	require.ErrorIs(t, err, store.ErrOnHold, "one listing at a time")
}

func TestCreateListing_Refusals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.animal(t, nil)
	_, err := b.list(t, a.PublicID, terms())
	var nr *marketplace.NotReadyError
	require.ErrorAs(t, err, &nr, "no seller account")
	require.True(t, nr.NoAccount)

	b.ready(t)
	for _, tc := range []struct {
		name  string
		edit  func(*marketplace.Terms)
		field string
	}{
		{"no price", func(tm *marketplace.Terms) { tm.Price = 0 }, "price.amount"},
		{"a negative price", func(tm *marketplace.Terms) { tm.Price = -5 }, "price.amount"},
		{"above the maximum", func(tm *marketplace.Terms) { tm.Price = marketplace.MaxPrice + 1 }, "price.amount"},
		{"an unsupported currency", func(tm *marketplace.Terms) { tm.Currency = "xyz" }, "price.currency"},
		{"no title", func(tm *marketplace.Terms) { tm.Title = "  " }, "title"},
		{"ships in no time", func(tm *marketplace.Terms) { tm.ShipsWithinDays = 0 }, "shipping.ships_within_days"},
		{"ships in 31 days", func(tm *marketplace.Terms) { tm.ShipsWithinDays = 31 }, "shipping.ships_within_days"},
		{"no regions", func(tm *marketplace.Terms) { tm.ShipRegions = nil }, "shipping.regions"},
		{"a region name", func(tm *marketplace.Terms) { tm.ShipRegions = []string{"USA"} }, "shipping.regions"},
		{"a week and an hour", func(tm *marketplace.Terms) { tm.LiveArrivalHours = 169 }, "live_arrival_hours"},
	} {
		tm := terms()
		tc.edit(&tm)
		_, err := b.list(t, a.PublicID, tm)
		var fe marketplace.FieldErrors
		require.ErrorAs(t, err, &fe, tc.name)
		require.Equal(t, tc.field, fe[0].Field, tc.name)
	}
	require.Nil(t, b.heldBy(t, a.PublicID), "nothing was held")

	for name, adjust := range map[string]func(*store.Animal){
		"archived":  func(a *store.Animal) { now := time.Now(); a.ArchivedAt, a.Status = &now, "archived" },
		"deceased":  func(a *store.Animal) { a.Status = "deceased" },
		"reference": func(a *store.Animal) { a.IsReference = true },
	} {
		_, err := b.list(t, b.animal(t, adjust).PublicID, terms())
		require.ErrorIs(t, err, marketplace.ErrNotListable, name)
	}

	other := setup(t)
	theirs := other.animal(t, nil)
	_, err = b.list(t, theirs.PublicID, terms())
	require.ErrorIs(t, err, marketplace.ErrAnimalNotFound, "another organization's animal")
	_, err = b.list(t, "nope", terms())
	require.ErrorIs(t, err, marketplace.ErrAnimalNotFound)
}

func TestUpdateListing_WhileActiveAndUnreserved(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.ready(t)
	l, err := b.list(t, b.animal(t, nil).PublicID, terms())
	require.NoError(t, err)
	update := func(bb bundle, matches func(int) bool, tm marketplace.Terms) (store.Listing, error) {
		var u store.Listing
		err := bb.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
			u, err = marketplace.UpdateListing(ctx, tx, l.PublicID, matches, func(t *marketplace.Terms) { *t = tm })
			return err
		})
		return u, err
	}
	tm := terms()
	tm.Price, tm.Currency, tm.ShipRegions, tm.Title = 19900, "eur", []string{"de", "FR"}, "Reduced"
	u, err := update(b, func(v int) bool { return v == l.Version }, tm)
	require.NoError(t, err)
	require.Equal(t, int64(19900), u.Price)
	require.Equal(t, "eur", u.Currency)
	require.Equal(t, []string{"DE", "FR"}, u.ShipRegions)
	require.Equal(t, "Reduced", u.Title)
	require.Equal(t, l.Version+1, u.Version)
	require.Equal(t, l.AnimalName, u.AnimalName, "the animal as listed stays")

	_, err = update(b, func(v int) bool { return v == l.Version }, tm)
	require.ErrorIs(t, err, store.ErrStale, "a version that moved on")
	tm.Price = 0
	_, err = update(b, nil, tm)
	require.ErrorAs(t, err, new(marketplace.FieldErrors))

	other := setup(t)
	_, err = update(other, nil, terms())
	require.ErrorIs(t, err, marketplace.ErrListingNotFound, "another organization cannot change it")

	admin := testkit.AdminPool(t)
	_, err = admin.Exec(context.Background(), `UPDATE listings SET reserved_by = $2 WHERE id = $1`, l.ID, uuid.New())
	require.NoError(t, err)
	_, err = update(b, nil, terms())
	require.ErrorIs(t, err, marketplace.ErrReserved)
	_, err = admin.Exec(context.Background(), `UPDATE listings SET reserved_by = NULL WHERE id = $1`, l.ID)
	require.NoError(t, err)

	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := marketplace.WithdrawListing(ctx, tx, l.PublicID)
		return err
	}))
	_, err = update(b, nil, terms())
	require.ErrorIs(t, err, marketplace.ErrListingClosed)
}

func TestWithdrawListing_ReleasesTheAnimalUnlessAnOrderHoldsIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.ready(t)
	a := b.animal(t, nil)
	l, err := b.list(t, a.PublicID, terms())
	require.NoError(t, err)
	withdraw := func(bb bundle) (store.Listing, error) {
		var w store.Listing
		err := bb.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
			w, err = marketplace.WithdrawListing(ctx, tx, l.PublicID)
			return err
		})
		return w, err
	}

	admin := testkit.AdminPool(t)
	_, err = admin.Exec(context.Background(), `UPDATE listings SET reserved_by = $2 WHERE id = $1`, l.ID, uuid.New())
	require.NoError(t, err)
	_, err = withdraw(b)
	require.ErrorIs(t, err, marketplace.ErrReserved, "an order holds it")
	require.Equal(t, &l.ID, b.heldBy(t, a.PublicID))
	_, err = admin.Exec(context.Background(), `UPDATE listings SET reserved_by = NULL WHERE id = $1`, l.ID)
	require.NoError(t, err)

	_, err = withdraw(setup(t))
	require.ErrorIs(t, err, marketplace.ErrListingNotFound, "another organization")

	w, err := withdraw(b)
	require.NoError(t, err)
	require.Equal(t, "withdrawn", w.Status)
	require.NotNil(t, w.WithdrawnAt)
	require.Nil(t, b.heldBy(t, a.PublicID), "the animal is free again")
	again, err := withdraw(b)
	require.NoError(t, err, "withdrawing twice is fine")
	require.Equal(t, w, again)
	require.Equal(t, 1, b.events(t, "listing.withdrawn", l.PublicID))

	relisted, err := b.list(t, a.PublicID, terms())
	require.NoError(t, err, "a withdrawn listing's animal can be listed again")
	require.NotEqual(t, l.PublicID, relisted.PublicID)
}
