package breeding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

// Statuses are the stages of a pairing.
var Statuses = []string{"planned", "active", "completed", "cancelled"}

// PairingPlan is a pairing to plan: a sire and a dam by public ID, each the caller's own
// animal or another breeder's public one.
type PairingPlan struct {
	SireID string
	DamID  string
	Season *int   // a year
	Status string // one of Statuses; empty is "planned"
	Notes  string
}

// Validate checks the plan's own fields, setting the default status: what can be refused
// without reading the parents.
func (p *PairingPlan) Validate() error {
	if p.Status == "" {
		p.Status = "planned"
	}
	if !slices.Contains(Statuses, p.Status) {
		return invalid("status", "must be one of "+strings.Join(Statuses, ", "))
	}
	if p.Season != nil && (*p.Season < 1900 || *p.Season > 2200) {
		return invalid("season", "must be a year such as 2025")
	}
	return nil
}

// Pairing is a pairing as its organization sees it.
type Pairing struct {
	store.Pairing
	// COIThreshold is the organization's threshold of offspring inbreeding, above which a
	// pairing is warned of.
	COIThreshold float64
	// Prediction is nil when the parents' genetics have changed past what can be predicted.
	Prediction *Prediction
	// Clutches are the pairing's clutches, when read with them.
	Clutches []Clutch
}

// Plan records a pairing in tx, the organization's, with the prediction of its offspring and
// their inbreeding coefficient, and its event. The sire must be male and the dam female, of
// one species.
func Plan(ctx context.Context, tx pgx.Tx, deps Deps, plan PairingPlan) (Pairing, error) {
	if err := plan.Validate(); err != nil {
		return Pairing{}, err
	}
	sp, parents, err := resolvePair(ctx, tx, deps, plan.SireID, plan.DamID)
	if err != nil {
		return Pairing{}, err
	}
	pred, err := predict(ctx, tx, deps.Pedigree, sp, parents)
	if err != nil {
		return Pairing{}, err
	}
	threshold, err := store.COIThreshold(ctx, tx)
	if err != nil {
		return Pairing{}, err
	}
	p := store.Pairing{ID: uuid.New(), PublicID: store.NewPublicID(), SireID: parents[0].id, DamID: parents[1].id,
		Season: plan.Season, Status: plan.Status, Notes: strings.TrimSpace(plan.Notes), OffspringCOI: pred.OffspringCOI()}
	if err := store.InsertPairing(ctx, tx, p); err != nil {
		return Pairing{}, err
	}
	if err := store.AppendEvent(ctx, tx, "pairing.planned", "pairing", p.PublicID,
		map[string]any{"sire_id": plan.SireID, "dam_id": plan.DamID, "offspring_coi": pred.OffspringCOI()}); err != nil {
		return Pairing{}, err
	}
	stored, err := store.PairingByPublicID(ctx, tx, p.PublicID)
	if err != nil {
		return Pairing{}, err
	}
	return Pairing{Pairing: stored, COIThreshold: threshold, Prediction: &pred}, nil
}

// ReadPairing reads the organization's pairing with the given public ID, with its prediction
// and its clutches.
func ReadPairing(ctx context.Context, tx pgx.Tx, deps Deps, publicID string) (Pairing, error) {
	stored, err := store.PairingByPublicID(ctx, tx, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return Pairing{}, ErrPairingNotFound
	}
	if err != nil {
		return Pairing{}, err
	}
	threshold, err := store.COIThreshold(ctx, tx)
	if err != nil {
		return Pairing{}, err
	}
	p := Pairing{Pairing: stored, COIThreshold: threshold}
	if sp, parents, err := resolvePair(ctx, tx, deps, stored.SirePublicID, stored.DamPublicID); err == nil {
		pred, err := predict(ctx, tx, deps.Pedigree, sp, parents)
		var inv *InvalidError
		switch {
		case errors.As(err, &inv):
			// The parents' genetics changed past what can be predicted: the pairing stands,
			// without its prediction.
		case err != nil:
			return Pairing{}, err
		default:
			p.Prediction = &pred
		}
	}
	if p.Clutches, err = clutchesOf(ctx, tx, stored); err != nil {
		return Pairing{}, err
	}
	return p, nil
}

// resolvePair reads a pairing's sire and dam: the caller's animals or other breeders' public
// ones, a male and a female of one species.
func resolvePair(ctx context.Context, tx pgx.Tx, deps Deps, sireID, damID string) (*genetics.Species, [2]parent, error) {
	var parents [2]parent
	var sp *genetics.Species
	for i, side := range []struct {
		field, id string
		sex       genetics.Sex
	}{{"sire_id", sireID, genetics.Male}, {"dam_id", damID, genetics.Female}} {
		if side.id == "" {
			return nil, parents, invalid(side.field, "is required")
		}
		g, err := store.VisibleAnimalGenetics(ctx, tx, side.id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, parents, invalid(side.field, "no animal "+side.id+" that you may pair (yours, or another breeder's public animal)")
		}
		if err != nil {
			return nil, parents, err
		}
		if g.Sex != side.sex {
			return nil, parents, invalid(side.field, fmt.Sprintf("must be %s, and %s is %s", side.sex, side.id, g.Sex))
		}
		if sp == nil {
			if sp, err = deps.Species(ctx, g.SpeciesKey, side.field); err != nil {
				return nil, parents, err
			}
		} else if g.SpeciesKey != sp.Key {
			return nil, parents, invalid(side.field, "is a "+g.SpeciesKey+" and the sire a "+sp.Key)
		}
		gt, err := sp.Genotype(g.Sex, g.Claims)
		if err != nil {
			return nil, parents, fmt.Errorf("stored genetics of %s: %w", side.id, err)
		}
		parents[i] = parent{id: g.ID, gt: gt, animal: true}
	}
	return sp, parents, nil
}
