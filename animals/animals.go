// Package animals holds the commands on an organization's animals — registering one,
// changing its record, archiving it, replacing a reference animal by the real one, listing
// them — each in the caller's transaction, whose tenant is the organization. They check the
// record's rules (fields against the species, parents against the lineage) and write the
// events that go with a change; the API, jobs and tests call them.
package animals

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

// Values an animal's enumerated fields take.
var (
	Sexes        = []string{"male", "female", "unknown"}
	Statuses     = []string{"active", "on_hold", "sold", "deceased"}
	Visibilities = []string{"public", "organization", "private"}
	Provenances  = []string{string(genetics.FromVisualParent), string(genetics.ProvenByBreeding), string(genetics.Statistical)}
)

// Refusals of a command on an animal. An animal on hold for a transfer is store.ErrOnHold,
// and one whose version moved on is store.ErrStale; a refused field is a *FieldError.
var (
	ErrNotFound     = errors.New("animal not found")
	ErrArchived     = errors.New("the animal is archived; its record is kept for lineage and cannot change")
	ErrNotReference = errors.New("only a reference animal can be replaced")
	ErrReplaced     = errors.New("the reference animal was already replaced")
)

// FieldError refuses one field of a command: the field as the request names it, and the rule
// its value breaks.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func refuse(field, message string) error { return &FieldError{Field: field, Message: message} }

// Catalogue finds a species' catalogue by key: what an animal's genetics are read against.
// Its error for an unknown key passes through the commands as it is.
type Catalogue func(ctx context.Context, key string) (*genetics.Species, error)

// Register records a new animal of species sp in tx's organization, with the fields of c:
// bred by that organization (breeder) unless c makes it a reference animal, a lineage-only
// record of an off-platform parent. It writes the animal's event and, when it has parents,
// its lineage's, and returns the animal as stored. An organization at its plan's animal limit
// is refused with a *billing.LimitError.
func Register(ctx context.Context, tx pgx.Tx, sp *genetics.Species, breeder uuid.UUID, c Changes) (store.Animal, error) {
	return register(ctx, tx, sp, breeder, c, true)
}

// RegisterInBatch is Register for a caller that records many animals in one transaction
// (an import) and holds the organization's allowance of animals for them
// (billing.Allowance): the plan's limit is not counted again for each animal, and the animal
// answered is the one recorded, not read back (what the database derives, such as its
// timestamps and version, is not in it).
func RegisterInBatch(ctx context.Context, tx pgx.Tx, sp *genetics.Species, breeder uuid.UUID, c Changes) (store.Animal, error) {
	return register(ctx, tx, sp, breeder, c, false)
}

// register records the animal; checkPlan counts it against the plan and answers it read back.
func register(ctx context.Context, tx pgx.Tx, sp *genetics.Species, breeder uuid.UUID, c Changes, checkPlan bool) (store.Animal, error) {
	a := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: sp.Key, Sex: genetics.Unknown,
		Status: "active", Visibility: "organization", GeneticsText: "Normal"}
	if c.Reference == nil || !*c.Reference {
		a.BreederOrgID = &breeder
	} else {
		a.IsReference = true
	}
	if err := apply(ctx, tx, sp, &a, c, time.Now()); err != nil {
		return store.Animal{}, err
	}
	if checkPlan {
		if err := billing.Check(ctx, tx, billing.Animals, 1); err != nil {
			return store.Animal{}, err
		}
	}
	if err := store.InsertAnimal(ctx, tx, a); err != nil {
		return store.Animal{}, err
	}
	if err := store.AppendEvent(ctx, tx, "animal.created", "animal", a.PublicID,
		map[string]any{"species": a.SpeciesKey, "genetics": a.GeneticsText, "reference": a.IsReference}); err != nil {
		return store.Animal{}, err
	}
	if a.SireID != nil || a.DamID != nil {
		if err := lineageChanged(ctx, tx, a); err != nil {
			return store.Animal{}, err
		}
	}
	if !checkPlan {
		return a, nil
	}
	return store.AnimalByPublicID(ctx, tx, a.PublicID)
}

// Updated is an animal as an update left it, and whether its parents changed.
type Updated struct {
	Animal   store.Animal
	Relinked bool
}

