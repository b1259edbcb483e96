package pedigree

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/domain/lineage"
	"github.com/reptidex/reptidex/store"
)

// Pedigree builds the pedigree of the given animals' nearest known ancestry, as many whole
// generations as fit within lineage.MaxAncestors, and the dense IDs it gave each of them:
// from the graph or, while it cannot answer, from the database through q. The extent says
// how much of the pedigree it holds.
func (g *Graph) Pedigree(ctx context.Context, q store.Querier, roots ...uuid.UUID) (*lineage.Pedigree, map[uuid.UUID]int64, lineage.Extent, error) {
	c, ok := g.Closure(lineage.MaxAncestors, roots...)
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
func closureOf(roots []uuid.UUID, links []store.PedigreeLink) Closure {
	byID := make(map[uuid.UUID]store.PedigreeLink, len(links))
	for _, l := range links {
		byID[l.ID] = l
	}
	animals, ids, ext := lineage.Nearest(roots, lineage.MaxAncestors, uuid.Nil, func(id uuid.UUID) (uuid.UUID, uuid.UUID, bool) {
		l, ok := byID[id]
		return l.SireID, l.DamID, ok
	})
	return Closure{Animals: animals, IDs: ids, Extent: ext}
}
