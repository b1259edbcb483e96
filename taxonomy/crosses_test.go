package taxonomy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/taxonomy"
)

// Published crosses on the shipped catalogues: the outcomes morph guides and genetics
// calculators give for these pairings (Punnett squares for single genes; products for
// independent genes).
func TestPredict_PublishedCrossesOnShippedCatalogues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		species, sire, dam string
		want               map[string]string
	}{
		// Ball python
		{"ball-python", "Pastel", "Pastel", map[string]string{"Super Pastel": "1/4", "Pastel": "1/2", "Normal": "1/4"}},
		{"ball-python", "het Clown", "het Clown", map[string]string{"Clown": "1/4", "Normal 66% poss het Clown": "3/4"}},
		{"ball-python", "Albino", "Piebald", map[string]string{"Normal het Albino het Piebald": "1"}},
		{"ball-python", "Lesser", "Mojave", map[string]string{"Blue-eyed Leucistic": "1/4", "Lesser": "1/4", "Mojave": "1/4", "Normal": "1/4"}},
		{"ball-python", "Spider", "Pastel", map[string]string{"Bumblebee": "1/4", "Spider": "1/4", "Pastel": "1/4", "Normal": "1/4"}},
		{"ball-python", "Super Pastel", "Spider", map[string]string{"Bumblebee": "1/2", "Pastel": "1/2"}},
		{"ball-python", "Spider", "Spider", map[string]string{"Spider": "2/3", "Normal": "1/3"}},
		{"ball-python", "Yellow Belly", "Yellow Belly", map[string]string{"Ivory": "1/4", "Yellow Belly": "1/2", "Normal": "1/4"}},
		{"ball-python", "Clown", "Clown", map[string]string{"Clown": "1"}},
		{"ball-python", "Albino", "het Albino", map[string]string{"Albino": "1/2", "Normal het Albino": "1/2"}},
		// Corn snake: Snow is Amel with Anery.
		{"corn-snake", "Amel", "Anery", map[string]string{"Normal het Amel het Anery": "1"}},
		{"corn-snake", "Snow", "Snow", map[string]string{"Snow": "1"}},
		{"corn-snake", "het Amel het Anery", "het Amel het Anery", map[string]string{
			"Snow": "1/16", "Amel 66% poss het Anery": "3/16", "Anery 66% poss het Amel": "3/16",
			"Normal 66% poss het Amel 66% poss het Anery": "9/16"}},
		{"corn-snake", "Amel", "Ultra", map[string]string{"Ultramel": "1"}},
		// Leopard gecko: three albino strains are not compatible.
		{"leopard-gecko", "Mack Snow", "Mack Snow", map[string]string{"Super Snow": "1/4", "Mack Snow": "1/2", "Normal": "1/4"}},
		{"leopard-gecko", "Tremper Albino", "Bell Albino", map[string]string{"Normal het Tremper Albino het Bell Albino": "1"}},
		{"leopard-gecko", "RAPTOR", "RAPTOR", map[string]string{"RAPTOR": "1"}},
	}
	for _, c := range cases {
		t.Run(c.species+": "+c.sire+" x "+c.dam, func(t *testing.T) {
			t.Parallel()
			sp, err := taxonomy.Lookup(c.species)
			require.NoError(t, err)
			sire, err := sp.Parse(c.sire, genetics.Male)
			require.NoError(t, err)
			dam, err := sp.Parse(c.dam, genetics.Female)
			require.NoError(t, err)
			p, err := sp.Predict(sire, dam)
			require.NoError(t, err)
			got := map[string]string{}
			for _, o := range p.Outcomes {
				got[o.Name] = o.Probability.String()
			}
			require.Equal(t, c.want, got)
		})
	}
}
