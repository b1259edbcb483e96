package marketplace_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/marketplace"
	"github.com/reptidex/reptidex/store"
)

func TestReadiness_NamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		acct    store.SellerAccount
		reasons []string // nil: ready
	}{
		{"charges and payouts enabled", store.SellerAccount{ChargesEnabled: true, PayoutsEnabled: true}, nil},
		{"ready with requirements due later", store.SellerAccount{ChargesEnabled: true, PayoutsEnabled: true,
			RequirementsDue: []string{"individual.id_number"}}, nil},
		{"nothing enabled", store.SellerAccount{RequirementsDue: []string{"external_account", "individual.dob.day"}}, []string{
			"charges are not enabled on its Stripe account", "payouts are not enabled on its Stripe account",
			"Stripe still needs: external_account, individual.dob.day"}},
		{"charges only", store.SellerAccount{ChargesEnabled: true}, []string{"payouts are not enabled on its Stripe account"}},
		{"payouts only", store.SellerAccount{PayoutsEnabled: true, RequirementsDue: []string{"tos_acceptance.date"}}, []string{
			"charges are not enabled on its Stripe account", "Stripe still needs: tos_acceptance.date"}},
		{"disabled by Stripe", store.SellerAccount{PayoutsEnabled: true, DisabledReason: "rejected.fraud"}, []string{
			"charges are not enabled on its Stripe account", "Stripe disabled the account (rejected.fraud)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := marketplace.Readiness(tc.acct)
			if tc.reasons == nil {
				require.Nil(t, e)
				return
			}
			require.NotNil(t, e)
			require.Equal(t, tc.reasons, e.Reasons())
			require.ErrorIs(t, e, marketplace.ErrNotReady)
			for _, r := range tc.reasons {
				require.Contains(t, e.Error(), r)
			}
		})
	}
}

func TestRequireSeller_RefusesUntilChargesAndPayoutsAreEnabled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var nr *marketplace.NotReadyError

	err := b.requireSeller(t)
	require.ErrorAs(t, err, &nr)
	require.True(t, nr.NoAccount)
	require.Equal(t, []string{"the organization has no seller account"}, nr.Reasons())

	created := b.create(t)
	steps := []struct {
		account stripe.Account
		check   func(*marketplace.NotReadyError)
	}{
		{stripe.Account{Requirements: &stripe.AccountRequirements{CurrentlyDue: []string{"external_account"}}},
			func(nr *marketplace.NotReadyError) {
				require.False(t, nr.NoAccount)
				require.True(t, nr.ChargesDisabled)
				require.True(t, nr.PayoutsDisabled)
				require.Equal(t, []string{"external_account"}, nr.RequirementsDue)
			}},
		{stripe.Account{ChargesEnabled: true, Requirements: &stripe.AccountRequirements{PastDue: []string{"external_account"}}},
			func(nr *marketplace.NotReadyError) {
				require.False(t, nr.ChargesDisabled)
				require.True(t, nr.PayoutsDisabled)
				require.Equal(t, []string{"external_account"}, nr.RequirementsDue)
			}},
		{stripe.Account{PayoutsEnabled: true}, func(nr *marketplace.NotReadyError) {
			require.True(t, nr.ChargesDisabled)
			require.False(t, nr.PayoutsDisabled)
			require.Empty(t, nr.RequirementsDue)
		}},
	}
	for _, s := range steps {
		s.account.ID = created.StripeAccountID
		_, err := b.apply(t, &s.account)
		require.NoError(t, err)
		err = b.requireSeller(t)
		nr = nil
		require.ErrorAs(t, err, &nr)
		s.check(nr)
	}

	_, err = b.apply(t, &stripe.Account{ID: created.StripeAccountID, ChargesEnabled: true, PayoutsEnabled: true})
	require.NoError(t, err)
	require.NoError(t, b.requireSeller(t))

	// Stripe disabling payouts again stops the organization selling again.
	_, err = b.apply(t, &stripe.Account{ID: created.StripeAccountID, ChargesEnabled: true,
		Requirements: &stripe.AccountRequirements{PastDue: []string{"individual.verification.document"}, DisabledReason: "requirements.past_due"}})
	require.NoError(t, err)
	err = b.requireSeller(t)
	require.True(t, errors.As(err, &nr))
	require.Contains(t, err.Error(), "individual.verification.document")
}

func TestRequireSeller_AnotherOrganizationsAccountDoesNotCount(t *testing.T) {
	t.Parallel()
	seller := setup(t)
	created := seller.create(t)
	_, err := seller.apply(t, &stripe.Account{ID: created.StripeAccountID, ChargesEnabled: true, PayoutsEnabled: true})
	require.NoError(t, err)
	require.NoError(t, seller.requireSeller(t))

	other := setup(t)
	var nr *marketplace.NotReadyError
	require.ErrorAs(t, other.requireSeller(t), &nr)
	require.True(t, nr.NoAccount)
}
