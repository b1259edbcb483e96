package imports

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

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

// Applier applies a file's checked records to one organization, a batch at a time, through
// the commands the API uses (animals.RegisterInBatch, animals.UpdateInBatch), so that the same rules
// hold, the organization the breeder of record of what it records.
type Applier struct {
	catalogue animals.Catalogue
	orgID     uuid.UUID
	columns   map[Field]string
	byKey     map[string]Record
}

// NewApplier applies records, the whole file's (File.Records), to the organization orgID,
// the fields of columns (Columns) written; a field whose column the file does not have is
// left as it is.
func NewApplier(catalogue animals.Catalogue, orgID uuid.UUID, columns map[Field]string, records []Record) *Applier {
	byKey := make(map[string]Record, len(records))
	for _, r := range records {
		byKey[r.Key] = r
	}
	return &Applier{catalogue: catalogue, orgID: orgID, columns: columns, byKey: byKey}
}

// Outcome is what a batch did: the rows recorded new, those that updated an animal, and the
// problem of each row refused.
type Outcome struct {
	Created  int       `json:"created"`
	Updated  int       `json:"updated"`
	Problems []Problem `json:"problems"`
}

// Batch applies records, a run of the file's records in their order (parents first), in tx,
// each row in a savepoint, so that a row goes in whole or not at all: updated when one of the
// organization's animals is kept under its breeder ID, recorded new otherwise, within what
// the plan allows. A parent is named by the key of a row of the file (in by now, or the row
// is refused), by the breeder ID of one of the organization's animals, or by the ReptiDex ID
// of the organization's animal or another breeder's public one. A refusal is a Problem of the
// Outcome naming the row's column; any other error ends the batch. Batches of one
// organization's imports run one at a time (a lock until tx ends), so two imports of the
// same file never both record an animal.
func (ap *Applier) Batch(ctx context.Context, tx pgx.Tx, records []Record) (Outcome, error) {
	out := Outcome{Problems: []Problem{}}
	if err := store.LockOrganization(ctx, tx, "import"); err != nil {
		return out, err
	}
	wanted := make([]string, 0, 3*len(records))
	for _, r := range records {
		wanted = append(wanted, r.BreederID)
		for _, p := range []string{r.Sire, r.Dam} {
			if p != "" {
				wanted = append(wanted, ap.breederID(p))
			}
		}
	}
	known, err := store.AnimalsByBreederID(ctx, tx, wanted)
	if err != nil {
		return out, err
	}
	var ids []string
	for _, k := range wanted {
		if id, ok := known[k]; ok {
			ids = append(ids, id)
		} else {
			ids = append(ids, k) // a ReptiDex ID, or no animal
		}
	}
	read, err := store.ParentsByPublicID(ctx, tx, ids)
	if err != nil {
		return out, err
	}
	identifiers, err := store.IdentifiersOf(ctx, tx, slices.Collect(maps.Values(known)))
	if err != nil {
		return out, err
	}
	allowance, err := billing.Allow(ctx, tx, billing.Animals)
	if err != nil {
		return out, err
	}
	// Most batches go in whole: all their rows at once, in one savepoint. A batch with a row
	// that cannot go in is rolled back to it, and applied again row by row, each row in a
	// savepoint of its own.
	err = pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		b := batch{known: maps.Clone(known), read: maps.Clone(read), identifiers: maps.Clone(identifiers), allowance: *allowance}
		for _, r := range records {
			created, err := ap.row(ctx, sp, r, &b)
			if err != nil {
				return err
			}
			out.count(created)
		}
		return nil
	})
	if err == nil || ctx.Err() != nil {
		return out, err
	}
	out = Outcome{Problems: []Problem{}}
	b := batch{known: known, read: read, identifiers: identifiers, allowance: *allowance}
	for _, r := range records {
		var created bool
		err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) (err error) {
			created, err = ap.row(ctx, sp, r, &b)
			return err
		})
		var p *Problem
		switch {
		case errors.As(err, &p):
			out.Problems = append(out.Problems, *p)
		case err != nil:
			return out, err
		default:
			out.count(created)
		}
	}
	return out, nil
}

