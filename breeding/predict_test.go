package breeding_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/breeding"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/taxonomy"
)

// shipped are the shipped species catalogues, refusing an unknown key under its field.
var shipped = breeding.Deps{Species: func(_ context.Context, key, field string) (*genetics.Species, error) {
	sp, err := taxonomy.Lookup(key)
	if err != nil {
		return nil, &breeding.InvalidError{Field: field, Message: "is not a known species"}
	}
	return sp, nil
}}

func TestPredictionQuery_ValidateWantsEachSideOneWay(t *testing.T) {
	t.Parallel()
	animal, text := breeding.Parent{AnimalID: "A"}, breeding.Parent{Genetics: "Pastel"}
	require.NoError(t, breeding.PredictionQuery{Sire: animal, Dam: text}.Validate())
	requireInvalid(t, breeding.PredictionQuery{Dam: text}.Validate(), "sire")
	requireInvalid(t, breeding.PredictionQuery{Sire: text, Dam: breeding.Parent{AnimalID: "A", Genetics: "Pastel"}}.Validate(), "dam")
}

// Two genotypes given as text are predicted without reading the database, and have no
// inbreeding coefficient.
func TestPredict_FromGenotypesReadsNothing(t *testing.T) {
	t.Parallel()
	p, err := breeding.Predict(context.Background(), nil, shipped, breeding.PredictionQuery{Species: "ball-python",
		Sire: breeding.Parent{Genetics: "het Clown"}, Dam: breeding.Parent{Genetics: "het Clown"}})
	require.NoError(t, err)
	got := map[string]string{}
	for _, o := range p.Offspring.Outcomes {
		got[o.Name] = o.Probability.String()
	}
	require.Equal(t, map[string]string{"Clown": "1/4", "Normal 66% poss het Clown": "3/4"}, got)
	require.Equal(t, "Normal het Clown", p.Species.Format(p.Sire))
	require.Nil(t, p.COI)
	require.Nil(t, p.OffspringCOI())
}

func TestPredict_RefusesBadInputNamingTheField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		q     breeding.PredictionQuery
		field string
	}{
		{"unknown gene", breeding.PredictionQuery{Species: "ball-python", Sire: breeding.Parent{Genetics: "Pastle"}, Dam: breeding.Parent{Genetics: "Normal"}}, "sire.genetics"},
		{"missing side", breeding.PredictionQuery{Species: "ball-python", Sire: breeding.Parent{Genetics: "Pastel"}}, "dam"},
		{"missing species", breeding.PredictionQuery{Sire: breeding.Parent{Genetics: "Pastel"}, Dam: breeding.Parent{Genetics: "Pastel"}}, "species"},
		{"unknown species", breeding.PredictionQuery{Species: "dragon", Sire: breeding.Parent{Genetics: "Pastel"}, Dam: breeding.Parent{Genetics: "Pastel"}}, "species"},
		{"sex-linked super on the dam", breeding.PredictionQuery{Species: "ball-python", Sire: breeding.Parent{Genetics: "Normal"}, Dam: breeding.Parent{Genetics: "Super Banana"}}, "dam.genetics"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := breeding.Predict(context.Background(), nil, shipped, c.q)
			requireInvalid(t, err, c.field)
		})
	}
}
