package payments_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/payments"
)

// seen is one request the fake Stripe received.
type seen struct {
	Method, Path, Key, Form string
}

// fakeStripe answers each request with the next of answers (the last one repeating) and
// records what it received.
type fakeStripe struct {
	mu       sync.Mutex
	requests []seen
	answers  []func(w http.ResponseWriter)
}

func (f *fakeStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, seen{r.Method, r.URL.Path, r.Header.Get("Idempotency-Key"), string(body)})
	answer := f.answers[min(n, len(f.answers)-1)]
	f.mu.Unlock()
	answer(w)
}

func (f *fakeStripe) seen() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.requests...)
}

func answerJSON(status int, body string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

const (
	accountJSON  = `{"id": "acct_123", "object": "account", "charges_enabled": false}`
	linkJSON     = `{"object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_123/x", "expires_at": 1700000300}`
	errorJSON    = `{"error": {"type": "api_error", "message": "boom"}}`
	intentJSON   = `{"id": "pi_123", "object": "payment_intent", "amount": 15000, "currency": "usd", "status": "requires_capture"}`
	transferJSON = `{"id": "tr_123", "object": "transfer", "amount": 13500, "currency": "usd", "destination": "acct_123"}`
	refundJSON   = `{"id": "re_123", "object": "refund", "amount": 5000, "currency": "usd", "payment_intent": "pi_123"}`

	customerJSON     = `{"id": "cus_123", "object": "customer"}`
	checkoutJSON     = `{"id": "cs_123", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_123"}`
	portalJSON       = `{"id": "bps_123", "object": "billing_portal.session", "url": "https://billing.stripe.com/p/session/x"}`
	subscriptionJSON = `{"id": "sub_123", "object": "subscription", "status": "active"}`
	invoiceJSON      = `{"id": "in_123", "object": "invoice", "status": "open"}`
)

// newClient builds a client against f with fast retries.
func newClient(t *testing.T, f *fakeStripe, opts ...payments.Option) *payments.Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := payments.New(config.Stripe{APIBase: srv.URL, SecretKey: "sk_test_x"}, opts...)
	require.NoError(t, err)
	return c
}

// calls are every call of Client, each with the request it sends.
var calls = map[string]struct {
	call       func(context.Context, *payments.Client, payments.Key) error
	method     string
	path, body string
}{
	"CreateAccount": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.CreateAccount(ctx, k, &stripe.AccountParams{Type: stripe.String("express"), Country: stripe.String("US")})
		return err
	}, http.MethodPost, "/v1/accounts", accountJSON},
	"CreateAccountLink": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.CreateAccountLink(ctx, k, &stripe.AccountLinkParams{Account: stripe.String("acct_123"),
			Type: stripe.String("account_onboarding")})
		return err
	}, http.MethodPost, "/v1/account_links", linkJSON},
	"RetrieveAccount": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.RetrieveAccount(ctx, k, "acct_123")
		return err
	}, http.MethodGet, "/v1/accounts/acct_123", accountJSON},
	"CreatePaymentIntent": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.CreatePaymentIntent(ctx, k, saleIntent())
		return err
	}, http.MethodPost, "/v1/payment_intents", intentJSON},
	"RetrievePaymentIntent": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.RetrievePaymentIntent(ctx, k, "pi_123")
		return err
	}, http.MethodGet, "/v1/payment_intents/pi_123", intentJSON},
	"CapturePaymentIntent": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.CapturePaymentIntent(ctx, k, "pi_123", nil)
		return err
	}, http.MethodPost, "/v1/payment_intents/pi_123/capture", intentJSON},
	"CancelPaymentIntent": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.CancelPaymentIntent(ctx, k, "pi_123", &stripe.PaymentIntentCancelParams{
			CancellationReason: stripe.String(string(stripe.PaymentIntentCancellationReasonAbandoned))})
		return err
	}, http.MethodPost, "/v1/payment_intents/pi_123/cancel", intentJSON},
	"CreateTransfer": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.CreateTransfer(ctx, k, saleTransfer())
		return err
	}, http.MethodPost, "/v1/transfers", transferJSON},
	"CreateRefund": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.CreateRefund(ctx, k, &stripe.RefundParams{PaymentIntent: stripe.String("pi_123"), Amount: stripe.Int64(5000)})
		return err
	}, http.MethodPost, "/v1/refunds", refundJSON},
	"CreateCustomer": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		p := &stripe.CustomerParams{Name: stripe.String("Coastal Morphs")}
		p.AddMetadata("organization_id", "7Kp2")
		_, err := c.CreateCustomer(ctx, k, p)
		return err
	}, http.MethodPost, "/v1/customers", customerJSON},
	"CreateCheckoutSession": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.CreateCheckoutSession(ctx, k, &stripe.CheckoutSessionParams{
			Mode: stripe.String(string(stripe.CheckoutSessionModeSubscription)), Customer: stripe.String("cus_123"),
			SuccessURL: stripe.String("https://reptidex.example/billing?checkout=done"),
			CancelURL:  stripe.String("https://reptidex.example/billing?checkout=cancelled"),
			LineItems:  []*stripe.CheckoutSessionLineItemParams{{Price: stripe.String("price_pro"), Quantity: stripe.Int64(1)}}})
		return err
	}, http.MethodPost, "/v1/checkout/sessions", checkoutJSON},
	"CreatePortalSession": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.CreatePortalSession(ctx, k, &stripe.BillingPortalSessionParams{Customer: stripe.String("cus_123"),
			ReturnURL: stripe.String("https://reptidex.example/billing")})
		return err
	}, http.MethodPost, "/v1/billing_portal/sessions", portalJSON},
	"RetrieveSubscription": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.RetrieveSubscription(ctx, k, "sub_123")
		return err
	}, http.MethodGet, "/v1/subscriptions/sub_123", subscriptionJSON},
	"UpdateSubscription": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.UpdateSubscription(ctx, k, "sub_123", &stripe.SubscriptionParams{CancelAtPeriodEnd: stripe.Bool(true)})
		return err
	}, http.MethodPost, "/v1/subscriptions/sub_123", subscriptionJSON},
	"RetrieveInvoice": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.RetrieveInvoice(ctx, k, "in_123")
		return err
	}, http.MethodGet, "/v1/invoices/in_123", invoiceJSON},
	"PayInvoice": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.PayInvoice(ctx, k, "in_123")
		return err
	}, http.MethodPost, "/v1/invoices/in_123/pay", invoiceJSON},
	"CancelSubscription": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.CancelSubscription(ctx, k, "sub_123")
		return err
	}, http.MethodDelete, "/v1/subscriptions/sub_123", subscriptionJSON},
	"VoidInvoice": {func(ctx context.Context, c *payments.Client, k payments.Key) error {
		_, err := c.VoidInvoice(ctx, k, "in_123")
		return err
	}, http.MethodPost, "/v1/invoices/in_123/void", invoiceJSON},
}

