package payments

import (
	"context"

	"github.com/stripe/stripe-go/v76"
)

// The calls of subscription billing: the organization's customer, Checkout to subscribe,
// the Customer Portal, a subscription's plan and renewal, and paying an open invoice again.

// CreateCustomer creates the customer an organization is billed as.
func (c *Client) CreateCustomer(ctx context.Context, key Key, p *stripe.CustomerParams) (*stripe.Customer, error) {
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	cu, err := c.api.Customers.New(p)
	return cu, classify(ctx, "create customer", err)
}

// CreateCheckoutSession creates a Checkout session, the page where a customer subscribes.
func (c *Client) CreateCheckoutSession(ctx context.Context, key Key, p *stripe.CheckoutSessionParams) (*stripe.CheckoutSession, error) {
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	s, err := c.api.CheckoutSessions.New(p)
	return s, classify(ctx, "create checkout session", err)
}

// CreatePortalSession creates a Customer Portal session: a short-lived link where the
// customer changes their card, sees invoices and manages the subscription.
func (c *Client) CreatePortalSession(ctx context.Context, key Key, p *stripe.BillingPortalSessionParams) (*stripe.BillingPortalSession, error) {
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	s, err := c.api.BillingPortalSessions.New(p)
	return s, classify(ctx, "create portal session", err)
}

// RetrieveSubscription reads a subscription as Stripe has it now.
func (c *Client) RetrieveSubscription(ctx context.Context, key Key, id string) (*stripe.Subscription, error) {
	p := &stripe.SubscriptionParams{}
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	s, err := c.api.Subscriptions.Get(id, p)
	return s, classify(ctx, "retrieve subscription", err)
}

// UpdateSubscription changes a subscription: its price (the plan) or whether it ends at the
// end of the period.
func (c *Client) UpdateSubscription(ctx context.Context, key Key, id string, p *stripe.SubscriptionParams) (*stripe.Subscription, error) {
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	s, err := c.api.Subscriptions.Update(id, p)
	return s, classify(ctx, "update subscription", err)
}

// RetrieveInvoice reads an invoice as Stripe has it now.
func (c *Client) RetrieveInvoice(ctx context.Context, key Key, id string) (*stripe.Invoice, error) {
	p := &stripe.InvoiceParams{}
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	in, err := c.api.Invoices.Get(id, p)
	return in, classify(ctx, "retrieve invoice", err)
}

// PayInvoice attempts to collect an open invoice now, with the customer's default payment
// method.
func (c *Client) PayInvoice(ctx context.Context, key Key, id string) (*stripe.Invoice, error) {
	p := &stripe.InvoicePayParams{}
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	in, err := c.api.Invoices.Pay(id, p)
	return in, classify(ctx, "pay invoice", err)
}

// CancelSubscription ends a subscription now, without a final invoice or proration.
func (c *Client) CancelSubscription(ctx context.Context, key Key, id string) (*stripe.Subscription, error) {
	p := &stripe.SubscriptionCancelParams{InvoiceNow: stripe.Bool(false), Prorate: stripe.Bool(false)}
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	s, err := c.api.Subscriptions.Cancel(id, p)
	return s, classify(ctx, "cancel subscription", err)
}

// VoidInvoice voids an open invoice: it is no longer owed, and Stripe stops collecting it.
func (c *Client) VoidInvoice(ctx context.Context, key Key, id string) (*stripe.Invoice, error) {
	p := &stripe.InvoiceVoidInvoiceParams{}
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	in, err := c.api.Invoices.VoidInvoice(id, p)
	return in, classify(ctx, "void invoice", err)
}
