package animals

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
)

func TestFilter_CheckRefusesWhatNoAnimalHas(t *testing.T) {
	t.Parallel()
	sp := ballPython(t)
	errUnknown := errors.New("unknown species")
	catalogue := func(_ context.Context, key string) (*genetics.Species, error) {
		if key != sp.Key {
			return nil, errUnknown
		}
		return sp, nil
	}
	cases := []struct {
		name         string
		filter       Filter
		field, claim string
	}{
		{"a sex that does not exist", Filter{Sex: "both"}, "sex", "must be one of male, female, unknown"},
		{"a status that does not exist", Filter{Status: "lost"}, "status", "must be one of active, on_hold, sold, deceased, archived"},
		{"a gene of no species", Filter{Species: sp.Key, Gene: "unicorn"}, "gene", "is not a gene key of Ball python (see /api/v1/taxonomy/species/ball-python)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			requireRefused(t, c.filter.Check(t.Context(), catalogue), c.field, c.claim)
		})
	}
	require.ErrorIs(t, Filter{Species: "boa"}.Check(t.Context(), catalogue), errUnknown)
	require.NoError(t, Filter{Species: sp.Key, Gene: "clown", Sex: "female", Status: "archived"}.Check(t.Context(), catalogue))
	require.NoError(t, Filter{Gene: "anything"}.Check(t.Context(), catalogue), "a gene names a key of the species only when one is given")
}

func TestList_RefusesAPageOfNoAnimals(t *testing.T) {
	t.Parallel()
	_, err := List(t.Context(), nil, Filter{Limit: 0})
	require.ErrorContains(t, err, "a page of 0 animals")
}
