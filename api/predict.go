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
	Species        string        `json:"species"`
	Sire           string        `json:"sire"`
	Dam            string        `json:"dam"`
	BySex          bool          `json:"by_sex"`
	Outcomes       []outcomeView `json:"outcomes"`
	Summarised     bool          `json:"summarised"`
	TotalOutcomes  int64         `json:"total_outcomes"`
	Covered        string        `json:"covered"`
	CoveredPercent float64       `json:"covered_percent"`
	PerGene        []locusView   `json:"per_gene"`
	LethalRemoved  string        `json:"lethal_removed"`
	Warnings       []string      `json:"warnings"`
	OffspringCOI   *float64      `json:"offspring_coi"`
	// OffspringCOIPedigree says how much of the parents' pedigree OffspringCOI considered.
	OffspringCOIPedigree *pedigreeExtent `json:"offspring_coi_pedigree,omitempty"`
}

// pedigreeExtent is how much of a pedigree an inbreeding coefficient was computed over.
type pedigreeExtent struct {
	AncestorsConsidered   int  `json:"ancestors_considered"`
	GenerationsConsidered int  `json:"generations_considered"`
	Truncated             bool `json:"truncated"`
}

// locusView is the offspring's distribution at one locus, whatever they are elsewhere.
type locusView struct {
	Genes    []string      `json:"genes"`
	Sex      string        `json:"sex,omitempty"`
	Outcomes []outcomeView `json:"outcomes"`
}

// resolvedParent is one side of a pairing once read.
type resolvedParent struct {
	id     uuid.UUID // uuid.Nil for a genotype given as text
	gt     genetics.Genotype
	animal bool
}

// predict gives the exact probabilities of a pairing's offspring, from two animals or two
// genotypes: every joint outcome, or beyond genetics.DefaultLimits the most likely ones, and
// each gene's distribution; for two animals, also the inbreeding coefficient of their
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
// their offspring's inbreeding coefficient over their nearest generations within
// lineage.MaxAncestors ancestors.
func (s *Server) predictPairing(ctx context.Context, tx pgx.Tx, sp *genetics.Species, parents [2]resolvedParent) (predictResponse, error) {
	pred, err := sp.Predict(parents[0].gt, parents[1].gt)
	if errors.Is(err, genetics.ErrTooManyLoci) {
		return predictResponse{}, invalid(FieldError{"genetics", fmt.Sprintf("a pairing may involve at most %d genes; predict fewer at once", genetics.DefaultLimits.Loci)})
	}
	if err != nil {
		return predictResponse{}, err
	}
	resp := viewPrediction(sp, pred)
	resp.Sire, resp.Dam = sp.Format(parents[0].gt), sp.Format(parents[1].gt)
	if parents[0].animal && parents[1].animal {
		p, ids, ext, err := s.pedigree.Pedigree(ctx, tx, parents[0].id, parents[1].id)
		if err != nil {
			return predictResponse{}, err
		}
		f, err := p.Coancestry(ids[parents[0].id], ids[parents[1].id])
		if err != nil {
			return predictResponse{}, err
		}
		f = round(f, 10)
		resp.OffspringCOI = &f
		resp.OffspringCOIPedigree = &pedigreeExtent{AncestorsConsidered: ext.Ancestors, GenerationsConsidered: ext.Generations, Truncated: ext.Truncated}
	}
	return resp, nil
}

// viewPrediction is a prediction as the API answers it: the joint outcomes (all, or when
// summarised the most likely), and each locus's exact distribution.
func viewPrediction(sp *genetics.Species, pred genetics.Prediction) predictResponse {
	resp := predictResponse{Species: sp.Key, BySex: pred.BySex, Outcomes: make([]outcomeView, 0, len(pred.Outcomes)),
		Summarised: pred.Summarised, TotalOutcomes: pred.TotalOutcomes, Covered: pred.Covered.String(),
		CoveredPercent: round(100*pred.Covered.Float(), 4), PerGene: make([]locusView, 0, len(pred.Loci)),
		LethalRemoved: pred.LethalRemoved.String(), Warnings: pred.Warnings}
	if resp.Warnings == nil {
		resp.Warnings = []string{}
	}
	for _, o := range pred.Outcomes {
		resp.Outcomes = append(resp.Outcomes, viewOutcome(sp, o))
	}
	for _, l := range pred.Loci {
		lv := locusView{Genes: l.Genes, Sex: string(l.Sex), Outcomes: make([]outcomeView, 0, len(l.Outcomes))}
		for _, o := range l.Outcomes {
			lv.Outcomes = append(lv.Outcomes, viewOutcome(sp, o))
		}
		resp.PerGene = append(resp.PerGene, lv)
	}
	return resp
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
