package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

var pairingStatuses = []string{"planned", "active", "completed", "cancelled"}

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

// resolvePairParents reads a pairing's sire and dam: the caller's animals or other breeders'
// public ones, a male and a female of one species.
func (s *Server) resolvePairParents(ctx context.Context, tx pgx.Tx, sireID, damID string) (*genetics.Species, [2]resolvedParent, error) {
	var parents [2]resolvedParent
	var sp *genetics.Species
	for i, side := range []struct {
		field, id string
		sex       genetics.Sex
	}{{"sire_id", sireID, genetics.Male}, {"dam_id", damID, genetics.Female}} {
		if side.id == "" {
			return nil, parents, invalid(FieldError{side.field, "is required"})
		}
		g, err := store.VisibleAnimalGenetics(ctx, tx, side.id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, parents, invalid(FieldError{side.field, "no animal " + side.id + " that you may pair (yours, or another breeder's public animal)"})
		}
		if err != nil {
			return nil, parents, err
		}
		if g.Sex != side.sex {
			return nil, parents, invalid(FieldError{side.field, fmt.Sprintf("must be %s, and %s is %s", side.sex, side.id, g.Sex)})
		}
		if sp == nil {
			if sp, err = s.species.species(ctx, g.SpeciesKey, side.field); err != nil {
				return nil, parents, err
			}
		} else if g.SpeciesKey != sp.Key {
			return nil, parents, invalid(FieldError{side.field, "is a " + g.SpeciesKey + " and the sire a " + sp.Key})
		}
		gt, err := sp.Genotype(g.Sex, g.Claims)
		if err != nil {
			return nil, parents, fmt.Errorf("stored genetics of %s: %w", side.id, err)
		}
		parents[i] = resolvedParent{id: g.ID, gt: gt, animal: true}
	}
	return sp, parents, nil
}

