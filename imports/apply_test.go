package imports_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/imports"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/taxonomy"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// byKey is the built-in catalogue by key, as the commands read it.
func byKey(_ context.Context, key string) (*genetics.Species, error) {
	s, err := taxonomy.Lookup(key)
	if errors.Is(err, taxonomy.ErrUnknownSpecies) {
		return nil, store.ErrNotFound
	}
	return s, err
}

// batch applies rows, records of one file, to an organization as an import does, in one
// transaction: a batch.
func batch(t *testing.T, db *store.DB, org uuid.UUID, columns map[imports.Field]string, file []imports.Record,
	rows ...imports.Record) imports.Outcome {
	t.Helper()
	var out imports.Outcome
	require.NoError(t, db.InTenant(context.Background(), store.Tenant{OrgID: org}, func(tx pgx.Tx) (err error) {
		out, err = imports.NewApplier(byKey, org, columns, file).Batch(context.Background(), tx, rows)
		return err
	}))
	return out
}

func organization(t *testing.T, db *store.DB, name string) (store.User, store.Organization) {
	t.Helper()
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	u, o, err := accounts.Register(context.Background(), db, rc, accounts.NewAccount{Email: testkit.UniqueEmail(name),
		Password: "correct horse battery", DisplayName: name, OrganizationName: name + "'s Reptiles"}, nil)
	require.NoError(t, err)
	registered.GrantPlan(t, db, o.ID, "business")
	return u, o
}

// Rows go in through the animals' own commands, parents first: a second import of the same
// rows updates them rather than recording them again; a parent is named by the file's key,
// an earlier import's breeder ID, or another breeder's public ReptiDex ID; a row the rules
// refuse is a problem naming its column, and nothing of it is written.
func TestApply_RecordsOrUpdatesByTheBreedersID(t *testing.T) {
	t.Parallel()
	db, ctx := testkit.DB(t), context.Background()
	_, ada := organization(t, db, "Ada")
	_, otto := organization(t, db, "Otto")
	public := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: "ball-python", Sex: genetics.Male,
		Status: "active", Visibility: "public", GeneticsText: "Normal"}
	private := public
	private.ID, private.PublicID, private.Visibility, private.Sex = uuid.New(), store.NewPublicID(), "organization", genetics.Female
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: otto.ID}, func(tx pgx.Tx) error {
		return errors.Join(store.InsertAnimal(ctx, tx, public), store.InsertAnimal(ctx, tx, private))
	}))

	columns := imports.Columns(template, imports.Mapping{0: imports.BreederID, 1: imports.Name, 2: imports.Species,
		3: imports.Sex, 4: imports.HatchDate, 5: imports.Genetics, 6: imports.Sire, 7: imports.Dam, 9: imports.Microchip})
	rows := []imports.Record{
		rec(t, 2, "dad", "male", public.PublicID, "", "2020-01-01"),
		rec(t, 3, "mum", "female", "", "", "2020-02-01"),
		rec(t, 4, "kid", "female", "dad", "mum", "2024-06-01"),
	}
	rows[2].Genetics, rows[2].Name, rows[2].Microchip = "het Clown", "Pip", "985"
	// Two batches: the second's parents are found by the breeder IDs the first recorded.
	require.Equal(t, imports.Outcome{Created: 2, Problems: []imports.Problem{}}, batch(t, db, ada.ID, columns, rows, rows[:2]...))
	require.Equal(t, imports.Outcome{Created: 1, Problems: []imports.Problem{}}, batch(t, db, ada.ID, columns, rows, rows[2]))
	kid := byBreederID(t, db, ada.ID, "kid")
	require.Equal(t, "Pip", kid.Name)
	require.Equal(t, "Normal het Clown", kid.GeneticsText, "the canonical trade name")
	require.Equal(t, map[string]string{"breeder_id": "kid", "microchip": "985"}, kid.Identifiers)
	require.Equal(t, byBreederID(t, db, ada.ID, "dad").PublicID, kid.SirePublicID)
	require.Equal(t, byBreederID(t, db, ada.ID, "mum").PublicID, kid.DamPublicID)
	require.Equal(t, public.PublicID, byBreederID(t, db, ada.ID, "dad").SirePublicID, "another breeder's public animal by its ReptiDex ID")

	// The same file again, in a new import: every row updated, nothing recorded twice.
	rows[2].Name = "Pip the Second"
	require.Equal(t, imports.Outcome{Updated: 3, Problems: []imports.Problem{}},
		batch(t, db, ada.ID, columns, rows, rows[2], rows[0], rows[1]))
	require.Equal(t, "Pip the Second", byBreederID(t, db, ada.ID, "kid").Name)
	var n int
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT count(*) FROM animals WHERE org_id = $1`, ada.ID).Scan(&n))
	require.Equal(t, 3, n)

	// Refused rows: a parent of the wrong sex (named by an earlier import's breeder ID),
	// another breeder's private animal, and a row whose parent in the file did not go in.
	ghost := rec(t, 7, "ghost", "male", "", "", "")
	refused := []imports.Record{rec(t, 5, "odd", "male", "mum", "", ""), rec(t, 6, "nosy", "male", "", private.PublicID, ""),
		rec(t, 8, "orphan", "female", "ghost", "", "")}
	out := batch(t, db, ada.ID, columns, append([]imports.Record{ghost}, refused...), refused...)
	require.Zero(t, out.Created+out.Updated)
	require.Len(t, out.Problems, 3)
	require.Equal(t, imports.Problem{Line: 5, Column: "sire", Value: "mum", Problem: out.Problems[0].Problem}, out.Problems[0])
	require.Contains(t, out.Problems[0].Problem, "must be male")
	require.Equal(t, "dam", out.Problems[1].Column)
	require.Contains(t, out.Problems[1].Problem, "that you may name as a parent")
	require.Equal(t, imports.Problem{Line: 8, Column: "sire", Value: "ghost", Problem: "its parent ghost (line 7) was not imported"},
		out.Problems[2])
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT count(*) FROM animals WHERE org_id = $1`, ada.ID).Scan(&n))
	require.Equal(t, 3, n, "a refused row writes nothing")
}

