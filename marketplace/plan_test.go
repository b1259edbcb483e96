package marketplace_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/marketplace"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

// setPlan moves the bundle's organization to plan key through billing.SetPlan.
func (b bundle) setPlan(t *testing.T, key string) billing.Change {
	t.Helper()
	var c billing.Change
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		c, err = billing.SetPlan(ctx, tx, &notify.Notifier{River: registered.Queue(t, b.db)}, b.org.ID, key, "test")
		return err
	}))
	return c
}

func (b bundle) listing(t *testing.T, id string) store.Listing {
	t.Helper()
	var l store.Listing
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		l, err = store.ListingByPublicID(ctx, tx, id)
		return err
	}))
	return l
}

func TestPlan_ListingLimitRefusesTheNextListingWithTheNamedLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.ready(t)
	for range 3 {
		_, err := b.list(t, b.animal(t, nil).PublicID, terms())
		require.NoError(t, err)
	}
	_, err := b.list(t, b.animal(t, nil).PublicID, terms())
	var limit *billing.LimitError
	require.ErrorAs(t, err, &limit)
	require.Equal(t, billing.LimitError{Limit: billing.ActiveListings, Plan: "free", PlanName: "Free", Used: 3, Allowed: 3}, *limit)
}

// A downgrade pauses the newest listings beyond the new limit (never one an order holds), a
// paused listing resumes only within the limit, and an upgrade puts every paused listing
// back on sale at once.
func TestPlan_DowngradePausesListingsAndUpgradeRestoresThem(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.ready(t)
	registered.GrantPlan(t, b.db, b.org.ID, "pro")
	ids := b.listings(t, 5)
	// An order holds the newest listing: a sale under way is never paused.
	_, err := testkit.AdminPool(t).Exec(context.Background(), `UPDATE listings SET reserved_by = $1 WHERE public_id = $2`,
		uuid.New(), ids[4])
	require.NoError(t, err)

	c := b.setPlan(t, "free")
	require.True(t, c.Changed)
	require.Equal(t, "pro", c.From)
	require.ElementsMatch(t, ids[2:4], c.Paused, "the newest unreserved listings beyond 3 are paused; the reserved one is kept")
	for i, want := range []string{"active", "active", "paused", "paused", "active"} {
		l := b.listing(t, ids[i])
		require.Equal(t, want, l.Status, "listing %d", i)
		require.NotNil(t, b.heldBy(t, l.AnimalPublicID), "a paused listing keeps its animal")
	}
	require.Equal(t, 1, b.events(t, "listing.paused", ids[2]))

	// Within the limit no paused listing may resume; the listings stay, readable.
	_, err = b.resume(t, ids[2])
	var limit *billing.LimitError
	require.ErrorAs(t, err, &limit)
	require.Equal(t, billing.ActiveListings, limit.Limit)
	require.Equal(t, 3, limit.Used)

	// Withdrawing an active listing makes room: the seller resumes a paused one.
	_, err = testkit.AdminPool(t).Exec(context.Background(), `UPDATE listings SET reserved_by = NULL WHERE public_id = $1`, ids[4])
	require.NoError(t, err)
	b.withdraw(t, ids[0])
	l, err := b.resume(t, ids[2])
	require.NoError(t, err)
	require.Equal(t, "active", l.Status)
	// A paused listing can be withdrawn, which releases its animal.
	w := b.withdraw(t, ids[3])
	require.Equal(t, "withdrawn", w.Status)
	require.Nil(t, b.heldBy(t, w.AnimalPublicID))

	// An upgrade restores at once: at Free's limit, on Business two more, back to Free (both
	// paused), then Business again (both on sale).
	_, err = b.list(t, b.animal(t, nil).PublicID, terms())
	require.ErrorAs(t, err, &limit, "at Free's 3 active listings")
	registered.GrantPlan(t, b.db, b.org.ID, "business")
	var more []string
	for range 2 {
		l, err := b.list(t, b.animal(t, nil).PublicID, terms())
		require.NoError(t, err)
		more = append(more, l.PublicID)
	}
	registered.GrantPlan(t, b.db, b.org.ID, "")
	require.Equal(t, "free", b.plan(t))
	for _, id := range more {
		require.Equal(t, "paused", b.listing(t, id).Status)
	}
	registered.GrantPlan(t, b.db, b.org.ID, "business")
	require.Equal(t, "business", b.plan(t))
	for _, id := range append([]string{ids[1], ids[2], ids[4]}, more...) {
		require.Equal(t, "active", b.listing(t, id).Status)
	}
}

func TestPlan_UpgradeResumesPausedListingsOldestFirstUpToTheNewLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.ready(t)
	registered.GrantPlan(t, b.db, b.org.ID, "business")
	ids := b.listings(t, 6)
	c := b.setPlan(t, "free")
	require.Len(t, c.Paused, 3)
	// A plan of 4 active listings resumes the oldest paused one only.
	key := "test-" + uuid.NewString()[:8]
	_, err := testkit.AdminPool(t).Exec(context.Background(), `INSERT INTO plans (key, name, active_listings, position)
		VALUES ($1, 'Four listings', 4, 50)`, key)
	require.NoError(t, err)
	c = b.setPlan(t, key)
	require.Equal(t, []string{ids[3]}, c.Resumed)
	require.Equal(t, "paused", b.listing(t, ids[4]).Status)
	// Setting the same plan again does nothing.
	c = b.setPlan(t, key)
	require.False(t, c.Changed)
	require.Empty(t, c.Resumed)
}

func (b bundle) resume(t *testing.T, id string) (store.Listing, error) {
	t.Helper()
	var l store.Listing
	err := b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		l, err = marketplace.ResumeListing(ctx, tx, id)
		return err
	})
	return l, err
}

func (b bundle) withdraw(t *testing.T, id string) store.Listing {
	t.Helper()
	var l store.Listing
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		l, err = marketplace.WithdrawListing(ctx, tx, id)
		return err
	}))
	return l
}

func (b bundle) plan(t *testing.T) string {
	t.Helper()
	var p store.Plan
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		p, err = store.OrganizationPlan(ctx, tx)
		return err
	}))
	return p.Key
}

// listings lists n new animals of the organization, oldest first, and returns the listings'
// public IDs.
func (b bundle) listings(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		l, err := b.list(t, b.animal(t, nil).PublicID, terms())
		require.NoError(t, err)
		ids = append(ids, l.PublicID)
	}
	return ids
}