// createPairing plans a pairing and answers with its predicted offspring, their inbreeding
// coefficient and a warning above the organization's threshold.
func (s *Server) createPairing(w http.ResponseWriter, r *http.Request) error {
	var req pairingRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Status == "" {
		req.Status = "planned"
	}
	if !oneOf(req.Status, pairingStatuses) {
		return invalid(FieldError{"status", "must be one of " + strings.Join(pairingStatuses, ", ")})
	}
	if req.Season != nil && (*req.Season < 1900 || *req.Season > 2200) {
		return invalid(FieldError{"season", "must be a year such as 2025"})
	}
	ctx := r.Context()
	var view pairingView
	err := s.withKeeper(r, func(tx pgx.Tx, acc access) error {
		sp, parents, err := s.resolvePairParents(ctx, tx, req.SireID, req.DamID)
		if err != nil {
			return err
		}
		pred, err := s.predictPairing(ctx, tx, sp, parents)
		if err != nil {
			return err
		}
		threshold, err := store.COIThreshold(ctx, tx)
		if err != nil {
			return err
		}
		p := store.Pairing{ID: uuid.New(), PublicID: store.NewPublicID(), SireID: parents[0].id, DamID: parents[1].id,
			Season: req.Season, Status: req.Status, Notes: strings.TrimSpace(req.Notes), OffspringCOI: pred.OffspringCOI}
		if err := store.InsertPairing(ctx, tx, p); err != nil {
			return err
		}
		if err := store.AppendEvent(ctx, tx, "pairing.planned", "pairing", p.PublicID,
			map[string]any{"sire_id": req.SireID, "dam_id": req.DamID, "offspring_coi": pred.OffspringCOI}); err != nil {
			return err
		}
		stored, err := store.PairingByPublicID(ctx, tx, p.PublicID)
		if err != nil {
			return err
		}
		view = viewPairing(stored, threshold)
		view.Prediction = &pred
		return nil
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/breeding/pairs/"+view.ID)
	return writeJSON(w, http.StatusCreated, view)
}

func viewPairing(p store.Pairing, threshold float64) pairingView {
	return pairingView{ID: p.PublicID, SireID: p.SirePublicID, DamID: p.DamPublicID, Season: p.Season, Status: p.Status,
		Notes: p.Notes, OffspringCOI: p.OffspringCOI, COIWarningThreshold: threshold,
		COIWarning: coiWarning(p.OffspringCOI, threshold), CreatedAt: p.CreatedAt}
}

func viewClutch(c store.Clutch, pairingPublicID string, hatchlings int) clutchView {
	v := clutchView{ID: c.PublicID, PairingID: pairingPublicID, LaidOn: c.LaidOn.Format(time.DateOnly), Eggs: c.Eggs,
		Fertile: c.Fertile, Infertile: c.Infertile, Hatched: c.Hatched, Hatchlings: hatchlings}
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

// getPairing returns a pairing with its prediction and clutches.
func (s *Server) getPairing(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var view pairingView
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		p, err := pairingInPath(r, tx)
		if err != nil {
			return err
		}
		threshold, err := store.COIThreshold(ctx, tx)
		if err != nil {
			return err
		}
		view = viewPairing(p, threshold)
		if sp, parents, err := s.resolvePairParents(ctx, tx, p.SirePublicID, p.DamPublicID); err == nil {
			pred, err := s.predictPairing(ctx, tx, sp, parents)
			var prob *Problem
			switch {
			case errors.As(err, &prob) && prob.Status == http.StatusUnprocessableEntity:
				// The parents' genetics changed past what can be predicted: the pairing
				// stands, without its prediction.
			case err != nil:
				return err
			default:
				view.Prediction = &pred
			}
		}
		clutches, err := store.ClutchesOfPairing(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		view.Clutches = []clutchView{}
		for _, c := range clutches {
			n, err := store.CountHatchlings(ctx, tx, c.ID)
			if err != nil {
				return err
			}
			view.Clutches = append(view.Clutches, viewClutch(c, p.PublicID, n))
		}
		return nil
	})
	if err != nil {
		return err
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

// applyClutch sets the given fields on c and checks the counts and dates add up.
func applyClutch(c *store.Clutch, req clutchRequest) error {
	date := func(field string, v *string) (*time.Time, error) {
		if v == nil || *v == "" {
			return nil, nil
		}
		d, err := time.Parse(time.DateOnly, *v)
		if err != nil {
			return nil, invalid(FieldError{field, "must be a date such as 2025-04-12"})
		}
		if d.After(time.Now().Add(24 * time.Hour)) {
			return nil, invalid(FieldError{field, "cannot be in the future"})
		}
		return &d, nil
	}
	if req.LaidOn != nil {
		d, err := date("laid_on", req.LaidOn)
		if err != nil {
			return err
		}
		if d == nil {
			return invalid(FieldError{"laid_on", "is required"})
		}
		c.LaidOn = *d
	}
	if req.HatchedOn != nil {
		d, err := date("hatched_on", req.HatchedOn)
		if err != nil {
			return err
		}
		c.HatchedOn = d
	}
	for _, f := range []struct {
		name string
		v    *int
		dst  *int
	}{{"eggs", req.Eggs, &c.Eggs}, {"fertile", req.Fertile, &c.Fertile}, {"infertile", req.Infertile, &c.Infertile}, {"hatched", req.Hatched, &c.Hatched}} {
		if f.v == nil {
			continue
		}
		if *f.v < 0 || *f.v > 500 {
			return invalid(FieldError{f.name, "must be a whole number from 0 to 500"})
		}
		*f.dst = *f.v
	}
	switch {
	case c.LaidOn.IsZero():
		return invalid(FieldError{"laid_on", "is required"})
	case c.Fertile+c.Infertile > c.Eggs:
		return invalid(FieldError{"fertile", fmt.Sprintf("fertile (%d) and infertile (%d) eggs exceed the %d laid", c.Fertile, c.Infertile, c.Eggs)})
	case c.Hatched > c.Fertile:
		return invalid(FieldError{"hatched", fmt.Sprintf("%d hatched, but only %d eggs were fertile", c.Hatched, c.Fertile)})
	case c.HatchedOn != nil && c.HatchedOn.Before(c.LaidOn):
		return invalid(FieldError{"hatched_on", "cannot be before the clutch was laid"})
	}
	return nil
}

// createClutch records a clutch of a pairing.
func (s *Server) createClutch(w http.ResponseWriter, r *http.Request) error {
	var req clutchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c := store.Clutch{ID: uuid.New(), PublicID: store.NewPublicID()}
	if req.Eggs == nil {
		return invalid(FieldError{"eggs", "is required"})
	}
	if err := applyClutch(&c, req); err != nil {
		return err
	}
	ctx := r.Context()
	var view clutchView
	err := s.withKeeper(r, func(tx pgx.Tx, acc access) error {
		p, err := pairingInPath(r, tx)
		if err != nil {
			return err
		}
		c.PairingID = p.ID
		if err := store.InsertClutch(ctx, tx, c); err != nil {
			return err
		}
		if err := store.AppendEvent(ctx, tx, "clutch.recorded", "pairing", p.PublicID,
			map[string]any{"clutch_id": c.PublicID, "eggs": c.Eggs}); err != nil {
			return err
		}
		view = viewClutch(c, p.PublicID, 0)
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, view)
}

// updateClutch records fertility and hatch results.
func (s *Server) updateClutch(w http.ResponseWriter, r *http.Request) error {
	var req clutchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	var view clutchView
	err := s.withKeeper(r, func(tx pgx.Tx, acc access) error {
		c, err := clutchInPath(r, tx)
		if err != nil {
			return err
		}
		if err := applyClutch(&c, req); err != nil {
			return err
		}
		n, err := store.CountHatchlings(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if c.Hatched < n {
			return invalid(FieldError{"hatched", fmt.Sprintf("%d hatchlings are already registered from this clutch", n)})
		}
		if err := store.UpdateClutch(ctx, tx, c); err != nil {
			return err
		}
		p, err := store.PairingByID(ctx, tx, c.PairingID)
		if err != nil {
			return err
		}
		view = viewClutch(c, p.PublicID, n)
		return nil
	})
	if err != nil {
		return err
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

// createHatchlings registers hatchlings of a clutch as animals: sire, dam, clutch and breeder
// of record set, and each one's hets and possible hets derived from the pairing's prediction
// for what it looks like.
func (s *Server) createHatchlings(w http.ResponseWriter, r *http.Request) error {
	var req hatchlingsRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if len(req.Hatchlings) == 0 || len(req.Hatchlings) > 100 {
		return invalid(FieldError{"hatchlings", "give 1 to 100 hatchlings"})
	}
	if req.Visibility == "" {
		req.Visibility = "organization"
	}
	if !oneOf(req.Visibility, animalVisibility) {
		return invalid(FieldError{"visibility", "must be one of " + strings.Join(animalVisibility, ", ")})
	}
	ctx := r.Context()
	out := hatchlingList{Items: []animalView{}}
	err := s.withKeeper(r, func(tx pgx.Tx, acc access) error {
		c, err := clutchInPath(r, tx)
		if err != nil {
			return err
		}
		registered, err := store.CountHatchlings(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if registered+len(req.Hatchlings) > c.Hatched {
			return invalid(FieldError{"hatchlings", fmt.Sprintf("the clutch has %d hatched and %d registered; record the hatch first", c.Hatched, registered)})
		}
		p, err := store.PairingByID(ctx, tx, c.PairingID)
		if err != nil {
			return err
		}
		sp, parents, err := s.resolvePairParents(ctx, tx, p.SirePublicID, p.DamPublicID)
		if err != nil {
			return err
		}
		for i, h := range req.Hatchlings {
			field := fmt.Sprintf("hatchlings[%d]", i)
			claims, sex, err := hatchlingGenetics(sp, parents, h, field)
			if err != nil {
				return err
			}
			gt, err := sp.Genotype(sex, claims)
			if err != nil {
				return geneticsProblem(field+".looks", err)
			}
			a := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), BreederOrgID: &acc.OrgID, SpeciesKey: sp.Key,
				Sex: sex, Name: strings.TrimSpace(h.Name), HatchDate: c.HatchedOn, Status: "active", Visibility: req.Visibility,
				Genetics: claims, GeneticsText: sp.Format(gt), SireID: &p.SireID, DamID: &p.DamID, ClutchID: &c.ID}
			if utf8.RuneCountInString(a.Name) > 120 {
				return invalid(FieldError{field + ".name", "must be at most 120 characters"})
			}
			if err := store.InsertAnimal(ctx, tx, a); err != nil {
				return err
			}
			if err := store.AppendEvent(ctx, tx, "animal.hatched", "animal", a.PublicID,
				map[string]any{"clutch_id": c.PublicID, "pairing_id": p.PublicID, "genetics": a.GeneticsText}); err != nil {
				return err
			}
			v, err := s.readAnimalView(ctx, tx, a.PublicID)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.syncPedigree(ctx)
	return writeJSON(w, http.StatusCreated, out)
}

// hatchlingGenetics finds the outcome of the pairing a hatchling's looks belong to and gives
// it that outcome's hets (certain ones from a visual parent) and possible hets
// (statistical). It looks at each gene on its own, so it works however many joint outcomes
// the pairing has.
func hatchlingGenetics(sp *genetics.Species, parents [2]resolvedParent, h hatchlingInput, field string) ([]genetics.Claim, genetics.Sex, error) {
	sex := genetics.Unknown
	if h.Sex != "" {
		if !oneOf(h.Sex, animalSexes) {
			return nil, "", invalid(FieldError{field + ".sex", "must be one of " + strings.Join(animalSexes, ", ")})
		}
		sex = genetics.Sex(h.Sex)
	}
	looks, err := sp.ParseClaims(h.Looks)
	if err != nil {
		return nil, "", geneticsProblem(field+".looks", err)
	}
	for _, c := range looks {
		if c.Kind != genetics.Visual && c.Kind != genetics.Super {
			return nil, "", invalid(FieldError{field + ".looks", "names what the hatchling shows; its hets come from the pairing"})
		}
	}
	gt, err := sp.Genotype(sex, looks)
	if err != nil {
		return nil, "", geneticsProblem(field+".looks", err)
	}
	o, err := sp.Offspring(parents[0].gt, parents[1].gt, sex, gt)
	switch {
	case errors.Is(err, genetics.ErrSexNeeded):
		return nil, "", invalid(FieldError{field + ".sex", "is needed: this pairing's offspring differ by sex (a sex-linked gene)"})
	case errors.Is(err, genetics.ErrNotAnOutcome):
		visual, _ := sp.Describe(gt)
		name := "Normal"
		if len(visual) > 0 {
			name = strings.Join(visual, " ")
		}
		return nil, "", invalid(FieldError{field + ".looks", name + " is not a possible outcome of this pairing"})
	case errors.Is(err, genetics.ErrTooComplex):
		return nil, "", invalid(FieldError{field + ".looks", fmt.Sprintf("the pairing involves more than %d genes", genetics.DefaultLimits.Loci)})
	case err != nil:
		return nil, "", err
	}
	claims := append([]genetics.Claim{}, looks...)
	for _, het := range o.Hets {
		if het.Probability.Cmp(genetics.Frac(1, 1)) == 0 {
			claims = append(claims, genetics.Claim{Gene: het.Gene, Kind: genetics.Het, Provenance: genetics.FromVisualParent})
		} else {
			claims = append(claims, genetics.Claim{Gene: het.Gene, Kind: genetics.PossibleHet, Probability: het.Probability, Provenance: genetics.Statistical})
		}
	}
	return claims, sex, nil
}

// pairingInPath loads the organization's pairing named in the path, or answers 404.
func pairingInPath(r *http.Request, tx pgx.Tx) (store.Pairing, error) {
	return inPath(r, store.Querier(tx), "pairID", "pairing", store.PairingByPublicID)
}

// clutchInPath loads and locks the organization's clutch named in the path, or answers 404.
func clutchInPath(r *http.Request, tx pgx.Tx) (store.Clutch, error) {
	return inPath(r, tx, "clutchID", "clutch", store.ClutchByPublicID)
}
