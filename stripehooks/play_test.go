package stripehooks_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/workflows/sale"
)

func TestPaymentOfOrder_IsThePaymentTheSaleCreated(t *testing.T) {
	t.Parallel()
	o := store.OrderPayment{OrderID: uuid.New(), PublicID: "o_7Kp2", Status: store.OrderAwaitingPayment,
		PaymentIntentID: "pi_123", Amount: 25000, Currency: "usd"}
	p, err := stripehooks.PaymentOfOrder(o)
	require.NoError(t, err)
	require.Equal(t, stripehooks.SalePayment{PaymentIntentID: "pi_123", ChargeID: "ch_o_7Kp2", OrderID: o.OrderID,
		Amount: 25000, Currency: "usd", TransferGroup: sale.TransferGroup(o.OrderID)}, p, "before capture the charge is named after the order")

	o.ChargeID = "ch_captured"
	p, err = stripehooks.PaymentOfOrder(o)
	require.NoError(t, err)
	require.Equal(t, "ch_captured", p.ChargeID, "once captured, the order's charge")

	o.PaymentIntentID = ""
	_, err = stripehooks.PaymentOfOrder(o)
	require.ErrorIs(t, err, stripehooks.ErrNoPayment)
}

func TestBuildAccountEvent_IsWhatStripeGoReads(t *testing.T) {
	t.Parallel()
	payload, err := stripehooks.BuildAccountEvent(stripehooks.SellerAccountState{AccountID: "acct_1Seller", OrgPublicID: "org_7Kp2",
		Country: "US", RequirementsDue: []string{"external_account"}}, time.Time{})
	require.NoError(t, err)
	ev, err := webhook.ConstructEvent(payload, stripehooks.Sign(payload, secret, time.Now()), secret)
	require.NoError(t, err)
	require.Equal(t, stripe.EventTypeAccountUpdated, ev.Type)
	var acct stripe.Account
	require.NoError(t, json.Unmarshal(ev.Data.Raw, &acct))
	require.Equal(t, "acct_1Seller", acct.ID)
	require.Equal(t, map[string]string{"organization_id": "org_7Kp2"}, acct.Metadata, "the platform finds the organization by it")
	require.False(t, acct.ChargesEnabled)
	require.Equal(t, []string{"external_account"}, acct.Requirements.CurrentlyDue)

	_, err = stripehooks.BuildAccountEvent(stripehooks.SellerAccountState{AccountID: "acct_1Seller"}, time.Now())
	require.ErrorIs(t, err, stripehooks.ErrEventInput)
}

func TestDeliver_PostsTheEventSignedToTheWebhookEndpoint(t *testing.T) {
	t.Parallel()
	payload, err := stripehooks.BuildEvent(stripe.EventTypePaymentIntentAmountCapturableUpdated, payment())
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != stripehooks.WebhookPath || string(body) != string(payload) {
			http.Error(w, "not the event", http.StatusTeapot)
			return
		}
		if _, err := webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), secret); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, `{"received":true}`)
	}))
	defer srv.Close()

	d, err := stripehooks.Deliver(t.Context(), srv.Client(), srv.URL+"/", secret, payload)
	require.NoError(t, err)
	require.Equal(t, stripehooks.Delivery{Status: http.StatusOK, Body: []byte(`{"received":true}`)}, d)

	d, err = stripehooks.Deliver(t.Context(), srv.Client(), srv.URL, "whsec_another", payload)
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, d.Status, "signed with another secret")
}
