package api

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
)

// subscriptionView is the organization's subscription as Stripe last told it.
type subscriptionView struct {
	// Stripe's ID of the subscription.
	ID string `json:"id" jsonschema:"pattern=^sub_"`
	// Stripe's status: active, trialing, past_due (a renewal is unpaid: dunning), canceled,
	// unpaid, incomplete, incomplete_expired or paused.
	Status string `json:"status" jsonschema:"enum=active,enum=trialing,enum=past_due,enum=canceled,enum=unpaid,enum=incomplete,enum=incomplete_expired,enum=paused"`
	// Key of the plan it pays for; empty when its price is none of the plans.
	Plan string `json:"plan"`
	// True when it ends at the end of the period already paid for (it may be resumed until then).
	CancelAtPeriodEnd bool `json:"cancel_at_period_end"`
	// End of the period paid for, RFC 3339.
	CurrentPeriodEnd *time.Time `json:"current_period_end,omitempty"`
	// When the grace of an unpaid renewal ended and the organization moved to Free; paying
	// the open invoice restores the plan at once.
	GraceEndedAt *time.Time `json:"grace_ended_at,omitempty"`
}

// billingView is what the organization pays for and is entitled to.
type billingView struct {
	// Public ID of the organization.
	OrganizationID string `json:"organization_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Key of the plan whose limits apply now.
	Plan string `json:"plan"`
	// The subscription, or null when the organization never subscribed.
	Subscription *subscriptionView `json:"subscription"`
}

// invoiceView is one invoice of the organization's subscription.
type invoiceView struct {
	// Stripe's ID of the invoice.
	ID string `json:"id" jsonschema:"pattern=^in_"`
	// Stripe's invoice number, once finalized.
	Number string `json:"number"`
	// draft, open (due), paid, void or uncollectible.
	Status string `json:"status" jsonschema:"enum=draft,enum=open,enum=paid,enum=void,enum=uncollectible"`
	// Amounts in minor units of the currency.
	AmountDue  int64 `json:"amount_due"`
	AmountPaid int64 `json:"amount_paid"`
	// Lower-case ISO 4217 code.
	Currency string `json:"currency" jsonschema:"pattern=^[a-z]{3}$"`
	// How many times Stripe has tried to collect it.
	AttemptCount int `json:"attempt_count" jsonschema:"minimum=0"`
	// True when the bank asks the customer to authenticate the payment.
	ActionRequired bool `json:"action_required"`
	// Our link that opens the invoice's payment page at Stripe, while there is something to pay.
	PayURL      string     `json:"pay_url,omitempty"`
	PeriodStart *time.Time `json:"period_start,omitempty"`
	PeriodEnd   *time.Time `json:"period_end,omitempty"`
	Created     time.Time  `json:"created"`
}

// invoiceList is a page of invoices, newest first.
type invoiceList struct {
	Items []invoiceView `json:"items"`
	// The cursor of the next page; absent on the last.
	NextCursor string `json:"next_cursor,omitempty"`
}

// checkoutRequest asks to subscribe to a plan.
type checkoutRequest struct {
	// Key of the plan to subscribe to: pro or business.
	Plan string `json:"plan" jsonschema:"pattern=^[a-z0-9-]+$" text:"max=40"`
}

// checkoutView is where the payer subscribes.
type checkoutView struct {
	// The Checkout page at Stripe; the subscription starts when it is paid there.
	URL string `json:"url" jsonschema:"format=uri"`
}

// planChangeRequest moves the subscription to another plan.
type planChangeRequest struct {
	// Key of the new plan.
	Plan string `json:"plan" jsonschema:"pattern=^[a-z0-9-]+$" text:"max=40"`
}

// withBilling runs fn for an owner or admin of the caller's organization, with what billing
// asks of Stripe.
func (s *Server) withBilling(r *http.Request, fn func(pgx.Tx, billing.Payer, billing.Subscriptions) error) error {
	subs := billing.Subscriptions{Pay: s.payments, ReturnURL: s.links.URL(web.BillingPath)}
	return s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		if !a.Role.AtLeast(membership.Admin) {
			return newProblem(kindForbidden, "Only the organization's owners and admins manage its subscription.")
		}
		return fn(tx, billing.Payer{OrgID: a.OrgID, OrgPublicID: a.OrgPublicID, UserID: a.UserID}, subs)
	})
}

// attempt is what tells one request from the next in the keys of its Stripe calls: the
// caller's Idempotency-Key when it sends one, so that a retry repeats the call.
func attempt(r *http.Request) (string, error) {
	key, err := idempotencyKey(r)
	if err != nil || key != "" {
		return key, err
	}
	return uuid.NewString(), nil
}

// checkout opens a Checkout session to subscribe to a plan.
func (s *Server) checkout(w http.ResponseWriter, r *http.Request) error {
	var in checkoutRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Plan == "" {
		return invalid(FieldError{"plan", "is required"})
	}
	try, err := attempt(r)
	if err != nil {
		return err
	}
	var out checkoutView
	err = s.withBilling(r, func(tx pgx.Tx, p billing.Payer, subs billing.Subscriptions) error {
		out.URL, err = subs.Checkout(r.Context(), tx, p, in.Plan, try)
		return subscriptionProblem(err)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

// getSubscription answers the plan that applies and the subscription, to any member.
func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request) error {
	var out billingView
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		plan, err := store.OrganizationPlan(r.Context(), tx)
		if err != nil {
			return err
		}
		out = billingView{OrganizationID: a.OrgPublicID, Plan: plan.Key}
		sub, err := store.CurrentSubscription(r.Context(), tx)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		out.Subscription = viewSubscription(sub)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// changeSubscription changes the plan, cancels or resumes: the change is asked of Stripe,
// and applies when Stripe confirms it.
func (s *Server) changeSubscription(change func(*http.Request, pgx.Tx, billing.Subscriptions, string) (store.Subscription, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		try, err := attempt(r)
		if err != nil {
			return err
		}
		var out *subscriptionView
		err = s.withBilling(r, func(tx pgx.Tx, _ billing.Payer, subs billing.Subscriptions) error {
			sub, err := change(r, tx, subs, try)
			out = viewSubscription(sub)
			return subscriptionProblem(err)
		})
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusAccepted, out)
	}
}

func (s *Server) changePlan(r *http.Request, tx pgx.Tx, subs billing.Subscriptions, try string) (store.Subscription, error) {
	var in planChangeRequest
	if err := decodeJSON(r, &in); err != nil {
		return store.Subscription{}, err
	}
	if in.Plan == "" {
		return store.Subscription{}, invalid(FieldError{"plan", "is required"})
	}
	return subs.ChangePlan(r.Context(), tx, in.Plan, try)
}

func cancelSubscription(r *http.Request, tx pgx.Tx, subs billing.Subscriptions, try string) (store.Subscription, error) {
	return subs.Cancel(r.Context(), tx, try)
}

func resumeSubscription(r *http.Request, tx pgx.Tx, subs billing.Subscriptions, try string) (store.Subscription, error) {
	return subs.Resume(r.Context(), tx, try)
}

// billingPortal sends the caller to a fresh Customer Portal session: every click of the
// link makes a new one.
func (s *Server) billingPortal(w http.ResponseWriter, r *http.Request) error {
	url, err := s.portalURL(r)
	if err != nil {
		return err
	}
	return redirect(w, r, url)
}

// portalURL opens a fresh Customer Portal session for the caller's organization.
func (s *Server) portalURL(r *http.Request) (url string, err error) {
	err = s.withBilling(r, func(tx pgx.Tx, p billing.Payer, subs billing.Subscriptions) error {
		url, err = subs.Portal(r.Context(), tx, p, uuid.NewString())
		return subscriptionProblem(err)
	})
	return url, err
}

// payInvoice sends the caller to the page where an open invoice is paid or authenticated.
func (s *Server) payInvoice(w http.ResponseWriter, r *http.Request) error {
	url, err := s.invoicePageURL(r)
	if err != nil {
		return err
	}
	return redirect(w, r, url)
}

// invoicePageURL is the Stripe page of the open invoice in the path (billing.InvoicePage).
func (s *Server) invoicePageURL(r *http.Request) (url string, err error) {
	err = s.withBilling(r, func(tx pgx.Tx, _ billing.Payer, _ billing.Subscriptions) error {
		url, err = billing.InvoicePage(r.Context(), tx, chi.URLParam(r, "invoice"))
		return subscriptionProblem(err)
	})
	return url, err
}

// stripeLinkView is a page at Stripe to open.
type stripeLinkView struct {
	// The page; it works for a short while, so ask again for the next visit.
	URL string `json:"url" jsonschema:"format=uri"`
}

// redirect sends a browser to url with 303 See Other, and answers a client that asks for
// JSON (Accept: application/json) with the URL; never cached: the next click asks again.
func redirect(w http.ResponseWriter, r *http.Request, url string) error {
	w.Header().Set("Cache-Control", "no-store")
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		return writeJSON(w, http.StatusOK, stripeLinkView{URL: url})
	}
	w.Header().Set("Location", url)
	w.WriteHeader(http.StatusSeeOther)
	return nil
}

// listInvoices lists the organization's invoices, newest first, to its owners and admins.
func (s *Server) listInvoices(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := cursorPage(r, 20, stripeInvoiceID)
	if err != nil {
		return err
	}
	var out invoiceList
	err = s.withBilling(r, func(tx pgx.Tx, _ billing.Payer, _ billing.Subscriptions) error {
		invoices, err := store.ListInvoices(r.Context(), tx, after, limit+1)
		if err != nil {
			return err
		}
		if len(invoices) > limit {
			invoices = invoices[:limit]
			out.NextCursor = cursorOf(invoices[limit-1].StripeID)
		}
		out.Items = make([]invoiceView, 0, len(invoices))
		for _, in := range invoices {
			out.Items = append(out.Items, viewInvoice(in))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// stripeInvoiceID reports whether s is shaped as Stripe's invoice IDs are (in_ and letters
// and digits), as a cursor of the invoice list must be.
var stripeInvoiceID = regexp.MustCompile(`^in_[A-Za-z0-9]{1,250}$`).MatchString

func viewSubscription(sub store.Subscription) *subscriptionView {
	if sub.StripeID == "" {
		return nil
	}
	return &subscriptionView{ID: sub.StripeID, Status: sub.Status, Plan: sub.PlanKey, CancelAtPeriodEnd: sub.CancelAtPeriodEnd,
		CurrentPeriodEnd: sub.CurrentPeriodEnd, GraceEndedAt: sub.GraceEndedAt}
}

func viewInvoice(in store.Invoice) invoiceView {
	v := invoiceView{ID: in.StripeID, Number: in.Number, Status: in.Status, AmountDue: in.AmountDue, AmountPaid: in.AmountPaid,
		Currency: in.Currency, AttemptCount: in.AttemptCount, ActionRequired: in.ActionRequired,
		PeriodStart: in.PeriodStart, PeriodEnd: in.PeriodEnd, Created: in.Created}
	if in.HostedURL != "" && (in.Status == "open" || in.Status == "draft") {
		v.PayURL = "/api/v1/billing/invoices/" + in.StripeID + "/pay"
	}
	return v
}

// subscriptionProblem answers what billing refused; other errors pass as they are.
func subscriptionProblem(err error) error {
	var se *stripe.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, billing.ErrUnknownPlan):
		return invalid(FieldError{"plan", "is not a plan; GET /api/v1/billing/plans lists them"})
	case errors.Is(err, billing.ErrNotForSale):
		return invalid(FieldError{"plan", "cannot be subscribed to: Free needs no subscription (cancel instead), and a plan without a Stripe price is not for sale yet"})
	case errors.Is(err, billing.ErrAlreadySubscribed):
		return newProblem(kindConflict, "The organization already has a subscription; change its plan with PATCH /api/v1/billing/subscription.")
	case errors.Is(err, billing.ErrNoSubscription):
		return newProblem(kindConflict, "The organization has no live subscription; subscribe with POST /api/v1/billing/checkout.")
	case errors.Is(err, billing.ErrSamePlan):
		return newProblem(kindConflict, "The subscription is already on that plan.")
	case errors.Is(err, billing.ErrNoCustomer):
		return newProblem(kindConflict, "The organization has no billing account yet; subscribe with POST /api/v1/billing/checkout.")
	case errors.Is(err, billing.ErrNoPaymentPage):
		return newProblem(kindConflict, "The invoice has nothing left to pay.")
	case errors.Is(err, store.ErrNotFound):
		return notFound("invoice")
	case errors.As(err, &se) && se.HTTPStatusCode < http.StatusInternalServerError:
		return newProblem(kindConflict, "Stripe refused the change; the subscription is as it was.")
	}
	return err
}
