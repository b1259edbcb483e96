package breeding

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
)

// Clutch is a clutch of a pairing as its organization sees it.
type Clutch struct {
	store.Clutch
	PairingPublicID string
	// Hatchlings is how many of its hatchlings are registered as animals.
	Hatchlings int
}

// ClutchChange is what is recorded of a clutch: each field given sets it. Dates are written
// 2025-04-12; an empty hatch date clears it.
type ClutchChange struct {
	LaidOn    *string
	Eggs      *int
	Fertile   *int
	Infertile *int
	HatchedOn *string
	Hatched   *int
}

// maxEggs bounds each count of a clutch.
const maxEggs = 500

// Apply sets the given fields on c and checks that the counts and dates add up: no more
// fertile and infertile eggs than laid, no more hatched than fertile, no date in the future
// and no hatch before the laying.
func (ch ClutchChange) Apply(c *store.Clutch) error {
	if ch.LaidOn != nil {
		d, err := parseDate("laid_on", *ch.LaidOn)
		if err != nil {
			return err
		}
		if d == nil {
			return invalid("laid_on", "is required")
		}
		c.LaidOn = *d
	}
	if ch.HatchedOn != nil {
		d, err := parseDate("hatched_on", *ch.HatchedOn)
		if err != nil {
			return err
		}
		c.HatchedOn = d
	}
	for _, f := range []struct {
		name string
		v    *int
		dst  *int
	}{{"eggs", ch.Eggs, &c.Eggs}, {"fertile", ch.Fertile, &c.Fertile}, {"infertile", ch.Infertile, &c.Infertile}, {"hatched", ch.Hatched, &c.Hatched}} {
		if f.v == nil {
			continue
		}
		if *f.v < 0 || *f.v > maxEggs {
			return invalid(f.name, fmt.Sprintf("must be a whole number from 0 to %d", maxEggs))
		}
		*f.dst = *f.v
	}
	return check(*c)
}

// parseDate reads a date of a clutch, nil for an empty one.
func parseDate(field, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, invalid(field, "must be a date such as 2025-04-12")
	}
	if d.After(time.Now().Add(24 * time.Hour)) {
		return nil, invalid(field, "cannot be in the future")
	}
	return &d, nil
}

// check refuses a clutch whose counts or dates do not add up.
func check(c store.Clutch) error {
	switch {
	case c.LaidOn.IsZero():
		return invalid("laid_on", "is required")
	case c.Fertile+c.Infertile > c.Eggs:
		return invalid("fertile", fmt.Sprintf("fertile (%d) and infertile (%d) eggs exceed the %d laid", c.Fertile, c.Infertile, c.Eggs))
	case c.Hatched > c.Fertile:
		return invalid("hatched", fmt.Sprintf("%d hatched, but only %d eggs were fertile", c.Hatched, c.Fertile))
	case c.HatchedOn != nil && c.HatchedOn.Before(c.LaidOn):
		return invalid("hatched_on", "cannot be before the clutch was laid")
	}
	return nil
}

// NewClutch is a clutch as first recorded, from ch: the eggs and the day they were laid are
// required. It reads nothing, so a request can be refused before its transaction opens.
func NewClutch(ch ClutchChange) (store.Clutch, error) {
	c := store.Clutch{ID: uuid.New(), PublicID: store.NewPublicID()}
	if ch.Eggs == nil {
		return store.Clutch{}, invalid("eggs", "is required")
	}
	if err := ch.Apply(&c); err != nil {
		return store.Clutch{}, err
	}
	return c, nil
}

// RecordClutch records c, as NewClutch made it, as a clutch of the organization's pairing
// with the given public ID, with its event.
func RecordClutch(ctx context.Context, tx pgx.Tx, pairingPublicID string, c store.Clutch) (Clutch, error) {
	p, err := store.PairingByPublicID(ctx, tx, pairingPublicID)
	if errors.Is(err, store.ErrNotFound) {
		return Clutch{}, ErrPairingNotFound
	}
	if err != nil {
		return Clutch{}, err
	}
	c.PairingID = p.ID
	if err := store.InsertClutch(ctx, tx, c); err != nil {
		return Clutch{}, err
	}
	if err := store.AppendEvent(ctx, tx, "clutch.recorded", "pairing", p.PublicID,
		map[string]any{"clutch_id": c.PublicID, "eggs": c.Eggs}); err != nil {
		return Clutch{}, err
	}
	return Clutch{Clutch: c, PairingPublicID: p.PublicID}, nil
}

// UpdateClutch records ch, typically fertility and hatch results, on the organization's
// clutch with the given public ID, locked for the change. It may not count fewer hatched
// than are registered as animals.
func UpdateClutch(ctx context.Context, tx pgx.Tx, publicID string, ch ClutchChange) (Clutch, error) {
	c, err := store.ClutchByPublicID(ctx, tx, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return Clutch{}, ErrClutchNotFound
	}
	if err != nil {
		return Clutch{}, err
	}
	if err := ch.Apply(&c); err != nil {
		return Clutch{}, err
	}
	n, err := store.CountHatchlings(ctx, tx, c.ID)
	if err != nil {
		return Clutch{}, err
	}
	if c.Hatched < n {
		return Clutch{}, invalid("hatched", fmt.Sprintf("%d hatchlings are already registered from this clutch", n))
	}
	if err := store.UpdateClutch(ctx, tx, c); err != nil {
		return Clutch{}, err
	}
	p, err := store.PairingByID(ctx, tx, c.PairingID)
	if err != nil {
		return Clutch{}, err
	}
	return Clutch{Clutch: c, PairingPublicID: p.PublicID, Hatchlings: n}, nil
}

// clutchesOf reads the clutches of p, each with its registered hatchlings counted.
func clutchesOf(ctx context.Context, tx pgx.Tx, p store.Pairing) ([]Clutch, error) {
	stored, err := store.ClutchesOfPairing(ctx, tx, p.ID)
	if err != nil {
		return nil, err
	}
	clutches := make([]Clutch, 0, len(stored))
	for _, c := range stored {
		n, err := store.CountHatchlings(ctx, tx, c.ID)
		if err != nil {
			return nil, err
		}
		clutches = append(clutches, Clutch{Clutch: c, PairingPublicID: p.PublicID, Hatchlings: n})
	}
	return clutches, nil
}
