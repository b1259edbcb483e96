package api

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/breeding"
	"github.com/reptidex/reptidex/domain/genetics"
)

// parentInput names one side of a pairing: an animal, or a genotype in trade names.
type parentInput struct {
	// Public ID of an animal: the organization's own or another breeder's public one; its stored
	// genetics and sex are used, and it must be male as the sire, female as the dam.
	AnimalID string `json:"animal_id,omitempty"`
	// A genotype in trade names, read as an animal's genetics are (see
	// CreateAnimalRequest.genetics) for a male sire or a female dam, such as "Pastel het Clown";
	// write "Normal" for the wild type.
	Genetics string `json:"genetics,omitempty"`
}

type predictRequest struct {
	// Key of the species, from /api/v1/taxonomy/species, such as ball-python. Required when both
	// sides are given as genetics; otherwise it defaults to the animal's species, and when given
	// every animal must be of it.
	Species string      `json:"species,omitempty" jsonschema:"pattern=^[a-z0-9-]+$"`
	Sire    parentInput `json:"sire" jsonschema:"required"`
	Dam     parentInput `json:"dam" jsonschema:"required"`
}

type outcomeView struct {
	// Present only when by_sex: the offspring's sex, among which probability is counted.
	Sex string `json:"sex,omitempty" jsonschema:"enum=male,enum=female"`
	// As breeders write it: visual traits, hets, then possible hets, such as "Pastel het Clown" or
	// "Normal 66% poss het Clown".
	Name string `json:"name"`
	// The exact probability, as "n/d" ("1" when certain), among all surviving offspring, or among
	// those of its sex when by_sex. n and d may pass 64 bits (a pairing of many genes with
	// possible hets): read them as arbitrary-precision integers, or use percent.
	Probability string `json:"probability" jsonschema:"pattern=^[0-9]+(/[0-9]+)?$"`
	// The probability as a percentage, rounded to 4 decimal places.
	Percent float64 `json:"percent" jsonschema:"minimum=0,maximum=100"`
	// The visual traits by name, combinations first; [] for a normal-looking offspring.
	Visual []string `json:"visual"`
	// The recessive genes the offspring carries, or may carry (with the probability given what it
	// looks like), unseen, in the species' gene order; [] when none. They carry no provenance.
	Hets []hetView `json:"hets"`
	// Polygenic (line-bred) traits a parent shows, which the offspring may show to a degree no
	// cross predicts; absent when none.
	Possible []string `json:"possible,omitempty"`
}

type predictResponse struct {
	// Key of the species.
	Species string `json:"species"`
	// The sire's genotype in canonical trade names.
	Sire string `json:"sire"`
	// The dam's genotype in canonical trade names.
	Dam string `json:"dam"`
	// true when a sex-linked gene makes male and female offspring differ: each outcome then names
	// its sex, males first, and each sex's outcomes sum to 1.
	BySex bool `json:"by_sex"`
	// Every outcome, most likely first (per sex when by_sex); equally likely ones in the species'
	// gene order. When summarised, only the most likely: the first ones of that same order. Joint
	// outcomes are listed in full when there are at most 256 of them and at most 2,048
	// outcome-genes (outcomes × genes involved); beyond that the answer is summarised: summarised
	// is true and outcomes holds the 64 most likely (32 of each sex when by_sex), exact and in the
	// order the full listing would give them, with total_outcomes and the share they cover;
	// per_gene always gives each gene's exact distribution.
	Outcomes []outcomeView `json:"outcomes"`
	// true when the pairing has more joint outcomes than are listed in full (more than 256, or
	// more than 2,048 outcome-genes) and outcomes lists only the 64 most likely; false when
	// outcomes lists them all. Never a refusal: per_gene is complete and exact either way, and a
	// pairing is refused (422) only past 32 genes.
	Summarised bool `json:"summarised"`
	// How many joint outcomes the pairing has, listed or not (both sexes' when by_sex); saturates
	// at 9223372036854775807.
	TotalOutcomes int64 `json:"total_outcomes" jsonschema:"minimum=1,maximum=9223372036854775807"`
	// The exact share of offspring the listed outcomes describe, as "n/d": "1" unless summarised.
	// When by_sex, the sexes weigh equally.
	Covered string `json:"covered" jsonschema:"pattern=^[0-9]+(/[0-9]+)?$"`
	// covered as a percentage, rounded to 4 decimal places.
	CoveredPercent float64 `json:"covered_percent" jsonschema:"minimum=0,maximum=100"`
	// Each gene's own distribution, exact and complete whether or not outcomes is summarised: one
	// entry per locus either parent carries anything at (allelic genes share one), in the species'
	// gene order; a sex-linked locus has one entry per sex when by_sex.
	PerGene []locusView `json:"per_gene"`
	// The exact share of conceptions homozygous for a lethal gene, left out of outcomes (the rest
	// renormalised), as "n/d"; "0" when none.
	LethalRemoved string `json:"lethal_removed" jsonschema:"pattern=^[0-9]+(/[0-9]+)?$"`
	// For people: lethal homozygotes left out, polygenic traits that cannot be predicted; [] when
	// none.
	Warnings []string `json:"warnings"`
	// The inbreeding coefficient F the offspring would have (the sire's and dam's coefficient of
	// coancestry) over their known pedigree (the nearest generations within 2,500 ancestors, as
	// offspring_coi_pedigree says), rounded to 10 decimal places, when both sides are animals;
	// null when a side is given as genetics.
	OffspringCOI *float64 `json:"offspring_coi" jsonschema:"minimum=0,maximum=1,nullable"`
	// How much of the parents' pedigree offspring_coi considered; present when offspring_coi is.
	OffspringCOIPedigree *pedigreeExtent `json:"offspring_coi_pedigree,omitempty"`
}

// pedigreeExtent is how much of a pedigree an inbreeding coefficient was computed over.
type pedigreeExtent struct {
	// How many distinct known ancestors of the sire and dam were considered.
	AncestorsConsidered int `json:"ancestors_considered" jsonschema:"minimum=0,maximum=2500"`
	// How many generations back from the sire and dam were considered, each ancestor at its
	// nearest generation.
	GenerationsConsidered int `json:"generations_considered" jsonschema:"minimum=0"`
	// True when known ancestors beyond generations_considered were left out; offspring_coi is then
	// a lower bound of the F over the whole pedigree.
	Truncated bool `json:"truncated"`
}

// locusView is the offspring's distribution at one locus, whatever they are elsewhere.
type locusView struct {
	// Keys of the genes at this locus that either parent carries, in the species' gene order (two
	// for allelic genes such as Lesser and Mojave).
	Genes []string `json:"genes"`
	// Present only for a sex-linked locus when by_sex: the offspring's sex, among which
	// probability is counted.
	Sex string `json:"sex,omitempty" jsonschema:"enum=male,enum=female"`
	// Every look at this locus, most likely first, with the hets it may carry; they sum to 1.
	// Outcomes here carry no sex.
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
