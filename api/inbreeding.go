package api

import (
	"math"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
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
// pedigree completeness of its last five generations. The animal is looked up with the
// authorization in one round trip; its ancestry comes from the pedigree graph in memory.
func (s *Server) inbreeding(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c := claimsFrom(ctx)
	sid, err := uuid.Parse(c.SessionID)
	if err != nil {
		return newProblem(kindUnauthenticated, "The access token is invalid or expired.")
	}
	var root uuid.UUID
	batch := &pgx.Batch{}
	authorized := store.QueueAuthorize(batch, c.UserID, c.OrgID, sid)
	store.QueueVisibleAnimalID(batch, chi.URLParam(r, "animalID"), &root)
	if err := s.db.ReadBatch(ctx, batch); err != nil {
		return err
	}
	if _, err := authorized(); err != nil {
		return accessProblem(err, true)
	}
	if root == uuid.Nil {
		return notFound("animal")
	}
	// The pedigree table is outside row-level security: the fallback needs no tenant.
	p, ids, ext, err := s.pedigree.Pedigree(ctx, s.db.Pool, root)
	if err != nil {
		return err
	}
	id := ids[root]
	f, err := p.Inbreeding(id)
	if err != nil {
		return err
	}
	pci, err := p.Completeness(id, completenessGenerations)
	if err != nil {
		return err
	}
	known, err := p.KnownAncestors(id, completenessGenerations)
	if err != nil {
		return err
	}
	resp := inbreedingResponse{AnimalID: chi.URLParam(r, "animalID"), Coefficient: round(f, 10), Percent: round(100*f, 4),
		AncestorsConsidered: ext.Ancestors, GenerationsConsidered: ext.Generations, Truncated: ext.Truncated,
		Completeness: round(pci, 6), CompletenessGens: completenessGenerations, KnownAncestors: known}
	return writeJSON(w, http.StatusOK, resp)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
