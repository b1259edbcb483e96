package api

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/breeding"
	"github.com/reptidex/reptidex/domain/genetics"
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

// predict gives the exact probabilities of a pairing's offspring, from two animals or two
// genotypes (breeding.Predict): every joint outcome, or beyond genetics.DefaultLimits the
// most likely ones, and each gene's distribution; for two animals, also the inbreeding
// coefficient of their offspring.
func (s *Server) predict(w http.ResponseWriter, r *http.Request) error {
	var req predictRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	q := breeding.PredictionQuery{Species: req.Species, Sire: breeding.Parent(req.Sire), Dam: breeding.Parent(req.Dam)}
	if err := q.Validate(); err != nil { // before a transaction opens
		return breedingProblem(err)
	}
	var resp predictResponse
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		p, err := breeding.Predict(r.Context(), tx, s.breedingDeps(), q)
		if err != nil {
			return err
		}
		resp = viewPairingPrediction(p)
		return nil
	})
	if err != nil {
		return breedingProblem(err)
	}
	return writeJSON(w, http.StatusOK, resp)
}

// viewPairingPrediction is the prediction of a pairing as the API answers it: with its
// parents and, for two animals, their offspring's inbreeding and the pedigree it considered.
func viewPairingPrediction(p breeding.Prediction) predictResponse {
	resp := viewPrediction(p.Species, p.Offspring)
	resp.Sire, resp.Dam = p.Species.Format(p.Sire), p.Species.Format(p.Dam)
	if p.COI != nil {
		resp.OffspringCOI = p.OffspringCOI()
		resp.OffspringCOIPedigree = &pedigreeExtent{AncestorsConsidered: p.COI.Extent.Ancestors,
			GenerationsConsidered: p.COI.Extent.Generations, Truncated: p.COI.Extent.Truncated}
	}
	return resp
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
