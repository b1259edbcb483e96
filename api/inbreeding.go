package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/lineage"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
)

// completenessGenerations is how far back pedigree completeness is measured.
const completenessGenerations = 5

// loadPedigree builds the pedigree of the given animals' whole known ancestry and the dense
// IDs it gave each of them: from the pedigree graph in memory, or while the graph cannot
// answer, from the database through q.
func (s *Server) loadPedigree(ctx context.Context, q store.Querier, roots ...uuid.UUID) (*lineage.Pedigree, map[uuid.UUID]int64, error) {
	c, ok := s.pedigree.Closure(roots...)
	if !ok {
		links, err := store.AncestorClosure(ctx, q, roots...)
		if err != nil {
			return nil, nil, err
		}
		c = closureOf(links)
	}
	p, err := lineage.NewPedigree(c.Animals)
	if err != nil {
		return nil, nil, fmt.Errorf("build pedigree: %w", err)
	}
	// The graph lists the given animals first; the database in no set order.
	ids := make(map[uuid.UUID]int64, len(roots))
	for k, id := range c.IDs {
		if slices.Contains(roots, id) {
			ids[id] = int64(k + 1)
			if len(ids) == len(roots) {
				break
			}
		}
	}
	return p, ids, nil
}

// closureOf puts the database's closure in the graph's form: animal k has ID k+1.
func closureOf(links []store.PedigreeLink) pedigree.Closure {
	ids := make(map[uuid.UUID]int64, len(links))
	c := pedigree.Closure{Animals: make([]lineage.Animal, len(links)), IDs: make([]uuid.UUID, len(links))}
	for i, l := range links {
		ids[l.ID] = int64(i + 1)
		c.IDs[i] = l.ID
	}
	for i, l := range links {
		c.Animals[i] = lineage.Animal{ID: ids[l.ID], Sire: ids[l.SireID], Dam: ids[l.DamID]}
	}
	return c
}

type inbreedingResponse struct {
	AnimalID            string  `json:"animal_id"`
	Coefficient         float64 `json:"coefficient"`
	Percent             float64 `json:"percent"`
	AncestorsConsidered int     `json:"ancestors_considered"`
	Completeness        float64 `json:"completeness"`
	CompletenessGens    int     `json:"completeness_generations"`
	KnownAncestors      []int   `json:"known_ancestors_per_generation"`
}

// inbreeding gives Wright's coefficient F of an animal over its whole known pedigree, and the
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
	p, ids, err := s.loadPedigree(ctx, s.db.Pool, root)
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
		AncestorsConsidered: p.Len() - 1, Completeness: round(pci, 6), CompletenessGens: completenessGenerations, KnownAncestors: known}
	return writeJSON(w, http.StatusOK, resp)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
