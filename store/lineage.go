package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// AnimalCard is what the transaction's organization may see of an animal on a pedigree:
// everything listed for its own animals and other breeders' public ones; for any other
// animal only that it exists.
type AnimalCard struct {
	Visible         bool
	PublicID        string
	Name            string
	SpeciesKey      string
	Sex             string
	HatchDate       *time.Time
	GeneticsText    string
	Status          string
	OwnerPublicID   string
	OwnerName       string
	BreederPublicID string
	BreederName     string
	Reference       bool
	// OwnerID and BreederID name the organizations by ID, instead of OwnerPublicID and the
	// names, in a card read by QueuePedigreeCards; uuid.Nil otherwise.
	OwnerID, BreederID uuid.UUID
	// PhotoPublicID and PhotoThumbnailKey name the animal's primary photo and its thumbnail's
	// object, in a card read for a pedigree chart (QueueAncestors, QueuePrimaryPhotos) of an
	// animal the organization may see that has one; empty otherwise.
	PhotoPublicID, PhotoThumbnailKey string
}

// PedigreeNode is one animal of a pedigree with its parents.
type PedigreeNode struct {
	ID     uuid.UUID
	SireID *uuid.UUID
	DamID  *uuid.UUID
	Depth  int // generations from the animal asked about
	Card   AnimalCard
}

// VisibleAnimalID resolves an animal the transaction's organization may look up: its own,
// or another breeder's public one; anything else is ErrNotFound.
func VisibleAnimalID(ctx context.Context, q Querier, publicID string) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `SELECT id FROM parent_candidate($1)`, publicID).Scan(&id)
	return id, notFound(err)
}

const cardColumns = `c.visible, coalesce(c.public_id, ''), coalesce(c.name, ''), c.species_key, coalesce(c.sex::text, ''),
	c.hatch_date, coalesce(c.genetics_text, ''), coalesce(c.status::text, ''), coalesce(c.owner_public_id, ''),
	coalesce(c.owner_name, ''), coalesce(c.breeder_public_id, ''), coalesce(c.breeder_name, ''), coalesce(c.is_reference, false)`

func scanNode(rows pgx.CollectableRow) (PedigreeNode, error) {
	var n PedigreeNode
	c := &n.Card
	err := rows.Scan(&n.ID, &n.SireID, &n.DamID, &n.Depth, &c.Visible, &c.PublicID, &c.Name, &c.SpeciesKey, &c.Sex,
		&c.HatchDate, &c.GeneticsText, &c.Status, &c.OwnerPublicID, &c.OwnerName, &c.BreederPublicID, &c.BreederName, &c.Reference)
	return n, err
}

// QueueAncestors queues, on a batch after QueueAuthorize, the read of an animal (by public
// ID; the organization's own or a public one) and its ancestors up to the given number of
// generations, each once at its nearest depth, with what the organization may see of them.
// The walk, the visibility rule and the cards are one statement; no rows means the animal is
// not visible.
func QueueAncestors(batch *pgx.Batch, rootPublicID string, generations int, dst *[]PedigreeNode) {
	batch.Queue(`WITH RECURSIVE tree AS (
			SELECT p.animal_id, p.sire_id, p.dam_id, 0 AS depth
			FROM pedigree p WHERE p.animal_id = (SELECT v.id FROM visible_animal v WHERE v.public_id = $1)
			UNION ALL
			SELECT p.animal_id, p.sire_id, p.dam_id, t.depth + 1
			FROM tree t CROSS JOIN LATERAL (VALUES (t.sire_id), (t.dam_id)) AS x(parent)
			JOIN pedigree p ON p.animal_id = x.parent
			WHERE t.depth < $2
		), nodes AS (
			SELECT DISTINCT ON (animal_id) animal_id, sire_id, dam_id, depth FROM tree ORDER BY animal_id, depth
		)
		SELECT n.animal_id, n.sire_id, n.dam_id, n.depth, `+cardColumns+`,
			CASE WHEN c.visible THEN coalesce(pm.public_id, '') ELSE '' END,
			CASE WHEN c.visible THEN coalesce(pm.thumbnail_key, '') ELSE '' END
		FROM nodes n JOIN animal_card c ON c.id = n.animal_id
		LEFT JOIN media pm ON pm.animal_id = n.animal_id AND pm.is_primary AND pm.status = 'ready'
		ORDER BY n.depth`, rootPublicID, generations).Query(func(rows pgx.Rows) error {
		nodes, err := pgx.CollectRows(rows, func(rows pgx.CollectableRow) (PedigreeNode, error) {
			var n PedigreeNode
			c := &n.Card
			err := rows.Scan(&n.ID, &n.SireID, &n.DamID, &n.Depth, &c.Visible, &c.PublicID, &c.Name, &c.SpeciesKey, &c.Sex,
				&c.HatchDate, &c.GeneticsText, &c.Status, &c.OwnerPublicID, &c.OwnerName, &c.BreederPublicID, &c.BreederName,
				&c.Reference, &c.PhotoPublicID, &c.PhotoThumbnailKey)
			return n, err
		})
		*dst = nodes
		return err
	})
}

