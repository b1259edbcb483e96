package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
	"github.com/reptidex/reptidex/workflows/sale"
)

// The Stripe events of a sale. Each handler runs in the transaction that keeps the event
// (stripehooks.Receiver), finds the order the event's object names — by the order_id its
// metadata carries, or else by its PaymentIntent — notes the event on the order's timeline,
// and passes what it says to the order's sale (sale.Tell). The sale acts on what moves it
// forward from where it stands and ignores the rest, so events may come in any order and
// more than once. An event about no order of ours, or for a sale that is over, is
// acknowledged.

// PaymentEvent handles payment_intent.amount_capturable_updated (the card authorized),
// payment_intent.payment_failed, payment_intent.canceled (including an authorization that
// lapsed) and charge.refunded.
func PaymentEvent(tc client.Client) func(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
	return func(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
		p, ref, ok := paymentOf(ev)
		if !ok {
			return nil
		}
		parties, err := orderOf(ctx, tx, ref)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := note(ctx, tx, parties, ev); err != nil {
			return err
		}
		if err := sale.Tell(ctx, tc, parties.ID, p); err != nil && !errors.Is(err, sale.ErrNotRunning) {
			return fmt.Errorf("tell the sale of %s: %w", ev.Type, err)
		}
		return nil
	}
}

// DisputeCreated handles charge.dispute.created: the buyer disputed the payment with their
// card issuer. The order is flagged, and the platform's admins are told, once.
func DisputeCreated(queue *river.Client[pgx.Tx]) func(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
	return func(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
		var d stripe.Dispute
		if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &d) != nil || d.ID == "" {
			return nil
		}
		ref := objectRef{metadata: d.Metadata}
		if d.PaymentIntent != nil {
			ref.paymentIntent = d.PaymentIntent.ID
		}
		if d.Charge != nil && ref.metadata == nil {
			ref.metadata = d.Charge.Metadata
		}
		parties, err := orderOf(ctx, tx, ref)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: parties.SellerOrgID}); err != nil {
			return err
		}
		detail := fmt.Sprintf("the buyer disputed %d %s with the card issuer (%s)", d.Amount, d.Currency, d.Reason)
		publicID, err := store.FlagDispute(ctx, tx, parties.ID, detail)
		if err != nil || publicID == "" {
			return err
		}
		admins, err := store.PlatformAdminIDs(ctx, tx)
		if err != nil {
			return err
		}
		for _, admin := range admins {
			if err := store.SetTenant(ctx, tx, store.Tenant{UserID: admin}); err != nil {
				return err
			}
			_, err := (&notify.Notifier{River: queue}).Record(ctx, tx, notify.Request{
				DedupKey: "sale/" + parties.ID.String() + "/dispute/" + admin.String(), Type: "sale.action", UserID: admin,
				Title: "Order " + publicID + " is disputed", Body: "The buyer " + detail + ". Respond to the dispute in Stripe.",
				Link: web.OrderPath(publicID), ActionLabel: "Review the order", Data: map[string]any{"order_id": publicID}})
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// objectRef is how a Stripe object names its order.
type objectRef struct {
	metadata      map[string]string
	paymentIntent string
}

// paymentOf reads what a payment event says, and how its object names its order.
func paymentOf(ev stripe.Event) (sale.Payment, objectRef, bool) {
	if ev.Data == nil {
		return sale.Payment{}, objectRef{}, false
	}
	p := sale.Payment{EventID: ev.ID}
	if ev.Type == stripe.EventTypeChargeRefunded {
		var c stripe.Charge
		if json.Unmarshal(ev.Data.Raw, &c) != nil || c.ID == "" {
			return sale.Payment{}, objectRef{}, false
		}
		p.Kind, p.ChargeID, p.AmountRefunded = sale.PaymentRefunded, c.ID, c.AmountRefunded
		ref := objectRef{metadata: c.Metadata}
		if c.PaymentIntent != nil {
			p.PaymentIntentID, ref.paymentIntent = c.PaymentIntent.ID, c.PaymentIntent.ID
		}
		return p, ref, true
	}
	var pi stripe.PaymentIntent
	if json.Unmarshal(ev.Data.Raw, &pi) != nil || pi.ID == "" {
		return sale.Payment{}, objectRef{}, false
	}
	p.PaymentIntentID = pi.ID
	if pi.LatestCharge != nil {
		p.ChargeID = pi.LatestCharge.ID
	}
	switch {
	case ev.Type == stripe.EventTypePaymentIntentAmountCapturableUpdated && pi.Status == stripe.PaymentIntentStatusRequiresCapture:
		p.Kind, p.AmountCapturable = sale.PaymentAuthorized, pi.AmountCapturable
	case ev.Type == stripe.EventTypePaymentIntentPaymentFailed:
		p.Kind = sale.PaymentFailed
		if e := pi.LastPaymentError; e != nil {
			p.Reason = string(e.DeclineCode)
			if p.Reason == "" {
				p.Reason = string(e.Code)
			}
		}
	case ev.Type == stripe.EventTypePaymentIntentCanceled:
		p.Kind, p.Reason = sale.PaymentCanceled, string(pi.CancellationReason)
	default:
		return sale.Payment{}, objectRef{}, false
	}
	return p, objectRef{metadata: pi.Metadata, paymentIntent: pi.ID}, true
}

// orderOf finds the order a Stripe object names: by the order_id in its metadata, or else by
// its PaymentIntent. An object naming none of ours is store.ErrNotFound.
func orderOf(ctx context.Context, tx pgx.Tx, ref objectRef) (store.OrderParties, error) {
	if id, err := uuid.Parse(ref.metadata["order_id"]); err == nil {
		return store.OrderPartiesByID(ctx, tx, id)
	}
	if ref.paymentIntent != "" {
		return store.OrderPartiesByPaymentIntent(ctx, tx, ref.paymentIntent)
	}
	return store.OrderParties{}, store.ErrNotFound
}

// note records the event on the order's timeline, in the seller's tenant.
func note(ctx context.Context, tx pgx.Tx, parties store.OrderParties, ev stripe.Event) error {
	if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: parties.SellerOrgID}); err != nil {
		return err
	}
	return store.AppendOrderEntry(ctx, tx, parties.ID, "stripe_event", nil, string(ev.Type)+" "+ev.ID)
}
