package lineage_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
)

// nearest bounds records the way the API loads a pedigree, and builds it.
func nearest(t testing.TB, animals []lineage.Animal, maxAncestors int, roots ...int64) (*lineage.Pedigree, lineage.Extent) {
	t.Helper()
	byID := make(map[int64]lineage.Animal, len(animals))
	for _, a := range animals {
		byID[a.ID] = a
	}
	bounded, keys, ext := lineage.Nearest(roots, maxAncestors, 0, func(id int64) (int64, int64, bool) {
		a, ok := byID[id]
		return a.Sire, a.Dam, ok
	})
	for k, key := range keys[:len(roots)] {
		require.Equal(t, roots[k], key, "the roots come first, in order")
	}
	// Give the records back their own IDs, so that tests ask about the same animals.
	ids := make(map[int64]int64, len(keys))
	for k, key := range keys {
		ids[int64(k+1)] = key
	}
	for k := range bounded {
		bounded[k] = lineage.Animal{ID: ids[bounded[k].ID], Sire: ids[bounded[k].Sire], Dam: ids[bounded[k].Dam]}
	}
	return mustPedigree(t, bounded), ext
}

func TestNearest_PedigreesWithinTheBoundAreWholeAndExact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		animals     []lineage.Animal
		sire, dam   int64
		ancestors   int
		generations int
	}{
		{"parents of a complete 10-generation pedigree, 2,044 ancestors", fullTree(10), 2, 3, 2044, 9},
		{"half sibs", []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 0, 0), rec(4, 1, 2), rec(5, 1, 3)}, 4, 5, 3, 1},
		{"parent and offspring", []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2)}, 1, 3, 1, 1},
		{"two-wide chain of 1,000", twoWideChain(1_000), 999, 1_000, 998, 333},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			whole := mustPedigree(t, tc.animals)
			want, err := whole.Coancestry(tc.sire, tc.dam)
			require.NoError(t, err)
			p, ext := nearest(t, tc.animals, lineage.MaxAncestors, tc.sire, tc.dam)
			require.False(t, ext.Truncated)
			require.Equal(t, tc.ancestors, ext.Ancestors, "every ancestor of both")
			require.Equal(t, tc.generations, ext.Generations)
			got, err := p.Coancestry(tc.sire, tc.dam)
			require.NoError(t, err)
			require.InDelta(t, want, got, exact)
		})
	}
}

func TestNearest_TwoWideChainIsBoundedAndSaysSo(t *testing.T) {
	t.Parallel()
	chain := twoWideChain(20_000)
	p, ext := nearest(t, chain, lineage.MaxAncestors, 19_999, 20_000)
	require.True(t, ext.Truncated)
	require.LessOrEqual(t, ext.Ancestors, lineage.MaxAncestors)
	require.Equal(t, ext.Ancestors+2, p.Len())
	require.Greater(t, ext.Generations, 800, "each generation back adds about three ancestors")
	f, err := p.Coancestry(19_999, 20_000)
	require.NoError(t, err)
	require.Greater(t, f, 0.0)

	// A chain small enough to compute whole: the bounded F is a lower bound, and a close one.
	small := twoWideChain(6_000)
	whole, err := mustPedigree(t, small).Coancestry(5_999, 6_000)
	require.NoError(t, err)
	bp, ext := nearest(t, small, lineage.MaxAncestors, 5_999, 6_000)
	require.True(t, ext.Truncated)
	bounded, err := bp.Coancestry(5_999, 6_000)
	require.NoError(t, err)
	require.LessOrEqual(t, bounded, whole+exact)
	require.InDelta(t, whole, bounded, 1e-6)
}

func TestNearest_LeavesOutWholeGenerationsOnly(t *testing.T) {
	t.Parallel()
	tree := fullTree(3) // animal 1; 2 parents, 4 grandparents, 8 great-grandparents
	for _, tc := range []struct {
		max, ancestors, generations int
		truncated                   bool
	}{
		{max: 14, ancestors: 14, generations: 3},
		{max: 13, ancestors: 6, generations: 2, truncated: true},
		{max: 6, ancestors: 6, generations: 2, truncated: true},
		{max: 5, ancestors: 2, generations: 1, truncated: true},
		{max: 1, ancestors: 0, generations: 0, truncated: true},
	} {
		p, ext := nearest(t, tree, tc.max, 1)
		require.Equal(t, lineage.Extent{Ancestors: tc.ancestors, Generations: tc.generations, Truncated: tc.truncated}, ext, "max %d", tc.max)
		known, err := p.KnownAncestors(1, 3)
		require.NoError(t, err)
		want := []int{2, 4, 8}
		for g := tc.generations; g < 3; g++ {
			want[g] = 0
		}
		require.Equal(t, want, known, "max %d", tc.max)
	}
}

func TestNearest_KeepsLinksToNearerAncestorsWhenCutting(t *testing.T) {
	t.Parallel()
	// 4 is 1 × 3, and 3 is a daughter of 1: 1 is both a parent and a grandparent of 4.
	animals := []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2), rec(4, 1, 3)}
	p, ext := nearest(t, animals, 2, 4)
	require.Equal(t, lineage.Extent{Ancestors: 2, Generations: 1, Truncated: true}, ext)
	f, err := p.Inbreeding(4)
	require.NoError(t, err)
	require.InDelta(t, 0.25, f, exact, "3's link to its sire 1 is kept; only its dam 2 is cut")
}

func TestNearest_AnAncestorWithoutRecordIsAFounderAndTruncates(t *testing.T) {
	t.Parallel()
	bounded, keys, ext := lineage.Nearest([]int64{3}, 10, 0, func(id int64) (int64, int64, bool) {
		if id == 3 {
			return 1, 2, true
		}
		return 0, 0, id == 1
	})
	require.Equal(t, []int64{3, 1, 2}, keys)
	require.Equal(t, []lineage.Animal{rec(1, 2, 3), rec(2, 0, 0), rec(3, 0, 0)}, bounded)
	require.Equal(t, lineage.Extent{Ancestors: 2, Generations: 1, Truncated: true}, ext)
}
