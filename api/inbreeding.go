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

// loadPedigree builds the pedigree of the given animals' nearest known ancestry, as many
// whole generations as fit within lineage.MaxAncestors, and the dense IDs it gave each of
// them: from the pedigree graph in memory, or while the graph cannot answer, from the
// database through q. The extent says how much of the pedigree it holds.
func (s *Server) loadPedigree(ctx context.Context, q store.Querier, roots ...uuid.UUID) (*lineage.Pedigree, map[uuid.UUID]int64, lineage.Extent, error) {
	c, ok := s.pedigree.Closure(lineage.MaxAncestors, roots...)
	if !ok {
		// One row more than the bound allows: enough to tell that the next generation does
		// not fit.
		links, err := store.AncestorClosure(ctx, q, len(roots)+lineage.MaxAncestors+1, roots...)
		if err != nil {
			return nil, nil, lineage.Extent{}, err
		}
		c = closureOf(roots, links)
	}
	p, err := lineage.NewPedigree(c.Animals)
	if err != nil {
		return nil, nil, lineage.Extent{}, fmt.Errorf("build pedigree: %w", err)
	}
	// Both list the given animals first, in order, each once.
	ids := make(map[uuid.UUID]int64, len(roots))
	for k, id := range c.IDs {
		if slices.Contains(roots, id) {
			ids[id] = int64(k + 1)
			if len(ids) == len(roots) {
				break
			}
		}
	}
	return p, ids, c.Extent, nil
}

// closureOf puts the database's links in the graph's form, keeping the same nearest
// generations as the graph would.
func closureOf(roots []uuid.UUID, links []store.PedigreeLink) pedigree.Closure {
	byID := make(map[uuid.UUID]store.PedigreeLink, len(links))
	for _, l := range links {
		byID[l.ID] = l
	}
	animals, ids, ext := lineage.Nearest(roots, lineage.MaxAncestors, uuid.Nil, func(id uuid.UUID) (uuid.UUID, uuid.UUID, bool) {
		l, ok := byID[id]
		return l.SireID, l.DamID, ok
	})
	return pedigree.Closure{Animals: animals, IDs: ids, Extent: ext}
}

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
	p, ids, ext, err := s.loadPedigree(ctx, s.db.Pool, root)
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
