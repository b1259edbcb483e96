package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/dunning"
)

// Dunning are the dunning's activities: telling owners, retrying an invoice, and ending the
// grace.
type Dunning struct {
	*Database
	Pay *payments.Client
}

// Notice tells the organization's owners and admins, once per notice and person.
func (d *Dunning) Notice(ctx context.Context, n dunning.Notice) error {
	notifier := &notify.Notifier{River: d.River}
	return d.inTenant(ctx, store.Tenant{OrgID: n.OrgID}, func(tx pgx.Tx) error {
		managers, err := store.MemberIDs(ctx, tx, []string{"owner", "admin"})
		if err != nil {
			return err
		}
		for _, id := range managers {
			if _, err := notifier.Record(ctx, tx, dunning.Message(n, id)); err != nil {
				return fmt.Errorf("tell %s of dunning %s: %w", id, n.Kind, err)
			}
		}
		return nil
	})
}

// Retry asks Stripe to collect an open invoice now, under a key of the subscription, the
// invoice and the event that added the payment method: a retried activity repeats the
// same call, and each new payment method makes one new attempt.
func (d *Dunning) Retry(ctx context.Context, r dunning.Retry) error {
	defer heartbeat(ctx)()
	_, err := d.Pay.PayInvoice(ctx, payments.IdempotencyKey("dunning", r.SubscriptionID, r.InvoiceID, "retry", r.EventID), r.InvoiceID)
	var se *stripe.Error
	if err != nil && !errors.Is(err, payments.ErrUnavailable) && errors.As(err, &se) {
		return temporal.NewNonRetryableApplicationError("stripe refused the retry: "+se.Msg, dunning.ErrTypePaymentRefused, err)
	}
	return err
}

// EndGrace asks Stripe for each open invoice as it is now; one it has paid is recorded paid
// and the plan restored (Paid). Otherwise the grace is recorded ended and the organization
// moves to Free, its owners told why and how to restore it (billing.Settle), in one
// transaction. Stripe being unavailable does not
// hold the grace open: the invoice paid later restores the plan at once.
func (d *Dunning) EndGrace(ctx context.Context, g dunning.GraceEnd) (dunning.GraceOutcome, error) {
	defer heartbeat(ctx)()
	for _, id := range g.Open {
		in, err := d.Pay.RetrieveInvoice(ctx, payments.IdempotencyKey("dunning", g.SubscriptionID, id, "end-of-grace"), id)
		if err != nil || in.Status != stripe.InvoiceStatusPaid {
			continue
		}
		err = d.inTx(ctx, func(tx pgx.Tx) error {
			return billing.RecordPaid(ctx, tx, &notify.Notifier{River: d.River}, g.OrgID, id)
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return dunning.GraceOutcome{}, err
		}
		return dunning.GraceOutcome{Paid: true}, nil
	}
	err := d.inTx(ctx, func(tx pgx.Tx) error {
		_, err := billing.EndGrace(ctx, tx, &notify.Notifier{River: d.River}, g.OrgID, g.SubscriptionID, time.Now())
		return err
	})
	return dunning.GraceOutcome{}, err
}
