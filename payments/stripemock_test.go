package payments_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/testkit"
)

// stripeMock is a client of the test stack's stripe-mock, which checks every request
// against Stripe's API definition (it keeps no state: any id is found).
func stripeMock(t *testing.T) *payments.Client {
	t.Helper()
	c, err := payments.New(testkit.Config(t).Stripe)
	require.NoError(t, err)
	return c
}

func TestClient_StripeAcceptsEveryCall(t *testing.T) {
	t.Parallel()
	c := stripeMock(t)
	for name, tc := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tc.call(context.Background(), c, payments.IdempotencyKey("test", name, "stripe-mock")))
		})
	}
}

func TestClient_TheSalesCallsAnswerWithTheirObjects(t *testing.T) {
	t.Parallel()
	c := stripeMock(t)
	ctx := context.Background()
	key := func(step string) payments.Key { return payments.IdempotencyKey("order", "test", step) }

	pi, err := c.CreatePaymentIntent(ctx, key("authorize"), saleIntent())
	require.NoError(t, err)
	require.Regexp(t, `^pi_`, pi.ID)
	require.Equal(t, int64(15000), pi.Amount)
	require.Equal(t, stripe.CurrencyUSD, pi.Currency)

	for step, call := range map[string]func() (*stripe.PaymentIntent, error){
		"retrieve": func() (*stripe.PaymentIntent, error) { return c.RetrievePaymentIntent(ctx, key("retrieve"), pi.ID) },
		"capture": func() (*stripe.PaymentIntent, error) {
			return c.CapturePaymentIntent(ctx, key("capture"), pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(15000)})
		},
		"cancel": func() (*stripe.PaymentIntent, error) {
			return c.CancelPaymentIntent(ctx, key("cancel"), pi.ID, &stripe.PaymentIntentCancelParams{
				CancellationReason: stripe.String(string(stripe.PaymentIntentCancellationReasonRequestedByCustomer))})
		},
	} {
		got, err := call()
		require.NoError(t, err, step)
		require.Regexp(t, `^pi_`, got.ID, step)
	}

	tr, err := c.CreateTransfer(ctx, key("transfer"), saleTransfer())
	require.NoError(t, err)
	require.Regexp(t, `^tr_`, tr.ID)

	re, err := c.CreateRefund(ctx, key("refund"), &stripe.RefundParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(5000)})
	require.NoError(t, err)
	require.Regexp(t, `^re_`, re.ID)
}

func TestClient_StripeRefusesABadSaleRequest(t *testing.T) {
	t.Parallel()
	c := stripeMock(t)
	p := saleIntent()
	p.CaptureMethod = stripe.String("later") // not one of Stripe's capture methods
	_, err := c.CreatePaymentIntent(context.Background(), payments.IdempotencyKey("order", "test", "bad"), p)
	require.Error(t, err)
	require.NotErrorIs(t, err, payments.ErrUnavailable, "a refusal, not an outage")
	var se *stripe.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, 400, se.HTTPStatusCode)
}
