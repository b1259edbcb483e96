package marketplace

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
)

// ErrNotReady is what every NotReadyError is (errors.Is).
var ErrNotReady = errors.New("the organization cannot sell yet")

// NotReadyError says what stands between an organization and selling: a seller account,
// charges and payouts enabled on it; and what Stripe still needs from the seller.
type NotReadyError struct {
	NoAccount       bool
	ChargesDisabled bool
	PayoutsDisabled bool
	// What Stripe needs now (currently and past due), as Stripe names it.
	RequirementsDue []string
	// Why Stripe disabled the account, as Stripe says it; empty when it has not.
	DisabledReason string
}

// Reasons names, for a person, each thing missing, in order.
func (e *NotReadyError) Reasons() []string {
	if e.NoAccount {
		return []string{"the organization has no seller account"}
	}
	var r []string
	if e.ChargesDisabled {
		r = append(r, "charges are not enabled on its Stripe account")
	}
	if e.PayoutsDisabled {
		r = append(r, "payouts are not enabled on its Stripe account")
	}
	if e.DisabledReason != "" {
		r = append(r, "Stripe disabled the account ("+e.DisabledReason+")")
	}
	if len(e.RequirementsDue) > 0 {
		r = append(r, "Stripe still needs: "+strings.Join(e.RequirementsDue, ", "))
	}
	return r
}

func (e *NotReadyError) Error() string {
	return ErrNotReady.Error() + ": " + strings.Join(e.Reasons(), "; ")
}

// Is makes every NotReadyError ErrNotReady.
func (e *NotReadyError) Is(target error) bool { return target == ErrNotReady }

// Readiness says whether a seller account lets its organization sell: nil when charges and
// payouts are enabled (requirements Stripe has due by a later deadline do not stop it);
// otherwise what is missing, with the requirements due.
func Readiness(a store.SellerAccount) *NotReadyError {
	if a.ChargesEnabled && a.PayoutsEnabled {
		return nil
	}
	return &NotReadyError{ChargesDisabled: !a.ChargesEnabled, PayoutsDisabled: !a.PayoutsEnabled,
		RequirementsDue: a.RequirementsDue, DisabledReason: a.DisabledReason}
}

// RequireSeller is the check listing and selling start with: nil when the organization's
// seller account has charges and payouts enabled, otherwise a *NotReadyError naming what is
// missing (no account; charges; payouts; the requirements Stripe has due).
func RequireSeller(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) error {
	acct, err := store.SellerAccountOf(ctx, tx, orgID)
	if errors.Is(err, store.ErrNotFound) {
		return &NotReadyError{NoAccount: true}
	}
	if err != nil {
		return err
	}
	if e := Readiness(acct); e != nil {
		return e
	}
	return nil
}
