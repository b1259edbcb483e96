// Package marketplace holds the commands of selling, each in the caller's transaction, for
// the API, jobs and tests: an organization's seller account (this file) — its Stripe Connect
// Express account, the onboarding link, its status as Stripe reports it — the check every
// listing and sale starts with (RequireSeller, ready.go), and the listings themselves
// (listings.go).
package marketplace

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/store"
)

// metadataOrganization is the key under which a connected account's metadata names the
// organization (its public ID), so that what Stripe sends about the account leads back to it.
const metadataOrganization = "organization_id"

// Refusals of the seller account commands.
var (
	ErrNotOwnerOrAdmin = errors.New("only owners and admins manage the organization's seller account")
	ErrInvalidCountry  = errors.New("not a country code Stripe accepts: two capital letters, ISO 3166-1 alpha-2, e.g. US")
	ErrNoSellerAccount = errors.New("the organization has no seller account")
	ErrCountryMismatch = errors.New("the seller account was created in another country; a Stripe account's country never changes")
	ErrUnknownAccount  = errors.New("no organization has this Stripe account")
	errNoOwner         = errors.New("the organization has no owner")
)

// The steps of a seller account, as its Stripe calls' keys name them, and where Stripe sends
// a person back to from onboarding (pages of the app at PUBLIC_BASE_URL).
const (
	sellerAccountObject = "seller-account"
	createAccountStep   = "create"
	onboardingLinkStep  = "onboarding-link"
	onboardingRefresh   = "/seller/onboarding/refresh"
	onboardingReturn    = "/seller/onboarding/return"
)

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// CreateSellerAccount gives the caller's organization its Stripe Connect Express account,
// once: country is the seller's (ISO 3166-1 alpha-2), the email that of its longest-standing
// owner, the metadata its public ID. An organization that has one gets it back (created is
// false), unless it asks for another country. The Stripe call's key is the organization's
// ("seller-account/<org>/create"), so that a retry after a failure between Stripe and the
// commit, or a concurrent request, gets the same account (within Stripe's 24 hours).
func CreateSellerAccount(ctx context.Context, tx pgx.Tx, st *payments.Client, a store.Access, country string) (acct store.SellerAccount, created bool, err error) {
	if !a.Role.CanManageMembers() {
		return store.SellerAccount{}, false, ErrNotOwnerOrAdmin
	}
	if !countryCode.MatchString(country) {
		return store.SellerAccount{}, false, ErrInvalidCountry
	}
	existing, err := store.SellerAccountOf(ctx, tx, a.OrgID)
	switch {
	case err == nil && existing.Country != country:
		return existing, false, ErrCountryMismatch
	case err == nil:
		return existing, false, nil
	case !errors.Is(err, store.ErrNotFound):
		return store.SellerAccount{}, false, err
	}
	owner, err := store.OldestOwner(ctx, tx)
	if errors.Is(err, store.ErrNotFound) {
		return store.SellerAccount{}, false, errNoOwner
	}
	if err != nil {
		return store.SellerAccount{}, false, err
	}
	p := &stripe.AccountParams{
		Type:    stripe.String(string(stripe.AccountTypeExpress)),
		Country: stripe.String(country),
		Email:   stripe.String(owner.Email),
		Capabilities: &stripe.AccountCapabilitiesParams{
			CardPayments: &stripe.AccountCapabilitiesCardPaymentsParams{Requested: stripe.Bool(true)},
			Transfers:    &stripe.AccountCapabilitiesTransfersParams{Requested: stripe.Bool(true)},
		},
	}
	p.AddMetadata(metadataOrganization, a.OrgPublicID)
	account, err := st.CreateAccount(ctx, payments.IdempotencyKey(sellerAccountObject, a.OrgPublicID, createAccountStep), p)
	if err != nil {
		return store.SellerAccount{}, false, stripeRefusal(err)
	}
	row := stateOf(account)
	row.Country, row.CreatedBy = country, a.UserID
	stored, err := store.InsertSellerAccount(ctx, tx, row)
	if err != nil {
		return store.SellerAccount{}, false, err
	}
	if stored.StripeAccountID != account.ID {
		// Another request committed first, with the account Stripe gave it under the same key.
		return stored, false, nil
	}
	err = store.AppendEvent(ctx, tx, "seller_account.created", "organization", a.OrgPublicID,
		map[string]string{"stripe_account_id": account.ID, "country": country})
	return stored, true, err
}

// Link is a Stripe Account Link: where a person goes to onboard, until it expires.
type Link struct {
	URL       string
	ExpiresAt time.Time
}

