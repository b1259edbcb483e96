package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Pairing is a planned or active breeding of a sire and a dam.
type Pairing struct {
	ID           uuid.UUID
	PublicID     string
	SireID       uuid.UUID
	DamID        uuid.UUID
	SirePublicID string
	DamPublicID  string
	Season       *int
	Status       string
	Notes        string
	OffspringCOI *float64
	CreatedAt    time.Time
}

// Clutch is the eggs of one laying and how they hatched.
type Clutch struct {
	ID        uuid.UUID
	PublicID  string
	PairingID uuid.UUID
	LaidOn    time.Time
	Eggs      int
	Fertile   int
	Infertile int
	HatchedOn *time.Time
	Hatched   int
}

// COIThreshold is the organization's inbreeding warning threshold.
func COIThreshold(ctx context.Context, q Querier) (float64, error) {
	var v float64
	err := q.QueryRow(ctx, `SELECT coi_warning_threshold FROM organizations WHERE id = app_org_id()`).Scan(&v)
	return v, notFound(err)
}

// InsertPairing stores a pairing in the transaction's organization.
func InsertPairing(ctx context.Context, tx pgx.Tx, p Pairing) error {
	_, err := tx.Exec(ctx, `INSERT INTO pairings (id, public_id, org_id, sire_id, dam_id, season, status, notes, offspring_coi)
		VALUES ($1, $2, app_org_id(), $3, $4, $5, $6, nullif($7, ''), $8)`,
		p.ID, p.PublicID, p.SireID, p.DamID, p.Season, p.Status, p.Notes, p.OffspringCOI)
	if err != nil {
		return fmt.Errorf("insert pairing: %w", err)
	}
	return nil
}

const pairingColumns = `p.id, p.public_id, p.sire_id, p.dam_id, coalesce((SELECT public_id FROM animal_ref(p.sire_id)), ''),
	coalesce((SELECT public_id FROM animal_ref(p.dam_id)), ''), p.season, p.status, coalesce(p.notes, ''), p.offspring_coi, p.created_at`

func scanPairing(row pgx.Row) (Pairing, error) {
	var p Pairing
	err := row.Scan(&p.ID, &p.PublicID, &p.SireID, &p.DamID, &p.SirePublicID, &p.DamPublicID, &p.Season, &p.Status, &p.Notes,
		&p.OffspringCOI, &p.CreatedAt)
	return p, notFound(err)
}

// PairingByPublicID reads a pairing of the transaction's organization.
func PairingByPublicID(ctx context.Context, q Querier, publicID string) (Pairing, error) {
	return scanPairing(q.QueryRow(ctx, `SELECT `+pairingColumns+` FROM pairings p WHERE p.public_id = $1`, publicID))
}

// ListPairings lists the transaction's organization's pairings after a cursor.
func ListPairings(ctx context.Context, q Querier, after string, limit int) ([]Pairing, error) {
	rows, err := q.Query(ctx, `SELECT `+pairingColumns+` FROM pairings p WHERE p.org_id = app_org_id() AND p.public_id > $1
		ORDER BY p.public_id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list pairings: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Pairing, error) { return scanPairing(r) })
}

// InsertClutch stores a clutch of a pairing of the transaction's organization.
func InsertClutch(ctx context.Context, tx pgx.Tx, c Clutch) error {
	_, err := tx.Exec(ctx, `INSERT INTO clutches (id, public_id, org_id, pairing_id, laid_on, eggs, fertile, infertile, hatched_on, hatched)
		VALUES ($1, $2, app_org_id(), $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, c.PublicID, c.PairingID, c.LaidOn, c.Eggs, c.Fertile, c.Infertile, c.HatchedOn, c.Hatched)
	if err != nil {
		return fmt.Errorf("insert clutch: %w", err)
	}
	return nil
}

// UpdateClutch writes a clutch's counts and dates.
func UpdateClutch(ctx context.Context, tx pgx.Tx, c Clutch) error {
	_, err := tx.Exec(ctx, `UPDATE clutches SET laid_on = $2, eggs = $3, fertile = $4, infertile = $5, hatched_on = $6,
		hatched = $7, updated_at = now() WHERE id = $1`, c.ID, c.LaidOn, c.Eggs, c.Fertile, c.Infertile, c.HatchedOn, c.Hatched)
	if err != nil {
		return fmt.Errorf("update clutch: %w", err)
	}
	return nil
}

const clutchColumns = `c.id, c.public_id, c.pairing_id, c.laid_on, c.eggs, c.fertile, c.infertile, c.hatched_on, c.hatched`

func scanClutch(row pgx.Row) (Clutch, error) {
	var c Clutch
	err := row.Scan(&c.ID, &c.PublicID, &c.PairingID, &c.LaidOn, &c.Eggs, &c.Fertile, &c.Infertile, &c.HatchedOn, &c.Hatched)
	return c, notFound(err)
}

// ClutchByPublicID reads a clutch of the transaction's organization, locked for update.
func ClutchByPublicID(ctx context.Context, tx pgx.Tx, publicID string) (Clutch, error) {
	return scanClutch(tx.QueryRow(ctx, `SELECT `+clutchColumns+` FROM clutches c WHERE c.public_id = $1 FOR UPDATE`, publicID))
}

// ClutchesOfPairing lists a pairing's clutches, oldest first.
func ClutchesOfPairing(ctx context.Context, q Querier, pairingID uuid.UUID) ([]Clutch, error) {
	rows, err := q.Query(ctx, `SELECT `+clutchColumns+` FROM clutches c WHERE c.pairing_id = $1 ORDER BY c.laid_on, c.public_id`, pairingID)
	if err != nil {
		return nil, fmt.Errorf("list clutches: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Clutch, error) { return scanClutch(r) })
}

// CountHatchlings counts the animals registered from a clutch.
func CountHatchlings(ctx context.Context, q Querier, clutchID uuid.UUID) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM animals WHERE clutch_id = $1`, clutchID).Scan(&n)
	return n, err
}

// PairingByID reads a pairing of the transaction's organization by internal ID.
func PairingByID(ctx context.Context, q Querier, id uuid.UUID) (Pairing, error) {
	return scanPairing(q.QueryRow(ctx, `SELECT `+pairingColumns+` FROM pairings p WHERE p.id = $1`, id))
}
