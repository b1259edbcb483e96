package animals

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/taxonomy"
)

// now is the clock of every check that looks at the date.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func ballPython(t *testing.T) *genetics.Species {
	t.Helper()
	sp, err := taxonomy.Lookup("ball-python")
	require.NoError(t, err)
	return sp
}

func newAnimal(sp *genetics.Species) store.Animal {
	return store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: sp.Key, Sex: genetics.Unknown,
		Status: "active", Visibility: "organization", GeneticsText: "Normal"}
}

func ptr[T any](v T) *T { return &v }

// requireRefused says err is a *FieldError on field whose message contains want.
func requireRefused(t *testing.T, err error, field, want string) {
	t.Helper()
	var refusal *FieldError
	require.ErrorAs(t, err, &refusal)
	require.Equal(t, field, refusal.Field)
	require.Contains(t, refusal.Message, want)
}

func TestApplyFields_RefusesEachFieldNamingItAndTheRule(t *testing.T) {
	t.Parallel()
	sp := ballPython(t)
	tooMany := map[string]string{}
	for i := range MaxIdentifiers + 1 {
		tooMany[strings.Repeat("k", i+1)] = "v"
	}
	cases := []struct {
		name         string
		changes      Changes
		field, claim string
	}{
		{"another species", Changes{Species: ptr("corn-snake")}, "species", "cannot change"},
		{"a sex that does not exist", Changes{Sex: ptr("both")}, "sex", "must be one of male, female, unknown"},
		{"a name too long", Changes{Name: ptr(strings.Repeat("é", maxNameLength+1))}, "name", "at most 120 characters"},
		{"a hatch date that is no date", Changes{HatchDate: ptr("31/05/2024")}, "hatch_date", "a date such as 2024-05-31"},
		{"a hatch date in the future", Changes{HatchDate: ptr("2026-06-03")}, "hatch_date", "cannot be in the future"},
		{"too many identifiers", Changes{Identifiers: tooMany}, "identifiers", "at most 20 identifiers"},
		{"an empty identifier key", Changes{Identifiers: map[string]string{"": "x"}}, "identifiers", "keys of 1 to 50 characters"},
		{"an identifier value too long", Changes{Identifiers: map[string]string{"tag": strings.Repeat("x", 201)}}, "identifiers", "values of at most 200"},
		{"the archived status", Changes{Status: ptr("archived")}, "status", "(archive with POST /archive)"},
		{"a visibility that does not exist", Changes{Visibility: ptr("friends")}, "visibility", "must be one of public, organization, private"},
		{"a misspelt gene", Changes{Genetics: ptr("Pastl")}, "genetics", "Pastl"},
		{"a provenance that does not exist", Changes{Genetics: ptr("het Clown"), GeneticsProvenance: map[string]string{"clown": "rumour"}},
			"genetics_provenance.clown", "must be one of visual_parent, proven, statistical"},
		{"a provenance of a gene the animal is not het for", Changes{Genetics: ptr("Pastel"), GeneticsProvenance: map[string]string{"clown": "proven"}},
			"genetics_provenance.clown", "names no het or possible het"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := newAnimal(sp)
			requireRefused(t, applyFields(sp, &a, c.changes, now), c.field, c.claim)
		})
	}
}

func TestApplyFields_SetsWhatItAccepts(t *testing.T) {
	t.Parallel()
	sp := ballPython(t)
	a := newAnimal(sp)
	err := applyFields(sp, &a, Changes{Species: ptr(sp.Key), Sex: ptr("female"), Name: ptr("  Nyx  "), HatchDate: ptr("2026-06-02"),
		Identifiers: map[string]string{"microchip": "900"}, Status: ptr("on_hold"), Visibility: ptr("public"),
		Genetics: ptr("Pastel het Clown"), GeneticsProvenance: map[string]string{"clown": "proven"}}, now)
	require.NoError(t, err)
	require.Equal(t, genetics.Female, a.Sex)
	require.Equal(t, "Nyx", a.Name)
	require.Equal(t, "2026-06-02", a.HatchDate.Format(time.DateOnly), "a day ahead of now is today somewhere")
	require.Equal(t, map[string]string{"microchip": "900"}, a.Identifiers)
	require.Equal(t, "on_hold", a.Status)
	require.Equal(t, "public", a.Visibility)
	require.Equal(t, "Pastel het Clown", a.GeneticsText)
	for _, c := range a.Genetics {
		if c.Gene == "clown" {
			require.Equal(t, genetics.ProvenByBreeding, c.Provenance)
		}
	}

	require.NoError(t, applyFields(sp, &a, Changes{HatchDate: ptr("")}, now))
	require.Nil(t, a.HatchDate, "an empty hatch date clears it")
}

func TestApplyFields_KeepsTheStoredGeneticsWhenOnlyTheSexChanges(t *testing.T) {
	t.Parallel()
	sp := ballPython(t)
	a := newAnimal(sp)
	require.NoError(t, applyFields(sp, &a, Changes{Genetics: ptr("Pastel het Clown")}, now))
	require.NoError(t, applyFields(sp, &a, Changes{Sex: ptr("male")}, now))
	require.Equal(t, "Pastel het Clown", a.GeneticsText)
	require.Len(t, a.Genetics, 2)
}

func TestGeneticsRefusal_PassesOtherErrorsAsTheyAre(t *testing.T) {
	t.Parallel()
	other := errors.New("database down")
	require.Same(t, other, GeneticsRefusal("genetics", other))
	requireRefused(t, GeneticsRefusal("sire.looks", &genetics.InvalidError{Gene: "clown", Reason: "no such copy"}), "sire.looks", "clown")
}

func TestParentRule_RefusesWhatNoParentCanBe(t *testing.T) {
	t.Parallel()
	sp := ballPython(t)
	child := newAnimal(sp)
	child.HatchDate = ptr(time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC))
	male := store.ParentCandidate{ID: uuid.New(), PublicID: "SIRE", SpeciesKey: sp.Key, Sex: genetics.Male}
	cases := []struct {
		name   string
		field  string
		parent func(p *store.ParentCandidate)
		claim  string // empty when the parent is accepted
	}{
		{"itself", "sire_id", func(p *store.ParentCandidate) { p.ID = child.ID }, "an animal cannot be its own sire"},
		{"another species", "sire_id", func(p *store.ParentCandidate) { p.SpeciesKey = "corn-snake" }, "the sire is a corn-snake, the animal a ball-python"},
		{"a male dam", "dam_id", func(*store.ParentCandidate) {}, "the dam must be female, and SIRE is male"},
		{"hatched the same day", "sire_id", func(p *store.ParentCandidate) { p.HatchDate = child.HatchDate },
			"the sire hatched 2024-05-31, not before the animal (2024-05-31)"},
		{"a male sire hatched before", "sire_id", func(p *store.ParentCandidate) { p.HatchDate = ptr(child.HatchDate.AddDate(-2, 0, 0)) }, ""},
		{"a male sire of unknown age", "sire_id", func(*store.ParentCandidate) {}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := male
			c.parent(&p)
			err := parentRule(c.field, &child, p)
			if c.claim == "" {
				require.NoError(t, err)
				return
			}
			requireRefused(t, err, c.field, c.claim)
		})
	}
}
