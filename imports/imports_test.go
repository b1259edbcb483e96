package imports_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/csvio"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/imports"
	"github.com/reptidex/reptidex/taxonomy"
)

// catalogues finds the built-in species by key or common name, singular or plural.
func catalogues(t *testing.T) imports.Catalogues {
	t.Helper()
	all, err := taxonomy.Builtin()
	require.NoError(t, err)
	return imports.SpeciesNamed(all)
}

func TestDetect_RecognisesEachLayoutByItsHeaders(t *testing.T) {
	t.Parallel()
	layout, m := imports.Detect([]string{"Breeder ID", "Name", "Species", "Sex", "Hatch date", "Genetics", "Sire", "Dam", "Notes"})
	require.Equal(t, imports.Template, layout)
	require.Equal(t, imports.Mapping{0: imports.BreederID, 1: imports.Name, 2: imports.Species, 3: imports.Sex, 4: imports.HatchDate,
		5: imports.Genetics, 6: imports.Sire, 7: imports.Dam}, m, "Notes is no field: ignored")

	layout, m = imports.Detect([]string{"Category", "Title", "Serial", "Stock", "Price", "Sex", "Maturity", "Dob", "Weight", "Traits", "Desc"})
	require.Equal(t, imports.Marketplace, layout)
	require.Equal(t, imports.Mapping{0: imports.Species, 1: imports.Name, 2: imports.BreederID, 5: imports.Sex, 7: imports.HatchDate,
		9: imports.Genetics}, m)

	layout, m = imports.Detect([]string{"id", "name", "species", "sex", "hatch_date", "status", "visibility", "genetics",
		"identifiers", "sire_id", "dam_id", "clutch_id", "breeder_id", "is_reference", "created_at"})
	require.Equal(t, imports.Export, layout)
	require.Equal(t, imports.BreederID, m[0], "an export's rows are named by their ReptiDex IDs")
	require.Equal(t, imports.Sire, m[9])
	require.Equal(t, imports.Dam, m[10])
	require.NotContains(t, m, 12, "an export's breeder_id is the breeder of record's organization, not the animal's key")
}

// A breeder's own mapping overrides the detected one; a header that is not there, a field
// that is not one, two columns for a field, and no key column are refused, naming them.
func TestOverride_AppliesTheBreedersMappingAndRefusesWhatCannotBe(t *testing.T) {
	t.Parallel()
	header := []string{"Code", "Animal", "Kind", "Father"}
	_, m := imports.Detect(header)
	got, err := imports.Override(header, m, map[string]string{"Animal": "name", "Kind": "species", "Father": "ignore"})
	require.NoError(t, err)
	require.Equal(t, imports.Mapping{0: imports.BreederID, 1: imports.Name, 2: imports.Species}, got)

	for chosen, want := range map[string]map[string]string{
		`column "Mother": no column has this header`:       {"Mother": "dam"},
		`"colour" is not a field an import reads`:          {"Kind": "colour"},
		`columns "Code" and "Animal" both hold breeder_id`: {"Animal": "breeder_id", "Kind": "species"},
		"no column holds breeder_id":                       {"Code": "ignore", "Kind": "species"},
		"no column holds species":                          {"Kind": "ignore"},
	} {
		_, err := imports.Override(header, m, want)
		require.ErrorContains(t, err, chosen)
	}
}

func read(t *testing.T, header []string, fields ...string) (imports.Record, []imports.Problem) {
	t.Helper()
	_, m := imports.Detect(header)
	return imports.Read(header, m, csvio.Row{Line: 7, Fields: fields}, catalogues(t))
}

var template = []string{"breeder_id", "name", "species", "sex", "hatch_date", "genetics", "sire", "dam", "status", "microchip"}

