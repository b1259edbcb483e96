package marketplace_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/marketplace"
	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// bundle is an organization in the test database, with a Stripe client to stripe-mock.
type bundle struct {
	db     *store.DB
	stripe *payments.Client
	owner  store.User
	org    store.Organization
}

func setup(t *testing.T) bundle {
	t.Helper()
	db := testkit.DB(t)
	u, o := registered.Organization(t, db, registered.Queue(t, db), "seller")
	st, err := payments.New(testkit.Config(t).Stripe)
	require.NoError(t, err)
	return bundle{db: db, stripe: st, owner: u, org: o}
}

func (b bundle) access(role membership.Role) store.Access {
	return store.Access{UserID: b.owner.ID, OrgID: b.org.ID, OrgPublicID: b.org.PublicID, Role: role}
}

// inTenant runs fn in a transaction of the bundle's organization.
func (b bundle) inTenant(t *testing.T, fn func(context.Context, pgx.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	return b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID, UserID: b.owner.ID}, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

// create makes the organization's seller account on stripe-mock.
func (b bundle) create(t *testing.T) store.SellerAccount {
	t.Helper()
	var acct store.SellerAccount
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		acct, _, err = marketplace.CreateSellerAccount(ctx, tx, b.stripe, b.access(membership.Owner), "US")
		return err
	}))
	return acct
}

// apply records account as an account.updated would.
func (b bundle) apply(t *testing.T, account *stripe.Account) (store.SellerAccount, error) {
	t.Helper()
	var acct store.SellerAccount
	err := b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		acct, err = marketplace.ApplyAccountUpdate(ctx, tx, account)
		return err
	})
	return acct, err
}

// requireSeller runs marketplace.RequireSeller for the bundle's organization.
func (b bundle) requireSeller(t *testing.T) error {
	t.Helper()
	return b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		return marketplace.RequireSeller(ctx, tx, b.org.ID)
	})
}

func TestCreateSellerAccount_CreatesOnceAndRecordsTheEvent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var first, second store.SellerAccount
	var created bool
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		first, created, err = marketplace.CreateSellerAccount(ctx, tx, b.stripe, b.access(membership.Owner), "US")
		return err
	}))
	require.True(t, created)
	require.Regexp(t, `^acct_`, first.StripeAccountID)
	require.Equal(t, "US", first.Country)
	require.Equal(t, b.org.ID, first.OrgID)
	require.Equal(t, b.owner.ID, first.CreatedBy)
	require.NotNil(t, first.RequirementsDue)

	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		second, created, err = marketplace.CreateSellerAccount(ctx, tx, b.stripe, b.access(membership.Admin), "US")
		return err
	}))
	require.False(t, created, "a second call returns the existing account")
	require.Equal(t, first, second)

	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		evs, err := store.EventsOfAggregate(ctx, tx, "organization", b.org.PublicID)
		var n int
		for _, e := range evs {
			if e.Type == "seller_account.created" {
				n++
			}
		}
		require.Equal(t, 1, n)
		return err
	}))
}

func TestCreateSellerAccount_Refusals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, tc := range []struct {
		name    string
		role    membership.Role
		country string
		want    error
	}{
		{"a keeper", membership.Keeper, "US", marketplace.ErrNotOwnerOrAdmin},
		{"a viewer", membership.Viewer, "US", marketplace.ErrNotOwnerOrAdmin},
		{"a lower-case country", membership.Owner, "us", marketplace.ErrInvalidCountry},
		{"a country name", membership.Owner, "USA", marketplace.ErrInvalidCountry},
		{"no country", membership.Owner, "", marketplace.ErrInvalidCountry},
	} {
		err := b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
			_, _, err := marketplace.CreateSellerAccount(ctx, tx, b.stripe, b.access(tc.role), tc.country)
			return err
		})
		require.ErrorIs(t, err, tc.want, tc.name)
	}
	require.ErrorIs(t, b.requireSeller(t), marketplace.ErrNotReady, "nothing was created")

	b.create(t)
	err := b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := marketplace.CreateSellerAccount(ctx, tx, b.stripe, b.access(membership.Owner), "GB")
		return err
	})
	require.ErrorIs(t, err, marketplace.ErrCountryMismatch)
}

