package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/lineage"
	"github.com/reptidex/reptidex/store"
)

// completenessGenerations is how far back pedigree completeness is measured.
const completenessGenerations = 5

// loadPedigree builds the pedigree of the given animals' whole known ancestry and the dense
// IDs it gave each of them.
func loadPedigree(ctx context.Context, tx pgx.Tx, roots ...uuid.UUID) (*lineage.Pedigree, map[uuid.UUID]int64, error) {
	links, err := store.AncestorClosure(ctx, tx, roots...)
	if err != nil {
		return nil, nil, err
	}
	ids := make(map[uuid.UUID]int64, len(links))
	for i, l := range links {
		ids[l.ID] = int64(i + 1)
	}
	animals := make([]lineage.Animal, len(links))
	for i, l := range links {
		animals[i] = lineage.Animal{ID: ids[l.ID], Sire: ids[l.SireID], Dam: ids[l.DamID]}
	}
	p, err := lineage.NewPedigree(animals)
	if err != nil {
		return nil, nil, fmt.Errorf("build pedigree: %w", err)
	}
	return p, ids, nil
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
// pedigree completeness of its last five generations.
func (s *Server) inbreeding(w http.ResponseWriter, r *http.Request) error {
	var resp inbreedingResponse
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		ctx := r.Context()
		root, err := store.VisibleAnimalID(ctx, tx, chi.URLParam(r, "animalID"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("animal")
		}
		if err != nil {
			return err
		}
		p, ids, err := loadPedigree(ctx, tx, root)
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
		resp = inbreedingResponse{AnimalID: chi.URLParam(r, "animalID"), Coefficient: round(f, 10), Percent: round(100*f, 4),
			AncestorsConsidered: p.Len() - 1, Completeness: round(pci, 6), CompletenessGens: completenessGenerations, KnownAncestors: known}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resp)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
