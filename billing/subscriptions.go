package billing

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/store"
)

// What an organization asks of its subscription, and why it may be refused.
var (
	// ErrNotForSale is a plan that cannot be subscribed to: Free, or a plan not set up in
	// Stripe (no price).
	ErrNotForSale = errors.New("the plan cannot be subscribed to")
	// ErrAlreadySubscribed is a checkout while a subscription is live: change its plan instead.
	ErrAlreadySubscribed = errors.New("the organization already has a subscription")
	// ErrNoSubscription is a change to a subscription the organization does not have (never
	// subscribed, or it has ended).
	ErrNoSubscription = errors.New("the organization has no live subscription")
	// ErrSamePlan is a change to the plan the subscription is already on.
	ErrSamePlan = errors.New("the subscription is already on that plan")
	// ErrNoCustomer is a portal asked for before the organization ever subscribed.
	ErrNoCustomer = errors.New("the organization has no billing account yet")
	// ErrNoPaymentPage is an invoice with nothing left to pay.
	ErrNoPaymentPage = errors.New("the invoice has nothing to pay")
)

// Payer is the organization that pays, and who asks.
type Payer struct {
	OrgID       uuid.UUID
	OrgPublicID string
	UserID      uuid.UUID
}

// Subscriptions is what an organization does with its subscription, through Stripe. Every
// call carries a key derived from the organization or subscription and the step.
type Subscriptions struct {
	Pay *payments.Client
	// ReturnURL is where Checkout and the portal send the customer back to.
	ReturnURL string
}

// Checkout opens a Checkout session where the payer subscribes to plan, and returns its URL.
// attempt distinguishes one click from the next (a retry of the same request repeats it).
func (s Subscriptions) Checkout(ctx context.Context, tx pgx.Tx, p Payer, planKey, attempt string) (string, error) {
	plan, err := store.GetPlan(ctx, tx, planKey)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrUnknownPlan
	}
	if err != nil {
		return "", err
	}
	if plan.StripePriceID == "" {
		return "", ErrNotForSale
	}
	switch sub, err := store.CurrentSubscription(ctx, tx); {
	case err == nil && live(sub.Status):
		return "", ErrAlreadySubscribed
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	customer, err := s.customer(ctx, tx, p)
	if err != nil {
		return "", err
	}
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:          stripe.String(customer),
		ClientReferenceID: stripe.String(p.OrgPublicID),
		SuccessURL:        stripe.String(s.ReturnURL + "?checkout=complete"),
		CancelURL:         stripe.String(s.ReturnURL + "?checkout=cancelled"),
		LineItems:         []*stripe.CheckoutSessionLineItemParams{{Price: stripe.String(plan.StripePriceID), Quantity: stripe.Int64(1)}},
		SubscriptionData:  &stripe.CheckoutSessionSubscriptionDataParams{Metadata: map[string]string{MetadataOrganization: p.OrgPublicID}},
	}
	session, err := s.Pay.CreateCheckoutSession(ctx, payments.IdempotencyKey("organization", p.OrgPublicID, "checkout", plan.Key, attempt), params)
	if err != nil {
		return "", err
	}
	return session.URL, nil
}

// customer is the payer's Stripe customer, created the first time.
func (s Subscriptions) customer(ctx context.Context, tx pgx.Tx, p Payer) (string, error) {
	id, err := store.BillingCustomerOf(ctx, tx)
	if !errors.Is(err, store.ErrNotFound) {
		return id, err
	}
	org, err := store.OrganizationByID(ctx, tx, p.OrgID)
	if err != nil {
		return "", err
	}
	params := &stripe.CustomerParams{Name: stripe.String(org.Name)}
	params.AddMetadata(MetadataOrganization, p.OrgPublicID)
	c, err := s.Pay.CreateCustomer(ctx, payments.IdempotencyKey("organization", p.OrgPublicID, "billing-customer"), params)
	if err != nil {
		return "", err
	}
	return store.InsertBillingCustomer(ctx, tx, c.ID, p.UserID)
}

// ChangePlan moves the live subscription to plan, prorating the rest of the period. The
// change applies when Stripe confirms it (customer.subscription.updated); the subscription
// is returned as it stands. attempt distinguishes one request from the next.
func (s Subscriptions) ChangePlan(ctx context.Context, tx pgx.Tx, planKey, attempt string) (store.Subscription, error) {
	plan, err := store.GetPlan(ctx, tx, planKey)
	if errors.Is(err, store.ErrNotFound) {
		return store.Subscription{}, ErrUnknownPlan
	}
	if err != nil {
		return store.Subscription{}, err
	}
	if plan.StripePriceID == "" {
		return store.Subscription{}, ErrNotForSale
	}
	sub, err := s.liveSubscription(ctx, tx)
	if err != nil {
		return sub, err
	}
	if sub.PlanKey == plan.Key {
		return sub, ErrSamePlan
	}
	params := &stripe.SubscriptionParams{
		Items:             []*stripe.SubscriptionItemsParams{{ID: stripe.String(sub.ItemID), Price: stripe.String(plan.StripePriceID)}},
		ProrationBehavior: stripe.String("create_prorations"),
	}
	_, err = s.Pay.UpdateSubscription(ctx, s.key(sub, attempt, "plan", plan.Key), sub.StripeID, params)
	return sub, err
}

