package api

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
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

const day = 24 * time.Hour

// updateOrganization changes an organization's name and inbreeding warning threshold
// (owners and admins).
func (s *Server) updateOrganization(w http.ResponseWriter, r *http.Request) error {
	var req organizationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.COIWarningThreshold != nil && (*req.COIWarningThreshold < 0 || *req.COIWarningThreshold > 1) {
		return invalid(FieldError{"coi_warning_threshold", "must be a coefficient from 0 to 1 (0.0625 is first cousins)"})
	}
	if req.TransferExpireAfterDays != nil && (*req.TransferExpireAfterDays < 1 || *req.TransferExpireAfterDays > 90) {
		return invalid(FieldError{"transfer_expire_after_days", "must be a whole number of days from 1 to 90"})
	}
	if req.TransferRemindAfterDays != nil && (*req.TransferRemindAfterDays < 0 || *req.TransferRemindAfterDays > 89) {
		return invalid(FieldError{"transfer_remind_after_days", "must be a whole number of days from 0 (no reminder) to 89"})
	}
	if req.Name != nil {
		n := utf8.RuneCountInString(strings.TrimSpace(*req.Name))
		if n < 1 || n > 120 {
			return invalid(FieldError{"name", "must be 1 to 120 characters"})
		}
	}
	var out organizationView
	err := s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, acc access) error {
		ctx := r.Context()
		if !acc.Role.CanManageMembers() {
			return newProblem(kindForbidden, "Only owners and admins change the organization's settings.")
		}
		org, err := store.OrganizationByID(ctx, tx, acc.OrgID)
		if err != nil {
			return err
		}
		threshold, err := store.COIThreshold(ctx, tx)
		if err != nil {
			return err
		}
		name := org.Name
		if req.Name != nil {
			name = strings.TrimSpace(*req.Name)
		}
		if req.COIWarningThreshold != nil {
			threshold = *req.COIWarningThreshold
		}
		remind, expire, err := store.TransferSettings(ctx, tx)
		if err != nil {
			return err
		}
		if req.TransferRemindAfterDays != nil {
			remind = time.Duration(*req.TransferRemindAfterDays) * day
		}
		if req.TransferExpireAfterDays != nil {
			expire = time.Duration(*req.TransferExpireAfterDays) * day
		}
		if remind >= expire {
			return invalid(FieldError{"transfer_remind_after_days", "the reminder must come before the offer expires"})
		}
		if err := store.UpdateOrganizationSettings(ctx, tx, name, threshold); err != nil {
			return err
		}
		if err := store.SetTransferSettings(ctx, tx, remind, expire); err != nil {
			return err
		}
		out = organizationView{ID: org.PublicID, Name: name, COIWarningThreshold: threshold,
			TransferRemindAfterDays: int(remind / day), TransferExpireAfterDays: int(expire / day)}
		return store.AppendEvent(ctx, tx, "organization.updated", "organization", org.PublicID, out)
	})
	if err != nil {
		return err
	}
	if req.Name != nil {
		s.syncPedigree(r.Context()) // pedigree cards name owners from the graph
	}
	return writeJSON(w, http.StatusOK, out)
}

// replaceSpecies lets a platform administrator edit a species catalogue: the whole document,
// validated, based on the version they read (If-Match), never dropping a gene in use.
func (s *Server) replaceSpecies(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := s.requirePlatformAdmin(r, "Only platform administrators edit species catalogues."); err != nil {
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
	key := chi.URLParam(r, "species")
	if sp.Key != key {
		return invalid(FieldError{"key", "must be " + key + ", the species being edited"})
	}
	if err := sp.Prepare(); err != nil {
		return invalid(FieldError{"genes", err.Error()})
	}
	all, _, err := s.species.get(ctx)
	if err != nil {
		return err
	}
	current, ok := all[key]
	if !ok {
		return notFound("species")
	}
	if !matches(current.Version) {
		return stale()
	}
	inUse, err := store.GenesInUse(ctx, s.db.Pool, key)
	if err != nil {
		return err
	}
	for _, g := range inUse {
		if _, ok := sp.Gene(g); !ok {
			return invalid(FieldError{"genes", "gene " + g + " is claimed by animals and cannot be removed"})
		}
	}
	userID, err := store.UserByPublicID(ctx, s.db.Pool, claimsFrom(ctx).UserID)
	if err != nil {
		return err
	}
	version, err := store.ReplaceSpecies(ctx, s.db.Pool, &sp, current.Version, userID.ID)
	if errors.Is(err, store.ErrConflict) {
		return stale()
	}
	if err != nil {
		return err
	}
	s.species.invalidate()
	w.Header().Set("ETag", etag(version))
	return writeJSON(w, http.StatusOK, speciesCatalogue{Version: version, Species: &sp})
}
