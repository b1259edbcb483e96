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
	SireID string `json:"sire_id"`
	DamID  string `json:"dam_id"`
	Season *int   `json:"season"`
	Status string `json:"status"`
	Notes  string `json:"notes" text:"multiline,max=2000"`
}

type clutchView struct {
	ID         string   `json:"id"`
	PairingID  string   `json:"pairing_id"`
	LaidOn     string   `json:"laid_on"`
	Eggs       int      `json:"eggs"`
	Fertile    int      `json:"fertile"`
	Infertile  int      `json:"infertile"`
	HatchedOn  string   `json:"hatched_on,omitempty"`
	Hatched    int      `json:"hatched"`
	HatchRate  *float64 `json:"hatch_rate"` // hatched / fertile, once any egg is known fertile
	Hatchlings int      `json:"hatchlings_registered"`
}

type pairingView struct {
	ID                  string           `json:"id"`
	SireID              string           `json:"sire_id"`
	DamID               string           `json:"dam_id"`
	Season              *int             `json:"season,omitempty"`
	Status              string           `json:"status"`
	Notes               string           `json:"notes,omitempty"`
	OffspringCOI        *float64         `json:"offspring_coi"`
	COIWarningThreshold float64          `json:"coi_warning_threshold"`
	COIWarning          string           `json:"coi_warning,omitempty"`
	Prediction          *predictResponse `json:"prediction,omitempty"`
	Clutches            []clutchView     `json:"clutches,omitempty"`
	CreatedAt           time.Time        `json:"created_at"`
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
	out := struct {
		Items      []pairingView `json:"items"`
		NextCursor string        `json:"next_cursor,omitempty"`
	}{Items: []pairingView{}}
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

type clutchRequest struct {
	LaidOn    *string `json:"laid_on"`
	Eggs      *int    `json:"eggs"`
	Fertile   *int    `json:"fertile"`
	Infertile *int    `json:"infertile"`
	HatchedOn *string `json:"hatched_on"`
	Hatched   *int    `json:"hatched"`
}

// createClutch records a clutch of a pairing (breeding.RecordClutch).
func (s *Server) createClutch(w http.ResponseWriter, r *http.Request) error {
	var req clutchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c, err := breeding.NewClutch(breeding.ClutchChange(req))
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
	var req clutchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var view clutchView
	err := s.withKeeper(r, func(tx pgx.Tx, _ access) error {
		c, err := breeding.UpdateClutch(r.Context(), tx, chi.URLParam(r, "clutchID"), breeding.ClutchChange(req))
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
	Sex   string `json:"sex"`
	Name  string `json:"name"`
	Looks string `json:"looks"` // the visual traits it shows, in trade names; empty for a normal
}

type hatchlingsRequest struct {
	Hatchlings []hatchlingInput `json:"hatchlings"`
	Visibility string           `json:"visibility"`
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
	out := struct {
		Items []animalView `json:"items"`
	}{Items: []animalView{}}
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
