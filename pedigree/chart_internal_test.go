package pedigree

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
)

// The database's walk is put in the graph's form: the root first, each parent by position,
// and a parent outside the walk (past the last generation) as unknown.
func TestAncestorsOf_PlacesParentsByPosition(t *testing.T) {
	t.Parallel()
	root, sire, dam, grandsire := num(1), num(2), num(3), num(4)
	nodes := []store.PedigreeNode{
		{ID: root, SireID: &sire, DamID: &dam, Depth: 0, Card: store.AnimalCard{PublicID: "root"}},
		{ID: sire, SireID: &grandsire, Depth: 1, Card: store.AnimalCard{PublicID: "sire"}},
		{ID: dam, Depth: 1, Card: store.AnimalCard{PublicID: "dam"}},
	}
	a, cards := ancestorsOf(nodes)
	require.Equal(t, []uuid.UUID{root, sire, dam}, a.IDs)
	require.Equal(t, []int32{1, -1, -1}, a.Sire)
	require.Equal(t, []int32{2, -1, -1}, a.Dam)
	require.Len(t, cards, 3)
	for i, want := range []string{"root", "sire", "dam"} {
		require.Equal(t, want, cards[i].PublicID)
	}
}
