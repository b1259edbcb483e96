package stripehooks_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/reptidex/reptidex/stripehooks"
)

// payment is the payment of an order as the sale's events describe it.
func payment() stripehooks.SalePayment {
	return stripehooks.SalePayment{PaymentIntentID: "pi_" + uuid.NewString()[:8], ChargeID: "ch_" + uuid.NewString()[:8],
		OrderID: uuid.New(), Amount: 15000, Currency: "usd", TransferGroup: "order_7Kp2"}
}

// received is what stripe-go makes of a built event once signed, as the webhook endpoint
// receives it.
func received(t *testing.T, typ stripe.EventType, p stripehooks.SalePayment) stripe.Event {
	t.Helper()
	payload, err := stripehooks.BuildEvent(typ, p)
	require.NoError(t, err)
	ev, err := webhook.ConstructEvent(payload, stripehooks.Sign(payload, secret, time.Now()), secret)
	require.NoError(t, err)
	require.Regexp(t, `^evt_[0-9a-f]{24}$`, ev.ID)
	require.Equal(t, typ, ev.Type)
	require.Equal(t, stripe.APIVersion, ev.APIVersion)
	require.False(t, ev.Livemode)
	at := p.At
	if at.IsZero() {
		at = time.Now()
	}
	require.InDelta(t, at.Unix(), ev.Created, 5, "created when the payment says, by default now")
	return ev
}

// intentOf checks the event's PaymentIntent is the sale's, in status.
func intentOf(t *testing.T, ev stripe.Event, p stripehooks.SalePayment, status stripe.PaymentIntentStatus) stripe.PaymentIntent {
	t.Helper()
	var pi stripe.PaymentIntent
	require.NoError(t, json.Unmarshal(ev.Data.Raw, &pi))
	require.Equal(t, p.PaymentIntentID, pi.ID)
	require.Equal(t, status, pi.Status)
	require.Equal(t, p.Amount, pi.Amount)
	require.Equal(t, stripe.Currency(p.Currency), pi.Currency)
	require.Equal(t, stripe.PaymentIntentCaptureMethodManual, pi.CaptureMethod)
	require.Equal(t, map[string]string{"order_id": p.OrderID.String()}, pi.Metadata)
	require.NotNil(t, pi.LatestCharge)
	require.Equal(t, p.ChargeID, pi.LatestCharge.ID)
	require.Equal(t, p.TransferGroup, pi.TransferGroup)
	return pi
}

func TestBuildEvent_EachSaleEventIsWhatStripeGoReads(t *testing.T) {
	t.Parallel()
	checks := map[stripe.EventType]func(t *testing.T, ev stripe.Event, p stripehooks.SalePayment){
		stripe.EventTypePaymentIntentAmountCapturableUpdated: func(t *testing.T, ev stripe.Event, p stripehooks.SalePayment) {
			pi := intentOf(t, ev, p, stripe.PaymentIntentStatusRequiresCapture)
			require.Equal(t, p.Amount, pi.AmountCapturable)
			require.Zero(t, pi.AmountReceived)
		},
		stripe.EventTypePaymentIntentSucceeded: func(t *testing.T, ev stripe.Event, p stripehooks.SalePayment) {
			pi := intentOf(t, ev, p, stripe.PaymentIntentStatusSucceeded)
			require.Zero(t, pi.AmountCapturable)
			require.Equal(t, p.Amount, pi.AmountReceived)
		},
		stripe.EventTypePaymentIntentPaymentFailed: func(t *testing.T, ev stripe.Event, p stripehooks.SalePayment) {
			pi := intentOf(t, ev, p, stripe.PaymentIntentStatusRequiresPaymentMethod)
			require.NotNil(t, pi.LastPaymentError)
			require.Equal(t, stripe.ErrorTypeCard, pi.LastPaymentError.Type)
			require.Equal(t, stripe.ErrorCodeCardDeclined, pi.LastPaymentError.Code)
			require.Equal(t, stripe.DeclineCodeGenericDecline, pi.LastPaymentError.DeclineCode)
			require.Zero(t, pi.AmountCapturable)
		},
		stripe.EventTypePaymentIntentCanceled: func(t *testing.T, ev stripe.Event, p stripehooks.SalePayment) {
			pi := intentOf(t, ev, p, stripe.PaymentIntentStatusCanceled)
			require.Equal(t, stripe.PaymentIntentCancellationReasonAutomatic, pi.CancellationReason, "a lapsed authorization")
			require.Positive(t, pi.CanceledAt)
		},
		stripe.EventTypeChargeRefunded: func(t *testing.T, ev stripe.Event, p stripehooks.SalePayment) {
			var ch stripe.Charge
			require.NoError(t, json.Unmarshal(ev.Data.Raw, &ch))
			require.Equal(t, p.ChargeID, ch.ID)
			require.NotNil(t, ch.PaymentIntent)
			require.Equal(t, p.PaymentIntentID, ch.PaymentIntent.ID)
			require.Equal(t, p.Amount, ch.Amount)
			require.Equal(t, p.Amount, ch.AmountRefunded, "in full by default")
			require.True(t, ch.Refunded)
			require.Equal(t, stripe.Currency(p.Currency), ch.Currency)
		},
		stripe.EventTypeChargeDisputeCreated: func(t *testing.T, ev stripe.Event, p stripehooks.SalePayment) {
			var d stripe.Dispute
			require.NoError(t, json.Unmarshal(ev.Data.Raw, &d))
			require.Regexp(t, `^dp_`, d.ID)
			require.NotNil(t, d.Charge)
			require.Equal(t, p.ChargeID, d.Charge.ID)
			require.NotNil(t, d.PaymentIntent)
			require.Equal(t, p.PaymentIntentID, d.PaymentIntent.ID)
			require.Equal(t, p.Amount, d.Amount)
			require.Equal(t, stripe.DisputeReasonProductNotReceived, d.Reason)
			require.Equal(t, stripe.DisputeStatusNeedsResponse, d.Status)
		},
	}
	require.Len(t, checks, len(stripehooks.SaleEventTypes), "each type is checked")
	for _, typ := range stripehooks.SaleEventTypes {
		check, ok := checks[typ]
		require.True(t, ok, "%s is checked", typ)
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			p := payment()
			check(t, received(t, typ, p), p)
		})
	}
}