// saleIntent is the PaymentIntent a sale creates: the card authorized on the platform
// account, captured later, grouped and tagged with the order.
func saleIntent() *stripe.PaymentIntentParams {
	p := &stripe.PaymentIntentParams{
		Amount:             stripe.Int64(15000),
		Currency:           stripe.String(string(stripe.CurrencyUSD)),
		CaptureMethod:      stripe.String(string(stripe.PaymentIntentCaptureMethodManual)),
		PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
		TransferGroup:      stripe.String("order_7Kp2"),
	}
	p.AddMetadata("order_id", "0b9f6a4e-3c1d-4a57-9f51-2d7c1e0a6b11")
	return p
}

// saleTransfer is the payout of a sale to the seller: the amount less the fee, from the
// captured charge, in the order's group.
func saleTransfer() *stripe.TransferParams {
	return &stripe.TransferParams{
		Amount:            stripe.Int64(13500),
		Currency:          stripe.String(string(stripe.CurrencyUSD)),
		Destination:       stripe.String("acct_123"),
		SourceTransaction: stripe.String("ch_123"),
		TransferGroup:     stripe.String("order_7Kp2"),
	}
}

// TestClient_EveryCallTakesAKey holds every method of Client to the rule: a call takes the
// context and then a Key, so none can be written without one, and each is in calls below.
func TestClient_EveryCallTakesAKey(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[*payments.Client]()
	require.Positive(t, typ.NumMethod())
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		require.GreaterOrEqual(t, m.Type.NumIn(), 3, "%s takes a context and a Key", m.Name)
		require.Equal(t, reflect.TypeFor[context.Context](), m.Type.In(1), "%s: first argument", m.Name)
		require.Equal(t, reflect.TypeFor[payments.Key](), m.Type.In(2), "%s: second argument", m.Name)
		require.Contains(t, calls, m.Name, "%s is tested below: add it to calls", m.Name)
	}
}

func TestClient_EveryCallSendsItsKey(t *testing.T) {
	t.Parallel()
	for name, tc := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := &fakeStripe{answers: []func(http.ResponseWriter){answerJSON(200, tc.body)}}
			c := newClient(t, f)
			key := payments.IdempotencyKey("test", name, "step")
			require.NoError(t, tc.call(context.Background(), c, key))
			got := f.seen()
			require.Len(t, got, 1)
			require.Equal(t, tc.method, got[0].Method)
			require.Equal(t, tc.path, got[0].Path)
			require.Equal(t, "test/"+name+"/step", got[0].Key)
		})
	}
}

func TestClient_RefusesACallWithoutAKeyAndSendsNothing(t *testing.T) {
	t.Parallel()
	for name, tc := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := &fakeStripe{answers: []func(http.ResponseWriter){answerJSON(200, tc.body)}}
			c := newClient(t, f)
			for _, k := range []payments.Key{{}, payments.IdempotencyKey(), payments.IdempotencyKey("order", "")} {
				require.ErrorIs(t, tc.call(context.Background(), c, k), payments.ErrNoIdempotencyKey)
			}
			require.Empty(t, f.seen())
		})
	}
}

