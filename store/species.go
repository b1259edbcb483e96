package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/domain/genetics"
)

// SpeciesRow is a stored species catalogue.
type SpeciesRow struct {
	Key     string
	Name    string
	Version int
	Catalog *genetics.Species
}

func decodeCatalog(raw []byte) (*genetics.Species, error) {
	var s genetics.Species
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("decode species catalogue: %w", err)
	}
	if err := s.Prepare(); err != nil {
		return nil, err
	}
	return &s, nil
}

// ListSpecies lists every species catalogue, by key.
func ListSpecies(ctx context.Context, q Querier) ([]SpeciesRow, error) {
	rows, err := q.Query(ctx, `SELECT key, name, version, catalog FROM species ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("list species: %w", err)
	}
	defer rows.Close()
	var out []SpeciesRow
	for rows.Next() {
		var r SpeciesRow
		var raw []byte
		if err := rows.Scan(&r.Key, &r.Name, &r.Version, &raw); err != nil {
			return nil, fmt.Errorf("list species: %w", err)
		}
		if r.Catalog, err = decodeCatalog(raw); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SpeciesVersions maps each species to its catalogue version, so a cache knows when to reload.
func SpeciesVersions(ctx context.Context, q Querier) (map[string]int, error) {
	rows, err := q.Query(ctx, `SELECT key, version FROM species`)
	if err != nil {
		return nil, fmt.Errorf("species versions: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// SeedSpecies stores a shipped catalogue unless the species exists already (an admin's edits
// are never overwritten). It reports whether it wrote.
func SeedSpecies(ctx context.Context, q Querier, s *genetics.Species) (bool, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return false, fmt.Errorf("encode species %s: %w", s.Key, err)
	}
	tag, err := q.Exec(ctx, `INSERT INTO species (key, name, catalog) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
		s.Key, s.Name, raw)
	if err != nil {
		return false, fmt.Errorf("seed species %s: %w", s.Key, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReplaceSpecies stores an edited catalogue if the stored version is still expected (else
// ErrConflict), and returns the new version.
func ReplaceSpecies(ctx context.Context, q Querier, s *genetics.Species, expected int, by uuid.UUID) (int, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return 0, fmt.Errorf("encode species %s: %w", s.Key, err)
	}
	var v int
	err = q.QueryRow(ctx, `UPDATE species SET catalog = $2, name = $3, version = version + 1, updated_at = now(), updated_by = $5
		WHERE key = $1 AND version = $4 RETURNING version`, s.Key, raw, s.Name, expected, by).Scan(&v)
	if err != nil {
		if notFound(err) == ErrNotFound {
			return 0, ErrConflict
		}
		return 0, fmt.Errorf("replace species %s: %w", s.Key, err)
	}
	return v, nil
}
