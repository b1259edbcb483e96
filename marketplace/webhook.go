package marketplace

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/store"
)

// AccountUpdated handles account.updated, in the transaction that keeps the event: it
// reconciles the seller account with the account as Stripe has it now — not with the
// event's copy, which may arrive after a newer one — in the tenant of the organization the
// account's metadata names. An account no organization here holds is acknowledged and left
// alone. The read from Stripe is keyed by the event, so a redelivery asks the same question.
func AccountUpdated(pay *payments.Client) func(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
	return func(ctx context.Context, tx pgx.Tx, ev stripe.Event) error {
		var sent stripe.Account
		if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &sent) != nil || sent.ID == "" {
			return nil // not an account: nothing of ours to reconcile
		}
		org, err := OrganizationOfAccount(ctx, tx, &sent)
		if errors.Is(err, ErrUnknownAccount) {
			return nil
		}
		if err != nil {
			return err
		}
		now, err := pay.RetrieveAccount(ctx, payments.IdempotencyKey("stripe-event", ev.ID, "retrieve-account"), sent.ID)
		if err != nil {
			return err
		}
		if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: org}); err != nil {
			return err
		}
		if _, err := ApplyAccountUpdate(ctx, tx, now); err != nil && !errors.Is(err, ErrUnknownAccount) {
			return err
		}
		return nil
	}
}
