package breeding

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/taxonomy"
)

// clownPair is a Pastel het Clown male and a Clown female, as genotypes.
func clownPair(t *testing.T) (*genetics.Species, [2]parent) {
	t.Helper()
	sp, err := taxonomy.Lookup("ball-python")
	require.NoError(t, err)
	sire, err := sp.Parse("Pastel het Clown", genetics.Male)
	require.NoError(t, err)
	dam, err := sp.Parse("Clown", genetics.Female)
	require.NoError(t, err)
	return sp, [2]parent{{gt: sire, animal: true}, {gt: dam, animal: true}}
}

// A hatchling's hets come from its parents: certain from a visual parent, and what it looks
// like must be a possible outcome of the pairing.
func TestHatchlingAnimal_InheritsHetsFromThePairing(t *testing.T) {
	t.Parallel()
	sp, parents := clownPair(t)
	cases := []struct {
		name       string
		h          Hatchling
		genetics   string
		provenance genetics.Provenance
	}{
		{"visual of both", Hatchling{Sex: "male", Looks: "Pastel Clown", Name: " Pip "}, "Pastel Clown", ""},
		{"non-visual", Hatchling{Sex: "female", Looks: "Pastel"}, "Pastel het Clown", genetics.FromVisualParent},
		{"normal of unknown sex", Hatchling{}, "Normal het Clown", genetics.FromVisualParent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, err := hatchlingAnimal(sp, parents, c.h, "hatchlings[0]")
			require.NoError(t, err)
			require.Equal(t, c.genetics, a.GeneticsText)
			require.Equal(t, "ball-python", a.SpeciesKey)
			require.Equal(t, "active", a.Status)
			require.Equal(t, strings.TrimSpace(c.h.Name), a.Name)
			for _, claim := range a.Genetics {
				if claim.Kind == genetics.Het {
					require.Equal(t, c.provenance, claim.Provenance)
				}
			}
		})
	}
}

func TestHatchlingAnimal_RefusesWhatThePairingCannotGive(t *testing.T) {
	t.Parallel()
	sp, parents := clownPair(t)
	cases := []struct {
		name    string
		h       Hatchling
		field   string
		message string
	}{
		{"impossible look", Hatchling{Looks: "Super Pastel"}, "hatchlings[3].looks", "Super Pastel is not a possible outcome of this pairing"},
		{"a het as a look", Hatchling{Looks: "het Clown"}, "hatchlings[3].looks", "names what the hatchling shows; its hets come from the pairing"},
		{"unknown gene", Hatchling{Looks: "Pastle"}, "hatchlings[3].looks", ""},
		{"unknown sex", Hatchling{Sex: "both"}, "hatchlings[3].sex", "must be one of male, female, unknown"},
		{"long name", Hatchling{Name: strings.Repeat("é", 121)}, "hatchlings[3].name", "must be at most 120 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := hatchlingAnimal(sp, parents, c.h, "hatchlings[3]")
			var inv *InvalidError
			require.True(t, errors.As(err, &inv), "%v", err)
			require.Equal(t, c.field, inv.Field)
			if c.message != "" {
				require.Equal(t, c.message, inv.Message)
			}
		})
	}
}
