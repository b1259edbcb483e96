package api

import (
	"errors"
	"math"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/reptidex/reptidex/pedigree"
)

// completenessGenerations is how far back pedigree completeness is measured.
const completenessGenerations = 5

type inbreedingResponse struct {
	// Public ID of the animal, as asked for.
	AnimalID string `json:"animal_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Wright's coefficient of inbreeding F over the known pedigree (the whole of it unless
	// truncated), rounded to 10 decimal places: 0.25 for the offspring of full siblings or of a
	// parent and its offspring.
	Coefficient float64 `json:"coefficient" jsonschema:"minimum=0,maximum=1"`
	// F as a percentage, rounded to 4 decimal places.
	Percent float64 `json:"percent" jsonschema:"minimum=0,maximum=100"`
	// How many distinct known ancestors F was computed over: every one unless truncated, and at
	// most 2,500.
	AncestorsConsidered int `json:"ancestors_considered" jsonschema:"minimum=0"`
	// Pedigree completeness index (MacCluer et al. 1983) over completeness_generations, rounded to
	// 6 decimal places: the harmonic mean of the sire's and the dam's side, each the mean over the
	// generations of the share of known ancestor positions. 1 for a full pedigree; 0 when a parent
	// is unknown, however complete the other side is.
	Completeness float64 `json:"completeness" jsonschema:"minimum=0,maximum=1"`
	// The generations completeness and known_ancestors_per_generation look into: 5.
	CompletenessGens int `json:"completeness_generations" jsonschema:"enum=5"`
	// For generation 1 (parents) to 5, how many of its 2, 4, 8, 16 and 32 ancestor positions hold
	// a known animal. Positions are counted, not animals: an ancestor reached through two lines
	// fills two.
	KnownAncestors []int `json:"known_ancestors_per_generation" jsonschema:"minItems=5,maxItems=5,minimum=0"`
	// How many generations back F was computed over, each ancestor counted at the nearest
	// generation it appears in: the depth of the whole known pedigree unless truncated.
	GenerationsConsidered int `json:"generations_considered" jsonschema:"minimum=0"`
	// True when known ancestors beyond generations_considered were left out to keep within 2,500
	// ancestors: they count as unknown, so coefficient is a lower bound of F over the whole
	// pedigree (a close one when what is left out is far back).
	Truncated bool `json:"truncated"`
}

// inbreeding gives Wright's coefficient F of an animal over its known pedigree (its nearest
// generations within lineage.MaxAncestors, saying when more were left out), and the
// pedigree completeness of its last five generations (pedigree.Graph.Inbreeding).
func (s *Server) inbreeding(w http.ResponseWriter, r *http.Request) error {
	authorize, err := batchAccess(r)
	if err != nil {
		return err
	}
	publicID := chi.URLParam(r, "animalID")
	in, err := s.pedigree.Inbreeding(r.Context(), s.db, authorize, publicID, completenessGenerations)
	if errors.Is(err, pedigree.ErrNotFound) {
		return notFound("animal")
	}
	if err != nil {
		return err
	}
	resp := inbreedingResponse{AnimalID: publicID, Coefficient: round(in.F, 10), Percent: round(100*in.F, 4),
		AncestorsConsidered: in.Extent.Ancestors, GenerationsConsidered: in.Extent.Generations, Truncated: in.Extent.Truncated,
		Completeness: round(in.Completeness, 6), CompletenessGens: completenessGenerations, KnownAncestors: in.KnownAncestors}
	return writeJSON(w, http.StatusOK, resp)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
