package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/testkit"
)

const sellerAccountPath = "/api/v1/marketplace/seller-account"

// stripeCall is one request that reached Stripe.
type stripeCall struct {
	Method, Path, Key string
	Form              url.Values
}

// stripeRecorder stands in front of stripe-mock and records every request it passes on, as
// a test counts what reached Stripe. With fail set it answers 503 instead of passing it on.
type stripeRecorder struct {
	mu    sync.Mutex
	calls []stripeCall
	fail  bool
}

// recordStripe serves a recorder in front of the test stack's stripe-mock and points the
// API's Stripe client at it.
func recordStripe(t *testing.T, fail bool) (*stripeRecorder, option) {
	t.Helper()
	target, err := url.Parse(testkit.Config(t).Stripe.APIBase)
	require.NoError(t, err)
	rec := &stripeRecorder{fail: fail}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		form, err := url.ParseQuery(string(body))
		require.NoError(t, err)
		rec.mu.Lock()
		rec.calls = append(rec.calls, stripeCall{r.Method, r.URL.Path, r.Header.Get("Idempotency-Key"), form})
		rec.mu.Unlock()
		if rec.fail {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"error": {"type": "api_error", "message": "unavailable"}}`)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return rec, withConfig(func(c *config.Config) { c.Stripe.APIBase = srv.URL })
}

// to lists the recorded calls to a path.
func (s *stripeRecorder) to(path string) []stripeCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []stripeCall
	for _, c := range s.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

func TestSellerAccount_IsCreatedOnceUnderTheOrganizationsKey(t *testing.T) {
	t.Parallel()
	stripe, opt := recordStripe(t, false)
	b := setup(t, opt)
	o := b.newOrg(t, "seller")
	tok := o.Owner.Tokens.AccessToken

	requireProblem(t, b.do(t, http.MethodGet, sellerAccountPath, tok, nil), http.StatusNotFound, "not-found")

	r := b.do(t, http.MethodPost, sellerAccountPath, tok, map[string]any{"country": "US"})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	require.Regexp(t, `^acct_`, r.Body["stripe_account_id"])
	require.Equal(t, "US", r.Body["country"])
	require.Equal(t, false, r.Body["can_sell"], "stripe-mock's account has nothing enabled yet")
	require.NotEmpty(t, r.Body["missing"])

	calls := stripe.to("/v1/accounts")
	require.Len(t, calls, 1)
	c := calls[0]
	require.Equal(t, http.MethodPost, c.Method)
	require.Equal(t, "seller-account/"+o.ID+"/create", c.Key)
	require.Equal(t, "express", c.Form.Get("type"))
	require.Equal(t, "US", c.Form.Get("country"))
	require.Equal(t, strings.ToLower(o.Owner.Email), strings.ToLower(c.Form.Get("email")), "the owner's address")
	require.Equal(t, o.ID, c.Form.Get("metadata[organization_id]"))
	require.Equal(t, "true", c.Form.Get("capabilities[transfers][requested]"))
	require.Equal(t, "true", c.Form.Get("capabilities[card_payments][requested]"))

	again := b.do(t, http.MethodPost, sellerAccountPath, tok, map[string]any{"country": "US"})
	require.Equal(t, http.StatusOK, again.Status, "%s", again.Raw)
	require.Equal(t, r.Body, again.Body, "the same account")
	require.Len(t, stripe.to("/v1/accounts"), 1, "and no second request to Stripe")

	got := b.do(t, http.MethodGet, sellerAccountPath, tok, nil)
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Raw)
	require.Equal(t, r.Body, got.Body)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM seller_accounts s JOIN organizations o ON o.id = s.org_id
		WHERE o.public_id = $1 AND s.stripe_account_id = $2`, o.ID, r.Body["stripe_account_id"]))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM events WHERE type = 'seller_account.created' AND aggregate_id = $1`, o.ID))

	// Another organization sees none of it.
	other := b.newOrg(t, "seller-other")
	requireProblem(t, b.do(t, http.MethodGet, sellerAccountPath, other.Owner.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
}

func TestSellerAccount_ConcurrentCreatesMakeOneAccount(t *testing.T) {
	t.Parallel()
	stripe, opt := recordStripe(t, false)
	b := setup(t, opt)
	o := b.newOrg(t, "seller-race")
	const n = 4
	replies := make([]reply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			replies[i] = b.do(t, http.MethodPost, sellerAccountPath, o.Owner.Tokens.AccessToken, map[string]any{"country": "GB"})
		})
	}
	wg.Wait()
	created := 0
	for _, r := range replies {
		require.Contains(t, []int{http.StatusCreated, http.StatusOK}, r.Status, "%s", r.Raw)
		require.Equal(t, replies[0].Body["stripe_account_id"], r.Body["stripe_account_id"])
		if r.Status == http.StatusCreated {
			created++
		}
	}
	require.Equal(t, 1, created, "one request created it; the others got it")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM seller_accounts s JOIN organizations o ON o.id = s.org_id
		WHERE o.public_id = $1`, o.ID))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM events WHERE type = 'seller_account.created' AND aggregate_id = $1`, o.ID))
	for _, c := range stripe.to("/v1/accounts") {
		require.Equal(t, "seller-account/"+o.ID+"/create", c.Key, "every attempt under the organization's key")
	}
}

func TestSellerAccount_OnboardingLinkIsFreshOnEachCall(t *testing.T) {
	t.Parallel()
	stripe, opt := recordStripe(t, false)
	b := setup(t, opt)
	o := b.newOrg(t, "seller-link")
	tok := o.Owner.Tokens.AccessToken
	linkPath := sellerAccountPath + "/onboarding-link"

	requireProblem(t, b.do(t, http.MethodPost, linkPath, tok, nil), http.StatusNotFound, "not-found")
	require.Empty(t, stripe.to("/v1/account_links"))

	acct := b.do(t, http.MethodPost, sellerAccountPath, tok, map[string]any{"country": "US"})
	require.Equal(t, http.StatusCreated, acct.Status, "%s", acct.Raw)
	for range 2 {
		r := b.do(t, http.MethodPost, linkPath, tok, nil)
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
		require.NotEmpty(t, r.Body["url"])
		require.NotEmpty(t, r.Body["expires_at"])
	}
	calls := stripe.to("/v1/account_links")
	require.Len(t, calls, 2, "a new link each time")
	require.NotEqual(t, calls[0].Key, calls[1].Key)
	base := strings.TrimRight(b.Cfg.HTTP.PublicBaseURL, "/")
	for _, c := range calls {
		require.True(t, strings.HasPrefix(c.Key, "seller-account/"+o.ID+"/onboarding-link/"), c.Key)
		require.Equal(t, acct.Body["stripe_account_id"], c.Form.Get("account"))
		require.Equal(t, "account_onboarding", c.Form.Get("type"))
		require.Equal(t, base+"/seller/onboarding/refresh", c.Form.Get("refresh_url"))
		require.Equal(t, base+"/seller/onboarding/return", c.Form.Get("return_url"))
	}
}

func TestSellerAccount_Refusals(t *testing.T) {
	t.Parallel()
	stripe, opt := recordStripe(t, false)
	b := setup(t, opt)
	o := b.newOrg(t, "seller-refused")
	tok := o.Owner.Tokens.AccessToken

	for _, body := range []map[string]any{{"country": "us"}, {"country": "USA"}, {"country": ""}, {}} {
		r := b.do(t, http.MethodPost, sellerAccountPath, tok, body)
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.Equal(t, []string{"country"}, problemFields(t, r), "%v", body)
	}
	unknown := b.do(t, http.MethodPost, sellerAccountPath, tok, map[string]any{"country": "US", "x": 1})
	requireProblem(t, unknown, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"x"}, problemFields(t, unknown))
	requireProblem(t, b.do(t, http.MethodPost, sellerAccountPath, "", map[string]any{"country": "US"}),
		http.StatusUnauthorized, "unauthenticated")

	_, keeper := b.join(t, o, "seller-keeper", "keeper")
	requireProblem(t, b.do(t, http.MethodPost, sellerAccountPath, keeper.AccessToken, map[string]any{"country": "US"}),
		http.StatusForbidden, "forbidden")
	require.Empty(t, stripe.to("/v1/accounts"), "nothing refused reached Stripe")

	require.Equal(t, http.StatusCreated, b.do(t, http.MethodPost, sellerAccountPath, tok, map[string]any{"country": "US"}).Status)
	requireProblem(t, b.do(t, http.MethodPost, sellerAccountPath, tok, map[string]any{"country": "DE"}),
		http.StatusConflict, "conflict")
	requireProblem(t, b.do(t, http.MethodPost, sellerAccountPath+"/onboarding-link", keeper.AccessToken, nil),
		http.StatusForbidden, "forbidden")
	// Any member reads the status.
	require.Equal(t, http.StatusOK, b.do(t, http.MethodGet, sellerAccountPath, keeper.AccessToken, nil).Status)
}

func TestSellerAccount_StripeUnavailableIs503AndRecordsNothing(t *testing.T) {
	t.Parallel()
	stripe, opt := recordStripe(t, true)
	b := setup(t, opt)
	o := b.newOrg(t, "seller-down")
	r := b.do(t, http.MethodPost, sellerAccountPath, o.Owner.Tokens.AccessToken, map[string]any{"country": "US"})
	requireProblem(t, r, http.StatusServiceUnavailable, "unavailable")
	require.NotEmpty(t, r.Header.Get("Retry-After"))
	calls := stripe.to("/v1/accounts")
	require.Len(t, calls, 3, "the first attempt and two retries")
	for _, c := range calls {
		require.Equal(t, "seller-account/"+o.ID+"/create", c.Key, "each with the same key")
	}
	require.Zero(t, b.count(t, `SELECT count(*) FROM seller_accounts s JOIN organizations o ON o.id = s.org_id
		WHERE o.public_id = $1`, o.ID))
}

// account.updated reconciles the seller account with the account as Stripe has it now, read
// once per event under the event's key: here Stripe (stripe-mock) says nothing is enabled,
// so the event's stale copy claiming charges and payouts enabled changes nothing.
func TestSellerAccount_AccountUpdatedReconcilesWithStripesCurrentAccount(t *testing.T) {
	t.Parallel()
	stripe, opt := recordStripe(t, false)
	b := setup(t, opt)
	o := b.newOrg(t, "seller-hook")
	tok := o.Owner.Tokens.AccessToken
	created := b.do(t, http.MethodPost, sellerAccountPath, tok, map[string]any{"country": "US"})
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Raw)
	acct := created.Body["stripe_account_id"].(string)

	id := "evt_" + uuid.NewString()
	payload, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": "account.updated", "api_version": "2023-10-16", "created": time.Now().Unix(),
		"data": map[string]any{"object": map[string]any{"id": acct, "object": "account", "charges_enabled": true,
			"payouts_enabled": true, "metadata": map[string]any{"organization_id": o.ID}}},
	})
	require.NoError(t, err)
	r := b.postStripe(t, payload, b.signed(payload))
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, map[string]any{"event_id": id, "duplicate": false, "handled": true, "queued": false}, r.Body)

	reads := stripe.to("/v1/accounts/" + acct)
	require.Len(t, reads, 1, "the account is read from Stripe")
	require.Equal(t, http.MethodGet, reads[0].Method)
	require.Equal(t, "stripe-event/"+id+"/retrieve-account", reads[0].Key)
	status := b.do(t, http.MethodGet, sellerAccountPath, tok, nil)
	require.Equal(t, http.StatusOK, status.Status, "%s", status.Raw)
	require.Equal(t, false, status.Body["can_sell"], "Stripe's current account, not the event's copy")

	again := b.postStripe(t, payload, b.signed(payload))
	require.Equal(t, true, again.Body["duplicate"])
	require.Len(t, stripe.to("/v1/accounts/"+acct), 1, "a redelivery reads nothing again")
}
