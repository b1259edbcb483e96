package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
)

const ordersPath = "/api/v1/orders"

// listingFixture is a listing of a new animal, as the marketplace records it.
type listingFixture struct {
	ID       string // public ID
	UUID     uuid.UUID
	Price    int64
	Currency string
}

// listAnimal lists a new animal of o for sale at 15000 usd through the listings API, shipped to
// the US and Canada.
func (b *bundle) listAnimal(t *testing.T, o org) listingFixture {
	t.Helper()
	l := listingFixture{ID: b.list(t, o.Owner.Tokens.AccessToken, "pastel", 15000), Price: 15000, Currency: "usd"}
	require.NoError(t, b.Admin.QueryRow(context.Background(), `SELECT id FROM listings WHERE public_id = $1`, l.ID).Scan(&l.UUID))
	return l
}

// order posts an order of the listing with a fresh Idempotency-Key.
func (b *bundle) order(t *testing.T, token string, body map[string]any) reply {
	t.Helper()
	req := b.newRequest(t, http.MethodPost, ordersPath, token, body)
	req.Header.Set("Idempotency-Key", uuid.NewString())
	return b.send(t, req)
}

func orderOf(l listingFixture) map[string]any {
	return map[string]any{"listing_id": l.ID, "amount": l.Price, "currency": l.Currency, "ship_to": "US"}
}

// update posts an update of an order with a fresh Idempotency-Key.
func (b *bundle) update(t *testing.T, token, orderID, action string, body any) reply {
	t.Helper()
	req := b.newRequest(t, http.MethodPost, ordersPath+"/"+orderID+"/"+action, token, body)
	req.Header.Set("Idempotency-Key", uuid.NewString())
	return b.send(t, req)
}

// placed is an order of a ready seller's listing by a buyer, as POST /orders placed it.
type placed struct {
	seller, buyer org
	listing       listingFixture
	id            string // the order's public ID
}

// placeOrder opens a seller (ready to sell) and a buyer, lists an animal and orders it.
func (b *bundle) placeOrder(t *testing.T) placed {
	t.Helper()
	p := placed{seller: b.newOrg(t, "seller"), buyer: b.newOrg(t, "buyer")}
	b.readySeller(t, p.seller)
	p.listing = b.listAnimal(t, p.seller)
	r := b.order(t, p.buyer.Owner.Tokens.AccessToken, orderOf(p.listing))
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	p.id = r.Body["id"].(string)
	return p
}

