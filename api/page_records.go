package api

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/imports"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
	"github.com/reptidex/reptidex/workflows/export"
	"github.com/reptidex/reptidex/workflows/importing"
)

// The pages of an organization's records, which the messages of their processes open: a
// pedigree certificate (its status, its PDF, its public check), an export (its progress,
// then its download) and an import (its stage, what its check found, and the buttons that
// apply or cancel it). Each reads what the API answers, with the same functions, for the
// members of the organization that holds it; a link to a record of another of the person's
// organizations moves the session there first, as the order's page does.

// recordPage draws a record of the session's organization (draw). When draw finds nothing
// there and found, run in each other organization of the person, finds it in one, the
// session moves to that one and the page is asked again; anything none of the person's
// organizations holds is a 404 page saying missing, exactly like what does not exist.
func (s *Server) recordPage(w http.ResponseWriter, r *http.Request, v *web.View, missing string,
	draw pageHandler, found func(pgx.Tx) error) error {
	if !logInFirst(w, r, v) {
		return nil
	}
	err := draw(w, r, v)
	if !isNotFound(err) {
		return err
	}
	org, err := s.otherOrganizationWith(r, found)
	switch {
	case err != nil:
		return err
	case org == "":
		return newProblem(kindNotFound, missing)
	}
	if err := s.switchPageSession(r, org); err != nil {
		return err
	}
	return redirectTo(w, r.URL.RequestURI())
}

// isNotFound is whether err is a 404 problem.
func isNotFound(err error) bool {
	var p *Problem
	return errors.As(err, &p) && p.Status == http.StatusNotFound
}

// certificatePageData is what a certificate's page shows.
type certificatePageData struct {
	certificateView
	// The animal as the organization keeps it; empty once it is no longer theirs.
	AnimalName, Species string
}

// StatusText says where the certificate stands.
func (d certificatePageData) StatusText() string {
	switch d.Status {
	case "issuing":
		return "Being issued: it is signed and its PDF made in a moment. Reload the page to download it."
	case "issued":
		return "Issued: this is the animal's current certificate."
	case "failed":
		return "It could not be issued, and nothing was issued under this serial. Request the certificate again."
	case "superseded":
		return "Superseded: the animal changed hands, and its new owner's certificate replaced this one."
	case "revoked":
		return "Revoked by ReptiDex: do not rely on it."
	}
	return d.Status
}

// Tone styles the status.
func (d certificatePageData) Tone() string {
	switch d.Status {
	case "issued":
		return "good"
	case "failed", "revoked":
		return "bad"
	}
	return "warn"
}

// Checkable is whether the public check knows the certificate: once it has been issued.
func (d certificatePageData) Checkable() bool { return d.IssuedAt != nil }

// certificatePage shows a certificate to the members of its organization.
func (s *Server) certificatePage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	serial := chi.URLParam(r, "serial")
	return s.recordPage(w, r, v, "No certificate of your organizations has this serial. Check that the link was copied whole.",
		s.drawCertificate, func(tx pgx.Tx) error {
			_, err := store.CertificateBySerial(r.Context(), tx, serial)
			return err
		})
}

// drawCertificate reads the certificate in the person's organization, with its animal while
// the organization keeps it, and draws its page.
func (s *Server) drawCertificate(w http.ResponseWriter, r *http.Request, v *web.View) error {
	c, err := s.readCertificate(r)
	if err != nil {
		return err
	}
	d := certificatePageData{certificateView: c}
	err = s.withAccess(r, "", func(tx pgx.Tx, acc access) error {
		a, err := store.AnimalByPublicID(r.Context(), tx, c.AnimalID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil
		case err != nil:
			return err
		case a.OrgID == acc.OrgID:
			d.AnimalName, d.Species = a.Name, a.SpeciesKey
		}
		return nil
	})
	if err != nil {
		return err
	}
	v.Title = "Certificate " + c.Serial
	v.Data = d
	return s.renderPage(w, r, http.StatusOK, "certificate", v)
}

// exportPageData is what an export's page shows.
type exportPageData struct {
	exportView
}

// StatusText says where the export stands.
func (d exportPageData) StatusText() string {
	switch d.Status {
	case "running":
		p := d.Progress
		switch {
		case p == nil:
			return "Being written. Reload the page in a moment to see how far it has gone."
		case p.Stage == export.Writing:
			return fmt.Sprintf("Being written: %d of %d files done, %d rows so far.", p.FilesDone, p.FilesTotal, p.Rows)
		case p.Stage == export.Assembling:
			return "The files are written and being put together into one ZIP."
		}
		return "The ZIP is stored; the export is ready in a moment."
	case "ready":
		return "Ready to download until " + d.ExpiresAt.UTC().Format("2 January 2006, 15:04 UTC") + "."
	case "failed":
		if d.Problem == "" {
			return "It could not be finished, and nothing of it is kept. Ask for a new export."
		}
		return "It could not be finished: " + d.Problem
	case "expired":
		return "It expired, and its ZIP is deleted. Ask for a new export."
	}
	return d.Status
}

// Tone styles the status.
func (d exportPageData) Tone() string { return recordTone(d.Status) }

// Size is the ZIP's size for people.
func (d exportPageData) Size() string { return export.Size(d.Bytes) }