func TestOnboardingLink_NeedsAnAccountAndAnOwnerOrAdmin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	link := func(role membership.Role) (marketplace.Link, error) {
		var l marketplace.Link
		err := b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
			l, err = marketplace.OnboardingLink(ctx, tx, b.stripe, b.access(role), "http://app.example/")
			return err
		})
		return l, err
	}
	_, err := link(membership.Owner)
	require.ErrorIs(t, err, marketplace.ErrNoSellerAccount)
	b.create(t)
	_, err = link(membership.Keeper)
	require.ErrorIs(t, err, marketplace.ErrNotOwnerOrAdmin)
	l, err := link(membership.Admin)
	require.NoError(t, err)
	require.NotEmpty(t, l.URL)
	require.False(t, l.ExpiresAt.IsZero())
}

func TestApplyAccountUpdate_RecordsWhatStripeSays(t *testing.T) {
	t.Parallel()
	b := setup(t)
	created := b.create(t)

	acct, err := b.apply(t, &stripe.Account{ID: created.StripeAccountID, ChargesEnabled: true, DetailsSubmitted: true,
		Requirements: &stripe.AccountRequirements{
			CurrentlyDue:   []string{"individual.dob.day", "external_account"},
			PastDue:        []string{"external_account", "tos_acceptance.date"},
			EventuallyDue:  []string{"individual.id_number"},
			DisabledReason: "requirements.past_due",
		}})
	require.NoError(t, err)
	require.True(t, acct.ChargesEnabled)
	require.False(t, acct.PayoutsEnabled)
	require.True(t, acct.DetailsSubmitted)
	require.Equal(t, []string{"external_account", "individual.dob.day", "tos_acceptance.date"}, acct.RequirementsDue,
		"currently and past due, sorted, each once; not what is due eventually")
	require.Equal(t, "requirements.past_due", acct.DisabledReason)
	require.Equal(t, created.Country, acct.Country, "the rest stays")
	require.Equal(t, created.CreatedBy, acct.CreatedBy)
	require.True(t, acct.UpdatedAt.After(created.UpdatedAt) || acct.UpdatedAt.Equal(created.UpdatedAt))

	var status store.SellerAccount
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		status, err = marketplace.SellerStatus(ctx, tx, b.org.ID)
		return err
	}))
	require.Equal(t, acct, status, "stored")

	// A later update replaces the state, requirements included.
	acct, err = b.apply(t, &stripe.Account{ID: created.StripeAccountID, ChargesEnabled: true, PayoutsEnabled: true,
		DetailsSubmitted: true})
	require.NoError(t, err)
	require.True(t, acct.PayoutsEnabled)
	require.Empty(t, acct.RequirementsDue)
	require.NotNil(t, acct.RequirementsDue)
	require.Empty(t, acct.DisabledReason)
}

func TestApplyAccountUpdate_RefusesAnAccountNotTheOrganizations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.apply(t, &stripe.Account{ID: "acct_nobody", ChargesEnabled: true})
	require.ErrorIs(t, err, marketplace.ErrUnknownAccount, "the organization has no account yet")
	created := b.create(t)
	_, err = b.apply(t, &stripe.Account{ID: "acct_someoneelse", ChargesEnabled: true, PayoutsEnabled: true})
	require.ErrorIs(t, err, marketplace.ErrUnknownAccount)
	_, err = b.apply(t, nil)
	require.ErrorIs(t, err, marketplace.ErrUnknownAccount)

	// Another organization's transaction cannot touch this one's account, even by its ID.
	other := setup(t)
	_, err = other.apply(t, &stripe.Account{ID: created.StripeAccountID, ChargesEnabled: true, PayoutsEnabled: true})
	require.ErrorIs(t, err, marketplace.ErrUnknownAccount)
	require.ErrorIs(t, b.requireSeller(t), marketplace.ErrNotReady, "still not ready")
}

func TestOrganizationOfAccount_FollowsTheMetadata(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	id, err := marketplace.OrganizationOfAccount(ctx, b.db.Pool, &stripe.Account{ID: "acct_x",
		Metadata: map[string]string{"organization_id": b.org.PublicID}})
	require.NoError(t, err)
	require.Equal(t, b.org.ID, id)
	for _, a := range []*stripe.Account{nil, {ID: "acct_x"}, {ID: "acct_x", Metadata: map[string]string{"organization_id": "nope"}}} {
		_, err := marketplace.OrganizationOfAccount(ctx, b.db.Pool, a)
		require.ErrorIs(t, err, marketplace.ErrUnknownAccount)
	}
}
