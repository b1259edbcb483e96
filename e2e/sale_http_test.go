package e2e_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/testkit"
)

// A whole sale over HTTP, as the README walks it in `make dev`: two people in two
// organizations, each step through the API's own endpoints, and Stripe played by what
// `reptidex stripe-event` posts — the event rendered from the order as the schema owner
// reads it, signed and posted to the webhook endpoint.

// httpMarket is a seller made ready and a listed animal, and a buyer, all through the API.
type httpMarket struct {
	s             *system
	seller, buyer person
	animal        string
	listing       string
}

func openHTTPMarket(t *testing.T, s *system) httpMarket {
	t.Helper()
	ctx := context.Background()
	m := httpMarket{s: s, seller: s.register(t, "Seller", true), buyer: s.register(t, "Buyer", true)}
	acct := s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/marketplace/seller-account", m.seller.Token,
		map[string]any{"country": "US"})
	require.Equal(t, false, acct["can_sell"])

	// account.updated reconciles with the account as Stripe (stripe-mock) has it: not enabled.
	payload, err := stripehooks.AccountEvent(ctx, testkit.AdminPool(t), m.seller.OrgID)
	require.NoError(t, err)
	m.deliver(t, payload)
	acct = s.must(t, http.StatusOK, http.MethodGet, "/api/v1/marketplace/seller-account", m.seller.Token, nil)
	require.Equal(t, false, acct["charges_enabled"])
	require.NotEmpty(t, acct["requirements_due"], "what stripe-mock says is due")

	// What `reptidex stripe-event account-updated --ready` records, as onboarding would.
	_, err = store.MarkSellerReadyAsOwner(ctx, testkit.AdminPool(t), m.seller.OrgID)
	require.NoError(t, err)
	acct = s.must(t, http.StatusOK, http.MethodGet, "/api/v1/marketplace/seller-account", m.seller.Token, nil)
	require.Equal(t, true, acct["can_sell"], "%v", acct)

	m.animal = s.animal(t, m.seller.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Mango",
		"genetics": "Pastel Clown"})
	m.listing = s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/marketplace/listings", m.seller.Token, map[string]any{
		"animal_id": m.animal, "price": map[string]any{"amount": 30000, "currency": "usd"}, "title": "Pastel Clown male",
		"shipping": map[string]any{"ships_within_days": 3, "regions": []string{"US"}}, "live_arrival_hours": 48,
	}, "Idempotency-Key", uuid.NewString())["id"].(string)
	return m
}

// order places the buyer's order over HTTP, shows that its key replays the first answer, and
// waits for the sale to ask Stripe for the payment.
func (m httpMarket) order(t *testing.T) string {
	t.Helper()
	key := uuid.NewString()
	body := map[string]any{"listing_id": m.listing, "amount": 30000, "currency": "usd", "ship_to": "US"}
	first := m.s.do(t, http.MethodPost, "/api/v1/orders", m.buyer.Token, body, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Raw)
	id := first.Body["id"].(string)
	again := m.s.do(t, http.MethodPost, "/api/v1/orders", m.buyer.Token, body, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, again.Status, "%s", again.Raw)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, id, again.Body["id"], "the same order, once")

	o := m.waitOrder(t, id, "awaiting_payment")
	require.NotEmpty(t, o["payment"].(map[string]any)["payment_intent_id"])
	return id
}

// waitOrder polls the order as the buyer sees it until it stands at status.
func (m httpMarket) waitOrder(t *testing.T, id, status string) map[string]any {
	t.Helper()
	var o map[string]any
	require.Eventually(t, func() bool {
		o = m.s.must(t, http.StatusOK, http.MethodGet, "/api/v1/orders/"+id, m.buyer.Token, nil)
		return o["status"] == status
	}, 30*time.Second, 50*time.Millisecond, "order %s never became %s", id, status)
	return o
}

// stripe posts the event typ about the order, built as `reptidex stripe-event` builds it.
func (m httpMarket) stripe(t *testing.T, typ stripe.EventType, orderID string, extra stripehooks.SalePayment) {
	t.Helper()
	payload, err := stripehooks.OrderEvent(context.Background(), testkit.AdminPool(t), typ, orderID, extra)
	require.NoError(t, err)
	m.deliver(t, payload)
}

func (m httpMarket) deliver(t *testing.T, payload []byte) {
	t.Helper()
	d, err := stripehooks.Deliver(context.Background(), m.s.HTTP, m.s.URL, m.s.Cfg.Stripe.WebhookSecret, payload)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, d.Status, "%s", d.Body)
}