// An organization's plan allows so many animals: a batch records new rows up to it and
// refuses the rest, each naming the plan; rows that update are not counted.
func TestApply_RecordsNewRowsWithinThePlan(t *testing.T) {
	t.Parallel()
	db, ctx := testkit.DB(t), context.Background()
	_, org := organization(t, db, "Flo")
	registered.GrantPlan(t, db, org.ID, "free") // 50 animals
	columns := imports.Columns(template, imports.Mapping{0: imports.BreederID, 2: imports.Species, 3: imports.Sex})
	var rows []imports.Record
	for i := range 52 {
		rows = append(rows, rec(t, i+2, fmt.Sprintf("FL-%d", i), "female", "", "", ""))
	}
	out := batch(t, db, org.ID, columns, rows, rows[:48]...)
	require.Equal(t, 48, out.Created)
	out = batch(t, db, org.ID, columns, rows, rows...)
	require.Equal(t, 48, out.Updated)
	require.Equal(t, 2, out.Created)
	require.Len(t, out.Problems, 2)
	require.Equal(t, imports.Problem{Line: 52, Column: "breeder_id", Value: "FL-50",
		Problem: "the organization's plan (Free) allows 50 animals; upgrade to import more"}, out.Problems[0])
	var n int
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT count(*) FROM animals WHERE org_id = $1`, org.ID).Scan(&n))
	require.Equal(t, 50, n)
}

// An export imported back into its own organization finds each animal by its own ReptiDex
// ID, and updates it, without making that ID its breeder ID.
func TestApply_FindsAnAnimalByItsOwnReptiDexID(t *testing.T) {
	t.Parallel()
	db, ctx := testkit.DB(t), context.Background()
	_, ada := organization(t, db, "Homecoming")
	columns := imports.Columns(template, imports.Mapping{0: imports.BreederID, 1: imports.Name, 2: imports.Species, 3: imports.Sex})
	first := rec(t, 2, "BP-1", "female", "", "", "")
	batch(t, db, ada.ID, columns, []imports.Record{first}, first)
	own := byBreederID(t, db, ada.ID, "BP-1")
	again := rec(t, 2, own.PublicID, "female", "", "", "")
	again.Name = "Vega"
	require.Equal(t, imports.Outcome{Updated: 1, Problems: []imports.Problem{}}, batch(t, db, ada.ID, columns, []imports.Record{again}, again))
	var name string
	var ids map[string]string
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT name, identifiers FROM animals WHERE public_id = $1`, own.PublicID).
		Scan(&name, &ids))
	require.Equal(t, "Vega", name)
	require.Equal(t, map[string]string{"breeder_id": "BP-1"}, ids, "its breeder ID kept, its own ReptiDex ID not added")
}

// byBreederID reads the organization's animal kept under a breeder ID.
func byBreederID(t *testing.T, db *store.DB, org uuid.UUID, id string) store.Animal {
	t.Helper()
	var a store.Animal
	require.NoError(t, db.InTenant(context.Background(), store.Tenant{OrgID: org}, func(tx pgx.Tx) error {
		ids, err := store.AnimalsByBreederID(context.Background(), tx, []string{id})
		if err != nil {
			return err
		}
		a, err = store.AnimalByPublicID(context.Background(), tx, ids[id])
		return err
	}))
	return a
}

// Applying a file of 1,000 animals, parents among them, to a new organization in batches of
// 500 rows, as an import applies them (BenchmarkApply1000); and the same file applied again,
// every row updating its animal (BenchmarkReapply1000). The budget is 10,000 rows in 30 s.
func BenchmarkApply1000(b *testing.B) { benchmarkApply(b, false) }

func BenchmarkReapply1000(b *testing.B) { benchmarkApply(b, true) }

func benchmarkApply(b *testing.B, again bool) {
	db, ctx := testkit.DB(b), context.Background()
	t := &testing.T{}
	f, err := imports.ReadFile(bytes.NewReader(templateFile(1000)), nil, catalogues(t))
	if err != nil || f.Report.Valid != 1000 {
		b.Fatalf("%v: %d valid", err, f.Report.Valid)
	}
	columns := imports.Columns(f.Report.Header, f.Report.Mapping)
	apply := func(org uuid.UUID) {
		applier := imports.NewApplier(byKey, org, columns, f.Records)
		for start := 0; start < len(f.Records); start += 500 {
			err := db.InTenant(ctx, store.Tenant{OrgID: org}, func(tx pgx.Tx) error {
				out, err := applier.Batch(ctx, tx, f.Records[start:min(start+500, len(f.Records))])
				if err == nil && len(out.Problems) > 0 {
					err = &out.Problems[0]
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	b.StopTimer()
	for range b.N {
		_, org := organization(t, db, "Bench")
		if again {
			apply(org.ID)
		}
		b.StartTimer()
		apply(org.ID)
		b.StopTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*1000), "ms/row")
}