func TestBuildEvent_TakesWhatEachTypeNeeds(t *testing.T) {
	t.Parallel()
	p := payment()
	p.DeclineCode = stripe.DeclineCodeInsufficientFunds
	p.CancellationReason = stripe.PaymentIntentCancellationReasonRequestedByCustomer
	p.AmountRefunded = 5000
	p.DisputeID, p.DisputeReason = "dp_fixed", stripe.DisputeReasonFraudulent
	p.At = time.Now().Add(-time.Minute)

	var pi stripe.PaymentIntent
	ev := received(t, stripe.EventTypePaymentIntentPaymentFailed, p)
	require.NoError(t, json.Unmarshal(ev.Data.Raw, &pi))
	require.Equal(t, stripe.DeclineCodeInsufficientFunds, pi.LastPaymentError.DeclineCode)

	ev = received(t, stripe.EventTypePaymentIntentCanceled, p)
	require.NoError(t, json.Unmarshal(ev.Data.Raw, &pi))
	require.Equal(t, stripe.PaymentIntentCancellationReasonRequestedByCustomer, pi.CancellationReason)

	var ch stripe.Charge
	require.NoError(t, json.Unmarshal(received(t, stripe.EventTypeChargeRefunded, p).Data.Raw, &ch))
	require.Equal(t, int64(5000), ch.AmountRefunded)
	require.False(t, ch.Refunded, "refunded in part")

	var d stripe.Dispute
	require.NoError(t, json.Unmarshal(received(t, stripe.EventTypeChargeDisputeCreated, p).Data.Raw, &d))
	require.Equal(t, "dp_fixed", d.ID)
	require.Equal(t, stripe.DisputeReasonFraudulent, d.Reason)

	// Each event is a new event: its own id.
	a, err := stripehooks.BuildEvent(stripe.EventTypePaymentIntentSucceeded, p)
	require.NoError(t, err)
	b, err := stripehooks.BuildEvent(stripe.EventTypePaymentIntentSucceeded, p)
	require.NoError(t, err)
	var ea, eb stripe.Event
	require.NoError(t, json.Unmarshal(a, &ea))
	require.NoError(t, json.Unmarshal(b, &eb))
	require.NotEqual(t, ea.ID, eb.ID)
}

func TestBuildEvent_RefusesWhatItCannotRender(t *testing.T) {
	t.Parallel()
	for name, change := range map[string]func(*stripehooks.SalePayment){
		"no PaymentIntent":  func(p *stripehooks.SalePayment) { p.PaymentIntentID = "" },
		"no charge":         func(p *stripehooks.SalePayment) { p.ChargeID = "" },
		"no order":          func(p *stripehooks.SalePayment) { p.OrderID = uuid.Nil },
		"no amount":         func(p *stripehooks.SalePayment) { p.Amount = 0 },
		"a negative amount": func(p *stripehooks.SalePayment) { p.Amount = -1 },
		"no currency":       func(p *stripehooks.SalePayment) { p.Currency = "" },
		"refunded beyond":   func(p *stripehooks.SalePayment) { p.AmountRefunded = p.Amount + 1 },
		"a negative refund": func(p *stripehooks.SalePayment) { p.AmountRefunded = -1 },
	} {
		p := payment()
		change(&p)
		_, err := stripehooks.BuildEvent(stripe.EventTypePaymentIntentSucceeded, p)
		require.ErrorIs(t, err, stripehooks.ErrEventInput, name)
	}
	_, err := stripehooks.BuildEvent(stripe.EventTypeAccountUpdated, payment())
	require.ErrorIs(t, err, stripehooks.ErrEventInput, "not a sale's event")
}