func TestRead_ReadsARowOfTheTemplate(t *testing.T) {
	t.Parallel()
	r, problems := read(t, template, " BP-17 ", "Vega", "Ball Pythons", "F", "2024-05-31", "Pastel het Clown", "BP-01", "BP-02", "", "985112000000017")
	require.Empty(t, problems)
	require.Equal(t, "BP-17", r.Key)
	require.Equal(t, "BP-17", r.BreederID)
	require.Equal(t, "ball-python", r.Species.Key)
	require.Equal(t, genetics.Female, r.Sex)
	require.Equal(t, "2024-05-31", r.HatchDate.Format("2006-01-02"))
	require.Len(t, r.Claims, 2)
	require.Equal(t, "BP-01", r.Sire)
	require.Equal(t, "active", r.Status)
	require.Equal(t, "organization", r.Visibility)
	require.Equal(t, "985112000000017", r.Microchip)
}

// Every problem of a row is named: its line, column, value, what is wrong and, where there
// is one, what to write instead.
func TestRead_NamesEveryProblemOfARow(t *testing.T) {
	t.Parallel()
	_, problems := read(t, template, "", strings.Repeat("n", 121), "Ball Python", "girl", "31/05/2024", "Pastle het Clown", "", "", "sleeping", "")
	byColumn := map[string]imports.Problem{}
	for _, p := range problems {
		require.Equal(t, 7, p.Line)
		byColumn[p.Column] = p
	}
	require.ElementsMatch(t, []string{"breeder_id", "name", "sex", "hatch_date", "genetics", "status"}, keys(byColumn))
	require.Equal(t, "girl", byColumn["sex"].Value)
	require.Contains(t, byColumn["sex"].Suggestion, "male, female or unknown")
	require.Equal(t, "write it as YYYY-MM-DD, such as 2024-05-31", byColumn["hatch_date"].Suggestion)
	require.Contains(t, byColumn["genetics"].Problem, `"Pastle" is not a gene`)
	require.Contains(t, byColumn["genetics"].Suggestion, "Pastel", "the parser's nearest name")

	_, problems = read(t, template, "BP-1", "", "Komodo Dragon", "", "2999-01-01", "", "", "", "", "")
	require.Len(t, problems, 2)
	require.Equal(t, "species", problems[0].Column)
	require.Equal(t, "is in the future", problems[1].Problem)

	_, problems = read(t, template, "BP-1", "", "Ball Python", "male", "", "Super Clown", "", "", "", "")
	require.Len(t, problems, 1, "a genotype that cannot exist")
	require.Equal(t, "genetics", problems[0].Column)
}

// An export's row keeps the breeder's ID among its identifiers, and is named by its
// ReptiDex ID in the file.
func TestRead_AnExportsRowKeepsItsBreedersID(t *testing.T) {
	t.Parallel()
	header := []string{"id", "name", "species", "sex", "hatch_date", "status", "visibility", "genetics", "identifiers", "sire_id", "dam_id", "is_reference"}
	r, problems := read(t, header, "7QmVbX2kLp9sT4wYz", "Noodle", "ball-python", "female", "2023-06-01", "active", "public", "Clown",
		`{"breeder_id": "BP-9", "microchip": "985"}`, "4fTqW9zKc2NvRbHxMwPq", "", "false")
	require.Empty(t, problems)
	require.Equal(t, "7QmVbX2kLp9sT4wYz", r.Key)
	require.Equal(t, "BP-9", r.BreederID)
	require.Equal(t, "985", r.Microchip)
	require.Equal(t, "public", r.Visibility)
	require.Equal(t, "4fTqW9zKc2NvRbHxMwPq", r.Sire)

	r, problems = read(t, header, "7QmVbX2kLp9sT4wYz", "", "ball-python", "", "", "", "", "", "", "", "", "false")
	require.Empty(t, problems)
	require.Equal(t, "7QmVbX2kLp9sT4wYz", r.BreederID, "without a breeder_id, the ReptiDex ID is kept as the animal's permanent ID")
}

func keys(m map[string]imports.Problem) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func rec(t *testing.T, line int, key, sex, sire, dam, hatched string) imports.Record {
	t.Helper()
	r, problems := read(t, template, key, "", "ball-python", sex, hatched, "", sire, dam, "", "")
	require.Empty(t, problems)
	r.Line = line
	return r
}