// Descendants returns the animal's offspring, their offspring and so on up to the given
// number of generations and at most limit animals, nearest first.
func Descendants(ctx context.Context, q Querier, root uuid.UUID, generations, limit int) ([]PedigreeNode, error) {
	rows, err := q.Query(ctx, `WITH RECURSIVE tree AS (
			SELECT p.animal_id, p.sire_id, p.dam_id, 0 AS depth FROM pedigree p WHERE p.animal_id = $1
			UNION ALL
			SELECT p.animal_id, p.sire_id, p.dam_id, t.depth + 1
			FROM tree t JOIN pedigree p ON p.sire_id = t.animal_id OR p.dam_id = t.animal_id
			WHERE t.depth < $2
		), nodes AS (
			SELECT DISTINCT ON (animal_id) animal_id, sire_id, dam_id, depth FROM tree ORDER BY animal_id, depth
		), page AS (
			SELECT * FROM nodes ORDER BY depth, animal_id LIMIT $3
		)
		SELECT n.animal_id, n.sire_id, n.dam_id, n.depth, `+cardColumns+`
		FROM page n JOIN animal_card c ON c.id = n.animal_id
		ORDER BY n.depth, n.animal_id`, root, generations, limit)
	if err != nil {
		return nil, fmt.Errorf("read descendants: %w", err)
	}
	return pgx.CollectRows(rows, scanNode)
}

// PedigreeLink is one animal of a pedigree and its recorded parents.
type PedigreeLink struct {
	ID, SireID, DamID uuid.UUID // uuid.Nil for an unknown parent
}

// AncestorClosure returns the given animals and their known ancestors, each once, across
// organizations, nearest generations first, at most limit of them: the pedigree that
// inbreeding is computed over (lineage.Nearest keeps its whole nearest generations).
func AncestorClosure(ctx context.Context, q Querier, limit int, roots ...uuid.UUID) ([]PedigreeLink, error) {
	// Each ancestor's parents travel with it through the walk: one index lookup per ancestor.
	// The walk is breadth first (each step adds the parents of the last), and Postgres runs
	// it only as far as the rows the LIMIT takes: the nearest generations, and no further.
	rows, err := q.Query(ctx, `WITH RECURSIVE up(id, sire_id, dam_id) AS (
			SELECT p.animal_id, p.sire_id, p.dam_id FROM pedigree p WHERE p.animal_id = ANY($1::uuid[])
			UNION
			SELECT p.animal_id, p.sire_id, p.dam_id
			FROM up CROSS JOIN LATERAL (VALUES (up.sire_id), (up.dam_id)) AS x(parent)
			JOIN pedigree p ON p.animal_id = x.parent
		)
		SELECT id, coalesce(sire_id, '00000000-0000-0000-0000-000000000000'),
			coalesce(dam_id, '00000000-0000-0000-0000-000000000000')
		FROM up LIMIT $2`, roots, limit)
	if err != nil {
		return nil, fmt.Errorf("read ancestor closure: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PedigreeLink, error) {
		var l PedigreeLink
		err := r.Scan(&l.ID, &l.SireID, &l.DamID)
		return l, err
	})
}

// Cards returns what the transaction's organization may see of each animal, by ID.
func Cards(ctx context.Context, q Querier, ids []uuid.UUID) (map[uuid.UUID]AnimalCard, error) {
	out := make(map[uuid.UUID]AnimalCard, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT c.id, NULL::uuid, NULL::uuid, 0, `+cardColumns+` FROM animal_card c WHERE c.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read animal cards: %w", err)
	}
	nodes, err := pgx.CollectRows(rows, scanNode)
	if err != nil {
		return nil, fmt.Errorf("read animal cards: %w", err)
	}
	for _, n := range nodes {
		out[n.ID] = n.Card
	}
	return out, nil
}

