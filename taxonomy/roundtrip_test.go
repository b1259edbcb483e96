package taxonomy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/taxonomy"
)

// The canonical text of a genotype parses back to it on the shipped catalogues, including
// compounds that several allele pairs share a name with (every BEL of the ball python).
func TestFormat_ParsesBackOnShippedCatalogues(t *testing.T) {
	t.Parallel()
	sp, err := taxonomy.Lookup("ball-python")
	require.NoError(t, err)
	for _, text := range []string{"Lesser Mojave", "Butter Mojave", "Bumblebee het Clown", "Pastel Lesser Mojave 66% poss het Piebald", "Super Pastel Enchi"} {
		g, err := sp.Parse(text, genetics.Male)
		require.NoError(t, err, text)
		again, err := sp.Parse(sp.Format(g), genetics.Male)
		require.NoError(t, err, "%s formats as %q", text, sp.Format(g))
		require.Equal(t, g, again, text)
	}
	visual, _ := sp.Describe(mustParse(t, sp, "Lesser Mojave"))
	require.Equal(t, []string{"Blue-eyed Leucistic"}, visual, "displays still use the breeders' name")
}

func mustParse(t *testing.T, sp *genetics.Species, text string) genetics.Genotype {
	t.Helper()
	g, err := sp.Parse(text, genetics.Male)
	require.NoError(t, err)
	return g
}
