package animals

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

func TestReplacementRule_TheRealAnimalIsOfTheReferencesSpeciesAndSex(t *testing.T) {
	t.Parallel()
	sp := ballPython(t)
	ref := newAnimal(sp)
	ref.IsReference = true
	cases := []struct {
		name   string
		ref    genetics.Sex
		actual store.ParentCandidate
		claim  string // empty when the real animal is accepted
	}{
		{"another species", genetics.Female, store.ParentCandidate{SpeciesKey: "corn-snake", Sex: genetics.Female}, "is a corn-snake, the reference a ball-python"},
		{"another sex", genetics.Female, store.ParentCandidate{SpeciesKey: sp.Key, Sex: genetics.Male}, "is male, the reference female"},
		{"the same species and sex", genetics.Female, store.ParentCandidate{SpeciesKey: sp.Key, Sex: genetics.Female}, ""},
		{"any sex for a reference of unknown sex", genetics.Unknown, store.ParentCandidate{SpeciesKey: sp.Key, Sex: genetics.Male}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := ref
			r.Sex = c.ref
			err := replacementRule(r, c.actual)
			if c.claim == "" {
				require.NoError(t, err)
				return
			}
			requireRefused(t, err, "animal_id", c.claim)
		})
	}
}

func TestChildRule_TheRealAnimalCanBeTheParentOfEachChild(t *testing.T) {
	t.Parallel()
	hatched := time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC)
	older := hatched.AddDate(-3, 0, 0)
	sire := store.ParentCandidate{ID: uuid.New(), Sex: genetics.Male, HatchDate: &older}
	cases := []struct {
		name   string
		actual store.ParentCandidate
		child  store.Child
		claim  string // empty when the real animal is accepted
	}{
		{"a male for a child's dam", sire, store.Child{HatchDate: &hatched}, "is male but the reference is a child's dam"},
		{"a female for a child's sire", store.ParentCandidate{Sex: genetics.Female}, store.Child{ViaSire: true}, "is female but the reference is a child's sire"},
		{"hatched after the child", store.ParentCandidate{Sex: genetics.Male, HatchDate: ptr(hatched.AddDate(0, 0, 1))},
			store.Child{ViaSire: true, HatchDate: &hatched}, "hatched 2024-06-01, not before a child of the reference (2024-05-31)"},
		{"an older male for a child's sire", sire, store.Child{ViaSire: true, HatchDate: &hatched}, ""},
		{"a male for a child of unknown age", sire, store.Child{ViaSire: true}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := childRule(c.actual, c.child)
			if c.claim == "" {
				require.NoError(t, err)
				return
			}
			requireRefused(t, err, "animal_id", c.claim)
		})
	}
}
