package api

import (
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
)

// The billing page, which every dunning email opens: the organization's plan, its
// subscription's state and the invoices still to pay, with the buttons that open Stripe's
// billing portal (to change the card) or an invoice's own page (to pay or confirm it). Each
// button asks Stripe for a fresh page, as the API's routes do, so a link in an old email
// still works. Owners and admins only, as with the API.

// billingPageData is what the billing page shows.
type billingPageData struct {
	Plan         store.Plan
	Subscription *store.Subscription
	// Open are the invoices still to pay, newest first.
	Open []store.Invoice
}

// PastDue is whether a renewal failed and is being collected again.
func (d billingPageData) PastDue() bool {
	return d.Subscription != nil && (d.Subscription.Status == "past_due" || d.Subscription.Status == "unpaid")
}

// billingPage shows the organization's billing to its owners and admins.
func (s *Server) billingPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if !logInFirst(w, r, v) {
		return nil
	}
	var d billingPageData
	err := s.withBilling(r, func(tx pgx.Tx, _ billing.Payer, _ billing.Subscriptions) error {
		ctx := r.Context()
		var err error
		if d.Plan, err = store.OrganizationPlan(ctx, tx); err != nil {
			return err
		}
		sub, err := store.CurrentSubscription(ctx, tx)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			d.Subscription = &sub
		}
		invoices, err := store.ListInvoices(ctx, tx, "", 24)
		for _, in := range invoices {
			if in.Status == "open" && in.HostedURL != "" {
				d.Open = append(d.Open, in)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	s.formsToStripe(w)
	v.Title = "Billing"
	v.Data = d
	return s.renderPage(w, r, http.StatusOK, "billing", v)
}

// billingPortalForm opens a fresh Stripe billing portal session, where the card is changed
// and the unpaid renewal retried.
func (s *Server) billingPortalForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := needPerson(v); err != nil {
		return err
	}
	url, err := s.portalURL(r)
	if err != nil {
		return err
	}
	return redirectTo(w, url)
}

// payInvoiceForm opens an open invoice's page at Stripe, where it is paid or confirmed.
func (s *Server) payInvoiceForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := needPerson(v); err != nil {
		return err
	}
	url, err := s.invoicePageURL(r)
	if err != nil {
		return err
	}
	return redirectTo(w, url)
}
