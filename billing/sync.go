package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/dunning"
)

// MetadataOrganization is the metadata key, on a subscription (and so on its invoices) and
// on a customer, naming the organization by its public ID.
const MetadataOrganization = "organization_id"

// InvoiceReader reads an invoice as Stripe has it now, and voids one (payments.Client).
type InvoiceReader interface {
	RetrieveInvoice(ctx context.Context, key payments.Key, id string) (*stripe.Invoice, error)
	VoidInvoice(ctx context.Context, key payments.Key, id string) (*stripe.Invoice, error)
}

// DunningClient reaches the dunning processes (TemporalDunning in production).
type DunningClient interface {
	// Fail tells a subscription's dunning that an invoice failed, starting it if none runs.
	Fail(ctx context.Context, in dunning.Input, f dunning.Failure) error
	// Tell sends a running dunning a signal; dunning.ErrNotRunning when none runs.
	Tell(ctx context.Context, subscriptionID, signal string, arg any) error
}

// Sync keeps each organization's subscription and invoices as Stripe says, from Stripe's
// webhooks, and moves its plan with them. Its handlers run in the transaction that keeps the
// event (stripehooks.Receiver), so an event is applied once: a redelivery is acknowledged
// and not applied again.
//
// Events arrive in any order and are never applied blindly in arrival order:
//   - A subscription's state is applied only if it is newer than the state stored (by the
//     time Stripe created the event); at the same second an update wins over a creation, and
//     a deleted subscription never comes back. So updated-before-created keeps the update.
//   - An invoice's status only moves forward (draft, open, then paid, void or
//     uncollectible), so a payment_failed that arrives after invoice.paid changes nothing.
//   - Before a failure starts or joins a dunning, Stripe is asked for the invoice as it is
//     now: one Stripe has paid meanwhile (its invoice.paid not here yet) is recorded paid
//     and no one is told of a failure.
type Sync struct {
	Stripe   InvoiceReader
	Dunning  DunningClient
	Schedule dunning.Schedule
	// Notifier tells the owners when the plan changes.
	Notifier *notify.Notifier
}

// SubscriptionEvent handles customer.subscription.created, .updated and .deleted.
func (s Sync) SubscriptionEvent(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
	var sub stripe.Subscription
	if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &sub) != nil || sub.ID == "" || sub.Customer == nil {
		return nil // not a subscription: nothing of ours
	}
	org, err := organizationOf(ctx, tx, sub.Metadata, sub.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // a subscription no organization here holds
	}
	if err != nil {
		return err
	}
	if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: org}); err != nil {
		return err
	}
	at := time.Unix(ev.Created, 0).UTC()
	stored, err := store.LockSubscription(ctx, tx, sub.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	case stored.Status == string(stripe.SubscriptionStatusCanceled),
		at.Before(stored.StateAt),
		at.Equal(stored.StateAt) && ev.Type == stripe.EventTypeCustomerSubscriptionCreated:
		return nil // older than what is stored, or the subscription has ended for good
	}
	next, err := subscriptionState(ctx, tx, &sub, at)
	if err != nil {
		return err
	}
	if ev.Type == stripe.EventTypeCustomerSubscriptionDeleted {
		next.Status = string(stripe.SubscriptionStatusCanceled)
		if err := s.voidOpen(ctx, tx, sub.ID); err != nil {
			return err
		}
	}
	if err := store.SaveSubscription(ctx, tx, next); err != nil {
		return err
	}
	if err := s.settle(ctx, tx, org, CauseSubscription); err != nil {
		return err
	}
	if ended(next.Status) {
		return s.tell(ctx, sub.ID, dunning.EndedSignal, dunning.Ended{Status: next.Status})
	}
	return nil
}

