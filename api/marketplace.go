package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/marketplace"
	"github.com/reptidex/reptidex/store"
)

type sellerAccountRequest struct {
	// The country of the seller's business, ISO 3166-1 alpha-2 in capitals (US, GB, DE…);
	// a Stripe account's country never changes.
	Country string `json:"country" text:"max=2" jsonschema:"required,pattern=^[A-Z]{2}$"`
}

type sellerAccountView struct {
	// The organization's Stripe Connect account.
	StripeAccountID string `json:"stripe_account_id" jsonschema:"pattern=^acct_"`
	// ISO 3166-1 alpha-2.
	Country          string `json:"country" jsonschema:"pattern=^[A-Z]{2}$"`
	ChargesEnabled   bool   `json:"charges_enabled"`
	PayoutsEnabled   bool   `json:"payouts_enabled"`
	DetailsSubmitted bool   `json:"details_submitted"`
	// What Stripe needs from the seller now (currently and past due), as Stripe names it,
	// e.g. external_account, individual.dob.day; onboarding asks for it.
	RequirementsDue []string `json:"requirements_due"`
	// Why Stripe disabled the account, as Stripe says it (e.g. requirements.past_due).
	DisabledReason string `json:"disabled_reason,omitempty"`
	// Whether the organization can list and sell: charges and payouts are enabled.
	CanSell bool `json:"can_sell"`
	// What stands between the organization and selling, for a person; empty when it can sell.
	Missing []string `json:"missing"`
	// When Stripe last reported on the account (or it was created).
	UpdatedAt time.Time `json:"updated_at"`
}

func viewSellerAccount(a store.SellerAccount) sellerAccountView {
	v := sellerAccountView{StripeAccountID: a.StripeAccountID, Country: a.Country, ChargesEnabled: a.ChargesEnabled,
		PayoutsEnabled: a.PayoutsEnabled, DetailsSubmitted: a.DetailsSubmitted, RequirementsDue: a.RequirementsDue,
		DisabledReason: a.DisabledReason, CanSell: true, Missing: []string{}, UpdatedAt: a.UpdatedAt}
	if nr := marketplace.Readiness(a); nr != nil {
		v.CanSell, v.Missing = false, nr.Reasons()
	}
	return v
}

type onboardingLinkView struct {
	// Where the person onboards on Stripe; it works once.
	URL string `json:"url" jsonschema:"format=uri"`
	// When the link stops working (a few minutes); ask for a new one after.
	ExpiresAt time.Time `json:"expires_at"`
}

// createSellerAccount gives the caller's organization its Stripe Connect account, or
// answers the one it has (marketplace.CreateSellerAccount).
func (s *Server) createSellerAccount(w http.ResponseWriter, r *http.Request) error {
	var in sellerAccountRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var (
		out     sellerAccountView
		created bool
	)
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		acct, made, err := marketplace.CreateSellerAccount(r.Context(), tx, s.payments, a, in.Country)
		out, created = viewSellerAccount(acct), made
		return sellerProblem(err)
	})
	if err != nil {
		return err
	}
	if created {
		return writeJSON(w, http.StatusCreated, out)
	}
	return writeJSON(w, http.StatusOK, out)
}

// getSellerAccount answers the caller's organization's seller account as Stripe last
// reported it (marketplace.SellerStatus).
func (s *Server) getSellerAccount(w http.ResponseWriter, r *http.Request) error {
	var out sellerAccountView
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		acct, err := marketplace.SellerStatus(r.Context(), tx, a.OrgID)
		out = viewSellerAccount(acct)
		return sellerProblem(err)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// createOnboardingLink answers a fresh Stripe onboarding link for the caller's
// organization's seller account (marketplace.OnboardingLink).
func (s *Server) createOnboardingLink(w http.ResponseWriter, r *http.Request) error {
	var out onboardingLinkView
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		l, err := marketplace.OnboardingLink(r.Context(), tx, s.payments, a, s.cfg.HTTP.PublicBaseURL)
		out = onboardingLinkView{URL: l.URL, ExpiresAt: l.ExpiresAt}
		return sellerProblem(err)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

// sellerProblem answers what the marketplace refused of a seller; other errors pass as they
// are (Stripe being unavailable is a 503, see isUnavailable).
func sellerProblem(err error) error {
	var notReady *marketplace.NotReadyError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &notReady):
		p := newProblem(kindSellerNotReady, "The organization cannot sell yet: "+strings.Join(notReady.Reasons(), "; ")+".")
		if notReady.NoAccount {
			p.Detail += " Create one with POST /api/v1/marketplace/seller-account, then onboard."
		} else {
			p.Detail += " Finish onboarding: POST /api/v1/marketplace/seller-account/onboarding-link."
		}
		return p
	case errors.Is(err, marketplace.ErrNotOwnerOrAdmin):
		return newProblem(kindForbidden, "Only owners and admins manage the organization's seller account.")
	case errors.Is(err, marketplace.ErrInvalidCountry):
		return invalid(FieldError{"country", marketplace.ErrInvalidCountry.Error()})
	case errors.Is(err, marketplace.ErrNoSellerAccount):
		return newProblem(kindNotFound, "The organization has no seller account; create one with POST /api/v1/marketplace/seller-account.")
	case errors.Is(err, marketplace.ErrCountryMismatch):
		return newProblem(kindConflict, "The organization's seller account is in another country; a Stripe account's country never changes.")
	}
	return err
}
