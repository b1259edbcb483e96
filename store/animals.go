package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/genetics"
)

// Animal is one animal of the registry.
type Animal struct {
	ID           uuid.UUID
	PublicID     string
	OrgID        uuid.UUID
	BreederOrgID *uuid.UUID
	SpeciesKey   string
	Sex          genetics.Sex
	Name         string
	HatchDate    *time.Time
	Identifiers  map[string]string
	Status       string
	Visibility   string
	Genetics     []genetics.Claim
	GeneticsText string
	SireID       *uuid.UUID
	DamID        *uuid.UUID
	ClutchID     *uuid.UUID
	IsReference  bool
	ReplacedBy   *uuid.UUID
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ArchivedAt   *time.Time
	HeldBy       *uuid.UUID // the open transfer (or sale) the animal is held for

	// Read-only, for display: public IDs of the parents and organizations.
	SirePublicID    string
	DamPublicID     string
	OrgPublicID     string
	BreederPublicID string
}

const animalColumns = `a.id, a.public_id, a.org_id, a.breeder_org_id, a.species_key, a.sex, coalesce(a.name, ''), a.hatch_date,
	a.identifiers, a.status, a.visibility, a.genetics, a.genetics_text, a.sire_id, a.dam_id, a.clutch_id, a.is_reference,
	a.replaced_by, a.version, a.created_at, a.updated_at, a.archived_at, a.held_by,
	coalesce((SELECT public_id FROM animal_ref(a.sire_id)), ''),
	coalesce((SELECT public_id FROM animal_ref(a.dam_id)), ''),
	(SELECT public_id FROM organization_ref(a.org_id)),
	coalesce((SELECT public_id FROM organization_ref(a.breeder_org_id)), '')`

func scanAnimal(row pgx.Row) (Animal, error) {
	var a Animal
	var ids, gen []byte
	err := row.Scan(&a.ID, &a.PublicID, &a.OrgID, &a.BreederOrgID, &a.SpeciesKey, &a.Sex, &a.Name, &a.HatchDate,
		&ids, &a.Status, &a.Visibility, &gen, &a.GeneticsText, &a.SireID, &a.DamID, &a.ClutchID, &a.IsReference,
		&a.ReplacedBy, &a.Version, &a.CreatedAt, &a.UpdatedAt, &a.ArchivedAt, &a.HeldBy, &a.SirePublicID, &a.DamPublicID,
		&a.OrgPublicID, &a.BreederPublicID)
	if err != nil {
		return Animal{}, notFound(err)
	}
	if err := json.Unmarshal(ids, &a.Identifiers); err != nil {
		return Animal{}, fmt.Errorf("decode identifiers: %w", err)
	}
	if err := json.Unmarshal(gen, &a.Genetics); err != nil {
		return Animal{}, fmt.Errorf("decode genetics: %w", err)
	}
	return a, nil
}

func geneKeys(claims []genetics.Claim) []string {
	keys := make([]string, 0, len(claims))
	for _, c := range claims {
		keys = append(keys, c.Gene)
	}
	return keys
}

// InsertAnimal stores a new animal in the transaction's organization.
func InsertAnimal(ctx context.Context, tx pgx.Tx, a Animal) error {
	ids, err := json.Marshal(nonNil(a.Identifiers))
	if err != nil {
		return err
	}
	gen, err := json.Marshal(nonNilClaims(a.Genetics))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO animals (id, public_id, org_id, breeder_org_id, species_key, sex, name, hatch_date,
			identifiers, status, visibility, genetics, genetics_text, gene_keys, sire_id, dam_id, clutch_id, is_reference)
		VALUES ($1, $2, app_org_id(), $3, $4, $5, nullif($6, ''), $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		a.ID, a.PublicID, a.BreederOrgID, a.SpeciesKey, a.Sex, a.Name, a.HatchDate, ids, a.Status, a.Visibility,
		gen, a.GeneticsText, geneKeys(a.Genetics), a.SireID, a.DamID, a.ClutchID, a.IsReference)
	if err != nil {
		return fmt.Errorf("insert animal: %w", err)
	}
	return nil
}

// AnimalByPublicID reads an animal of the transaction's organization.
func AnimalByPublicID(ctx context.Context, q Querier, publicID string) (Animal, error) {
	return scanAnimal(q.QueryRow(ctx, `SELECT `+animalColumns+` FROM animals a WHERE a.public_id = $1`, publicID))
}

// ErrStale is returned when an update names a version that is no longer current.
var ErrStale = errors.New("stale version")

