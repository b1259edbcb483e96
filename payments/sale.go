package payments

import (
	"context"

	"github.com/stripe/stripe-go/v76"
)

// The calls a sale makes with the buyer's money: the card authorized on the platform account
// by a PaymentIntent with manual capture, captured when the seller ships or cancelled if the
// sale ends before, then paid out to the seller by a Transfer from the captured charge or
// back to the buyer by a Refund.

// CreatePaymentIntent creates a PaymentIntent: for a sale, on the platform account with
// capture_method=manual (the card is only authorized), the order as transfer_group and its
// id in metadata, so that the payout and the webhooks find their order.
func (c *Client) CreatePaymentIntent(ctx context.Context, key Key, p *stripe.PaymentIntentParams) (*stripe.PaymentIntent, error) {
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	pi, err := c.api.PaymentIntents.New(p)
	return pi, classify(ctx, "create payment intent", err)
}

// RetrievePaymentIntent reads a PaymentIntent as Stripe has it now, to reconcile a sale with
// it (a webhook may be late, repeated or lost). Like every call it takes a key.
func (c *Client) RetrievePaymentIntent(ctx context.Context, key Key, id string) (*stripe.PaymentIntent, error) {
	p := &stripe.PaymentIntentParams{}
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	pi, err := c.api.PaymentIntents.Get(id, p)
	return pi, classify(ctx, "retrieve payment intent", err)
}

// CapturePaymentIntent captures an authorized PaymentIntent into the platform's balance, in
// full unless p names a smaller amount_to_capture. A nil p captures in full.
func (c *Client) CapturePaymentIntent(ctx context.Context, key Key, id string, p *stripe.PaymentIntentCaptureParams) (*stripe.PaymentIntent, error) {
	if p == nil {
		p = &stripe.PaymentIntentCaptureParams{}
	}
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	pi, err := c.api.PaymentIntents.Capture(id, p)
	return pi, classify(ctx, "capture payment intent", err)
}

// CancelPaymentIntent cancels a PaymentIntent not yet captured, releasing the card's
// authorization. A nil p gives no cancellation reason.
func (c *Client) CancelPaymentIntent(ctx context.Context, key Key, id string, p *stripe.PaymentIntentCancelParams) (*stripe.PaymentIntent, error) {
	if p == nil {
		p = &stripe.PaymentIntentCancelParams{}
	}
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	pi, err := c.api.PaymentIntents.Cancel(id, p)
	return pi, classify(ctx, "cancel payment intent", err)
}

// CreateTransfer pays captured money to a connected account: for a sale, the seller's
// account as destination, the captured charge as source_transaction (so the transfer waits
// for those funds rather than the platform's balance) and the order as transfer_group.
func (c *Client) CreateTransfer(ctx context.Context, key Key, p *stripe.TransferParams) (*stripe.Transfer, error) {
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	tr, err := c.api.Transfers.New(p)
	return tr, classify(ctx, "create transfer", err)
}

// CreateRefund returns captured money to the buyer: the PaymentIntent's charge in full, or
// in part when p names an amount.
func (c *Client) CreateRefund(ctx context.Context, key Key, p *stripe.RefundParams) (*stripe.Refund, error) {
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	r, err := c.api.Refunds.New(p)
	return r, classify(ctx, "create refund", err)
}