// voidOpen voids the invoices of an ended subscription still open here, and records them
// void, so that nobody is charged for a subscription that has ended: what a cancellation
// while unpaid voids (Subscriptions.Cancel), under the same keys, or finishes if it could
// not. An invoice Stripe refuses to void because it is no longer open (paid or voided
// meanwhile) is left as it is; its own event tells its status.
func (s Sync) voidOpen(ctx context.Context, tx pgx.Tx, subscriptionID string) error {
	open, err := store.OpenInvoices(ctx, tx, subscriptionID)
	if err != nil {
		return err
	}
	for _, in := range open {
		_, err := s.Stripe.VoidInvoice(ctx, VoidKey(subscriptionID, in.StripeID), in.StripeID)
		switch {
		case err == nil:
			in.Status = "void" // final: nothing is offered to pay any more
			if err := store.SaveInvoice(ctx, tx, in); err != nil {
				return err
			}
		case errors.Is(err, payments.ErrUnavailable):
			return err
		default:
			now, rerr := s.Stripe.RetrieveInvoice(ctx, payments.IdempotencyKey("subscription", subscriptionID, "void-check", in.StripeID), in.StripeID)
			if rerr != nil || now.Status == stripe.InvoiceStatusOpen {
				return errors.Join(err, rerr)
			}
		}
	}
	return nil
}

// VoidKey is the idempotency key of voiding an invoice of an ended subscription.
func VoidKey(subscriptionID, invoiceID string) payments.Key {
	return payments.IdempotencyKey("subscription", subscriptionID, "void", invoiceID)
}

// InvoiceEvent handles invoice.paid, invoice.payment_failed and
// invoice.payment_action_required for the invoices of subscriptions.
func (s Sync) InvoiceEvent(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
	var in stripe.Invoice
	if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &in) != nil || in.ID == "" || in.Subscription == nil || in.Subscription.ID == "" {
		return nil // not an invoice of a subscription
	}
	var meta map[string]string
	if in.SubscriptionDetails != nil {
		meta = in.SubscriptionDetails.Metadata
	}
	org, err := organizationOf(ctx, tx, meta, in.Subscription.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: org}); err != nil {
		return err
	}
	stored, err := s.applyInvoice(ctx, tx, ev, &in)
	if err != nil {
		return err
	}
	if stored.Status == string(stripe.InvoiceStatusPaid) {
		return s.paid(ctx, tx, org, stored)
	}
	if ev.Type == stripe.EventTypeInvoicePaid || settled(stored.Status) {
		return nil
	}
	// A failure, or the bank asking to authenticate: unless Stripe has it paid by now.
	now, err := s.Stripe.RetrieveInvoice(ctx, payments.IdempotencyKey("stripe-event", ev.ID, "retrieve-invoice"), in.ID)
	switch {
	case errors.Is(err, payments.ErrUnavailable):
		// Stripe cannot say now: the dunning starts, and asks again before it ends the grace.
	case err != nil:
		return err
	case now.ID == in.ID && settled(string(now.Status)):
		stored.Status, stored.ActionRequired = string(now.Status), false
		if err := store.SaveInvoice(ctx, tx, stored); err != nil {
			return err
		}
		if stored.Status == string(stripe.InvoiceStatusPaid) {
			return s.paid(ctx, tx, org, stored)
		}
		return nil
	}
	sub, err := store.LockSubscription(ctx, tx, in.Subscription.ID)
	if err == nil && (sub.GraceEndedAt != nil || ended(sub.Status)) {
		// The grace has ended (the organization is on Free until it pays) or the
		// subscription has: nobody is chased again.
		return nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.Dunning.Fail(ctx, dunning.Input{OrgID: org, SubscriptionID: in.Subscription.ID, Schedule: s.Schedule},
		dunning.Failure{InvoiceID: in.ID, EventID: ev.ID, ActionRequired: stored.ActionRequired})
}

// PaymentMethodAttached handles payment_method.attached: the customer added a payment
// method, so each dunning of its subscriptions retries its open invoices at once.
func (s Sync) PaymentMethodAttached(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
	var pm stripe.PaymentMethod
	if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &pm) != nil || pm.Customer == nil || pm.Customer.ID == "" {
		return nil
	}
	subs, err := store.SubscriptionsOfCustomer(ctx, tx, pm.Customer.ID)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if err := s.tell(ctx, sub.StripeID, dunning.PaymentMethodSignal, dunning.MethodAdded{EventID: ev.ID}); err != nil {
			return err
		}
	}
	return nil
}

