package pedigree

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
)

// ErrNotFound means the animal asked about does not exist or the caller may not look at it:
// it is neither their organization's nor public.
var ErrNotFound = errors.New("animal not found")

// Authorize queues the caller's authorization on the batch a read is sent in, ahead of the
// read (store.QueueAuthorize), so that both take one round trip; it returns the check of
// the outcome, run once the batch is sent. The check's error is returned as it is.
type Authorize func(*pgx.Batch) (check func() error)

// Chart is an animal's ancestors as a pedigree chart shows them, across organizations.
type Chart struct {
	Ancestors Ancestors
	// Cards are what the caller may see of each animal, by position in Ancestors: nil for
	// an ID of no animal.
	Cards []*store.AnimalCard
}

// Chart reads the chart of the animal with the given public ID, generations deep. The tree
// comes from the graph and only the cards and the primary photos of the animals the caller
// may see are read, with the authorization, in one round trip; while the graph cannot
// answer, the tree is walked in the database in that same round trip.
func (g *Graph) Chart(ctx context.Context, db *store.DB, authorize Authorize, publicID string, generations int) (Chart, error) {
	tree, inMemory := g.Ancestors(publicID, generations)
	var nodes []store.PedigreeNode
	cards := make([]*store.AnimalCard, len(tree.IDs)) // by position in tree
	batch := &pgx.Batch{}
	authorized := authorize(batch)
	if inMemory {
		store.QueuePedigreeCards(batch, tree.IDs, cards)
		store.QueuePrimaryPhotos(batch, tree.IDs, cards)
	} else {
		store.QueueAncestors(batch, publicID, generations, &nodes)
	}
	if err := db.ReadBatch(ctx, batch); err != nil {
		return Chart{}, err
	}
	if err := authorized(); err != nil {
		return Chart{}, err
	}
	if inMemory {
		if err := g.nameOrganizations(ctx, db, cards); err != nil {
			return Chart{}, err
		}
	} else {
		if len(nodes) == 0 || nodes[0].Depth != 0 {
			return Chart{}, ErrNotFound
		}
		tree, cards = ancestorsOf(nodes)
	}
	// The root must be the organization's own animal or a public one, as visible_animal says.
	if cards[0] == nil || !cards[0].Visible {
		return Chart{}, ErrNotFound
	}
	return Chart{Ancestors: tree, Cards: cards}, nil
}

// nameOrganizations names the owners and breeders of cards read by QueuePedigreeCards, from
// the graph or, for one it does not know yet, from the database.
func (g *Graph) nameOrganizations(ctx context.Context, db *store.DB, cards []*store.AnimalCard) error {
	var ids []uuid.UUID
	for _, c := range cards {
		if c == nil {
			continue
		}
		for _, id := range [2]uuid.UUID{c.OwnerID, c.BreederID} {
			if id != uuid.Nil && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	names, missing := g.Organizations(ids)
	if len(missing) > 0 {
		refs, err := store.OrganizationRefs(ctx, db.Pool, missing)
		if err != nil {
			return err
		}
		for id, o := range refs {
			names[id] = Organization{PublicID: o.PublicID, Name: o.Name}
		}
	}
	for _, c := range cards {
		if c == nil {
			continue
		}
		if c.OwnerID != uuid.Nil {
			c.OwnerPublicID, c.OwnerName = names[c.OwnerID].PublicID, names[c.OwnerID].Name
		}
		if c.BreederID != uuid.Nil {
			c.BreederPublicID, c.BreederName = names[c.BreederID].PublicID, names[c.BreederID].Name
		}
	}
	return nil
}

// ancestorsOf puts the database's walk in the graph's form, with the cards by position.
func ancestorsOf(nodes []store.PedigreeNode) (Ancestors, []*store.AnimalCard) {
	pos := make(map[uuid.UUID]int32, len(nodes))
	a := Ancestors{IDs: make([]uuid.UUID, len(nodes)), Sire: make([]int32, len(nodes)), Dam: make([]int32, len(nodes))}
	cards := make([]*store.AnimalCard, len(nodes))
	for i, n := range nodes {
		pos[n.ID] = int32(i)
		a.IDs[i] = n.ID
		cards[i] = &nodes[i].Card
	}
	at := func(id *uuid.UUID) int32 {
		if id == nil {
			return -1
		}
		if p, ok := pos[*id]; ok {
			return p
		}
		return -1
	}
	for i, n := range nodes {
		a.Sire[i], a.Dam[i] = at(n.SireID), at(n.DamID)
	}
	return a, cards
}
