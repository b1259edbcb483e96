package imports_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/imports"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// A file as spreadsheets save it (a byte order mark, CRLF, a quoted newline) is read whole:
// its layout, every row, and every problem, sorted by line, the unreadable row's among them.
func TestReadFile_ReportsEveryRowAndProblem(t *testing.T) {
	t.Parallel()
	file := "\xef\xbb\xbfbreeder_id,name,species,sex,genetics,sire,dam\r\n" +
		"BP-1,Atlas,Ball Python,male,Pastel,,\r\n" +
		"BP-2,\"Vega,\nthe first\",Ball Python,female,Clown,,\r\n" +
		"BP-3,Pip,Ball Python,female,Pastle,BP-1,BP-2\r\n" +
		"BP-1,Again,Ball Python,male,,,\r\n" +
		"BP-4,\"bad\"quote,Ball Python,,,,\r\n" +
		"BP-5,Kid,Ball Python,male,het Clown,BP-1,BP-2\r\n"
	f, err := imports.ReadFile(strings.NewReader(file), nil, catalogues(t))
	require.NoError(t, err)
	require.Equal(t, imports.Template, f.Report.Layout)
	require.Equal(t, 6, f.Report.Rows)
	require.Equal(t, 1, f.Report.Valid)
	require.Equal(t, 5, f.Report.ProblemCount)
	var lines []int
	for _, p := range f.Report.Problems {
		lines = append(lines, p.Line)
	}
	require.Equal(t, []int{3, 5, 6, 7, 8}, lines,
		"a name on two lines, the unknown gene, the duplicate, the bare quote, and the child of the refused dam")
	require.Equal(t, "Vega,\nthe first", f.Report.Problems[0].Value, "the quoted newline read as one cell")
	require.Equal(t, "genetics", f.Report.Problems[1].Column)
	require.Equal(t, "did you mean Pastel, Pastave?", f.Report.Problems[1].Suggestion)
	require.Equal(t, "its parent BP-2 (line 3) cannot be imported", f.Report.Problems[4].Problem)
	require.Equal(t, "BP-1", f.Records[0].Key)
}

func TestReadFile_RefusesAFileItCannotRead(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]string{
		"":                                "the file is empty",
		"name,species\nAtlas,Ball Python": "no column holds breeder_id",
	} {
		_, err := imports.ReadFile(strings.NewReader(file), nil, catalogues(t))
		require.ErrorContains(t, err, want)
	}
	_, err := imports.ReadFile(strings.NewReader("code,kind\n"), map[string]string{"code": "breeder_id", "kind": "colour"}, catalogues(t))
	require.ErrorContains(t, err, `"colour" is not a field`)
}

// templateFile is a file of n animals of the template, each from the second hundred on bred
// from two of the hundred before, hatched a hundred days after them.
func templateFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("breeder_id,name,species,sex,hatch_date,genetics,sire,dam\n")
	for i := range n {
		sire, dam := "", ""
		if i >= 100 {
			sire, dam = fmt.Sprintf("BP-%d", i-100-i%2), fmt.Sprintf("BP-%d", i-99-i%2)
		}
		sex := []string{"male", "female"}[i%2]
		hatched := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 100*(i/100)).Format(time.DateOnly)
		fmt.Fprintf(&b, "BP-%d,Animal %d,Ball Python,%s,%s,Pastel het Clown,%s,%s\n", i, i, sex, hatched, sire, dam)
	}
	return b.Bytes()
}

// A dry run of a file of 10,000 animals, parents among them; the budget is 30 s.
func BenchmarkReadFile10k(b *testing.B) {
	file := templateFile(10_000)
	species := catalogues(&testing.T{})
	b.ResetTimer()
	for range b.N {
		f, err := imports.ReadFile(bytes.NewReader(file), nil, species)
		if err != nil || f.Report.Valid != 10_000 {
			b.Fatalf("%v: %d valid of %d, %v", err, f.Report.Valid, f.Report.Rows, f.Report.Problems[:min(3, len(f.Report.Problems))])
		}
	}
}

// Planned against the organization, a file counts its rows new until an import records them,
// then as updates.
func TestPlan_CountsNewRowsAndUpdates(t *testing.T) {
	t.Parallel()
	db, ctx := testkit.DB(t), context.Background()
	_, ada := organization(t, db, "Planner")
	f, err := imports.ReadFile(bytes.NewReader(templateFile(3)), nil, catalogues(t))
	require.NoError(t, err)
	plan := func() imports.Report {
		require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: ada.ID}, func(tx pgx.Tx) error { return imports.Plan(ctx, tx, &f) }))
		return f.Report
	}
	require.Equal(t, 3, plan().Creates)
	batch(t, db, ada.ID, imports.Columns(f.Report.Header, f.Report.Mapping), f.Records, f.Records[0])
	r := plan()
	require.Equal(t, 2, r.Creates)
	require.Equal(t, 1, r.Updates)
}

// Planned against the organization, a parent outside the file must be found: one of its
// animals by breeder ID, or a public animal by ReptiDex ID, of the role's sex. A row naming
// one that is not is refused, and so are the rows of the file that descend from it.
func TestPlan_LooksUpParentsOutsideTheFile(t *testing.T) {
	t.Parallel()
	db, ctx := testkit.DB(t), context.Background()
	_, ada := organization(t, db, "Outsider")
	_, otto := organization(t, db, "Otto")
	public := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: "ball-python", Sex: genetics.Male,
		Status: "active", Visibility: "public", GeneticsText: "Normal"}
	private := public
	private.ID, private.PublicID, private.Visibility = uuid.New(), store.NewPublicID(), "organization"
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: otto.ID}, func(tx pgx.Tx) error {
		return errors.Join(store.InsertAnimal(ctx, tx, public), store.InsertAnimal(ctx, tx, private))
	}))
	old, err := imports.ReadFile(strings.NewReader("breeder_id,species,sex\nold-dad,Ball Python,male\n"), nil, catalogues(t))
	require.NoError(t, err)
	batch(t, db, ada.ID, imports.Columns(old.Report.Header, old.Report.Mapping), old.Records, old.Records...)

	f, err := imports.ReadFile(strings.NewReader("breeder_id,species,sex,sire,dam\n"+
		"a,Ball Python,female,old-dad,\n"+
		"b,Ball Python,female,"+public.PublicID+",\n"+
		"c,Ball Python,male,"+private.PublicID+",\n"+
		"d,Ball Python,female,c,\n"+
		"e,Ball Python,female,,"+public.PublicID+"\n"+
		"f,Ball Python,female,nobody,\n"), nil, catalogues(t))
	require.NoError(t, err)
	require.Equal(t, 6, f.Report.Valid, "reading alone cannot tell")
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: ada.ID}, func(tx pgx.Tx) error { return imports.Plan(ctx, tx, &f) }))
	require.Equal(t, 2, f.Report.Valid)
	require.Equal(t, 2, f.Report.Creates)
	require.Equal(t, 4, f.Report.ProblemCount)
	var got []string
	for _, p := range f.Report.Problems {
		got = append(got, fmt.Sprintf("%d %s %s: %s", p.Line, p.Column, p.Value, p.Problem))
	}
	notFound := " among your animals' breeder IDs, nor a ReptiDex ID you may name as a parent (yours, or another breeder's public animal)"
	require.Equal(t, []string{
		"4 sire " + private.PublicID + ": no animal " + private.PublicID + notFound,
		"5 sire c: its parent c (line 4) cannot be imported",
		"6 dam " + public.PublicID + ": the dam must be female, and " + public.PublicID + " is male",
		"7 sire nobody: no animal nobody" + notFound,
	}, got)
}
