package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/breeding"
	"github.com/reptidex/reptidex/store"
)

type pairingRequest struct {
	// Public ID of the sire: a male animal of the organization, or another breeder's public one.
	SireID string `json:"sire_id" jsonschema:"required"`
	// Public ID of the dam: a female animal of the organization, or another breeder's public one,
	// of the sire's species.
	DamID string `json:"dam_id" jsonschema:"required"`
	// The breeding season's year, such as 2025; null or omitted for none.
	Season *int `json:"season" jsonschema:"minimum=1900,maximum=2200,nullable"`
	// Default planned (also for an empty string).
	Status string `json:"status" jsonschema:"enum=planned,enum=active,enum=completed,enum=cancelled"`
	// Free text, at most 2000 characters; trimmed.
	Notes string `json:"notes" text:"multiline,max=2000"`
}

type clutchView struct {
	// Public ID of the clutch.
	ID string `json:"id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Public ID of the pairing that laid it.
	PairingID string `json:"pairing_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// When the eggs were laid.
	LaidOn string `json:"laid_on" jsonschema:"format=date"`
	// Eggs laid.
	Eggs int `json:"eggs" jsonschema:"minimum=0,maximum=500"`
	// Eggs known fertile.
	Fertile int `json:"fertile" jsonschema:"minimum=0,maximum=500"`
	// Eggs known infertile (slugs).
	Infertile int `json:"infertile" jsonschema:"minimum=0,maximum=500"`
	// When the clutch hatched; absent until recorded.
	HatchedOn string `json:"hatched_on,omitempty" jsonschema:"format=date"`
	// Eggs hatched.
	Hatched int `json:"hatched" jsonschema:"minimum=0,maximum=500"`
	// hatched / fertile, rounded to 4 decimal places; null while no egg is known fertile.
	HatchRate *float64 `json:"hatch_rate" jsonschema:"minimum=0,maximum=1,nullable"`
	// Hatchlings registered as animals from this clutch (0 in the answer that records it).
	Hatchlings int `json:"hatchlings_registered" jsonschema:"minimum=0"`
}

