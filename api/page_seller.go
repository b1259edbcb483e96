package api

import (
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/marketplace"
	"github.com/reptidex/reptidex/web"
)

// The pages Stripe's Connect onboarding sends a seller back to: where the seller account
// stands once they leave Stripe (return), and a fresh onboarding link when theirs expired
// (refresh). Owners and admins only, as with the API.

// sellerPageData is what the seller account's page shows.
type sellerPageData struct {
	Account sellerAccountView
}

// sellerReturnPage shows the seller account as Stripe last reported it, with what still
// stands between the organization and selling.
func (s *Server) sellerReturnPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if !logInFirst(w, r, v) {
		return nil
	}
	var d sellerPageData
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		if !a.Role.CanManageMembers() {
			return sellerProblem(marketplace.ErrNotOwnerOrAdmin)
		}
		acct, err := marketplace.SellerStatus(r.Context(), tx, a.OrgID)
		if errors.Is(err, marketplace.ErrNoSellerAccount) {
			return nil
		}
		d.Account = viewSellerAccount(acct)
		return sellerProblem(err)
	})
	if err != nil {
		return err
	}
	s.formsToStripe(w)
	v.Title = "Selling on ReptiDex"
	v.Data = d
	return s.renderPage(w, r, http.StatusOK, "seller", v)
}

// sellerOnboardingRefresh is where Stripe sends a seller whose onboarding link expired: it
// asks Stripe for a fresh one and goes there. sellerOnboardingForm does the same from the
// page's button.
func (s *Server) sellerOnboardingRefresh(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if !logInFirst(w, r, v) {
		return nil
	}
	return s.sellerOnboardingForm(w, r, v)
}

func (s *Server) sellerOnboardingForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := needPerson(v); err != nil {
		return err
	}
	var url string
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		l, err := marketplace.OnboardingLink(r.Context(), tx, s.payments, a, s.cfg.HTTP.PublicBaseURL)
		if errors.Is(err, marketplace.ErrNoSellerAccount) {
			return newProblem(kindNotFound, "Your organization has no seller account yet: open one in the ReptiDex app first.")
		}
		url = l.URL
		return sellerProblem(err)
	})
	if err != nil {
		return err
	}
	return redirectTo(w, url)
}
