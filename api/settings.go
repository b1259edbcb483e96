package api

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/organizations"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/taxonomy"
)

type organizationRequest struct {
	// 1 to 120 characters after trimming; null or omitted keeps it.
	Name *string `json:"name" jsonschema:"minLength=1,maxLength=120"`
	// The inbreeding coefficient above which planned pairings get a coi_warning, from 0 to 1
	// (0.0625 is the offspring of first cousins, the default); null or omitted keeps it.
	COIWarningThreshold *float64 `json:"coi_warning_threshold" jsonschema:"minimum=0,maximum=1"`
	// Days before an unanswered offer is reminded (default 7; 0: no reminder); must come before
	// the expiry.
	TransferRemindAfterDays *int `json:"transfer_remind_after_days" jsonschema:"minimum=0,maximum=89"`
	// Days before an unanswered offer expires (default 14).
	TransferExpireAfterDays *int `json:"transfer_expire_after_days" jsonschema:"minimum=1,maximum=90"`
}

type organizationView struct {
	// Public ID of the organization.
	ID   string `json:"id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	Name string `json:"name"`
	// The inbreeding warning threshold, as a coefficient.
	COIWarningThreshold float64 `json:"coi_warning_threshold" jsonschema:"minimum=0,maximum=1"`
	// Days before an unanswered offer is reminded; 0: no reminder.
	TransferRemindAfterDays int `json:"transfer_remind_after_days"`
	// Days before an unanswered offer expires.
	TransferExpireAfterDays int `json:"transfer_expire_after_days"`
}

// updateOrganization changes an organization's settings (organizations.Update): owners and
// admins only.
func (s *Server) updateOrganization(w http.ResponseWriter, r *http.Request) error {
	var req organizationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c := organizations.Changes{Name: req.Name, COIWarningThreshold: req.COIWarningThreshold,
		TransferRemindAfterDays: req.TransferRemindAfterDays, TransferExpireAfterDays: req.TransferExpireAfterDays}
	if err := c.Check(); err != nil {
		return organizationProblem(err)
	}
	var out organizationView
	err := s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, a access) error {
		if !a.Role.CanManageMembers() {
			return newProblem(kindForbidden, "Only owners and admins change the organization's settings.")
		}
		st, err := organizations.Update(r.Context(), tx, a.OrgID, c)
		if err != nil {
			return organizationProblem(err)
		}
		out = organizationView{ID: st.PublicID, Name: st.Name, COIWarningThreshold: st.COIWarningThreshold,
			TransferRemindAfterDays: st.RemindAfterDays(), TransferExpireAfterDays: st.ExpireAfterDays()}
		return nil
	})
	if err != nil {
		return err
	}
	if req.Name != nil {
		s.syncPedigree(r.Context()) // pedigree cards name owners from the graph
	}
	return writeJSON(w, http.StatusOK, out)
}

// organizationProblem answers a change organizations refused; other errors pass as they are.
func organizationProblem(err error) error {
	var field *organizations.FieldError
	if errors.As(err, &field) {
		return invalid(FieldError{field.Field, field.Message})
	}
	return err
}

// replaceSpecies lets a platform administrator edit a species catalogue (taxonomy.Replace):
// the whole document, validated, based on the version they read (If-Match), never dropping a
// gene in use.
func (s *Server) replaceSpecies(w http.ResponseWriter, r *http.Request) error {
	admin, err := s.requirePlatformAdmin(r, "Only platform administrators edit species catalogues.")
	if err != nil {
		return err
	}
	matches, err := ifMatch(r)
	if err != nil {
		return err
	}
	var sp genetics.Species
	if err := decodeJSON(r, &sp); err != nil {
		return err
	}
	var version int
	err = s.db.InTx(r.Context(), func(tx pgx.Tx) error {
		var err error
		version, err = taxonomy.Replace(r.Context(), tx, taxonomy.Edit{Key: chi.URLParam(r, "species"), Species: &sp,
			Matches: matches, By: admin})
		return speciesProblem(err)
	})
	if err != nil {
		return err
	}
	s.species.invalidate()
	w.Header().Set("ETag", etag(version))
	return writeJSON(w, http.StatusOK, speciesCatalogue{Version: version, Species: &sp})
}

// speciesProblem answers an edit taxonomy.Replace refused; other errors pass as they are.
func speciesProblem(err error) error {
	var field *taxonomy.FieldError
	switch {
	case errors.As(err, &field):
		return invalid(FieldError{field.Field, field.Message})
	case errors.Is(err, taxonomy.ErrUnknownSpecies):
		return notFound("species")
	case errors.Is(err, store.ErrStale):
		return stale()
	}
	return err
}