// Update applies c to the animal publicID of tx's organization, if its version is one that
// matches accepts (nil accepts any; any other is store.ErrStale). It writes the animal's
// event and, when its parents changed, its lineage's. An archived animal, or one on hold,
// cannot change, and an animal cannot become or stop being a reference animal. An animal
// above the organization's plan limit is read-only (billing.CheckAnimalWritable).
func Update(ctx context.Context, tx pgx.Tx, species Catalogue, publicID string, matches func(version int) bool, c Changes) (Updated, error) {
	return update(ctx, tx, species, publicID, matches, c, true)
}

// UpdateInBatch is Update for a caller that applies many changes in one transaction (an
// import): the animal answered is the one written, not read back (what the database derives,
// such as its version and timestamps, is not in it).
func UpdateInBatch(ctx context.Context, tx pgx.Tx, species Catalogue, publicID string, c Changes) (Updated, error) {
	return update(ctx, tx, species, publicID, nil, c, false)
}

// update applies c; readBack answers the animal read back.
func update(ctx context.Context, tx pgx.Tx, species Catalogue, publicID string, matches func(version int) bool, c Changes,
	readBack bool) (Updated, error) {
	a, err := load(ctx, tx, publicID)
	if err != nil {
		return Updated{}, err
	}
	switch {
	case matches != nil && !matches(a.Version):
		return Updated{}, store.ErrStale
	case a.ArchivedAt != nil:
		return Updated{}, ErrArchived
	case a.HeldBy != nil:
		return Updated{}, store.ErrOnHold
	case c.Reference != nil && *c.Reference != a.IsReference:
		return Updated{}, refuse("reference", "cannot change; replace a reference animal with the real one instead")
	}
	if err := billing.CheckAnimalWritable(ctx, tx, a.ID); err != nil {
		return Updated{}, err
	}
	sp, err := species(ctx, a.SpeciesKey)
	if err != nil {
		return Updated{}, err
	}
	before := a
	if err := apply(ctx, tx, sp, &a, c, time.Now()); err != nil {
		return Updated{}, err
	}
	if _, err := store.UpdateAnimal(ctx, tx, a, before.Version); err != nil {
		return Updated{}, err
	}
	if err := store.AppendEvent(ctx, tx, "animal.updated", "animal", a.PublicID, map[string]any{"genetics": a.GeneticsText}); err != nil {
		return Updated{}, err
	}
	u := Updated{Animal: a, Relinked: !sameID(before.SireID, a.SireID) || !sameID(before.DamID, a.DamID)}
	if readBack {
		if u.Animal, err = store.AnimalByPublicID(ctx, tx, a.PublicID); err != nil {
			return Updated{}, err
		}
	}
	if u.Relinked {
		if err := lineageChanged(ctx, tx, u.Animal); err != nil {
			return Updated{}, err
		}
	}
	return u, nil
}

// Archive retires the animal publicID of tx's organization from the active collection; its
// record, and every lineage link to and from it, stays. An archived animal stays as it is;
// one on hold is store.ErrOnHold, and one that changed meanwhile store.ErrStale.
func Archive(ctx context.Context, tx pgx.Tx, publicID string) (store.Animal, error) {
	a, err := load(ctx, tx, publicID)
	if err != nil {
		return store.Animal{}, err
	}
	if a.HeldBy != nil {
		return store.Animal{}, store.ErrOnHold
	}
	if a.ArchivedAt == nil {
		if err := billing.CheckAnimalWritable(ctx, tx, a.ID); err != nil {
			return store.Animal{}, err
		}
		now := time.Now().UTC()
		a.ArchivedAt, a.Status = &now, "archived"
		if _, err := store.UpdateAnimal(ctx, tx, a, a.Version); err != nil {
			return store.Animal{}, err
		}
		if err := store.AppendEvent(ctx, tx, "animal.archived", "animal", a.PublicID, map[string]any{}); err != nil {
			return store.Animal{}, err
		}
	}
	return store.AnimalByPublicID(ctx, tx, a.PublicID)
}

// load reads an animal of tx's organization; any other is ErrNotFound.
func load(ctx context.Context, tx pgx.Tx, publicID string) (store.Animal, error) {
	a, err := store.AnimalByPublicID(ctx, tx, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Animal{}, ErrNotFound
	}
	return a, err
}

// lineageChanged records an animal's parents as they now stand (empty for none).
func lineageChanged(ctx context.Context, tx pgx.Tx, a store.Animal) error {
	return store.AppendEvent(ctx, tx, "lineage.changed", "animal", a.PublicID,
		map[string]any{"sire_id": a.SirePublicID, "dam_id": a.DamPublicID})
}

func sameID(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
