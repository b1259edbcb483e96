package api_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/marketplace"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

const listingsPath = "/api/v1/marketplace/listings"

// readySeller gives o a seller account with charges and payouts enabled, recorded as
// account.updated would record it.
func (b *bundle) readySeller(t *testing.T, o org) {
	t.Helper()
	acct := "acct_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	tenant := store.Tenant{OrgID: b.orgUUID(t, o.ID), UserID: b.userUUID(t, o.Owner.Tokens.UserID)}
	require.NoError(t, b.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		ctx := context.Background()
		if _, err := store.InsertSellerAccount(ctx, tx, store.SellerAccount{StripeAccountID: acct, Country: "US",
			RequirementsDue: []string{}, CreatedBy: tenant.UserID}); err != nil {
			return err
		}
		_, err := marketplace.ApplyAccountUpdate(ctx, tx, &stripe.Account{ID: acct, ChargesEnabled: true, PayoutsEnabled: true})
		return err
	}))
}

func listingBody(animalID string, amount int) map[string]any {
	return map[string]any{"animal_id": animalID, "price": map[string]any{"amount": amount, "currency": "usd"},
		"title": "For sale", "description": "Feeding on frozen-thawed.",
		"shipping": map[string]any{"ships_within_days": 5, "regions": []string{"us", "CA"}}, "live_arrival_hours": 48}
}

// list lists a new animal of the token's organization with genetics at amount (usd).
func (b *bundle) list(t *testing.T, token, genetics string, amount int) string {
	t.Helper()
	a := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "female", "name": "Lot", "genetics": genetics})
	r := b.do(t, http.MethodPost, listingsPath, token, listingBody(a.ID, amount))
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	return r.Body["id"].(string)
}

func ids(t *testing.T, r reply) []string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	var out []string
	for _, it := range r.Body["items"].([]any) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

