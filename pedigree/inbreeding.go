package pedigree

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/lineage"
	"github.com/reptidex/reptidex/store"
)

// Inbreeding is an animal's inbreeding over its known pedigree.
type Inbreeding struct {
	// F is Wright's coefficient over the pedigree Extent describes.
	F      float64
	Extent lineage.Extent
	// Completeness is the pedigree completeness of the generations asked for, and
	// KnownAncestors the number of ancestors known in each of them.
	Completeness   float64
	KnownAncestors []int
}

// Inbreeding reads the inbreeding of the animal with the given public ID over its nearest
// generations within lineage.MaxAncestors, and the completeness of its pedigree the given
// generations back. The animal is looked up with the authorization in one round trip; its
// ancestry comes from the graph, or while it cannot answer, from the database.
func (g *Graph) Inbreeding(ctx context.Context, db *store.DB, authorize Authorize, publicID string, generations int) (Inbreeding, error) {
	var root uuid.UUID
	batch := &pgx.Batch{}
	authorized := authorize(batch)
	store.QueueVisibleAnimalID(batch, publicID, &root)
	if err := db.ReadBatch(ctx, batch); err != nil {
		return Inbreeding{}, err
	}
	if err := authorized(); err != nil {
		return Inbreeding{}, err
	}
	if root == uuid.Nil {
		return Inbreeding{}, ErrNotFound
	}
	// The pedigree table is outside row-level security: the fallback needs no tenant.
	p, ids, ext, err := g.Pedigree(ctx, db.Pool, root)
	if err != nil {
		return Inbreeding{}, err
	}
	id := ids[root]
	in := Inbreeding{Extent: ext}
	if in.F, err = p.Inbreeding(id); err != nil {
		return Inbreeding{}, err
	}
	if in.Completeness, err = p.Completeness(id, generations); err != nil {
		return Inbreeding{}, err
	}
	if in.KnownAncestors, err = p.KnownAncestors(id, generations); err != nil {
		return Inbreeding{}, err
	}
	return in, nil
}
