package api

import (
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/web"
	"github.com/reptidex/reptidex/workflows/export"
)

// The pages of what ReptiDex holds about a person, for that person alone: the document of
// their own data, once gathered, and their account's deletion, with the button that keeps
// the account. Each reads what the API answers, with the same functions.

// personalExportPageData is what the page of a person's data export shows.
type personalExportPageData struct {
	personalExportView
}

// StatusText says where the document stands.
func (d personalExportPageData) StatusText() string {
	switch d.Status {
	case "running":
		return "Being gathered. We send you the link once it is ready; reload the page to see it."
	case "ready":
		return "Ready to download until " + d.ExpiresAt.UTC().Format("2 January 2006, 15:04 UTC") + "."
	case "failed":
		return "It could not be built. Ask for your data again."
	case "expired":
		return "It expired, and the document is deleted. Ask for your data again."
	}
	return d.Status
}

// Tone styles the status.
func (d personalExportPageData) Tone() string { return recordTone(d.Status) }

// Size is the document's size for people.
func (d personalExportPageData) Size() string { return export.Size(d.Bytes) }

// personalExportPage shows a person the document of their own data.
func (s *Server) personalExportPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if !logInFirst(w, r, v) {
		return nil
	}
	e, err := s.readPersonalExport(r)
	if isNotFound(err) {
		return newProblem(kindNotFound, "None of your data exports has this address. Check that the link was copied whole, "+
			"and that you are logged in as the person who asked for it.")
	}
	if err != nil {
		return err
	}
	v.Title = "Your personal data"
	v.Data = personalExportPageData{e}
	return s.renderPage(w, r, http.StatusOK, "personal_export", v)
}

// deletionPage shows a person whether their account is to be deleted, when, and what
// becomes of their organizations, with the button that keeps it.
func (s *Server) deletionPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if !logInFirst(w, r, v) {
		return nil
	}
	return s.drawDeletion(w, r, v, http.StatusOK)
}

// drawDeletion reads where the person's deletion stands and draws its page at status.
func (s *Server) drawDeletion(w http.ResponseWriter, r *http.Request, v *web.View, status int) error {
	var d deletionView
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) (err error) {
		d, err = readDeletion(r.Context(), tx)
		return err
	})
	if err != nil {
		return err
	}
	v.Title = "Deleting your account"
	v.Data = d
	return s.renderPage(w, r, status, "deletion", v)
}

// keepAccountForm keeps the person's account, as DELETE /api/v1/me/deletion does, and shows
// that it is kept; or the deletion's page again with why it could not be.
func (s *Server) keepAccountForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := needPerson(v); err != nil {
		return err
	}
	err := s.keepAccount(r)
	var p *Problem
	switch {
	case errors.As(err, &p) && p.Status != http.StatusUnauthorized:
		markFields(v, p)
		if derr := s.drawDeletion(w, r, v, p.Status); derr != nil {
			return err
		}
		return nil
	case err != nil:
		return err
	}
	return redirectTo(w, web.DeletionPath)
}