// The rows go in parents first; a key on two rows, an animal its own parent, a parent of the
// wrong sex or hatched after its offspring, and a cycle are refused, and so is a row whose
// parent in the file is refused; parents outside the file are listed to look up.
func TestCheck_OrdersParentsFirstAndRefusesWhatCannotBe(t *testing.T) {
	t.Parallel()
	records := []imports.Record{
		rec(t, 2, "kid", "female", "dad", "mum", "2024-06-01"),
		rec(t, 3, "dad", "male", "", "", "2020-01-01"),
		rec(t, 4, "mum", "female", "outside-1", "", "2020-02-01"),
		rec(t, 5, "dad", "male", "", "", ""),
		rec(t, 6, "narcissus", "male", "narcissus", "", ""),
		rec(t, 7, "odd", "male", "mum", "dad", ""),
		rec(t, 8, "a", "male", "b", "", ""),
		rec(t, 9, "b", "male", "a", "", ""),
		rec(t, 10, "young", "male", "", "", "2025-01-01"),
		rec(t, 11, "old", "male", "young", "", "2021-01-01"),
		rec(t, 12, "grandkid", "male", "odd", "", ""),
	}
	c := imports.Check(records, nil, "sire", "dam")
	var order []string
	for _, r := range c.Ordered {
		order = append(order, r.Key)
	}
	require.Equal(t, []string{"dad", "mum", "kid", "young"}, order)
	problems := map[int]string{}
	for _, p := range c.Problems {
		problems[p.Line] += p.Problem + "; "
	}
	require.Contains(t, problems[5], "also on line 3")
	require.Contains(t, problems[6], "its own sire")
	require.Contains(t, problems[7], "the sire must be male, and mum (line 4) is female")
	require.Contains(t, problems[7], "the dam must be female, and dad (line 3) is male")
	require.Contains(t, problems[8], "cycle")
	require.Contains(t, problems[9], "cycle")
	require.Contains(t, problems[11], "not before the animal")
	require.Contains(t, problems[12], "its parent odd (line 7) cannot be imported")
	require.Len(t, problems, 7)
	require.Equal(t, []string{"outside-1"}, c.External)
}

// In an export, each row is keyed by its ReptiDex ID and kept under its breeder ID: two rows
// with one breeder ID would be one animal, so the later is refused, and so are its offspring.
func TestCheck_RefusesTwoRowsWithOneBreederID(t *testing.T) {
	t.Parallel()
	a, b, kid := rec(t, 2, "RX-A", "male", "", "", ""), rec(t, 3, "RX-B", "male", "", "", ""), rec(t, 4, "RX-C", "female", "RX-B", "", "")
	a.BreederID, b.BreederID, kid.BreederID = "BP-7", "BP-7", "BP-8"
	c := imports.Check([]imports.Record{a, b, kid}, nil, "sire_id", "dam_id")
	require.Equal(t, []imports.Record{a}, c.Ordered)
	require.Equal(t, []imports.Problem{
		{Line: 3, Value: "BP-7", Problem: "the breeder ID BP-7 is also on line 2; each animal is one row"},
		{Line: 4, Column: "sire_id", Value: "RX-B", Problem: "its parent RX-B (line 3) cannot be imported"},
	}, c.Problems)
}

// The fingerprint of the records to apply is the same for the same records, and another
// for records in another order or with another breeder ID.
func TestFingerprint_NamesTheRecordsInTheirOrder(t *testing.T) {
	t.Parallel()
	a, b := rec(t, 2, "a", "male", "", "", ""), rec(t, 3, "b", "female", "", "", "")
	same := imports.Fingerprint([]imports.Record{a, b})
	require.Equal(t, same, imports.Fingerprint([]imports.Record{a, b}))
	require.NotEqual(t, same, imports.Fingerprint([]imports.Record{b, a}))
	b.BreederID = "c"
	require.NotEqual(t, same, imports.Fingerprint([]imports.Record{a, b}))
}
