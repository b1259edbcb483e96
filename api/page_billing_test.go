package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPages_BillingLeadsAnOwnerToFixThePayment(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "dunned")
	for _, stmt := range []string{
		`INSERT INTO billing_customers (org_id, stripe_customer_id, created_by)
			SELECT o.id, 'cus_' || o.public_id, u.id FROM organizations o, users u WHERE o.public_id = $1 AND u.public_id = $2`,
		`INSERT INTO subscriptions (stripe_subscription_id, org_id, stripe_customer_id, status, stripe_item_id, stripe_price_id, state_at)
			SELECT 'sub_' || public_id, id, 'cus_' || public_id, 'past_due', 'si_x', 'price_x', now()
			FROM organizations WHERE public_id = $1 AND $2 <> ''`,
		`INSERT INTO invoices (stripe_invoice_id, org_id, stripe_subscription_id, status, amount_due, currency, action_required,
			hosted_invoice_url, created, state_at)
			SELECT 'in_' || public_id, id, 'sub_' || public_id, 'open', 1900, 'usd', true, 'https://invoice.stripe.example/i/' || public_id, now(), now()
			FROM organizations WHERE public_id = $1 AND $2 <> ''`,
	} {
		_, err := b.Admin.Exec(t.Context(), stmt, o.ID, o.Owner.Tokens.UserID)
		require.NoError(t, err, stmt)
	}

	owner := b.browser(t)
	require.Equal(t, http.StatusSeeOther, owner.get(t, "/billing").Status)
	owner.logIn(t, o.Owner.Email)
	p := owner.get(t, "/billing")
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Your last renewal did not go through")
	require.Contains(t, p.Body, `id="invoice-in_`+o.ID+`"`, "the dunning email's link lands on the invoice")
	require.Contains(t, p.Body, "19.00 USD")
	require.Contains(t, p.Body, "Confirm the payment")
	require.Contains(t, p.Header.Get("Content-Security-Policy"), "form-action 'self' https://*.stripe.com;",
		"the buttons' redirects to Stripe are allowed: a browser checks form-action on them too")
	require.Contains(t, homeCSP(t, owner), "form-action 'self';", "other pages' forms stay on this site")

	// Each button asks Stripe for a page and goes there.
	p = owner.post(t, "/billing/portal", url.Values{})
	require.Equal(t, http.StatusSeeOther, p.Status, "%s", p.Body)
	require.Regexp(t, `^https://`, p.Header.Get("Location"), "to Stripe's billing portal")
	p = owner.post(t, "/billing/invoices/in_"+o.ID+"/pay", url.Values{})
	require.Equal(t, http.StatusSeeOther, p.Status, "%s", p.Body)
	require.Equal(t, "https://invoice.stripe.example/i/"+o.ID, p.Header.Get("Location"))

	// A keeper may not, and another organization's invoice is not found.
	keeper, _ := b.join(t, o, "keeper", "keeper")
	kb := b.browser(t)
	kb.logIn(t, keeper.Email)
	require.Contains(t, kb.get(t, "/").Body, `name="organization_id"`, "a member of two organizations may switch")
	require.Equal(t, http.StatusSeeOther, kb.post(t, "/organization?next=/billing", url.Values{"organization_id": {o.ID}}).Status)
	require.Equal(t, http.StatusForbidden, kb.get(t, "/billing").Status)
	other := b.browser(t)
	other.logIn(t, b.newOrg(t, "other").Owner.Email)
	other.get(t, "/")
	p = other.post(t, "/billing/invoices/in_"+o.ID+"/pay", url.Values{})
	require.Equal(t, http.StatusNotFound, p.Status, "%s", p.Body)
	require.NotContains(t, p.Header.Get("Location"), "invoice.stripe.example")
}

// homeCSP is the Content-Security-Policy of the home page.
func homeCSP(t *testing.T, br *browser) string {
	t.Helper()
	return br.get(t, "/").Header.Get("Content-Security-Policy")
}