// count counts a row in: recorded new, or updated.
func (o *Outcome) count(created bool) {
	if created {
		o.Created++
	} else {
		o.Updated++
	}
}

// breederID is the breeder ID a parent's key stands for: the breeder ID of the file's row of
// that key, or the key itself.
func (ap *Applier) breederID(key string) string {
	if r, ok := ap.byKey[key]; ok {
		return r.BreederID
	}
	return key
}

// batch is what a batch knows as it goes: the organization's animals by breeder ID, the
// parents read (by ReptiDex ID), and what the plan still allows. Each row applied adds its
// animal to the first two.
type batch struct {
	known       map[string]string
	read        map[string]store.ParentCandidate
	identifiers map[string]map[string]string // the organization's animals' identifiers, by ReptiDex ID
	allowance   billing.Allowance
}

// recorded keeps the animal a row recorded or updated, as a parent for the rows after it.
func (b *batch) recorded(breederID string, a store.Animal, identifiers map[string]string) {
	b.known[breederID] = a.PublicID
	b.identifiers[a.PublicID] = identifiers
	b.read[a.PublicID] = store.ParentCandidate{ID: a.ID, PublicID: a.PublicID, SpeciesKey: a.SpeciesKey, Sex: a.Sex,
		HatchDate: a.HatchDate, Archived: a.ArchivedAt != nil}
}

// row applies one record in sp, as b knows the batch so far. It answers whether the row was
// recorded new.
func (ap *Applier) row(ctx context.Context, sp pgx.Tx, r Record, b *batch) (bool, error) {
	has := func(f Field) bool { _, ok := ap.columns[f]; return ok }
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
		id, err := ap.parentID(p.key, b.known)
		if err != nil {
			return false, &Problem{Line: r.Line, Column: ap.columns[p.f], Value: p.key, Problem: err.Error()}
		}
		*p.dst = animals.Parent{Set: true, PublicID: id}
		if parent, ok := b.read[id]; ok {
			p.dst.Read = &parent
		}
	}
	publicID, found := b.known[r.BreederID]
	ids := maps.Clone(b.identifiers[publicID])
	if ids == nil {
		ids = map[string]string{}
	}
	if r.BreederID != publicID { // not an animal found by its own ReptiDex ID
		ids["breeder_id"] = r.BreederID
	}
	if r.Microchip != "" {
		ids["microchip"] = r.Microchip
	}
	c.Identifiers = ids
	if found {
		if r.Species != nil {
			c.Species = &r.Species.Key
		}
		u, err := animals.UpdateInBatch(ctx, sp, ap.catalogue, publicID, c)
		if err != nil {
			return false, refusal(ap.columns, r, err)
		}
		b.recorded(r.BreederID, u.Animal, ids)
		return false, nil
	}
	if err := b.allowance.Take(); err != nil {
		return false, refusal(ap.columns, r, err)
	}
	a, err := animals.RegisterInBatch(ctx, sp, r.Species, ap.orgID, c)
	if err != nil {
		b.allowance.Return()
		return false, refusal(ap.columns, r, err)
	}
	b.recorded(r.BreederID, a, ids)
	return true, nil
}

// parentID is the ReptiDex ID of the parent the file names by key: the animal of the file's
// row of that key (which must be in by now), one of the organization's animals by breeder
// ID, or a ReptiDex ID as written.
func (ap *Applier) parentID(key string, known map[string]string) (string, error) {
	if key == "" {
		return "", nil
	}
	if parent, inFile := ap.byKey[key]; inFile {
		id, ok := known[parent.BreederID]
		if !ok {
			return "", fmt.Errorf("its parent %s (line %d) was not imported", key, parent.Line)
		}
		return id, nil
	}
	if id, ok := known[key]; ok {
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
