package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// What anyone may see without an account, for the public pages and the widgets: public
// animals that are not archived, each as a pedigree card shows it, and the active listing of
// one. These read through definer functions that answer public animals only, whatever
// tenant the transaction has.

// PublicAnimal is a public animal as anyone sees it, with its internal ID for reading its
// photos.
type PublicAnimal struct {
	ID   uuid.UUID
	Card AnimalCard
}

func scanPublicAnimal(row pgx.Row) (PublicAnimal, error) {
	var a PublicAnimal
	c := &a.Card
	err := row.Scan(&a.ID, &c.Visible, &c.PublicID, &c.Name, &c.SpeciesKey, &c.Sex, &c.HatchDate, &c.GeneticsText,
		&c.Status, &c.OwnerPublicID, &c.OwnerName, &c.BreederPublicID, &c.BreederName, &c.Reference)
	return a, err
}

// PublicAnimalByPublicID reads a public, unarchived animal; any other, or none, is
// ErrNotFound.
func PublicAnimalByPublicID(ctx context.Context, q Querier, publicID string) (PublicAnimal, error) {
	a, err := scanPublicAnimal(q.QueryRow(ctx, `SELECT c.id, `+cardColumns+`
		FROM public_animal($1) p JOIN animal_card c ON c.id = p.id`, publicID))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return PublicAnimal{}, ErrNotFound
	case err != nil:
		return PublicAnimal{}, fmt.Errorf("read public animal: %w", err)
	}
	return a, nil
}

// PublicAnimalsOf lists an organization's public, unarchived animals, newest first, at most
// limit.
func PublicAnimalsOf(ctx context.Context, q Querier, orgID uuid.UUID, limit int) ([]PublicAnimal, error) {
	rows, err := q.Query(ctx, `SELECT c.id, `+cardColumns+`
		FROM public_animals_of($1, $2) WITH ORDINALITY p JOIN animal_card c ON c.id = p.id
		ORDER BY p.ordinality`, orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("list public animals: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PublicAnimal, error) { return scanPublicAnimal(r) })
	if err != nil {
		return nil, fmt.Errorf("list public animals: %w", err)
	}
	return out, nil
}

// ActiveListingOfAnimal reads the active listing of an animal; none is ErrNotFound.
func ActiveListingOfAnimal(ctx context.Context, q Querier, animalID uuid.UUID) (Listing, error) {
	l, err := scanListing(q.QueryRow(ctx, listingSelect+` WHERE l.animal_id = $1 AND l.status = 'active'`, animalID))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Listing{}, fmt.Errorf("read the animal's listing: %w", err)
	}
	return l, err
}

// PublicAmong answers which of the animals with the public IDs are public (and not
// archived), of those the tenant may see.
func PublicAmong(ctx context.Context, q Querier, publicIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(publicIDs) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT public_id FROM animals WHERE public_id = ANY($1) AND visibility = 'public'
		AND archived_at IS NULL`, publicIDs)
	if err != nil {
		return nil, fmt.Errorf("public among: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}