// recordTone styles the status of an export or an import: done, failed, or on its way.
func recordTone(status string) string {
	switch status {
	case "ready", "applied":
		return "good"
	case "failed":
		return "bad"
	}
	return "warn"
}

// exportPage shows an export of the organization to its members.
func (s *Server) exportPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	id := chi.URLParam(r, "exportID")
	return s.recordPage(w, r, v, "No export of your organizations has this address. Check that the link was copied whole.",
		func(w http.ResponseWriter, r *http.Request, v *web.View) error {
			e, err := s.readExport(r)
			if err != nil {
				return err
			}
			v.Title = "Export of " + e.CreatedAt.UTC().Format("2 January 2006")
			v.Data = exportPageData{e}
			return s.renderPage(w, r, http.StatusOK, "export", v)
		}, func(tx pgx.Tx) error {
			_, err := store.ExportByPublicID(r.Context(), tx, id)
			return err
		})
}

// importPageProblems is how many problems of each list an import's page shows.
const importPageProblems = 50

// importPageData is what an import's page shows.
type importPageData struct {
	importView
	// CanAct is whether the person may apply or cancel it: it is checked, and they keep the
	// record (keeper, admin or owner).
	CanAct bool
	// The first problems of the check and of applying, and how many more there are.
	Problems, ApplyProblems []imports.Problem
	MoreProblems            int
}

// StatusText says where the import stands.
func (d importPageData) StatusText() string {
	switch d.Status {
	case string(importing.Uploading):
		return "Waiting for the file to be uploaded and checked."
	case string(importing.Checking):
		return "The file is being checked. Reload the page in a moment to see what the check found."
	case string(importing.Checked):
		return "Checked: nothing is recorded until it is applied. It can be applied until " +
			d.ExpiresAt.UTC().Format("2 January 2006, 15:04 UTC") + "."
	case string(importing.Applying):
		if a := d.Applied; a != nil {
			return fmt.Sprintf("Being applied: %d of %d batches done.", a.BatchesDone, a.Batches)
		}
		return "Being applied."
	case string(importing.Applied):
		return "Applied."
	case string(importing.Failed):
		if d.Problem == "" {
			return "It could not be finished."
		}
		return "It could not be finished: " + d.Problem
	case string(importing.Cancelled):
		return "Cancelled: nothing more is recorded, and the file is deleted."
	case string(importing.Expired):
		return "It expired: it was not applied within 7 days of its upload, and the file is deleted. Upload it again to import it."
	}
	return d.Status
}

// Tone styles the status.
func (d importPageData) Tone() string { return recordTone(d.Status) }

// Refused is how many rows of the file cannot go in, as checked.
func (d importPageData) Refused() int {
	if d.Report == nil {
		return 0
	}
	return d.Report.Rows - d.Report.Valid
}

// importPage shows an import of the organization to its members.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	id := chi.URLParam(r, "importID")
	return s.recordPage(w, r, v, importMissing, func(w http.ResponseWriter, r *http.Request, v *web.View) error {
		return s.drawImport(w, r, v, http.StatusOK)
	}, func(tx pgx.Tx) error {
		_, err := store.ImportByPublicID(r.Context(), tx, id)
		return err
	})
}

const importMissing = "No import of your organizations has this address. Check that the link was copied whole."

// drawImport reads the import in the person's organization and draws its page at status.
func (s *Server) drawImport(w http.ResponseWriter, r *http.Request, v *web.View, status int) error {
	im, role, err := s.readImportAs(r, chi.URLParam(r, "importID"))
	if err != nil {
		return err
	}
	d := importPageData{importView: im, CanAct: im.Status == string(importing.Checked) && role.AtLeast(membership.Keeper)}
	if im.Report != nil {
		d.Problems = im.Report.Problems[:min(len(im.Report.Problems), importPageProblems)]
		d.MoreProblems = im.Report.ProblemCount - len(d.Problems)
	}
	if im.Applied != nil {
		d.ApplyProblems = im.Applied.Problems[:min(len(im.Applied.Problems), importPageProblems)]
	}
	v.Title = "Import of " + cmp.Or(im.FileName, "a file")
	v.Data = d
	return s.renderPage(w, r, status, "import", v)
}

// applyImportForm applies a checked import, as POST /api/v1/imports/{id}/apply does.
func (s *Server) applyImportForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	return s.importForm(w, r, v, importing.ApplyUpdate)
}

// cancelImportForm drops an import not being applied, with its file, as POST
// /api/v1/imports/{id}/cancel does.
func (s *Server) cancelImportForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	return s.importForm(w, r, v, importing.CancelUpdate)
}

// importForm sends the update to the import's process and shows the import as it then
// stands, or the import again with why it was refused.
func (s *Server) importForm(w http.ResponseWriter, r *http.Request, v *web.View, update string) error {
	if err := needPerson(v); err != nil {
		return err
	}
	id, err := s.sendImportUpdate(r, update)
	var p *Problem
	switch {
	case isNotFound(err):
		return newProblem(kindNotFound, importMissing)
	case errors.As(err, &p) && p.Status != http.StatusUnauthorized:
		markFields(v, p)
		if derr := s.drawImport(w, r, v, p.Status); derr != nil {
			return err
		}
		return nil
	case err != nil:
		return err
	}
	return redirectTo(w, web.ImportPath(id))
}
