package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

// parentInput names one side of a pairing: an animal, or a genotype in trade names.
type parentInput struct {
	AnimalID string `json:"animal_id,omitempty"`
	Genetics string `json:"genetics,omitempty"`
}

type predictRequest struct {
	Species string      `json:"species,omitempty"` // required unless both sides are animals
	Sire    parentInput `json:"sire"`
	Dam     parentInput `json:"dam"`
}

type outcomeView struct {
	Sex         string    `json:"sex,omitempty"`
	Name        string    `json:"name"`
	Probability string    `json:"probability"`
	Percent     float64   `json:"percent"`
	Visual      []string  `json:"visual"`
	Hets        []hetView `json:"hets"`
	Possible    []string  `json:"possible,omitempty"`
}

type predictResponse struct {
	Species       string        `json:"species"`
	Sire          string        `json:"sire"`
	Dam           string        `json:"dam"`
	BySex         bool          `json:"by_sex"`
	Outcomes      []outcomeView `json:"outcomes"`
	LethalRemoved string        `json:"lethal_removed"`
	Warnings      []string      `json:"warnings"`
	OffspringCOI  *float64      `json:"offspring_coi"`
}

// resolvedParent is one side of a pairing once read.
type resolvedParent struct {
	id     uuid.UUID // uuid.Nil for a genotype given as text
	gt     genetics.Genotype
	animal bool
}

// predict gives the exact probabilities of every offspring outcome of a pairing, from two
// animals or two genotypes, and, for two animals, the inbreeding coefficient of their
// offspring.
func (s *Server) predict(w http.ResponseWriter, r *http.Request) error {
	var req predictRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	for _, side := range []struct {
		field string
		p     parentInput
	}{{"sire", req.Sire}, {"dam", req.Dam}} {
		if side.p.AnimalID == "" && side.p.Genetics == "" {
			return invalid(FieldError{side.field, "give animal_id or genetics"})
		}
		if side.p.AnimalID != "" && side.p.Genetics != "" {
			return invalid(FieldError{side.field, "give animal_id or genetics, not both"})
		}
	}
	ctx := r.Context()
	var resp predictResponse
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		speciesKey := req.Species
		var animals [2]*store.AnimalGenetics
		for i, side := range []struct {
			field string
			p     parentInput
		}{{"sire", req.Sire}, {"dam", req.Dam}} {
			if side.p.AnimalID == "" {
				continue
			}
			g, err := store.VisibleAnimalGenetics(ctx, tx, side.p.AnimalID)
			if errors.Is(err, store.ErrNotFound) {
				return invalid(FieldError{side.field + ".animal_id", "no animal " + side.p.AnimalID + " that you may look at (yours, or another breeder's public animal)"})
			}
			if err != nil {
				return err
			}
			if speciesKey == "" {
				speciesKey = g.SpeciesKey
			}
			if g.SpeciesKey != speciesKey {
				return invalid(FieldError{side.field + ".animal_id", "is a " + g.SpeciesKey + ", not a " + speciesKey})
			}
			animals[i] = &g
		}
		if speciesKey == "" {
			return invalid(FieldError{"species", "is required when neither side is an animal"})
		}
		sp, err := s.species.species(ctx, speciesKey, "species")
		if err != nil {
			return err
		}
		var parents [2]resolvedParent
		for i, side := range []struct {
			field string
			p     parentInput
			sex   genetics.Sex
		}{{"sire", req.Sire, genetics.Male}, {"dam", req.Dam, genetics.Female}} {
			if a := animals[i]; a != nil {
				if a.Sex != side.sex {
					return invalid(FieldError{side.field + ".animal_id", fmt.Sprintf("the %s must be %s, and %s is %s", side.field, side.sex, side.p.AnimalID, a.Sex)})
				}
				gt, err := sp.Genotype(a.Sex, a.Claims)
				if err != nil {
					return fmt.Errorf("stored genetics of %s: %w", side.p.AnimalID, err)
				}
				parents[i] = resolvedParent{id: a.ID, gt: gt, animal: true}
				continue
			}
			gt, err := sp.Parse(side.p.Genetics, side.sex)
			if err != nil {
				return geneticsProblem(side.field+".genetics", err)
			}
			parents[i] = resolvedParent{gt: gt}
		}
		resp, err = s.predictPairing(ctx, tx, sp, parents)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resp)
}

// predictPairing predicts the offspring of two resolved parents and, when both are animals,
// their offspring's inbreeding coefficient over the whole known pedigree.
func (s *Server) predictPairing(ctx context.Context, tx pgx.Tx, sp *genetics.Species, parents [2]resolvedParent) (predictResponse, error) {
	pred, err := sp.Predict(parents[0].gt, parents[1].gt)
	if errors.Is(err, genetics.ErrTooComplex) {
		return predictResponse{}, invalid(FieldError{"genetics", "too many genes for exact probabilities; predict fewer at once"})
	}
	if err != nil {
		return predictResponse{}, err
	}
	resp := predictResponse{Species: sp.Key, Sire: sp.Format(parents[0].gt), Dam: sp.Format(parents[1].gt),
		BySex: pred.BySex, LethalRemoved: pred.LethalRemoved.String(), Warnings: pred.Warnings, Outcomes: make([]outcomeView, 0, len(pred.Outcomes))}
	if resp.Warnings == nil {
		resp.Warnings = []string{}
	}
	for _, o := range pred.Outcomes {
		resp.Outcomes = append(resp.Outcomes, viewOutcome(sp, o))
	}
	if parents[0].animal && parents[1].animal {
		p, ids, err := s.loadPedigree(ctx, tx, parents[0].id, parents[1].id)
		if err != nil {
			return predictResponse{}, err
		}
		f, err := p.Coancestry(ids[parents[0].id], ids[parents[1].id])
		if err != nil {
			return predictResponse{}, err
		}
		f = round(f, 10)
		resp.OffspringCOI = &f
	}
	return resp, nil
}

func viewOutcome(sp *genetics.Species, o genetics.Outcome) outcomeView {
	ov := outcomeView{Sex: string(o.Sex), Name: o.Name, Probability: o.Probability.String(),
		Percent: round(100*o.Probability.Float(), 4), Visual: o.Visual, Hets: make([]hetView, 0, len(o.Hets)), Possible: o.Possible}
	if ov.Visual == nil {
		ov.Visual = []string{}
	}
	for _, h := range o.Hets {
		g, _ := sp.Gene(h.Gene)
		ov.Hets = append(ov.Hets, hetView{Gene: h.Gene, Name: g.Name, Probability: h.Probability.String(),
			Percent: h.Probability.Percent(), Label: h.Label})
	}
	return ov
}
