package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPages_SellerOnboardingReturnsToItsStatus(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ready, fresh := b.newOrg(t, "ready"), b.newOrg(t, "fresh")
	b.readySeller(t, ready)

	br := b.browser(t)
	require.Equal(t, http.StatusSeeOther, br.get(t, "/seller/onboarding/return").Status, "to the login page first")
	br.logIn(t, ready.Owner.Email)
	p := br.get(t, "/seller/onboarding/return")
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Your organization can sell")

	nb := b.browser(t)
	nb.logIn(t, fresh.Owner.Email)
	p = nb.get(t, "/seller/onboarding/return")
	require.Equal(t, http.StatusOK, p.Status)
	require.Contains(t, p.Body, "no seller account yet")
	p = nb.get(t, "/seller/onboarding/refresh")
	require.Equal(t, http.StatusNotFound, p.Status, "no account to onboard: %s", p.Body)
	require.Contains(t, p.Body, "no seller account yet")

	// An expired link brings the seller to a fresh one at Stripe.
	p = br.get(t, "/seller/onboarding/refresh")
	require.Equal(t, http.StatusSeeOther, p.Status, "%s", p.Body)
	require.Regexp(t, `^https://`, p.Header.Get("Location"))

	keeper, _ := b.join(t, ready, "keeper", "keeper")
	kb := b.browser(t)
	kb.logIn(t, keeper.Email)
	kb.get(t, "/")
	kb.post(t, "/organization", map[string][]string{"organization_id": {ready.ID}})
	require.Equal(t, http.StatusForbidden, kb.get(t, "/seller/onboarding/return").Status)
}
