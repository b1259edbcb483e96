package breeding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

// Hatchling is one hatchling to register.
type Hatchling struct {
	Sex   string // male, female or unknown; empty for unknown
	Name  string
	Looks string // the visual traits it shows, in trade names; empty for a normal
}

// NewHatchlings are hatchlings of one clutch to register as the organization's animals.
type NewHatchlings struct {
	ClutchID   string // the clutch's public ID
	Hatchlings []Hatchling
	Visibility string    // the animals', validated by the caller
	OrgID      uuid.UUID // the breeder of record, the transaction's organization
}

// sexes are the sexes a hatchling may be registered with.
var sexes = []string{string(genetics.Male), string(genetics.Female), string(genetics.Unknown)}

// maxName bounds an animal's name, in characters.
const maxName = 120

// RegisterHatchlings registers hatchlings of the organization's clutch as its animals, each
// with its event: sire, dam, clutch, hatch date and breeder of record set, and each one's
// hets and possible hets derived from the pairing's prediction for what it looks like. No
// more may be registered than the clutch hatched, nor more than the organization's plan
// allows it to keep (a *billing.LimitError). It returns the animals' public IDs, in order.
func RegisterHatchlings(ctx context.Context, tx pgx.Tx, deps Deps, in NewHatchlings) ([]string, error) {
	c, err := store.ClutchByPublicID(ctx, tx, in.ClutchID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrClutchNotFound
	}
	if err != nil {
		return nil, err
	}
	registered, err := store.CountHatchlings(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	if registered+len(in.Hatchlings) > c.Hatched {
		return nil, invalid("hatchlings", fmt.Sprintf("the clutch has %d hatched and %d registered; record the hatch first", c.Hatched, registered))
	}
	if err := billing.Check(ctx, tx, billing.Animals, len(in.Hatchlings)); err != nil {
		return nil, err
	}
	p, err := store.PairingByID(ctx, tx, c.PairingID)
	if err != nil {
		return nil, err
	}
	sp, parents, err := resolvePair(ctx, tx, deps, p.SirePublicID, p.DamPublicID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(in.Hatchlings))
	for i, h := range in.Hatchlings {
		a, err := hatchlingAnimal(sp, parents, h, fmt.Sprintf("hatchlings[%d]", i))
		if err != nil {
			return nil, err
		}
		a.BreederOrgID, a.Visibility = &in.OrgID, in.Visibility
		if err := insertHatchling(ctx, tx, a, c, p); err != nil {
			return nil, err
		}
		ids = append(ids, a.PublicID)
	}
	return ids, nil
}

// insertHatchling records a as hatched from clutch c of pairing p, with its event.
func insertHatchling(ctx context.Context, tx pgx.Tx, a store.Animal, c store.Clutch, p store.Pairing) error {
	a.SireID, a.DamID, a.ClutchID, a.HatchDate = &p.SireID, &p.DamID, &c.ID, c.HatchedOn
	if err := store.InsertAnimal(ctx, tx, a); err != nil {
		return err
	}
	return store.AppendEvent(ctx, tx, "animal.hatched", "animal", a.PublicID,
		map[string]any{"clutch_id": c.PublicID, "pairing_id": p.PublicID, "genetics": a.GeneticsText})
}

// hatchlingAnimal is a new active animal of the parents' species for h, with its genetics,
// refused under field, the hatchling's place in the request.
func hatchlingAnimal(sp *genetics.Species, parents [2]parent, h Hatchling, field string) (store.Animal, error) {
	claims, sex, err := hatchlingGenetics(sp, parents, h, field)
	if err != nil {
		return store.Animal{}, err
	}
	gt, err := sp.Genotype(sex, claims)
	if err != nil {
		return store.Animal{}, invalidGenetics(field+".looks", err)
	}
	a := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: sp.Key, Sex: sex,
		Name: strings.TrimSpace(h.Name), Status: "active", Genetics: claims, GeneticsText: sp.Format(gt)}
	if utf8.RuneCountInString(a.Name) > maxName {
		return store.Animal{}, invalid(field+".name", fmt.Sprintf("must be at most %d characters", maxName))
	}
	return a, nil
}

// hatchlingGenetics finds the outcome of the pairing a hatchling's looks belong to and gives
// it that outcome's hets (certain ones from a visual parent) and possible hets
// (statistical). It looks at each gene on its own, so it works however many joint outcomes
// the pairing has.
func hatchlingGenetics(sp *genetics.Species, parents [2]parent, h Hatchling, field string) ([]genetics.Claim, genetics.Sex, error) {
	sex, looks, err := hatchlingLooks(sp, h, field)
	if err != nil {
		return nil, "", err
	}
	gt, err := sp.Genotype(sex, looks)
	if err != nil {
		return nil, "", invalidGenetics(field+".looks", err)
	}
	o, err := sp.Offspring(parents[0].gt, parents[1].gt, sex, gt)
	switch {
	case errors.Is(err, genetics.ErrSexNeeded):
		return nil, "", invalid(field+".sex", "is needed: this pairing's offspring differ by sex (a sex-linked gene)")
	case errors.Is(err, genetics.ErrNotAnOutcome):
		visual, _ := sp.Describe(gt)
		name := "Normal"
		if len(visual) > 0 {
			name = strings.Join(visual, " ")
		}
		return nil, "", invalid(field+".looks", name+" is not a possible outcome of this pairing")
	case errors.Is(err, genetics.ErrTooComplex):
		return nil, "", invalid(field+".looks", fmt.Sprintf("the pairing involves more than %d genes", genetics.DefaultLimits.Loci))
	case err != nil:
		return nil, "", err
	}
	claims := append([]genetics.Claim{}, looks...)
	for _, het := range o.Hets {
		if het.Probability.Cmp(genetics.Frac(1, 1)) == 0 {
			claims = append(claims, genetics.Claim{Gene: het.Gene, Kind: genetics.Het, Provenance: genetics.FromVisualParent})
		} else {
			claims = append(claims, genetics.Claim{Gene: het.Gene, Kind: genetics.PossibleHet, Probability: het.Probability, Provenance: genetics.Statistical})
		}
	}
	return claims, sex, nil
}

// hatchlingLooks reads a hatchling's sex and what it shows, which names only visual traits:
// its hets come from the pairing.
func hatchlingLooks(sp *genetics.Species, h Hatchling, field string) (genetics.Sex, []genetics.Claim, error) {
	sex := genetics.Unknown
	if h.Sex != "" {
		if !slices.Contains(sexes, h.Sex) {
			return "", nil, invalid(field+".sex", "must be one of "+strings.Join(sexes, ", "))
		}
		sex = genetics.Sex(h.Sex)
	}
	looks, err := sp.ParseClaims(h.Looks)
	if err != nil {
		return "", nil, invalidGenetics(field+".looks", err)
	}
	for _, c := range looks {
		if c.Kind != genetics.Visual && c.Kind != genetics.Super {
			return "", nil, invalid(field+".looks", "names what the hatchling shows; its hets come from the pairing")
		}
	}
	return sex, looks, nil
}
