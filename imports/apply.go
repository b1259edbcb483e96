package imports

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/animals"
	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/store"
)

// Columns names each mapped field's column by its header.
func Columns(header []string, m Mapping) map[Field]string {
	out := make(map[Field]string, len(m))
	for i, f := range m {
		if i < len(header) {
			out[f] = header[i]
		}
	}
	return out
}

// Applied is a row as it went in: its animal's ReptiDex ID, and whether it was recorded new
// (or updated).
type Applied struct {
	PublicID string
	Created  bool
}

// Apply records one row's animal in tx's organization, through the commands the API uses
// (animals.Register, animals.Update), so that the same rules hold, the organization (orgID)
// the breeder of record of what it records: updated when one of the
// organization's animals is kept under the row's breeder ID, recorded new otherwise. A field
// whose column the file does not have is left as it is. parents maps the keys of the file's
// rows already in, to their ReptiDex IDs; a parent it lacks is looked for among the
// organization's breeder IDs, then taken as a ReptiDex ID (the organization's, or another
// breeder's public animal). A refusal is a *Problem naming the row's column. The caller runs
// it in a savepoint, so that a row goes in whole or not at all.
func Apply(ctx context.Context, tx pgx.Tx, catalogue animals.Catalogue, orgID uuid.UUID, columns map[Field]string, r Record,
	parents map[string]string) (Applied, error) {
	has := func(f Field) bool { _, ok := columns[f]; return ok }
	existing, err := store.AnimalsByBreederID(ctx, tx, []string{r.BreederID})
	if err != nil {
		return Applied{}, err
	}
	var c animals.Changes
	sex := string(r.Sex)
	if has(Sex) {
		c.Sex = &sex
	}
	if has(Name) {
		c.Name = &r.Name
	}
	if has(HatchDate) {
		date := ""
		if r.HatchDate != nil {
			date = r.HatchDate.Format("2006-01-02")
		}
		c.HatchDate = &date
	}
	if has(Genetics) {
		c.Genetics = &r.Genetics
	}
	if has(Status) {
		c.Status = &r.Status
	}
	if has(Visibility) {
		c.Visibility = &r.Visibility
	}
	for _, p := range []struct {
		f   Field
		key string
		dst *animals.Parent
	}{{Sire, r.Sire, &c.Sire}, {Dam, r.Dam, &c.Dam}} {
		if !has(p.f) {
			continue
		}
		id, err := parentID(ctx, tx, p.key, parents)
		if err != nil {
			return Applied{}, err
		}
		*p.dst = animals.Parent{Set: true, PublicID: id}
	}
	publicID, found := existing[r.BreederID]
	var ids map[string]string
	if found {
		current, err := store.AnimalByPublicID(ctx, tx, publicID)
		if err != nil {
			return Applied{}, err
		}
		ids = maps.Clone(current.Identifiers)
	}
	if ids == nil {
		ids = map[string]string{}
	}
	ids["breeder_id"] = r.BreederID
	if r.Microchip != "" {
		ids["microchip"] = r.Microchip
	}
	c.Identifiers = ids
	if found {
		if r.Species != nil {
			c.Species = &r.Species.Key
		}
		_, err := animals.Update(ctx, tx, catalogue, publicID, nil, c)
		if err != nil {
			return Applied{}, refusal(columns, r, err)
		}
		return Applied{PublicID: publicID}, nil
	}
	a, err := animals.Register(ctx, tx, r.Species, orgID, c)
	if err != nil {
		return Applied{}, refusal(columns, r, err)
	}
	return Applied{PublicID: a.PublicID, Created: true}, nil
}

// parentID is the ReptiDex ID of the parent the file names by key: one of its rows already
// in, one of the organization's animals by breeder ID, or a ReptiDex ID as written.
func parentID(ctx context.Context, tx pgx.Tx, key string, parents map[string]string) (string, error) {
	if key == "" {
		return "", nil
	}
	if id, ok := parents[key]; ok {
		return id, nil
	}
	byBreeder, err := store.AnimalsByBreederID(ctx, tx, []string{key})
	if err != nil {
		return "", err
	}
	if id, ok := byBreeder[key]; ok {
		return id, nil
	}
	return key, nil
}

// fieldOf is the import field an animal command's refusal names.
var fieldOf = map[string]Field{"sire_id": Sire, "dam_id": Dam, "genetics": Genetics, "genetics_provenance": Genetics,
	"hatch_date": HatchDate, "sex": Sex, "name": Name, "status": Status, "visibility": Visibility, "identifiers": BreederID,
	"species": Species, "reference": BreederID}

// refusal is an animal command's refusal of a row as the row's problem; an error that is not
// a refusal passes as it is.
func refusal(columns map[Field]string, r Record, err error) error {
	var field *animals.FieldError
	var limit *billing.LimitError
	switch {
	case errors.As(err, &field):
		f := fieldOf[field.Field]
		return &Problem{Line: r.Line, Column: columns[f], Value: valueOf(r, f), Problem: field.Message}
	case errors.As(err, &limit):
		return &Problem{Line: r.Line, Column: columns[BreederID], Value: r.BreederID,
			Problem: fmt.Sprintf("the organization's plan (%s) allows %d animals; upgrade to import more", limit.PlanName, limit.Allowed)}
	case errors.Is(err, animals.ErrArchived):
		return &Problem{Line: r.Line, Column: columns[BreederID], Value: r.BreederID,
			Problem: "the animal with this ID is archived; its record is kept and cannot change"}
	case errors.Is(err, store.ErrOnHold):
		return &Problem{Line: r.Line, Column: columns[BreederID], Value: r.BreederID,
			Problem: "the animal with this ID is held by a transfer or a sale and cannot change until it ends"}
	}
	return err
}

// valueOf is the record's value of a field, as the problem quotes it.
func valueOf(r Record, f Field) string {
	switch f {
	case Sire:
		return r.Sire
	case Dam:
		return r.Dam
	case Genetics:
		return r.Genetics
	case Name:
		return r.Name
	case Sex:
		return string(r.Sex)
	case Status:
		return r.Status
	case Visibility:
		return r.Visibility
	case HatchDate:
		if r.HatchDate != nil {
			return r.HatchDate.Format("2006-01-02")
		}
	}
	return r.BreederID
}

// Error makes a Problem an error, for a row that cannot go in.
func (p *Problem) Error() string { return fmt.Sprintf("line %d, %s: %s", p.Line, p.Column, p.Problem) }
