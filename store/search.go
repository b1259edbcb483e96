package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// SearchHit is one animal found, with what the searcher may see of it.
type SearchHit struct {
	Rank float32
	Card AnimalCard
}

func scanHit(rows pgx.CollectableRow) (SearchHit, error) {
	var h SearchHit
	var id uuid.UUID
	c := &h.Card
	err := rows.Scan(&h.Rank, &id, &c.Visible, &c.PublicID, &c.Name, &c.SpeciesKey, &c.Sex, &c.HatchDate, &c.GeneticsText,
		&c.Status, &c.OwnerPublicID, &c.OwnerName, &c.BreederPublicID, &c.BreederName, &c.Reference)
	return h, err
}

// SearchPublic finds public animals of every organization by name, species and genetics,
// with full-text matching and trigram similarity for misspellings, best first.
func SearchPublic(ctx context.Context, q Querier, query, species string, limit, offset int) ([]SearchHit, error) {
	var sp *string
	if species != "" {
		sp = &species
	}
	rows, err := q.Query(ctx, `WITH hits AS (SELECT * FROM search_public_animals($1, $2, $3, $4))
		SELECT h.rank, c.id, `+cardColumns+`
		FROM hits h JOIN animal_card c ON c.id = h.id
		ORDER BY h.rank DESC, c.id`, query, sp, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("search public animals: %w", err)
	}
	return pgx.CollectRows(rows, scanHit)
}

// SearchOwn finds the transaction's organization's animals, whatever their visibility.
func SearchOwn(ctx context.Context, tx pgx.Tx, query, species string, limit, offset int) ([]SearchHit, error) {
	var sp *string
	if species != "" {
		sp = &species
	}
	if _, err := tx.Exec(ctx, `SET LOCAL pg_trgm.word_similarity_threshold = 0.45`); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	rows, err := tx.Query(ctx, `WITH hits AS (
			SELECT a.id, (ts_rank(a.search_vector, websearch_to_tsquery('simple', $1)) * 2
				+ word_similarity(lower($1), a.search_doc))::real AS rank
			FROM animals a
			WHERE a.org_id = app_org_id() AND ($2::text IS NULL OR a.species_key = $2)
			  AND (a.search_vector @@ websearch_to_tsquery('simple', $1) OR lower($1) <% a.search_doc)
			ORDER BY rank DESC, a.id LIMIT $3 OFFSET $4)
		SELECT h.rank, c.id, `+cardColumns+`
		FROM hits h JOIN animal_card c ON c.id = h.id
		ORDER BY h.rank DESC, c.id`, query, sp, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("search own animals: %w", err)
	}
	return pgx.CollectRows(rows, scanHit)
}
