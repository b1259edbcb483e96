package animals

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

// Replaced is a reference animal as its replacement left it, and how many children were
// re-linked to the real animal.
type Replaced struct {
	Reference store.Animal
	Relinked  int
}

// ReplaceReference replaces the reference animal refID of tx's organization (a lineage-only
// record of an off-platform parent) by the real animal realID once it is on the platform:
// every child, in any organization, is re-linked to the real animal, and the reference is
// retired. The real animal must be one the organization may name as a parent (its own, or
// another breeder's public animal), of the same species and sex, hatched before every child,
// and not descended from any of them; a refusal of it is a *FieldError on animal_id.
func ReplaceReference(ctx context.Context, tx pgx.Tx, refID, realID string) (Replaced, error) {
	ref, err := load(ctx, tx, refID)
	if err != nil {
		return Replaced{}, err
	}
	switch {
	case !ref.IsReference:
		return Replaced{}, ErrNotReference
	case ref.ReplacedBy != nil:
		return Replaced{}, ErrReplaced
	}
	if err := billing.CheckAnimalWritable(ctx, tx, ref.ID); err != nil {
		return Replaced{}, err
	}
	actual, err := store.ParentByPublicID(ctx, tx, realID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && actual.ID == ref.ID) {
		return Replaced{}, refuse("animal_id", "no other animal "+realID+" that you may link (yours, or another breeder's public animal)")
	}
	if err != nil {
		return Replaced{}, err
	}
	if err := checkReplacement(ctx, tx, ref, actual); err != nil {
		return Replaced{}, err
	}
	n, err := store.ReplaceReference(ctx, tx, ref.ID, actual.ID)
	if err != nil {
		return Replaced{}, err
	}
	if err := store.AppendEvent(ctx, tx, "lineage.reference_replaced", "animal", ref.PublicID,
		map[string]any{"replaced_by": actual.PublicID, "relinked_children": n}); err != nil {
		return Replaced{}, err
	}
	stored, err := store.AnimalByPublicID(ctx, tx, ref.PublicID)
	if err != nil {
		return Replaced{}, err
	}
	return Replaced{Reference: stored, Relinked: n}, nil
}

// checkReplacement refuses actual in ref's place unless it is of ref's species and sex and
// may be the parent of each of ref's children.
func checkReplacement(ctx context.Context, q store.Querier, ref store.Animal, actual store.ParentCandidate) error {
	if err := replacementRule(ref, actual); err != nil {
		return err
	}
	children, err := store.ChildrenOf(ctx, q, ref.ID)
	if err != nil {
		return err
	}
	for _, c := range children {
		if err := childRule(actual, c); err != nil {
			return err
		}
		cycle, err := store.WouldCycle(ctx, q, c.ID, actual.ID)
		if err != nil {
			return err
		}
		if cycle {
			return refuse("animal_id", "descends from a child of the reference, which would make it its own ancestor")
		}
	}
	return nil
}

// replacementRule: the real animal is of the reference's species, and of its sex unless the
// reference's is unknown.
func replacementRule(ref store.Animal, actual store.ParentCandidate) error {
	switch {
	case actual.SpeciesKey != ref.SpeciesKey:
		return refuse("animal_id", "is a "+actual.SpeciesKey+", the reference a "+ref.SpeciesKey)
	case ref.Sex != genetics.Unknown && actual.Sex != ref.Sex:
		return refuse("animal_id", "is "+string(actual.Sex)+", the reference "+string(ref.Sex))
	}
	return nil
}

// childRule: the real animal has the sex of the reference's role for child c, and hatched
// before it where both dates are known.
func childRule(actual store.ParentCandidate, c store.Child) error {
	role, want := "dam", genetics.Female
	if c.ViaSire {
		role, want = "sire", genetics.Male
	}
	if actual.Sex != want {
		return refuse("animal_id", "is "+string(actual.Sex)+" but the reference is a child's "+role)
	}
	if actual.HatchDate != nil && c.HatchDate != nil && !actual.HatchDate.Before(*c.HatchDate) {
		return refuse("animal_id", "hatched "+actual.HatchDate.Format(time.DateOnly)+
			", not before a child of the reference ("+c.HatchDate.Format(time.DateOnly)+")")
	}
	return nil
}