// Cancel ends the live subscription. A subscription in good standing runs to the end of the
// period it is paid for (and may be resumed until then). One whose renewal is unpaid
// (dunning) ends now and its open invoices are voided: nobody is charged after cancelling.
// A void that fails here is done again when Stripe's customer.subscription.deleted arrives
// (Sync).
func (s Subscriptions) Cancel(ctx context.Context, tx pgx.Tx, attempt string) (store.Subscription, error) {
	sub, err := s.liveSubscription(ctx, tx)
	if err != nil {
		return sub, err
	}
	if sub.Status != string(stripe.SubscriptionStatusPastDue) {
		_, err = s.Pay.UpdateSubscription(ctx, s.key(sub, attempt, "cancel-at-period-end"), sub.StripeID,
			&stripe.SubscriptionParams{CancelAtPeriodEnd: stripe.Bool(true)})
		return sub, err
	}
	open, err := store.OpenInvoices(ctx, tx, sub.StripeID)
	if err != nil {
		return sub, err
	}
	if _, err := s.Pay.CancelSubscription(ctx, s.key(sub, attempt, "cancel-now"), sub.StripeID); err != nil {
		return sub, err
	}
	for _, in := range open {
		if _, err := s.Pay.VoidInvoice(ctx, VoidKey(sub.StripeID, in.StripeID), in.StripeID); err != nil {
			return sub, err
		}
	}
	return sub, nil
}

// Resume keeps a subscription that was to end at the end of its period.
func (s Subscriptions) Resume(ctx context.Context, tx pgx.Tx, attempt string) (store.Subscription, error) {
	sub, err := s.liveSubscription(ctx, tx)
	if err != nil {
		return sub, err
	}
	_, err = s.Pay.UpdateSubscription(ctx, s.key(sub, attempt, "resume"), sub.StripeID,
		&stripe.SubscriptionParams{CancelAtPeriodEnd: stripe.Bool(false)})
	return sub, err
}

// Portal opens a fresh Customer Portal session for the payer and returns its URL: each
// click of our link makes a new one, so an emailed link never goes stale. click
// distinguishes one click from the next.
func (s Subscriptions) Portal(ctx context.Context, tx pgx.Tx, p Payer, click string) (string, error) {
	customer, err := store.BillingCustomerOf(ctx, tx)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrNoCustomer
	}
	if err != nil {
		return "", err
	}
	session, err := s.Pay.CreatePortalSession(ctx, payments.IdempotencyKey("organization", p.OrgPublicID, "portal", click),
		&stripe.BillingPortalSessionParams{Customer: stripe.String(customer), ReturnURL: stripe.String(s.ReturnURL)})
	if err != nil {
		return "", err
	}
	return session.URL, nil
}

// InvoicePage is the page at Stripe where an open invoice of the organization is paid or
// authenticated, as last told; ErrNoPaymentPage when the invoice is settled or has none.
func InvoicePage(ctx context.Context, tx pgx.Tx, invoiceID string) (string, error) {
	in, err := store.LockInvoice(ctx, tx, invoiceID)
	if err != nil {
		return "", err
	}
	if settled(in.Status) || in.HostedURL == "" {
		return "", ErrNoPaymentPage
	}
	return in.HostedURL, nil
}

// liveSubscription is the organization's subscription that has not ended.
func (s Subscriptions) liveSubscription(ctx context.Context, tx pgx.Tx) (store.Subscription, error) {
	sub, err := store.CurrentSubscription(ctx, tx)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !live(sub.Status)) {
		return sub, ErrNoSubscription
	}
	return sub, err
}

// key is the idempotency key of a step on a subscription, asked by one request (attempt: a
// retry of the request repeats the call, another request makes another).
func (s Subscriptions) key(sub store.Subscription, attempt string, step ...string) payments.Key {
	return payments.IdempotencyKey(append([]string{"subscription", sub.StripeID, attempt}, step...)...)
}

// live reports whether a subscription's status is one that may still be paid for.
func live(status string) bool {
	switch status {
	case "active", "trialing", "past_due", "incomplete", "paused":
		return true
	}
	return false
}