// applyInvoice merges what the event says of an invoice into what is stored, the status
// only moving forward, and returns it as stored.
func (s Sync) applyInvoice(ctx context.Context, tx pgx.Tx, ev stripe.Event, in *stripe.Invoice) (store.Invoice, error) {
	at := time.Unix(ev.Created, 0).UTC()
	next := store.Invoice{StripeID: in.ID, SubscriptionID: in.Subscription.ID, Number: clip(in.Number, 100),
		Status: string(in.Status), AmountDue: in.AmountDue, AmountPaid: in.AmountPaid, Currency: string(in.Currency),
		AttemptCount: int(in.AttemptCount), HostedURL: clip(in.HostedInvoiceURL, 2000),
		PeriodStart: unixTime(in.PeriodStart), PeriodEnd: unixTime(in.PeriodEnd), Created: time.Unix(in.Created, 0).UTC(), StateAt: at}
	switch ev.Type {
	case stripe.EventTypeInvoicePaid:
		next.Status = string(stripe.InvoiceStatusPaid)
	case stripe.EventTypeInvoicePaymentActionRequired:
		next.ActionRequired = true
	}
	if !slices.Contains(invoiceStatuses, next.Status) {
		next.Status = string(stripe.InvoiceStatusOpen)
	}
	if next.Currency == "" {
		next.Currency = "usd"
	}
	stored, err := store.LockInvoice(ctx, tx, in.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return store.Invoice{}, err
	case settled(stored.Status) && !settled(next.Status), at.Before(stored.StateAt):
		// What is stored is further along, or newer: keep it, noting only an authentication
		// request on an invoice still open.
		if next.ActionRequired && !settled(stored.Status) && !stored.ActionRequired {
			stored.ActionRequired = true
			return stored, store.SaveInvoice(ctx, tx, stored)
		}
		return stored, nil
	default:
		next.ActionRequired = next.ActionRequired || (stored.ActionRequired && ev.Type != stripe.EventTypeInvoicePaymentFailed)
	}
	if settled(next.Status) {
		next.ActionRequired = false
	}
	return next, store.SaveInvoice(ctx, tx, next)
}

// paid restores what a paid invoice pays for: the grace that ended is forgotten, the plan is
// settled again, and the dunning is told.
func (s Sync) paid(ctx context.Context, tx pgx.Tx, org uuid.UUID, in store.Invoice) error {
	sub, err := store.LockSubscription(ctx, tx, in.SubscriptionID)
	switch {
	case err == nil && sub.GraceEndedAt != nil:
		if err := store.SetGraceEnded(ctx, tx, in.SubscriptionID, nil); err != nil {
			return err
		}
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
	if err := s.settle(ctx, tx, org, CauseSubscription); err != nil {
		return err
	}
	return s.tell(ctx, in.SubscriptionID, dunning.PaidSignal, dunning.Paid{InvoiceID: in.StripeID})
}

// tell signals a subscription's dunning, if one runs.
func (s Sync) tell(ctx context.Context, subscriptionID, signal string, arg any) error {
	if s.Dunning == nil {
		return nil
	}
	if err := s.Dunning.Tell(ctx, subscriptionID, signal, arg); err != nil && !errors.Is(err, dunning.ErrNotRunning) {
		return err
	}
	return nil
}

// invoiceStatuses are the statuses an invoice is stored with.
var invoiceStatuses = []string{"draft", "open", "paid", "void", "uncollectible"}

// settled reports whether an invoice's status is final: paid, void or uncollectible.
func settled(status string) bool {
	return status == "paid" || status == "void" || status == "uncollectible"
}

// ended reports whether a subscription's status means it will not be paid for again.
func ended(status string) bool {
	return status == "canceled" || status == "incomplete_expired" || status == "unpaid"
}

// subscriptionState is the subscription as Stripe sent it, at, with the plan of its price.
func subscriptionState(ctx context.Context, q store.Querier, sub *stripe.Subscription, at time.Time) (store.Subscription, error) {
	next := store.Subscription{StripeID: sub.ID, CustomerID: sub.Customer.ID, Status: string(sub.Status),
		CancelAtPeriodEnd: sub.CancelAtPeriodEnd, CurrentPeriodEnd: unixTime(sub.CurrentPeriodEnd), StateAt: at}
	if !slices.Contains(subscriptionStatuses, next.Status) {
		next.Status = string(stripe.SubscriptionStatusIncomplete)
	}
	if sub.Items != nil && len(sub.Items.Data) > 0 && sub.Items.Data[0] != nil {
		item := sub.Items.Data[0]
		next.ItemID = clip(item.ID, 255)
		if item.Price != nil {
			next.PriceID = clip(item.Price.ID, 255)
		}
	}
	plan, err := store.PlanOfPrice(ctx, q, next.PriceID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Subscription{}, err
	}
	next.PlanKey = plan
	return next, nil
}

var subscriptionStatuses = []string{"incomplete", "incomplete_expired", "trialing", "active", "past_due",
	"canceled", "unpaid", "paused"}

// organizationOf finds the organization a Stripe object is about: by the organization its
// metadata names, or else by the subscription stored; ErrNotFound when neither is ours.
func organizationOf(ctx context.Context, q store.Querier, meta map[string]string, subscriptionID string) (uuid.UUID, error) {
	if pub := meta[MetadataOrganization]; pub != "" {
		id, _, err := store.OrganizationIDByPublicID(ctx, q, pub)
		if !errors.Is(err, store.ErrNotFound) {
			return id, err
		}
	}
	return store.OrganizationOfSubscription(ctx, q, subscriptionID)
}

func unixTime(sec int64) *time.Time {
	if sec <= 0 {
		return nil
	}
	t := time.Unix(sec, 0).UTC()
	return &t
}

// clip keeps at most n bytes of what Stripe sent, so a column's bound never refuses an event.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// SubscribedPlan is the plan the organization's subscription entitles it to now: the plan
// of its price while it is active, trialing, or past due within the dunning's grace; Free
// otherwise (never subscribed, ended, incomplete, or the grace ended unpaid).
func SubscribedPlan(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) (string, error) {
	if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: orgID}); err != nil {
		return "", err
	}
	sub, err := store.CurrentSubscription(ctx, tx)
	if errors.Is(err, store.ErrNotFound) {
		return FreePlan, nil
	}
	if err != nil {
		return "", fmt.Errorf("subscribed plan: %w", err)
	}
	return entitled(sub), nil
}

