package api

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// The page of a transfer offer, which the offer's email opens: the animal with its pedigree
// and photos, and the recipient's answer: accept into one of their organizations, or decline
// with a reason. The answers go to the transfer's workflow exactly as the API's do.

// transferPageData is what the offer's page shows.
type transferPageData struct {
	ID        string
	Status    string
	Open      bool
	Name      string
	Species   string
	Genetics  string
	AnimalID  string
	From      string
	Message   string
	Reason    string
	ExpiresAt time.Time
	EndedAt   *time.Time
	// Answerable is whether the person may answer: the offer is open and not their own
	// organization's.
	Answerable bool
	// Organizations are those the person may receive the animal into (owner or admin).
	Organizations []store.UserOrganization
	// RecipientOrg is the organization the offer was made to, when it is the person's: a
	// decline answers for it.
	RecipientOrg string
	Pedigree     template.HTML
	Photos       []pagePhoto
}

// transferPage shows an offer to a party to it.
func (s *Server) transferPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if !logInFirst(w, r, v) {
		return nil
	}
	d, err := s.readTransferPage(r, v)
	if err != nil {
		return err
	}
	v.Title = "Offer of " + orUnnamed(d.Name)
	v.Data = d
	return s.renderPage(w, r, http.StatusOK, "transfer", v)
}

// readTransferPage reads the offer as the person sees it from any of their organizations,
// and, while it is open, the animal's chart (its ancestors as anyone sees them) and photos
// as the offering organization keeps them: what it chose to offer.
func (s *Server) readTransferPage(r *http.Request, v *web.View) (transferPageData, error) {
	ctx := r.Context()
	id := chi.URLParam(r, "transferID")
	var (
		t    store.Transfer
		orgs []store.UserOrganization
	)
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		var err error
		if orgs, err = store.OrganizationsOfUser(ctx, tx, a.UserID); err != nil {
			return err
		}
		t, err = store.TransferByPublicID(ctx, tx, id)
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// An offer to another of the person's organizations is theirs to see too.
		for _, o := range orgs {
			if o.OrgID == a.OrgID {
				continue
			}
			if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: o.OrgID, UserID: a.UserID}); err != nil {
				return err
			}
			if t, err = store.TransferByPublicID(ctx, tx, id); !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		detail := "No offer to you or your organizations has this address."
		if !v.Person.Verified {
			detail = "An offer made to your email address shows here once you confirm the address: follow the link we emailed you when you registered, or ask for a new one on the home page."
		}
		return transferPageData{}, newProblem(kindNotFound, detail)
	}
	if err != nil {
		return transferPageData{}, err
	}
	d := transferPageData{ID: t.PublicID, Status: t.Status, Open: t.Status == "offered", Name: t.AnimalName,
		Species: t.SpeciesKey, Genetics: t.GeneticsText, AnimalID: t.AnimalPublicID, From: t.OrgName,
		Message: t.Message, Reason: t.Reason, ExpiresAt: t.ExpiresAt, EndedAt: t.EndedAt}
	offering := false
	for _, o := range orgs {
		offering = offering || o.OrgID == t.OrgID
		if o.PublicID == t.RecipientOrgPublicID {
			d.RecipientOrg = o.PublicID
		}
		if o.Role.CanManageMembers() && o.OrgID != t.OrgID {
			d.Organizations = append(d.Organizations, o)
		}
	}
	d.Answerable = d.Open && !offering
	if d.Open {
		if err := s.offeredAnimal(ctx, t, &d); err != nil {
			return d, err
		}
	}
	return d, nil
}

// offeredAnimal adds the offered animal's chart and photos as its organization keeps them.
func (s *Server) offeredAnimal(ctx context.Context, t store.Transfer, d *transferPageData) error {
	chart, err := s.offeredChartSVG(ctx, t.OrgID, t.AnimalPublicID)
	if err != nil && !errors.Is(err, pedigree.ErrNotFound) {
		return err
	}
	d.Pedigree = chart
	return s.db.InTenant(ctx, store.Tenant{OrgID: t.OrgID}, func(tx pgx.Tx) error {
		var err error
		d.Photos, err = s.animalPhotos(ctx, tx, t.AnimalID, orUnnamed(t.AnimalName))
		return err
	})
}

func orUnnamed(name string) string {
	if name == "" {
		return "an unnamed animal"
	}
	return name
}

// acceptTransferForm accepts the offer into the organization chosen, then shows the offer's
// outcome.
func (s *Server) acceptTransferForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := needPerson(v); err != nil {
		return err
	}
	org := r.PostForm.Get("organization_id")
	if org == "" {
		return s.transferRefused(w, r, v, invalid(FieldError{"organization_id", "choose the organization that receives the animal"}))
	}
	if !isPublicID(org) {
		return s.transferRefused(w, r, v, invalid(FieldError{"organization_id", "is not one of your organizations"}))
	}
	if _, err := s.answer(r, org, transfer.Reply{Update: transfer.AcceptUpdate}); err != nil {
		return s.transferRefused(w, r, v, err)
	}
	return redirectTo(w, "/transfers/"+chi.URLParam(r, "transferID"))
}

// declineTransferForm declines the offer with the reason given, which the offering
// organization is told.
func (s *Server) declineTransferForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := needPerson(v); err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	v.Form = map[string]string{"reason": reason}
	if n := len([]rune(reason)); n > 1000 {
		return s.transferRefused(w, r, v, invalid(FieldError{"reason", "must be at most 1,000 characters"}))
	}
	if _, err := s.answer(r, r.PostForm.Get("organization_id"), transfer.Reply{Update: transfer.DeclineUpdate, Reason: reason}); err != nil {
		return s.transferRefused(w, r, v, err)
	}
	return redirectTo(w, "/transfers/"+chi.URLParam(r, "transferID"))
}

// transferRefused draws the offer's page again with why the answer was refused; a refusal
// that leaves nothing to draw (the offer gone) is a problem page.
func (s *Server) transferRefused(w http.ResponseWriter, r *http.Request, v *web.View, err error) error {
	var p *Problem
	if !errors.As(err, &p) {
		return err
	}
	d, rerr := s.readTransferPage(r, v)
	if rerr != nil {
		return err
	}
	markFields(v, p)
	v.Title = "Offer of " + orUnnamed(d.Name)
	v.Data = d
	return s.renderPage(w, r, p.Status, "transfer", v)
}