// update sends one party's update of the order and returns the answer.
func (m httpMarket) update(t *testing.T, who person, orderID, action string, body any) reply {
	t.Helper()
	return m.s.do(t, http.MethodPost, "/api/v1/orders/"+orderID+"/"+action, who.Token, body, "Idempotency-Key", uuid.NewString())
}

func TestSaleOverHTTP_TwoOrganizationsCompleteASale(t *testing.T) {
	t.Parallel()
	s := start(t)
	m := openHTTPMarket(t, s)
	id := m.order(t)
	listing := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/marketplace/listings/"+m.listing, m.seller.Token, nil)
	require.Equal(t, true, listing["reserved"], "the order holds the listing")

	m.stripe(t, stripe.EventTypePaymentIntentAmountCapturableUpdated, id, stripehooks.SalePayment{})
	m.waitOrder(t, id, "paid")

	// An update from the wrong party, or at the wrong stage, is refused.
	r := m.update(t, m.buyer, id, "ship", map[string]any{"carrier": "UPS", "tracking_number": "1Z999AA10123456784"})
	require.Equal(t, http.StatusForbidden, r.Status, "%s", r.Raw)
	r = m.update(t, m.buyer, id, "delivered", nil)
	require.Equal(t, http.StatusConflict, r.Status, "%s", r.Raw)

	// Each update is answered once the sale has taken it; the stage it leads to is then
	// read on the order, which the sale records right after answering.
	r = m.update(t, m.seller, id, "ship", map[string]any{"carrier": "UPS", "tracking_number": "1Z999AA10123456784"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	shipped := m.waitOrder(t, id, "shipped")
	require.Equal(t, "1Z999AA10123456784", shipped["shipment"].(map[string]any)["tracking_number"])
	require.Equal(t, float64(30000), shipped["money"].(map[string]any)["held"], "captured and held by the platform")
	r = m.update(t, m.buyer, id, "delivered", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	m.waitOrder(t, id, "delivered")
	r = m.update(t, m.seller, id, "confirm", nil)
	require.Equal(t, http.StatusForbidden, r.Status, "only the buyer confirms: %s", r.Raw)
	r = m.update(t, m.buyer, id, "confirm", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	m.waitOrder(t, id, "completed")

	for _, who := range []person{m.buyer, m.seller} {
		o := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/orders/"+id, who.Token, nil)
		require.Equal(t, "completed", o["status"])
		money := o["money"].(map[string]any)
		require.Equal(t, float64(30000), money["captured"], "%v", money)
		require.Equal(t, money["captured"], money["transferred"].(float64)+money["fee"].(float64), "%v", money)
		require.Equal(t, o["platform_fee"], money["fee"])
		require.Equal(t, float64(0), money["held"])
		require.Equal(t, float64(0), money["refunded"])
		require.Equal(t, true, money["settled"])
	}
	animal := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/animals/"+m.animal, m.buyer.Token, nil)
	require.Equal(t, "Mango", animal["name"])
	listing = s.must(t, http.StatusOK, http.MethodGet, "/api/v1/marketplace/listings/"+m.listing, m.seller.Token, nil)
	require.Equal(t, "sold", listing["status"])
	r = m.update(t, m.buyer, id, "report-problem", map[string]any{"reason": "too late"})
	require.Equal(t, http.StatusConflict, r.Status, "the sale has ended: %s", r.Raw)
}

func TestSaleOverHTTP_ADeclinedCardFailsTheOrderAndFreesTheListing(t *testing.T) {
	t.Parallel()
	s := start(t)
	m := openHTTPMarket(t, s)
	id := m.order(t)

	m.stripe(t, stripe.EventTypePaymentIntentPaymentFailed, id, stripehooks.SalePayment{DeclineCode: "insufficient_funds"})
	o := m.waitOrder(t, id, "failed")
	require.Equal(t, true, o["money"].(map[string]any)["settled"])
	require.Equal(t, float64(0), o["money"].(map[string]any)["captured"])

	listing := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/marketplace/listings/"+m.listing, m.buyer.Token, nil)
	require.Equal(t, "active", listing["status"])
	require.Equal(t, false, listing["reserved"])
	s.must(t, http.StatusOK, http.MethodGet, "/api/v1/animals/"+m.animal, m.seller.Token, nil)
	r := m.update(t, m.seller, id, "ship", map[string]any{"carrier": "UPS", "tracking_number": "1Z"})
	require.Equal(t, http.StatusConflict, r.Status, "the order has ended: %s", r.Raw)
}
