package pedigree

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/store"
)

// Descendant is one offspring in an animal's line.
type Descendant struct {
	// Generation counts from the animal asked about: 1 for its offspring.
	Generation int
	// SirePublicID and DamPublicID name the parents, empty when unknown or, for a parent
	// from outside the line, when the caller may not see it.
	SirePublicID, DamPublicID string
	Card                      store.AnimalCard
}

// Descendants reads the offspring of the animal with the given public ID, generation by
// generation up to generations, through q acting for the caller: at most limit of them,
// truncated when there were more. An animal the caller may not look up is ErrNotFound.
func Descendants(ctx context.Context, q store.Querier, publicID string, generations, limit int) (ds []Descendant, truncated bool, err error) {
	root, err := store.VisibleAnimalID(ctx, q, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, ErrNotFound
	}
	if err != nil {
		return nil, false, err
	}
	// The root comes back too, and one more than asked says the list was cut short.
	nodes, err := store.Descendants(ctx, q, root, generations, limit+2)
	if err != nil {
		return nil, false, err
	}
	publicIDs, err := parentIDs(ctx, q, nodes)
	if err != nil {
		return nil, false, err
	}
	for _, n := range nodes {
		if n.Depth == 0 {
			continue
		}
		d := Descendant{Generation: n.Depth, Card: n.Card}
		if n.SireID != nil {
			d.SirePublicID = publicIDs[*n.SireID]
		}
		if n.DamID != nil {
			d.DamPublicID = publicIDs[*n.DamID]
		}
		ds = append(ds, d)
	}
	if len(ds) > limit {
		return ds[:limit], true, nil
	}
	return ds, false, nil
}

// parentIDs gives the public IDs of the nodes and of their parents: those from outside the
// line (the mates) are read, and named when the caller may see them.
func parentIDs(ctx context.Context, q store.Querier, nodes []store.PedigreeNode) (map[uuid.UUID]string, error) {
	publicIDs := map[uuid.UUID]string{}
	for _, n := range nodes {
		publicIDs[n.ID] = n.Card.PublicID
	}
	var mates []uuid.UUID
	for _, n := range nodes {
		for _, p := range []*uuid.UUID{n.SireID, n.DamID} {
			if p == nil {
				continue
			}
			if _, known := publicIDs[*p]; !known {
				mates = append(mates, *p)
			}
		}
	}
	cards, err := store.Cards(ctx, q, mates)
	if err != nil {
		return nil, err
	}
	for id, c := range cards {
		publicIDs[id] = c.PublicID
	}
	return publicIDs, nil
}
