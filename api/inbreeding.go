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
	AnimalID              string  `json:"animal_id"`
	Coefficient           float64 `json:"coefficient"`
	Percent               float64 `json:"percent"`
	AncestorsConsidered   int     `json:"ancestors_considered"`
	Completeness          float64 `json:"completeness"`
	CompletenessGens      int     `json:"completeness_generations"`
	KnownAncestors        []int   `json:"known_ancestors_per_generation"`
	GenerationsConsidered int     `json:"generations_considered"`
	Truncated             bool    `json:"truncated"`
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