// UpdateAnimal writes every mutable field of a if its stored version is still expected, and
// returns the new version; a version that moved on is ErrStale.
func UpdateAnimal(ctx context.Context, tx pgx.Tx, a Animal, expected int) (int, error) {
	ids, err := json.Marshal(nonNil(a.Identifiers))
	if err != nil {
		return 0, err
	}
	gen, err := json.Marshal(nonNilClaims(a.Genetics))
	if err != nil {
		return 0, err
	}
	var v int
	err = tx.QueryRow(ctx, `UPDATE animals SET sex = $3, name = nullif($4, ''), hatch_date = $5, identifiers = $6,
			status = $7, visibility = $8, genetics = $9, genetics_text = $10, gene_keys = $11, sire_id = $12, dam_id = $13,
			archived_at = $14, replaced_by = $15, version = version + 1, updated_at = now()
		WHERE id = $1 AND version = $2 RETURNING version`,
		a.ID, expected, a.Sex, a.Name, a.HatchDate, ids, a.Status, a.Visibility, gen, a.GeneticsText, geneKeys(a.Genetics),
		a.SireID, a.DamID, a.ArchivedAt, a.ReplacedBy).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrStale
	}
	if err != nil {
		return 0, fmt.Errorf("update animal: %w", err)
	}
	return v, nil
}

// AnimalFilter narrows a list of animals.
type AnimalFilter struct {
	Species  string
	Sex      string
	Status   string
	Gene     string
	Archived bool // include archived animals
	After    string
	Limit    int
}