func TestListings_CreateShowsTheAnimalAsListedAndHoldsIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "lister")
	tok := o.Owner.Tokens.AccessToken
	a := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "name": "Clementine",
		"hatch_date": "2024-06-01", "genetics": "pastel clown"})

	r := b.do(t, http.MethodPost, listingsPath, tok, listingBody(a.ID, 25000))
	requireProblem(t, r, http.StatusConflict, "seller-not-ready")
	require.Contains(t, r.Body["detail"], "no seller account")

	b.readySeller(t, o)
	req := b.newRequest(t, http.MethodPost, listingsPath, tok, listingBody(a.ID, 25000))
	req.Header.Set("Idempotency-Key", "list-clementine")
	r = b.send(t, req)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	id := r.Body["id"].(string)
	require.Equal(t, listingsPath+"/"+id, r.Header.Get("Location"))
	require.Equal(t, "active", r.Body["status"])
	require.Equal(t, false, r.Body["reserved"])
	require.Equal(t, map[string]any{"amount": float64(25000), "currency": "usd"}, r.Body["price"])
	require.Equal(t, map[string]any{"ships_within_days": float64(5), "regions": []any{"US", "CA"}}, r.Body["shipping"])
	animal := r.Body["animal"].(map[string]any)
	require.Equal(t, a.ID, animal["id"])
	require.Equal(t, "Clementine", animal["name"])
	require.Equal(t, "female", animal["sex"])
	require.Equal(t, "2024-06-01", animal["hatch_date"])
	require.Contains(t, strings.ToLower(animal["genetics"].(string)), "clown")
	require.Equal(t, o.ID, r.Body["breeder"].(map[string]any)["id"])

	req = b.newRequest(t, http.MethodPost, listingsPath, tok, listingBody(a.ID, 25000))
	req.Header.Set("Idempotency-Key", "list-clementine")
	again := b.send(t, req)
	require.Equal(t, http.StatusCreated, again.Status, "%s", again.Raw)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, id, again.Body["id"])
	requireProblem(t, b.do(t, http.MethodPost, listingsPath, tok, listingBody(a.ID, 25000)), http.StatusConflict, "conflict")

	// The listed animal is neither transferred separately nor archived.
	req = b.newRequest(t, http.MethodPost, "/api/v1/transfers", tok, map[string]any{"animal_id": a.ID, "recipient_email": "buyer@example.com"})
	req.Header.Set("Idempotency-Key", testkit.UniqueEmail("offer"))
	requireProblem(t, b.send(t, req), http.StatusConflict, "conflict")
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/animals/"+a.ID+"/archive", tok, nil), http.StatusConflict, "conflict")

	// Anyone reads it without a token; a bad token is refused rather than ignored.
	pub := b.do(t, http.MethodGet, listingsPath+"/"+id, "", nil)
	require.Equal(t, http.StatusOK, pub.Status, "%s", pub.Raw)
	require.Equal(t, `"v1"`, pub.Header.Get("ETag"))
	requireProblem(t, b.do(t, http.MethodGet, listingsPath+"/"+id, "not-a-token", nil), http.StatusUnauthorized, "unauthenticated")

	// Withdrawn, only the seller sees it; the animal is free again.
	w := b.do(t, http.MethodPost, listingsPath+"/"+id+"/withdraw", tok, nil)
	require.Equal(t, http.StatusOK, w.Status, "%s", w.Raw)
	require.Equal(t, "withdrawn", w.Body["status"])
	again = b.do(t, http.MethodPost, listingsPath+"/"+id+"/withdraw", tok, nil)
	require.Equal(t, http.StatusOK, again.Status, "withdrawing twice is fine: %s", again.Raw)
	requireProblem(t, b.do(t, http.MethodGet, listingsPath+"/"+id, "", nil), http.StatusNotFound, "not-found")
	stranger := b.newOrg(t, "lister-stranger")
	requireProblem(t, b.do(t, http.MethodGet, listingsPath+"/"+id, stranger.Owner.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
	own := b.do(t, http.MethodGet, listingsPath+"/"+id, tok, nil)
	require.Equal(t, http.StatusOK, own.Status, "%s", own.Raw)
	require.Equal(t, "withdrawn", own.Body["status"])
	archived := b.do(t, http.MethodPost, "/api/v1/animals/"+a.ID+"/archive", tok, nil)
	require.Equal(t, http.StatusOK, archived.Status, "%s", archived.Raw)
}

func TestListings_Refusals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "listing-refusals")
	tok := o.Owner.Tokens.AccessToken
	b.readySeller(t, o)
	a := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male"})

	body := listingBody(a.ID, 0)
	body["price"] = map[string]any{"amount": 100_000_001, "currency": "xyz"}
	body["shipping"] = map[string]any{"ships_within_days": 31, "regions": []string{"USA"}}
	body["live_arrival_hours"] = 0
	r := b.do(t, http.MethodPost, listingsPath, tok, body)
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.ElementsMatch(t, []string{"price.amount", "price.currency", "shipping.ships_within_days", "shipping.regions",
		"live_arrival_hours"}, problemFields(t, r))

	stranger := b.newOrg(t, "listing-refusals-other")
	b.readySeller(t, stranger)
	requireProblem(t, b.do(t, http.MethodPost, listingsPath, stranger.Owner.Tokens.AccessToken, listingBody(a.ID, 100)),
		http.StatusNotFound, "not-found")

	_, keeper := b.join(t, o, "listing-keeper", "keeper")
	requireProblem(t, b.do(t, http.MethodPost, listingsPath, keeper.AccessToken, listingBody(a.ID, 100)), http.StatusForbidden, "forbidden")

	id := b.list(t, tok, "", 5000)
	requireProblem(t, b.do(t, http.MethodPatch, listingsPath+"/"+id, stranger.Owner.Tokens.AccessToken,
		map[string]any{"title": "Mine now"}), http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodPost, listingsPath+"/"+id+"/withdraw", stranger.Owner.Tokens.AccessToken, nil),
		http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodPatch, listingsPath+"/"+id, tok, map[string]any{"price": map[string]any{"amount": -1, "currency": "usd"}}),
		http.StatusUnprocessableEntity, "validation-failed")

	// While an order holds it, the listing neither changes nor is withdrawn.
	_, err := b.Admin.Exec(context.Background(), `UPDATE listings SET reserved_by = $2 WHERE public_id = $1`, id, uuid.New())
	require.NoError(t, err)
	requireProblem(t, b.do(t, http.MethodPost, listingsPath+"/"+id+"/withdraw", tok, nil), http.StatusConflict, "conflict")
	requireProblem(t, b.do(t, http.MethodPatch, listingsPath+"/"+id, tok, map[string]any{"title": "x"}), http.StatusConflict, "conflict")
	r = b.do(t, http.MethodGet, listingsPath+"/"+id, "", nil)
	require.Equal(t, true, r.Body["reserved"])
}