// OnboardingLink creates a fresh Stripe Account Link (account_onboarding) for the caller's
// organization's seller account: a link works once and expires within minutes, so each
// click asks for a new one. Stripe sends the person back to publicBaseURL's
// /seller/onboarding/return when they are done and to /seller/onboarding/refresh when the
// link has expired (where the app asks for a new one). Each link is its own step, so its
// key is new for each call; stripe-go's retries of that call repeat it.
func OnboardingLink(ctx context.Context, tx pgx.Tx, st *payments.Client, a store.Access, publicBaseURL string) (Link, error) {
	if !a.Role.CanManageMembers() {
		return Link{}, ErrNotOwnerOrAdmin
	}
	acct, err := store.SellerAccountOf(ctx, tx, a.OrgID)
	if errors.Is(err, store.ErrNotFound) {
		return Link{}, ErrNoSellerAccount
	}
	if err != nil {
		return Link{}, err
	}
	base := strings.TrimRight(publicBaseURL, "/")
	key := payments.IdempotencyKey(sellerAccountObject, a.OrgPublicID, onboardingLinkStep, uuid.NewString())
	l, err := st.CreateAccountLink(ctx, key, &stripe.AccountLinkParams{
		Account:    stripe.String(acct.StripeAccountID),
		Type:       stripe.String(string(stripe.AccountLinkTypeAccountOnboarding)),
		RefreshURL: stripe.String(base + onboardingRefresh),
		ReturnURL:  stripe.String(base + onboardingReturn),
	})
	if err != nil {
		return Link{}, stripeRefusal(err)
	}
	return Link{URL: l.URL, ExpiresAt: time.Unix(l.ExpiresAt, 0).UTC()}, nil
}

// SellerStatus is the organization's seller account as Stripe last reported it;
// ErrNoSellerAccount when it has none. Readiness says whether it can sell.
func SellerStatus(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) (store.SellerAccount, error) {
	acct, err := store.SellerAccountOf(ctx, tx, orgID)
	if errors.Is(err, store.ErrNotFound) {
		return store.SellerAccount{}, ErrNoSellerAccount
	}
	return acct, err
}

// ApplyAccountUpdate records what a Stripe Account object says of the transaction's
// organization's seller account — charges, payouts, details submitted, requirements due —
// as account.updated delivers it. The account must be the organization's
// (ErrUnknownAccount otherwise; OrganizationOfAccount finds the organization). Each update
// replaces the state, so a webhook that reconciles from the account as Stripe has it now
// cannot be undone by an older event arriving late.
func ApplyAccountUpdate(ctx context.Context, tx pgx.Tx, account *stripe.Account) (store.SellerAccount, error) {
	if account == nil || account.ID == "" {
		return store.SellerAccount{}, ErrUnknownAccount
	}
	acct, err := store.UpdateSellerAccountState(ctx, tx, stateOf(account))
	if errors.Is(err, store.ErrNotFound) {
		return store.SellerAccount{}, ErrUnknownAccount
	}
	return acct, err
}

// OrganizationOfAccount finds the organization a connected account belongs to, from the
// public ID CreateSellerAccount put in its metadata, for what arrives without a tenant (a
// webhook); ApplyAccountUpdate then checks the account is that organization's.
func OrganizationOfAccount(ctx context.Context, q store.Querier, account *stripe.Account) (uuid.UUID, error) {
	if account == nil || account.Metadata[metadataOrganization] == "" {
		return uuid.Nil, ErrUnknownAccount
	}
	id, _, err := store.OrganizationIDByPublicID(ctx, q, account.Metadata[metadataOrganization])
	if errors.Is(err, store.ErrNotFound) {
		return uuid.Nil, ErrUnknownAccount
	}
	return id, err
}

// stateOf is what a Stripe Account says of the seller: charges, payouts, details, and the
// requirements due now (currently and past due, sorted, each once).
func stateOf(account *stripe.Account) store.SellerAccount {
	s := store.SellerAccount{StripeAccountID: account.ID, ChargesEnabled: account.ChargesEnabled,
		PayoutsEnabled: account.PayoutsEnabled, DetailsSubmitted: account.DetailsSubmitted, RequirementsDue: []string{}}
	if r := account.Requirements; r != nil {
		due := append(slices.Clone(r.CurrentlyDue), r.PastDue...)
		slices.Sort(due)
		s.RequirementsDue = append(s.RequirementsDue, slices.Compact(due)...)
		s.DisabledReason = string(r.DisabledReason)
	}
	return s
}

// stripeRefusal turns Stripe's refusal of the country into ErrInvalidCountry; every other
// error passes as it is (payments.ErrUnavailable among them).
func stripeRefusal(err error) error {
	var se *stripe.Error
	if errors.As(err, &se) && se.Type == stripe.ErrorTypeInvalidRequest && se.Param == "country" {
		return fmt.Errorf("%w: %w", ErrInvalidCountry, err)
	}
	return err
}
