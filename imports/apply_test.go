package imports_test

import (
	"bytes"
	"context"
	"errors"
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
	all, err := taxonomy.Builtin()
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.Key == key {
			return s, nil
		}
	}
	return nil, store.ErrNotFound
}

// importer applies rows of the template to one organization as an import does: each row in a
// savepoint, the parents applied before kept by key.
type importer struct {
	t       *testing.T
	db      *store.DB
	org     uuid.UUID
	columns map[imports.Field]string
	parents map[string]string
}

func (im *importer) apply(r imports.Record) (imports.Applied, error) {
	im.t.Helper()
	var got imports.Applied
	err := im.db.InTenant(context.Background(), store.Tenant{OrgID: im.org}, func(tx pgx.Tx) error {
		return pgx.BeginFunc(context.Background(), tx, func(sp pgx.Tx) (err error) {
			got, err = imports.Apply(context.Background(), sp, byKey, im.org, im.columns, r, im.parents)
			return err
		})
	})
	if err == nil {
		im.parents[r.Key] = got.PublicID
	}
	return got, err
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

	im := &importer{t: t, db: db, org: ada.ID, columns: imports.Columns(template, imports.Mapping{0: imports.BreederID, 1: imports.Name,
		2: imports.Species, 3: imports.Sex, 4: imports.HatchDate, 5: imports.Genetics, 6: imports.Sire, 7: imports.Dam,
		9: imports.Microchip}), parents: map[string]string{}}
	rows := []imports.Record{
		rec(t, 2, "dad", "male", public.PublicID, "", "2020-01-01"),
		rec(t, 3, "mum", "female", "", "", "2020-02-01"),
		rec(t, 4, "kid", "female", "dad", "mum", "2024-06-01"),
	}
	rows[2].Genetics, rows[2].Name, rows[2].Microchip = "het Clown", "Pip", "985"
	var ids []string
	for _, r := range rows {
		a, err := im.apply(r)
		require.NoError(t, err, "line %d", r.Line)
		require.True(t, a.Created)
		ids = append(ids, a.PublicID)
	}
	var kid store.Animal
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: ada.ID}, func(tx pgx.Tx) (err error) {
		kid, err = store.AnimalByPublicID(ctx, tx, ids[2])
		return err
	}))
	require.Equal(t, "Pip", kid.Name)
	require.Equal(t, "Normal het Clown", kid.GeneticsText, "the canonical trade name")
	require.Equal(t, map[string]string{"breeder_id": "kid", "microchip": "985"}, kid.Identifiers)
	require.NotNil(t, kid.SireID)
	require.NotNil(t, kid.DamID)

	// The same file again, in a new import: every row updated, nothing recorded twice; the
	// parents found by breeder ID.
	again := &importer{t: t, db: db, org: ada.ID, columns: im.columns, parents: map[string]string{}}
	rows[2].Name = "Pip the Second"
	for i, r := range []imports.Record{rows[2], rows[0], rows[1]} {
		a, err := again.apply(r)
		require.NoError(t, err)
		require.False(t, a.Created, "row %d updated", i)
	}
	var n int
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT count(*) FROM animals WHERE org_id = $1`, ada.ID).Scan(&n))
	require.Equal(t, 3, n)

	odd := rec(t, 5, "odd", "male", "mum", "", "")
	_, err := im.apply(odd)
	var p *imports.Problem
	require.ErrorAs(t, err, &p)
	require.Equal(t, imports.Problem{Line: 5, Column: "sire", Value: "mum", Problem: p.Problem}, *p)
	require.Contains(t, p.Problem, "must be male")
	_, err = im.apply(rec(t, 6, "nosy", "male", "", private.PublicID, ""))
	require.ErrorAs(t, err, &p)
	require.Equal(t, "dam", p.Column)
	require.Contains(t, p.Problem, "that you may name as a parent")
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT count(*) FROM animals WHERE org_id = $1`, ada.ID).Scan(&n))
	require.Equal(t, 3, n, "a refused row writes nothing")
}

// Applying a file of 1,000 animals, parents among them, to a new organization, in batches of
// 500 rows a transaction and a savepoint a row, as an import applies them; the budget is
// 10,000 rows in 30 s.
func BenchmarkApply1000(b *testing.B) {
	db, ctx := testkit.DB(b), context.Background()
	t := &testing.T{}
	f, err := imports.ReadFile(bytes.NewReader(templateFile(1000)), nil, catalogues(t))
	if err != nil || f.Report.Valid != 1000 {
		b.Fatalf("%v: %d valid", err, f.Report.Valid)
	}
	columns := imports.Columns(f.Report.Header, f.Report.Mapping)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		_, org := organization(t, db, "Bench")
		b.StartTimer()
		parents := map[string]string{}
		for start := 0; start < len(f.Records); start += 500 {
			err := db.InTenant(ctx, store.Tenant{OrgID: org.ID}, func(tx pgx.Tx) error {
				for _, r := range f.Records[start:min(start+500, len(f.Records))] {
					err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
						a, err := imports.Apply(ctx, sp, byKey, org.ID, columns, r, parents)
						parents[r.Key] = a.PublicID
						return err
					})
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*1000), "ms/row")
}