// pairingList is one page of pairings.
type pairingList struct {
	// Up to limit pairings, ordered by id, without prediction and clutches.
	Items []pairingView `json:"items"`
	// Present only when more pairings follow: pass it as cursor for the next page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// hatchlingList answers the hatchlings registered from a clutch.
type hatchlingList struct {
	// The registered hatchlings, in the order given, each at version 1.
	Items []animalView `json:"items"`
}

type pairingView struct {
	// Public ID of the pairing.
	ID string `json:"id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Public ID of the sire.
	SireID string `json:"sire_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Public ID of the dam.
	DamID string `json:"dam_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// The breeding season's year; absent when not given.
	Season *int   `json:"season,omitempty"`
	Status string `json:"status" jsonschema:"enum=planned,enum=active,enum=completed,enum=cancelled"`
	// Absent when empty.
	Notes string `json:"notes,omitempty"`
	// The inbreeding coefficient F the offspring would have, computed when the pairing was
	// planned.
	OffspringCOI *float64 `json:"offspring_coi" jsonschema:"minimum=0,maximum=1,nullable"`
	// The organization's current threshold for coi_warning, as a coefficient (0.0625 unless
	// changed).
	COIWarningThreshold float64 `json:"coi_warning_threshold" jsonschema:"minimum=0,maximum=1"`
	// Present only when offspring_coi is above coi_warning_threshold, such as "offspring
	// inbreeding 25.00% is above your organization's threshold of 6.25%".
	COIWarning string `json:"coi_warning,omitempty"`
	// The predicted offspring, within the same bounds as POST /genetics/predict (summarised beyond
	// them): in the answer that plans the pairing and in GET of one pairing (absent there when a
	// parent is no longer one the organization may pair, or its genetics changed past what can be
	// predicted); absent from lists.
	Prediction *predictResponse `json:"prediction,omitempty"`
	// The pairing's clutches, oldest first ([] when none), in GET of one pairing only; absent
	// elsewhere.
	Clutches  []clutchView `json:"clutches,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
}

// coiWarning words the warning for offspring more inbred than the organization allows.
func coiWarning(coi *float64, threshold float64) string {
	if coi == nil || *coi <= threshold {
		return ""
	}
	return fmt.Sprintf("offspring inbreeding %.2f%% is above your organization's threshold of %.2f%%", 100**coi, 100*threshold)
}

// createPairing plans a pairing (breeding.Plan) and answers with its predicted offspring,
// their inbreeding coefficient and a warning above the organization's threshold.
func (s *Server) createPairing(w http.ResponseWriter, r *http.Request) error {
	var req pairingRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	plan := breeding.PairingPlan(req)
	if err := plan.Validate(); err != nil { // before a transaction opens
		return breedingProblem(err)
	}
	var view pairingView
	err := s.withKeeper(r, func(tx pgx.Tx, _ access) error {
		p, err := breeding.Plan(r.Context(), tx, s.breedingDeps(), plan)
		if err != nil {
			return err
		}
		view = viewPairingOf(p)
		return nil
	})
	if err != nil {
		return breedingProblem(err)
	}
	w.Header().Set("Location", "/api/v1/breeding/pairs/"+view.ID)
	return writeJSON(w, http.StatusCreated, view)
}

func viewPairing(p store.Pairing, threshold float64) pairingView {
	return pairingView{ID: p.PublicID, SireID: p.SirePublicID, DamID: p.DamPublicID, Season: p.Season, Status: p.Status,
		Notes: p.Notes, OffspringCOI: p.OffspringCOI, COIWarningThreshold: threshold,
		COIWarning: coiWarning(p.OffspringCOI, threshold), CreatedAt: p.CreatedAt}
}

// viewPairingOf is a pairing as read with its prediction and, when read with them, its
// clutches.
func viewPairingOf(p breeding.Pairing) pairingView {
	v := viewPairing(p.Pairing, p.COIThreshold)
	if p.Prediction != nil {
		pred := viewPairingPrediction(*p.Prediction)
		v.Prediction = &pred
	}
	for _, c := range p.Clutches {
		v.Clutches = append(v.Clutches, viewClutch(c))
	}
	return v
}

func viewClutch(c breeding.Clutch) clutchView {
	v := clutchView{ID: c.PublicID, PairingID: c.PairingPublicID, LaidOn: c.LaidOn.Format(time.DateOnly), Eggs: c.Eggs,
		Fertile: c.Fertile, Infertile: c.Infertile, Hatched: c.Hatched, Hatchlings: c.Hatchlings}
	if c.HatchedOn != nil {
		v.HatchedOn = c.HatchedOn.Format(time.DateOnly)
	}
	if c.Fertile > 0 {
		rate := round(float64(c.Hatched)/float64(c.Fertile), 4)
		v.HatchRate = &rate
	}
	return v
}

// listPairings lists the organization's pairings, a page at a time.
func (s *Server) listPairings(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	out := pairingList{Items: []pairingView{}}
	err = s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		threshold, err := store.COIThreshold(r.Context(), tx)
		if err != nil {
			return err
		}
		ps, err := store.ListPairings(r.Context(), tx, after, limit+1)
		if err != nil {
			return err
		}
		if len(ps) > limit {
			ps = ps[:limit]
			out.NextCursor = cursorOf(ps[limit-1].PublicID)
		}
		for _, p := range ps {
			out.Items = append(out.Items, viewPairing(p, threshold))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// getPairing returns a pairing with its prediction and clutches (breeding.ReadPairing).
func (s *Server) getPairing(w http.ResponseWriter, r *http.Request) error {
	var view pairingView
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		p, err := breeding.ReadPairing(r.Context(), tx, s.breedingDeps(), chi.URLParam(r, "pairID"))
		if err != nil {
			return err
		}
		view = viewPairingOf(p)
		return nil
	})
	if err != nil {
		return breedingProblem(err)
	}
	return writeJSON(w, http.StatusOK, view)
}

// updateClutchRequest is what PATCH /breeding/clutches/{clutchID} takes: the fields of
// clutchRequest, each optional.
type updateClutchRequest clutchRequest

type clutchRequest struct {
	// When the eggs were laid, such as 2025-04-12, at most a day in the future. Required.
	LaidOn *string `json:"laid_on" jsonschema:"required,format=date"`
	// Eggs laid. Required.
	Eggs *int `json:"eggs" jsonschema:"required,minimum=0,maximum=500"`
	// Eggs known fertile (default 0).
	Fertile *int `json:"fertile" jsonschema:"minimum=0,maximum=500"`
	// Eggs known infertile (default 0).
	Infertile *int `json:"infertile" jsonschema:"minimum=0,maximum=500"`
	// When the clutch hatched, not before laid_on and at most a day in the future; an empty string
	// means not yet.
	HatchedOn *string `json:"hatched_on" jsonschema:"format=date"`
	// Eggs hatched, at most fertile (default 0).
	Hatched *int `json:"hatched" jsonschema:"minimum=0,maximum=500"`
}

// createClutch records a clutch of a pairing (breeding.RecordClutch).
func (s *Server) createClutch(w http.ResponseWriter, r *http.Request) error {
	var req clutchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c, err := breeding.NewClutch(breeding.ClutchChange(clutchRequest(req)))
	if err != nil {
		return breedingProblem(err)
	}
	var view clutchView
	err = s.withKeeper(r, func(tx pgx.Tx, _ access) error {
		recorded, err := breeding.RecordClutch(r.Context(), tx, chi.URLParam(r, "pairID"), c)
		if err != nil {
			return err
		}
		view = viewClutch(recorded)
		return nil
	})
	if err != nil {
		return breedingProblem(err)
	}
	return writeJSON(w, http.StatusCreated, view)
}

// updateClutch records fertility and hatch results (breeding.UpdateClutch).
func (s *Server) updateClutch(w http.ResponseWriter, r *http.Request) error {
	var req updateClutchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var view clutchView
	err := s.withKeeper(r, func(tx pgx.Tx, _ access) error {
		c, err := breeding.UpdateClutch(r.Context(), tx, chi.URLParam(r, "clutchID"), breeding.ClutchChange(clutchRequest(req)))
		if err != nil {
			return err
		}
		view = viewClutch(c)
		return nil
	})
	if err != nil {
		return breedingProblem(err)
	}
	return writeJSON(w, http.StatusOK, view)
}

type hatchlingInput struct {
	// Default unknown; needed (male or female) when the pairing's offspring differ by sex.
	Sex string `json:"sex" schema:"Sex"`
	// At most 120 characters after trimming.
	Name string `json:"name" jsonschema:"maxLength=120"`
	// What the hatchling shows, in trade names (visual and super forms only, such as "Pastel
	// Clown"); empty or omitted for a normal-looking one. It must be an outcome the pairing can
	// produce; hets and possible hets come from the pairing.
	Looks string `json:"looks"`
}

type hatchlingsRequest struct {
	// 1 to 100 hatchlings, no more than the clutch's hatched count less those already registered.
	Hatchlings []hatchlingInput `json:"hatchlings" jsonschema:"required,minItems=1,maxItems=100"`
	// Of every hatchling; default organization.
	Visibility string `json:"visibility" schema:"Visibility"`
}

// createHatchlings registers hatchlings of a clutch as animals (breeding.RegisterHatchlings):
// sire, dam, clutch and breeder of record set, and each one's hets and possible hets derived
// from the pairing's prediction for what it looks like.
func (s *Server) createHatchlings(w http.ResponseWriter, r *http.Request) error {
	var req hatchlingsRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	in, err := newHatchlings(req)
	if err != nil {
		return err
	}
	out := hatchlingList{Items: []animalView{}}
	err = s.withKeeper(r, func(tx pgx.Tx, acc access) error {
		in.ClutchID, in.OrgID = chi.URLParam(r, "clutchID"), acc.OrgID
		ids, err := breeding.RegisterHatchlings(r.Context(), tx, s.breedingDeps(), in)
		if err != nil {
			return err
		}
		out.Items, err = s.animalViews(r.Context(), tx, ids)
		return err
	})
	if err != nil {
		return breedingProblem(err)
	}
	s.syncPedigree(r.Context())
	return writeJSON(w, http.StatusCreated, out)
}

// newHatchlings checks the size and visibility of a request for hatchlings, the latter
// organization's by default, and gives the hatchlings to register.
func newHatchlings(req hatchlingsRequest) (breeding.NewHatchlings, error) {
	if len(req.Hatchlings) == 0 || len(req.Hatchlings) > 100 {
		return breeding.NewHatchlings{}, invalid(FieldError{"hatchlings", "give 1 to 100 hatchlings"})
	}
	in := breeding.NewHatchlings{Visibility: req.Visibility, Hatchlings: make([]breeding.Hatchling, 0, len(req.Hatchlings))}
	if in.Visibility == "" {
		in.Visibility = "organization"
	}
	if !oneOf(in.Visibility, animalVisibility) {
		return breeding.NewHatchlings{}, invalid(FieldError{"visibility", "must be one of " + strings.Join(animalVisibility, ", ")})
	}
	for _, h := range req.Hatchlings {
		in.Hatchlings = append(in.Hatchlings, breeding.Hatchling(h))
	}
	return in, nil
}

// animalViews reads animals back as the API shows them.
func (s *Server) animalViews(ctx context.Context, tx pgx.Tx, publicIDs []string) ([]animalView, error) {
	views := make([]animalView, 0, len(publicIDs))
	for _, id := range publicIDs {
		v, err := s.readAnimalView(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		views = append(views, v)
	}
	return views, nil
}

// breedingDeps are what the breeding package reads besides the caller's transaction.
func (s *Server) breedingDeps() breeding.Deps {
	return breeding.Deps{Species: s.species.species, Pedigree: s.pedigree}
}

// breedingProblem answers what the breeding package refused; other errors, problems among
// them, pass as they are.
func breedingProblem(err error) error {
	var inv *breeding.InvalidError
	switch {
	case errors.As(err, &inv):
		return invalid(FieldError{inv.Field, inv.Message})
	case errors.Is(err, breeding.ErrPairingNotFound):
		return notFound("pairing")
	case errors.Is(err, breeding.ErrClutchNotFound):
		return notFound("clutch")
	}
	return err
}