func TestOrders_PlaceReservesTheListingForOneBuyer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seller, buyer, other := b.newOrg(t, "seller"), b.newOrg(t, "buyer"), b.newOrg(t, "other")
	b.readySeller(t, seller)
	l := b.listAnimal(t, seller)

	place := func() reply {
		req := b.newRequest(t, http.MethodPost, ordersPath, buyer.Owner.Tokens.AccessToken, orderOf(l))
		req.Header.Set("Idempotency-Key", "first")
		return b.send(t, req)
	}
	r := place()
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	id, _ := r.Body["id"].(string)
	require.NotEmpty(t, id)
	require.Equal(t, "/api/v1/orders/"+id, r.Header.Get("Location"))
	require.Equal(t, "placed", r.Body["status"])
	require.Equal(t, float64(15000), r.Body["amount"])
	require.Equal(t, float64(750), r.Body["platform_fee"], "5% by default")
	require.Equal(t, map[string]any{"id": l.ID, "title": "For sale"}, r.Body["listing"])
	require.Equal(t, buyer.ID, r.Body["buyer"].(map[string]any)["id"])
	require.Equal(t, seller.ID, r.Body["seller"].(map[string]any)["id"])
	require.Equal(t, "US", r.Body["ship_to"])
	timeline, _ := r.Body["timeline"].([]any)
	require.Len(t, timeline, 1)
	require.Equal(t, "placed", timeline[0].(map[string]any)["kind"])
	require.Equal(t, true, r.Body["money"].(map[string]any)["settled"], "no money has moved")

	// The same key and body: the first answer again, not a second order.
	again := place()
	require.Equal(t, http.StatusCreated, again.Status, "%s", again.Raw)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, id, again.Body["id"])
	// Another key from the same buyer: the listing is already reserved.
	requireProblem(t, b.order(t, buyer.Owner.Tokens.AccessToken, orderOf(l)), http.StatusConflict, "conflict")

	// The listing is reserved: no second buyer.
	requireProblem(t, b.order(t, other.Owner.Tokens.AccessToken, orderOf(l)), http.StatusConflict, "conflict")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM orders WHERE listing_id = $1`, l.UUID))

	// Both parties see it in their lists and in the seller's inventory; the stranger does not.
	r = b.do(t, http.MethodGet, ordersPath, buyer.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Len(t, r.Body["items"], 1)
	r = b.do(t, http.MethodGet, ordersPath+"?side=selling", seller.Owner.Tokens.AccessToken, nil)
	require.Len(t, r.Body["items"], 1)
	r = b.do(t, http.MethodGet, ordersPath+"?side=selling", buyer.Owner.Tokens.AccessToken, nil)
	require.Empty(t, r.Body["items"])
	requireProblem(t, b.do(t, http.MethodGet, ordersPath+"?side=both", buyer.Owner.Tokens.AccessToken, nil),
		http.StatusBadRequest, "malformed-request")

	r = b.do(t, http.MethodGet, "/api/v1/inventory?state=reserved", seller.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	items, _ := r.Body["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, id, items[0].(map[string]any)["order_id"])
	require.Equal(t, "reserved", items[0].(map[string]any)["state"])
	r = b.do(t, http.MethodGet, "/api/v1/inventory?state=listed", seller.Owner.Tokens.AccessToken, nil)
	require.Empty(t, r.Body["items"])
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/inventory?state=gone", seller.Owner.Tokens.AccessToken, nil),
		http.StatusBadRequest, "malformed-request")

	requireProblem(t, b.do(t, http.MethodGet, ordersPath+"/"+id, other.Owner.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
}

func TestOrders_PlaceIsRefusedWithTheReason(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seller, buyer := b.newOrg(t, "seller"), b.newOrg(t, "buyer")
	b.readySeller(t, seller)
	l := b.listAnimal(t, seller)
	tok := buyer.Owner.Tokens.AccessToken

	// Stripe disables the seller's payouts after they listed.
	ctx := context.Background()
	_, err := b.Admin.Exec(ctx, `UPDATE seller_accounts SET payouts_enabled = false WHERE org_id = $1`, b.orgUUID(t, seller.ID))
	require.NoError(t, err)
	requireProblem(t, b.order(t, tok, orderOf(l)), http.StatusConflict, "seller-not-ready")
	_, err = b.Admin.Exec(ctx, `UPDATE seller_accounts SET payouts_enabled = true WHERE org_id = $1`, b.orgUUID(t, seller.ID))
	require.NoError(t, err)

	unknown := orderOf(l)
	unknown["listing_id"] = store.NewPublicID()
	requireProblem(t, b.order(t, tok, unknown), http.StatusNotFound, "not-found")
	requireProblem(t, b.order(t, seller.Owner.Tokens.AccessToken, orderOf(l)), http.StatusConflict, "conflict")
	for _, changed := range []map[string]any{{"amount": 14999}, {"currency": "eur"}} {
		body := orderOf(l)
		for k, v := range changed {
			body[k] = v
		}
		r := b.order(t, tok, body)
		requireProblem(t, r, http.StatusConflict, "conflict")
		require.Contains(t, r.Body["detail"], "price or currency")
	}
	far := orderOf(l)
	far["ship_to"] = "DE"
	r := b.order(t, tok, far)
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"ship_to"}, problemFields(t, r))

	for _, bad := range []map[string]any{{"amount": 0}, {"amount": 100000001}, {"currency": "USD"}, {"ship_to": "us"}, {"listing_id": ""}} {
		body := orderOf(l)
		for k, v := range bad {
			body[k] = v
		}
		requireProblem(t, b.order(t, tok, body), http.StatusUnprocessableEntity, "validation-failed")
	}
	req := b.newRequest(t, http.MethodPost, ordersPath, tok, orderOf(l))
	requireProblem(t, b.send(t, req), http.StatusUnprocessableEntity, "validation-failed")

	_, keeper := b.join(t, buyer, "keeper", "keeper")
	requireProblem(t, b.order(t, keeper.AccessToken, orderOf(l)), http.StatusForbidden, "forbidden")
	unverified := b.newUser(t, "unverified")
	requireProblem(t, b.order(t, unverified.Tokens.AccessToken, orderOf(l)), http.StatusForbidden, "email-not-verified")

	r = b.do(t, http.MethodPost, listingsPath+"/"+l.ID+"/withdraw", seller.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	requireProblem(t, b.order(t, tok, orderOf(l)), http.StatusNotFound, "not-found")
	require.Zero(t, b.count(t, `SELECT count(*) FROM orders WHERE listing_id = $1`, l.UUID))
}

func TestOrders_TheClientSecretIsTheBuyersAlone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.placeOrder(t)
	seller, buyer, id := p.seller, p.buyer, p.id
	// What the sale records once Stripe has answered.
	_, err := b.Admin.Exec(context.Background(), `UPDATE orders SET status = 'awaiting_payment',
		payment_intent_id = 'pi_123', payment_client_secret = 'pi_123_secret_456' WHERE public_id = $1`, id)
	require.NoError(t, err)

	r := b.do(t, http.MethodGet, ordersPath+"/"+id, buyer.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, map[string]any{"payment_intent_id": "pi_123", "client_secret": "pi_123_secret_456"}, r.Body["payment"])
	r = b.do(t, http.MethodGet, ordersPath+"/"+id, seller.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, map[string]any{"payment_intent_id": "pi_123"}, r.Body["payment"])
	r = b.do(t, http.MethodGet, ordersPath+"?side=selling", seller.Owner.Tokens.AccessToken, nil)
	require.NotContains(t, string(r.Raw), "pi_123_secret")
}

func TestOrders_UpdatesAreRefusedBeforeReachingTheSale(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.placeOrder(t)
	seller, buyer, id := p.seller, p.buyer, p.id
	other := b.newOrg(t, "other")
	ship := map[string]any{"carrier": "UPS", "tracking_number": "1Z999"}

	// A stranger learns nothing of the order.
	for _, u := range []struct {
		action string
		body   any
	}{{"ship", ship}, {"delivered", nil}, {"confirm", nil}, {"report-problem", map[string]any{"reason": "dead"}}, {"cancel", nil}} {
		requireProblem(t, b.update(t, other.Owner.Tokens.AccessToken, id, u.action, u.body), http.StatusNotFound, "not-found")
	}
	requireProblem(t, b.update(t, seller.Owner.Tokens.AccessToken, id, "ship", map[string]any{"carrier": "", "tracking_number": "1"}),
		http.StatusUnprocessableEntity, "validation-failed")
	requireProblem(t, b.update(t, buyer.Owner.Tokens.AccessToken, id, "report-problem", map[string]any{"reason": " "}),
		http.StatusUnprocessableEntity, "validation-failed")
	for _, when := range []time.Time{time.Now().Add(-time.Hour), time.Now().Add(61 * 24 * time.Hour)} {
		r := b.update(t, seller.Owner.Tokens.AccessToken, id, "ship", map[string]any{"carrier": "UPS", "tracking_number": "1Z",
			"expected_delivery": when.Format(time.RFC3339)})
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.Contains(t, string(r.Raw), "expected_delivery")
	}

	// The sale has not started (no worker runs its start job here): retry later.
	r := b.update(t, seller.Owner.Tokens.AccessToken, id, "ship", ship)
	requireProblem(t, r, http.StatusConflict, "conflict")
	require.NotEmpty(t, r.Header.Get("Retry-After"))

	// An order that has ended says how.
	_, err := b.Admin.Exec(context.Background(), `UPDATE orders SET status = 'failed', ended_at = now(),
		outcome = 'the card was declined' WHERE public_id = $1`, id)
	require.NoError(t, err)
	r = b.update(t, buyer.Owner.Tokens.AccessToken, id, "cancel", nil)
	requireProblem(t, r, http.StatusConflict, "conflict")
	require.Contains(t, r.Body["detail"], "the card was declined")

	r = b.do(t, http.MethodGet, "/api/v1/inventory", seller.Owner.Tokens.AccessToken, nil)
	items, _ := r.Body["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, "listed", items[0].(map[string]any)["state"], "the failed order freed the listing")
}

func TestOrders_ResolveIsForPlatformAdmins(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.placeOrder(t)
	buyer, id := p.buyer, p.id
	path := "/api/v1/admin/orders/" + id + "/resolve"
	decision := map[string]any{"refund_amount": 0, "note": "released to the seller"}

	requireProblem(t, b.do(t, http.MethodPost, path, buyer.Owner.Tokens.AccessToken, decision), http.StatusForbidden, "forbidden")

	admin := b.newOrg(t, "platform-admin")
	_, err := b.Admin.Exec(context.Background(), `UPDATE users SET platform_admin = true WHERE public_id = $1`, admin.Owner.Tokens.UserID)
	require.NoError(t, err)
	tok := admin.Owner.Tokens.AccessToken
	// An order that does not exist is not found, for an admin too.
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/admin/orders/"+store.NewPublicID()+"/resolve", tok, decision),
		http.StatusNotFound, "not-found")
	r := b.do(t, http.MethodPost, path, tok, map[string]any{"refund_amount": 1})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Contains(t, r.Body["detail"], "at most 0", "nothing was captured yet")
	r = b.do(t, http.MethodPost, path, tok, decision)
	requireProblem(t, r, http.StatusConflict, "conflict")
	requireProblem(t, b.do(t, http.MethodPost, path, tok, map[string]any{"refund_amount": -1}), http.StatusUnprocessableEntity, "validation-failed")
}