func TestListings_UpdateChangesTermsByVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "listing-update")
	tok := o.Owner.Tokens.AccessToken
	b.readySeller(t, o)
	id := b.list(t, tok, "", 5000)

	req := b.newRequest(t, http.MethodPatch, listingsPath+"/"+id, tok, map[string]any{
		"price": map[string]any{"amount": 4500, "currency": "EUR"}, "shipping": map[string]any{"ships_within_days": 2, "regions": []string{"de"}}})
	req.Header.Set("If-Match", `"v1"`)
	r := b.send(t, req)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, `"v2"`, r.Header.Get("ETag"))
	require.Equal(t, map[string]any{"amount": float64(4500), "currency": "eur"}, r.Body["price"])
	require.Equal(t, []any{"DE"}, r.Body["shipping"].(map[string]any)["regions"])
	require.Equal(t, "For sale", r.Body["title"], "left out, kept")
	require.Equal(t, float64(48), r.Body["live_arrival_hours"])

	req = b.newRequest(t, http.MethodPatch, listingsPath+"/"+id, tok, map[string]any{"title": "Stale"})
	req.Header.Set("If-Match", `"v1"`)
	requireProblem(t, b.send(t, req), http.StatusPreconditionFailed, "precondition-failed")

	require.Equal(t, http.StatusOK, b.do(t, http.MethodPost, listingsPath+"/"+id+"/withdraw", tok, nil).Status)
	requireProblem(t, b.do(t, http.MethodPatch, listingsPath+"/"+id, tok, map[string]any{"title": "Back"}), http.StatusConflict, "conflict")
}

func TestListings_BrowseFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "listing-browse")
	b.grantPlan(t, o.ID, "business") // more listings than Free's 3
	tok := o.Owner.Tokens.AccessToken
	b.readySeller(t, o)
	clown := b.list(t, tok, "pastel clown", 30000)
	pastel := b.list(t, tok, "pastel", 10000)
	mojave := b.list(t, tok, "mojave", 30000)
	spider := b.list(t, tok, "spider", 90000)
	browse := func(q url.Values) reply {
		q.Set("breeder", o.ID)
		return b.do(t, http.MethodGet, listingsPath+"?"+q.Encode(), "", nil)
	}

	require.Equal(t, []string{spider, mojave, pastel, clown}, ids(t, browse(url.Values{})), "newest first")
	require.Equal(t, []string{pastel, clown}, ids(t, browse(url.Values{"genes": {"Pastel"}, "sort": {"newest"}})))
	require.Equal(t, []string{clown}, ids(t, browse(url.Values{"genes": {"clown,PASTEL"}})))
	require.Equal(t, []string{mojave, clown}, ids(t, browse(url.Values{"min_price": {"20000"}, "max_price": {"50000"}})))
	require.Empty(t, ids(t, browse(url.Values{"currency": {"gbp"}})))
	require.Empty(t, ids(t, browse(url.Values{"species": {"leopard-gecko"}})))

	asc := ids(t, browse(url.Values{"sort": {"price_asc"}}))
	require.Equal(t, pastel, asc[0])
	require.Equal(t, spider, asc[3])
	desc := ids(t, browse(url.Values{"sort": {"price_desc"}}))
	require.Equal(t, []string{asc[3], asc[2], asc[1], asc[0]}, desc, "the same order reversed, ties by ID")

	for _, sort := range []string{"newest", "price_asc", "price_desc"} {
		var paged []string
		q := url.Values{"sort": {sort}, "limit": {"1"}}
		for range 6 {
			r := browse(q)
			paged = append(paged, ids(t, r)...)
			next, _ := r.Body["next_cursor"].(string)
			if next == "" {
				break
			}
			q.Set("cursor", next)
		}
		require.Equal(t, ids(t, browse(url.Values{"sort": {sort}})), paged, sort)
	}

	for _, bad := range []url.Values{{"sort": {"cheapest"}}, {"min_price": {"0"}}, {"min_price": {"9"}, "max_price": {"8"}},
		{"currency": {"USD"}}, {"species": {"dragon"}}, {"genes": {"a,,b"}}, {"cursor": {"nope"}}} {
		requireProblem(t, browse(bad), http.StatusBadRequest, "malformed-request")
	}
	// A page goes on after a listing withdrawn since it was read; a cursor of no listing is refused.
	r := browse(url.Values{"limit": {"1"}})
	cursor := r.Body["next_cursor"].(string)
	want := ids(t, browse(url.Values{"limit": {"1"}, "cursor": {cursor}}))
	require.Equal(t, http.StatusOK, b.do(t, http.MethodPost, listingsPath+"/"+spider+"/withdraw", tok, nil).Status)
	require.Equal(t, want, ids(t, browse(url.Values{"limit": {"1"}, "cursor": {cursor}})))
	requireProblem(t, browse(url.Values{"cursor": {base64.RawURLEncoding.EncodeToString([]byte(store.NewPublicID()))}}),
		http.StatusBadRequest, "malformed-request")
}