// FreePlan is the plan of every organization that pays for none.
const FreePlan = "free"

// entitled is the plan a subscription entitles its organization to.
func entitled(s store.Subscription) string {
	switch s.Status {
	case "active", "trialing", "past_due":
		if s.GraceEndedAt == nil && s.PlanKey != "" {
			return s.PlanKey
		}
	}
	return FreePlan
}

// RecordPaid records that Stripe has an invoice of the organization paid (asked directly,
// before its webhook came) and restores what it pays for.
func RecordPaid(ctx context.Context, tx pgx.Tx, n *notify.Notifier, org uuid.UUID, invoiceID string) error {
	if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: org}); err != nil {
		return err
	}
	in, err := store.LockInvoice(ctx, tx, invoiceID)
	if err != nil {
		return err
	}
	in.Status, in.ActionRequired = string(stripe.InvoiceStatusPaid), false
	if err := store.SaveInvoice(ctx, tx, in); err != nil {
		return err
	}
	return Sync{Notifier: n}.paid(ctx, tx, org, in)
}

// EndGrace records that a subscription's grace ended unpaid, at, and moves the organization
// to the plan that leaves it (Free). It reports false when the grace had already ended, or
// the subscription is not stored.
func EndGrace(ctx context.Context, tx pgx.Tx, n *notify.Notifier, org uuid.UUID, subscriptionID string, at time.Time) (bool, error) {
	if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: org}); err != nil {
		return false, err
	}
	sub, err := store.LockSubscription(ctx, tx, subscriptionID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil || sub.GraceEndedAt != nil {
		return false, err
	}
	if err := store.SetGraceEnded(ctx, tx, subscriptionID, &at); err != nil {
		return false, err
	}
	return true, Sync{Notifier: n}.settle(ctx, tx, org, CauseDunning)
}

// settle puts the organization on the plan it is entitled to now (Settle), telling its
// owners when that changes.
func (s Sync) settle(ctx context.Context, tx pgx.Tx, org uuid.UUID, cause Cause) error {
	_, err := Settle(ctx, tx, s.Notifier, org, cause)
	return err
}