// ListAnimals lists the transaction's organization's animals in public ID order.
func ListAnimals(ctx context.Context, q Querier, f AnimalFilter) ([]Animal, error) {
	var where []string
	args := []any{f.After, f.Limit}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Species != "" {
		add("a.species_key = $%d", f.Species)
	}
	if f.Sex != "" {
		add("a.sex = $%d::animal_sex", f.Sex)
	}
	if f.Status != "" {
		add("a.status = $%d::animal_status", f.Status)
	}
	if f.Gene != "" {
		add("a.gene_keys @> ARRAY[$%d]::text[]", f.Gene)
	}
	if !f.Archived {
		where = append(where, "a.archived_at IS NULL")
	}
	sql := `SELECT ` + animalColumns + ` FROM animals a WHERE a.org_id = app_org_id() AND a.public_id > $1`
	if len(where) > 0 {
		sql += " AND " + strings.Join(where, " AND ")
	}
	sql += ` ORDER BY a.public_id LIMIT $2`
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list animals: %w", err)
	}
	defer rows.Close()
	var out []Animal
	for rows.Next() {
		a, err := scanAnimal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ParentCandidate is what lineage rules need to know about a proposed parent, which may
// belong to another organization.
type ParentCandidate struct {
	ID         uuid.UUID
	PublicID   string
	SpeciesKey string
	Sex        genetics.Sex
	HatchDate  *time.Time
	Archived   bool
}

// ParentByPublicID finds an animal that may be named as a parent: one of the transaction's
// organization's, or another organization's public animal. Anything else is ErrNotFound,
// as if it did not exist.
func ParentByPublicID(ctx context.Context, q Querier, publicID string) (ParentCandidate, error) {
	var p ParentCandidate
	err := q.QueryRow(ctx, `SELECT id, public_id, species_key, sex, hatch_date, archived FROM parent_candidate($1)`, publicID).
		Scan(&p.ID, &p.PublicID, &p.SpeciesKey, &p.Sex, &p.HatchDate, &p.Archived)
	return p, notFound(err)
}

// IdentifiersOf reads the identifiers of the organization's animals named, by public ID.
func IdentifiersOf(ctx context.Context, q Querier, publicIDs []string) (map[string]map[string]string, error) {
	rows, err := q.Query(ctx, `SELECT public_id, identifiers FROM animals WHERE org_id = (SELECT app_org_id()) AND public_id = ANY($1)`,
		publicIDs)
	if err != nil {
		return nil, fmt.Errorf("read identifiers: %w", err)
	}
	defer rows.Close()
	out := make(map[string]map[string]string, len(publicIDs))
	for rows.Next() {
		var id string
		var ids map[string]string
		if err := rows.Scan(&id, &ids); err != nil {
			return nil, fmt.Errorf("read identifiers: %w", err)
		}
		out[id] = ids
	}
	return out, rows.Err()
}

// ParentsByPublicID is ParentByPublicID for many at once: those found, by public ID.
func ParentsByPublicID(ctx context.Context, q Querier, publicIDs []string) (map[string]ParentCandidate, error) {
	rows, err := q.Query(ctx, `SELECT p.id, p.public_id, p.species_key, p.sex, p.hatch_date, p.archived
		FROM unnest($1::text[]) AS k(public_id) CROSS JOIN LATERAL parent_candidate(k.public_id) p`, publicIDs)
	if err != nil {
		return nil, fmt.Errorf("find parents: %w", err)
	}
	defer rows.Close()
	out := make(map[string]ParentCandidate, len(publicIDs))
	for rows.Next() {
		var p ParentCandidate
		if err := rows.Scan(&p.ID, &p.PublicID, &p.SpeciesKey, &p.Sex, &p.HatchDate, &p.Archived); err != nil {
			return nil, fmt.Errorf("find parents: %w", err)
		}
		out[p.PublicID] = p
	}
	return out, rows.Err()
}

// ParentByID is ParentByPublicID for a parent already linked (which stays readable even if
// it has since gone private or changed hands).
func ParentByID(ctx context.Context, q Querier, id uuid.UUID) (ParentCandidate, error) {
	var p ParentCandidate
	err := q.QueryRow(ctx, `SELECT g.animal_id, coalesce((SELECT public_id FROM animal_ref(g.animal_id)), ''), g.species_key, g.sex, g.hatch_date, false
		FROM pedigree g WHERE g.animal_id = $1`, id).
		Scan(&p.ID, &p.PublicID, &p.SpeciesKey, &p.Sex, &p.HatchDate, &p.Archived)
	return p, notFound(err)
}

// WouldCycle reports whether making parent a parent of child would close a cycle: child is
// parent itself or one of parent's ancestors. It walks the cross-organization pedigree.
func WouldCycle(ctx context.Context, q Querier, child, parent uuid.UUID) (bool, error) {
	var found bool
	err := q.QueryRow(ctx, `WITH RECURSIVE up(id) AS (
			SELECT $2::uuid
			UNION
			SELECT p.parent FROM up JOIN pedigree g ON g.animal_id = up.id
				CROSS JOIN LATERAL (VALUES (g.sire_id), (g.dam_id)) AS p(parent)
			WHERE p.parent IS NOT NULL
		)
		SELECT EXISTS (SELECT 1 FROM up WHERE id = $1)`, child, parent).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("check for a cycle: %w", err)
	}
	return found, nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilClaims(c []genetics.Claim) []genetics.Claim {
	if c == nil {
		return []genetics.Claim{}
	}
	return c
}

// AnimalGenetics is an animal's species, sex and genetic claims.
type AnimalGenetics struct {
	ID         uuid.UUID
	SpeciesKey string
	Sex        genetics.Sex
	Claims     []genetics.Claim
}

// VisibleAnimalGenetics reads the genetics of an animal the transaction's organization may
// look at: its own, or another breeder's public one; anything else is ErrNotFound.
func VisibleAnimalGenetics(ctx context.Context, q Querier, publicID string) (AnimalGenetics, error) {
	var g AnimalGenetics
	var raw []byte
	err := q.QueryRow(ctx, `SELECT id, species_key, sex, genetics FROM animal_genetics($1)`, publicID).
		Scan(&g.ID, &g.SpeciesKey, &g.Sex, &raw)
	if err != nil {
		return g, notFound(err)
	}
	if err := json.Unmarshal(raw, &g.Claims); err != nil {
		return g, fmt.Errorf("decode genetics: %w", err)
	}
	return g, nil
}

// Child is an offspring of an animal, in any organization.
type Child struct {
	ID        uuid.UUID
	HatchDate *time.Time
	ViaSire   bool
}

// ChildrenOf lists an animal's offspring across organizations.
func ChildrenOf(ctx context.Context, q Querier, parent uuid.UUID) ([]Child, error) {
	rows, err := q.Query(ctx, `SELECT id, hatch_date, via_sire FROM children_of($1)`, parent)
	if err != nil {
		return nil, fmt.Errorf("children of %s: %w", parent, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Child, error) {
		var c Child
		err := r.Scan(&c.ID, &c.HatchDate, &c.ViaSire)
		return c, err
	})
}

// ReplaceReference moves every lineage link from a reference animal of the transaction's
// organization to the real animal and retires the reference; it returns how many children
// were re-linked.
func ReplaceReference(ctx context.Context, tx pgx.Tx, ref, real uuid.UUID) (int, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT replace_reference($1, $2)`, ref, real).Scan(&n); err != nil {
		return 0, fmt.Errorf("replace reference: %w", err)
	}
	return n, nil
}

// GenesInUse lists the genes animals of a species claim, across organizations.
func GenesInUse(ctx context.Context, q Querier, species string) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT genes_in_use($1)`, species)
	if err != nil {
		return nil, fmt.Errorf("genes in use: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// AnimalsByBreederID finds the transaction's organization's animals kept under the breeder's
// own permanent IDs (identifiers.breeder_id): public ID by breeder ID. An ID two animals share
// answers the first recorded. An animal's own ReptiDex ID stands for it when no animal has it
// as its breeder ID: how a ReptiDex export imported back into its own organization finds
// each animal.
func AnimalsByBreederID(ctx context.Context, q Querier, breederIDs []string) (map[string]string, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (k) k, public_id FROM (
			SELECT identifiers->>'breeder_id' AS k, public_id, 0 AS pref, created_at, id
			FROM animals WHERE org_id = (SELECT app_org_id()) AND identifiers ? 'breeder_id' AND identifiers->>'breeder_id' = ANY($1)
			UNION ALL
			SELECT public_id, public_id, 1, created_at, id FROM animals WHERE org_id = (SELECT app_org_id()) AND public_id = ANY($1)
		) kept ORDER BY k, pref, created_at, id`, breederIDs)
	if err != nil {
		return nil, fmt.Errorf("find animals by breeder ID: %w", err)
	}
	defer rows.Close()
	out := make(map[string]string, len(breederIDs))
	for rows.Next() {
		var breederID, publicID string
		if err := rows.Scan(&breederID, &publicID); err != nil {
			return nil, fmt.Errorf("find animals by breeder ID: %w", err)
		}
		out[breederID] = publicID
	}
	return out, rows.Err()
}