// QueueVisibleAnimalID queues, on a batch after QueueAuthorize, VisibleAnimalID: dst is set
// to the animal's ID, and left as it is when the organization may not look it up.
func QueueVisibleAnimalID(batch *pgx.Batch, publicID string, dst *uuid.UUID) {
	batch.Queue(`SELECT v.id FROM visible_animal v WHERE v.public_id = $1`, publicID).QueryRow(func(row pgx.Row) error {
		err := row.Scan(dst)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
}

// QueuePedigreeCards queues, on a batch after QueueAuthorize, the read of what the
// organization may see of each animal, by ID: dst[i] is set to the card of ids[i], and left
// nil for an ID of no animal. The owner and breeder are given only by ID (OwnerID,
// BreederID): the caller names them from its own copy, as joining organizations costs
// Postgres more than reading the animals. With the pedigree graph in memory this is the
// whole of a pedigree read.
func QueuePedigreeCards(batch *pgx.Batch, ids []uuid.UUID, dst []*AnimalCard) {
	// = ANY reads the index in key order, cheaper for Postgres than joining unnest WITH
	// ORDINALITY; the positions are found here instead.
	batch.Queue(`SELECT c.id, c.visible, coalesce(c.public_id, ''), coalesce(c.name, ''), c.species_key,
			coalesce(c.sex::text, ''), c.hatch_date, coalesce(c.genetics_text, ''), coalesce(c.status::text, ''),
			c.owner_id, c.breeder_id, coalesce(c.is_reference, false)
		FROM pedigree_card c WHERE c.id = ANY($1)`, binaryUUIDs(ids)).Query(func(rows pgx.Rows) error {
		pos := make(map[uuid.UUID]int, len(ids))
		for i, id := range ids {
			pos[id] = i
		}
		cards := make([]AnimalCard, len(ids)) // one allocation for them all
		for rows.Next() {
			// pgtype.UUID scans straight from binary; uuid.UUID would go through text.
			var id, owner, breeder pgtype.UUID
			var c AnimalCard
			if err := rows.Scan(&id, &c.Visible, &c.PublicID, &c.Name, &c.SpeciesKey, &c.Sex, &c.HatchDate, &c.GeneticsText,
				&c.Status, &owner, &breeder, &c.Reference); err != nil {
				return fmt.Errorf("read pedigree cards: %w", err)
			}
			i, ok := pos[id.Bytes]
			if !ok {
				return fmt.Errorf("read pedigree cards: animal %s was not asked for", uuid.UUID(id.Bytes))
			}
			c.OwnerID, c.BreederID = owner.Bytes, breeder.Bytes // zero, uuid.Nil, when NULL
			cards[i] = c
			dst[i] = &cards[i]
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read pedigree cards: %w", err)
		}
		return nil
	})
}

// QueuePrimaryPhotos queues, on a batch after QueuePedigreeCards of the same ids, the read of
// the primary photos of the animals the organization may see, in one statement: a card in
// dst with a photo gets its PhotoPublicID and PhotoThumbnailKey. Row-level security shows
// only the organization's own photos and the ready photos of public animals.
func QueuePrimaryPhotos(batch *pgx.Batch, ids []uuid.UUID, dst []*AnimalCard) {
	batch.Queue(`SELECT m.animal_id, m.public_id, m.thumbnail_key FROM media m
		WHERE m.animal_id = ANY($1) AND m.is_primary AND m.status = 'ready'`, binaryUUIDs(ids)).Query(func(rows pgx.Rows) error {
		var pos map[uuid.UUID]int // made only when some animal has a photo
		for rows.Next() {
			var id pgtype.UUID
			var publicID, thumbnail string
			if err := rows.Scan(&id, &publicID, &thumbnail); err != nil {
				return fmt.Errorf("read primary photos: %w", err)
			}
			if pos == nil {
				pos = make(map[uuid.UUID]int, len(ids))
				for i, id := range ids {
					pos[id] = i
				}
			}
			if i, ok := pos[id.Bytes]; ok && dst[i] != nil && dst[i].Visible {
				dst[i].PhotoPublicID, dst[i].PhotoThumbnailKey = publicID, thumbnail
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read primary photos: %w", err)
		}
		return nil
	})
}

// OrganizationRef is an organization as a pedigree card names it.
type OrganizationRef struct {
	PublicID, Name string
}

// OrganizationRefs names organizations by ID, whoever asks: owners and breeders of record
// are public.
func OrganizationRefs(ctx context.Context, q Querier, ids []uuid.UUID) (map[uuid.UUID]OrganizationRef, error) {
	rows, err := q.Query(ctx, `SELECT id, public_id, name FROM organization_name WHERE id = ANY($1)`, binaryUUIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("name organizations: %w", err)
	}
	out := make(map[uuid.UUID]OrganizationRef, len(ids))
	for rows.Next() {
		var id uuid.UUID
		var o OrganizationRef
		if err := rows.Scan(&id, &o.PublicID, &o.Name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("name organizations: %w", err)
		}
		out[id] = o
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("name organizations: %w", err)
	}
	return out, nil
}

// binaryUUID is id as pgx encodes it straight to binary: uuid.UUID is a driver.Valuer, which
// pgx encodes through its text form after failing to encode it as binary.
func binaryUUID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: true} }

// binaryUUIDs is ids as pgx encodes them straight to binary, element by element and without
// reflection over the slice.
func binaryUUIDs(ids []uuid.UUID) pgtype.FlatArray[pgtype.UUID] {
	out := make(pgtype.FlatArray[pgtype.UUID], len(ids))
	for i, id := range ids {
		out[i] = binaryUUID(id)
	}
	return out
}