func TestClient_RetriesUnavailableWithTheSameKey(t *testing.T) {
	t.Parallel()
	f := &fakeStripe{answers: []func(http.ResponseWriter){answerJSON(503, errorJSON), answerJSON(200, accountJSON)}}
	c := newClient(t, f)
	a, err := c.CreateAccount(context.Background(), payments.IdempotencyKey("seller-account", "org1", "create"),
		&stripe.AccountParams{Type: stripe.String("express")})
	require.NoError(t, err)
	require.Equal(t, "acct_123", a.ID)
	got := f.seen()
	require.Len(t, got, 2)
	require.Equal(t, got[0].Key, got[1].Key, "the retry repeats the key")
	require.Equal(t, got[0].Form, got[1].Form, "and the request")
}

func TestClient_RetriesATimedOutAttemptWithTheSameKey(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := func(w http.ResponseWriter) { <-release }
	f := &fakeStripe{answers: []func(http.ResponseWriter){slow, answerJSON(200, accountJSON)}}
	c := newClient(t, f, payments.WithHTTPClient(&http.Client{Timeout: 200 * time.Millisecond}))
	t.Cleanup(func() { close(release) }) // before the server closes: cleanups run last first
	_, err := c.CreateAccount(context.Background(), payments.IdempotencyKey("seller-account", "org1", "create"),
		&stripe.AccountParams{Type: stripe.String("express")})
	require.NoError(t, err)
	got := f.seen()
	require.Len(t, got, 2)
	require.Equal(t, got[0].Key, got[1].Key)
}

func TestClient_GivesUpAfterItsRetriesAsUnavailable(t *testing.T) {
	t.Parallel()
	f := &fakeStripe{answers: []func(http.ResponseWriter){answerJSON(503, errorJSON)}}
	c := newClient(t, f, payments.WithMaxNetworkRetries(1))
	_, err := c.CreateAccount(context.Background(), payments.IdempotencyKey("seller-account", "org1", "create"),
		&stripe.AccountParams{Type: stripe.String("express")})
	require.ErrorIs(t, err, payments.ErrUnavailable)
	var se *stripe.Error
	require.ErrorAs(t, err, &se, "Stripe's answer stays inspectable")
	require.Len(t, f.seen(), 2, "one attempt and one retry")
}

func TestClient_APostAnswered500IsUnavailableWithoutARetry(t *testing.T) {
	t.Parallel()
	// Stripe's idempotency layer replays a POST's 500 to the same key, so stripe-go does not
	// retry it; the caller (a workflow's activity) retries later, with the same key.
	f := &fakeStripe{answers: []func(http.ResponseWriter){answerJSON(500, errorJSON), answerJSON(200, accountJSON)}}
	c := newClient(t, f)
	_, err := c.CreateAccount(context.Background(), payments.IdempotencyKey("seller-account", "org1", "create"),
		&stripe.AccountParams{})
	require.ErrorIs(t, err, payments.ErrUnavailable)
	require.Len(t, f.seen(), 1)
}

func TestClient_ARefusalIsStripesErrorNotUnavailable(t *testing.T) {
	t.Parallel()
	f := &fakeStripe{answers: []func(http.ResponseWriter){answerJSON(400,
		`{"error": {"type": "invalid_request_error", "param": "country", "message": "bad country"}}`)}}
	c := newClient(t, f)
	_, err := c.CreateAccount(context.Background(), payments.IdempotencyKey("seller-account", "org1", "create"),
		&stripe.AccountParams{Country: stripe.String("ZZ")})
	require.NotErrorIs(t, err, payments.ErrUnavailable)
	var se *stripe.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, "country", se.Param)
	require.Len(t, f.seen(), 1, "a refusal is not retried")
}

func TestClient_UnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	c, err := payments.New(config.Stripe{APIBase: srv.URL, SecretKey: "sk_test_x"}, payments.WithMaxNetworkRetries(0))
	require.NoError(t, err)
	_, err = c.CreateAccount(context.Background(), payments.IdempotencyKey("a", "b"), &stripe.AccountParams{})
	require.ErrorIs(t, err, payments.ErrUnavailable)
}

func TestClient_TheCallersCancellationIsNotUnavailable(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	f := &fakeStripe{answers: []func(http.ResponseWriter){func(http.ResponseWriter) { <-release }}}
	c := newClient(t, f)
	t.Cleanup(func() { close(release) }) // before the server closes: cleanups run last first
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CreateAccount(ctx, payments.IdempotencyKey("a", "b"), &stripe.AccountParams{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, errors.Is(err, payments.ErrUnavailable))
	require.Len(t, f.seen(), 1, "an ended context is not retried")
}

func TestNew_RefusesABadConfiguration(t *testing.T) {
	t.Parallel()
	for _, cfg := range []config.Stripe{
		{APIBase: "", SecretKey: "sk"},
		{APIBase: "ftp://x", SecretKey: "sk"},
		{APIBase: "http://", SecretKey: "sk"},
		{APIBase: "http://127.0.0.1:12111", SecretKey: ""},
	} {
		_, err := payments.New(cfg)
		require.Error(t, err, "%+v", cfg)
	}
}
