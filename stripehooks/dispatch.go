package stripehooks

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/marketplace"
	"github.com/reptidex/reptidex/orders"
	"github.com/reptidex/reptidex/payments"
)

// Handler processes one event of its type, in the transaction that keeps the event: what it
// writes (rows, River jobs with InsertTx) commits with the record that the event was
// processed, or not at all. Arrival order is not assumed: a handler reconciles the state it
// reads with the event's object, rather than replaying a step.
type Handler func(ctx context.Context, tx pgx.Tx, ev stripe.Event) error

// Dispatcher routes events by type to their handlers.
type Dispatcher struct {
	handlers map[stripe.EventType]Handler
	// later are the types handled after the delivery is acknowledged (Handling).
	later map[stripe.EventType]bool
}

// NewDispatcher is a dispatcher with no handlers: every event is acknowledged and kept.
func NewDispatcher() *Dispatcher {
	return &Dispatcher{handlers: map[stripe.EventType]Handler{}, later: map[stripe.EventType]bool{}}
}

// Handle routes events of type t to h, run while the delivery waits, replacing any handler
// registered for t before.
func (d *Dispatcher) Handle(t stripe.EventType, h Handler) *Dispatcher {
	d.handlers[t] = h
	delete(d.later, t)
	return d
}

// HandleLater routes events of type t to h, run by Handling after the delivery is
// acknowledged.
func (d *Dispatcher) HandleLater(t stripe.EventType, h Handler) *Dispatcher {
	d.handlers[t] = h
	d.later[t] = true
	return d
}

// deferred reports whether events of type t are handled after the delivery.
func (d *Dispatcher) deferred(t stripe.EventType) bool { return d != nil && d.later[t] }

// handler is the handler of t, or nil when no handler takes it.
func (d *Dispatcher) handler(t stripe.EventType) Handler {
	if d == nil {
		return nil
	}
	return d.handlers[t]
}

// Handlers is the platform's routing table: which handler takes each type of event, with
// pay to read from Stripe what an event is about, tc to reach the sale an event is about,
// queue to notify in the event's transaction, and bill to keep subscriptions in step (its
// events handled after the delivery is acknowledged). Types missing from it are
// acknowledged and kept for audit.
func Handlers(pay *payments.Client, tc client.Client, queue *river.Client[pgx.Tx], bill billing.Sync) *Dispatcher {
	payment := orders.PaymentEvent(tc)
	return NewDispatcher().
		HandleLater(stripe.EventTypeCustomerSubscriptionCreated, bill.SubscriptionEvent).
		HandleLater(stripe.EventTypeCustomerSubscriptionUpdated, bill.SubscriptionEvent).
		HandleLater(stripe.EventTypeCustomerSubscriptionDeleted, bill.SubscriptionEvent).
		HandleLater(stripe.EventTypeInvoicePaid, bill.InvoiceEvent).
		HandleLater(stripe.EventTypeInvoicePaymentFailed, bill.InvoiceEvent).
		HandleLater(stripe.EventTypeInvoicePaymentActionRequired, bill.InvoiceEvent).
		HandleLater(stripe.EventTypePaymentMethodAttached, bill.PaymentMethodAttached).
		Handle(stripe.EventTypeAccountUpdated, marketplace.AccountUpdated(pay)).
		Handle(stripe.EventTypePaymentIntentAmountCapturableUpdated, payment).
		Handle(stripe.EventTypePaymentIntentPaymentFailed, payment).
		Handle(stripe.EventTypePaymentIntentCanceled, payment).
		Handle(stripe.EventTypeChargeRefunded, payment).
		Handle(stripe.EventTypeChargeDisputeCreated, orders.DisputeCreated(queue))
}
