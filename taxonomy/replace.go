package taxonomy

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

// Edit is a platform administrator's edit of a stored species catalogue: the whole
// catalogue as it should read.
type Edit struct {
	Key     string            // the species edited
	Species *genetics.Species // the catalogue as edited; Replace prepares it
	// Matches reports whether a stored version is one the edit was based on (If-Match).
	Matches func(version int) bool
	By      uuid.UUID // the administrator
}

// FieldError refuses one field of an edited catalogue: the field as the request names it,
// and the rule its value breaks.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Replace stores e's catalogue in place of the stored one and returns its new version, in
// tx. The catalogue must be of the species edited and valid (genetics.Species.Prepare), and
// keep every gene animals claim, in any organization; each refusal is a *FieldError. A
// species not stored is ErrUnknownSpecies; a stored version e does not match, or one that
// moves on meanwhile, is store.ErrStale.
func Replace(ctx context.Context, tx pgx.Tx, e Edit) (int, error) {
	if e.Species.Key != e.Key {
		return 0, &FieldError{"key", "must be " + e.Key + ", the species being edited"}
	}
	if err := e.Species.Prepare(); err != nil {
		return 0, &FieldError{"genes", err.Error()}
	}
	versions, err := store.SpeciesVersions(ctx, tx)
	if err != nil {
		return 0, err
	}
	current, ok := versions[e.Key]
	if !ok {
		return 0, ErrUnknownSpecies
	}
	if !e.Matches(current) {
		return 0, store.ErrStale
	}
	inUse, err := store.GenesInUse(ctx, tx, e.Key)
	if err != nil {
		return 0, err
	}
	for _, g := range inUse {
		if _, ok := e.Species.Gene(g); !ok {
			return 0, &FieldError{"genes", "gene " + g + " is claimed by animals and cannot be removed"}
		}
	}
	version, err := store.ReplaceSpecies(ctx, tx, e.Species, current, e.By)
	if errors.Is(err, store.ErrConflict) {
		return 0, store.ErrStale
	}
	return version, err
}
