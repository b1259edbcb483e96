package lineage_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
)

// fullTree is a complete pedigree of the given depth above animal 1, numbered like a heap:
// animal k has sire 2k and dam 2k+1; the deepest generation are founders.
func fullTree(depth int) []lineage.Animal {
	last := int64(1)<<(depth+1) - 1
	var animals []lineage.Animal
	for k := last; k >= 1; k-- { // parents first
		if 2*k > last {
			animals = append(animals, rec(k, 0, 0))
		} else {
			animals = append(animals, rec(k, 2*k, 2*k+1))
		}
	}
	return animals
}

func TestCompleteness(t *testing.T) {
	t.Parallel()
	fullSibChain := classicCases[6].animals // animal 11 after five generations of full-sib mating
	require.Equal(t, "repeated full-sib mating", classicCases[6].name)
	mrode := referenceCases[0].animals
	tests := []struct {
		name        string
		animals     []lineage.Animal
		id          int64
		generations int
		known       []int
		pci         float64
	}{
		{"full pedigree, distinct ancestors", fullTree(5), 1, 5, []int{2, 4, 8, 16, 32}, 1},
		{"full pedigree, one generation short", fullTree(5), 1, 6, []int{2, 4, 8, 16, 32, 0}, 5.0 / 6},
		{"full pedigree through inbreeding", fullSibChain, 11, 5, []int{2, 4, 8, 16, 32}, 1},
		{"no parents", fullTree(2), 7, 5, []int{0, 0, 0, 0, 0}, 0},
		{
			// Only the sire is known, with a complete line: MacCluer's harmonic mean is 0
			// as soon as one side is empty.
			"only the sire known",
			append(fullTree(3), rec(100, 1, 0)), 100, 4, []int{1, 2, 4, 8}, 0,
		},
		{
			// C_sire = (1 + 2/2)/2 = 1, C_dam = (1 + 1/2)/2 = 3/4, PCI = 2·(3/4)/(7/4) = 6/7.
			"dam missing a parent",
			[]lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2), rec(4, 0, 0), rec(5, 4, 0), rec(6, 3, 5)},
			6, 2, []int{2, 3}, 6.0 / 7,
		},
		{
			// C_sire = (1 + 0 + 0)/3 = 1/3, C_dam = 1, PCI = 2·(1/3)/(4/3) = 1/2.
			"sire without parents",
			[]lineage.Animal{
				rec(1, 0, 0), rec(2, 0, 0), rec(3, 0, 0), rec(4, 0, 0),
				rec(5, 1, 2), rec(6, 3, 4), rec(7, 5, 6), rec(8, 0, 0), rec(9, 8, 7),
			},
			9, 3, []int{2, 2, 4}, 0.5,
		},
		{
			// Mrode's calf 6 (sire 5 of 4 × 3, dam 2 a founder): C_sire = (1 + 2/2 + 3/4)/3 =
			// 11/12, C_dam = 1/3, PCI = 2·(11/36)/(15/12) = 22/45.
			"Mrode calf 6",
			mrode, 6, 3, []int{2, 2, 3}, 22.0 / 45,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustPedigree(t, tc.animals)
			known, err := p.KnownAncestors(tc.id, tc.generations)
			require.NoError(t, err)
			require.Equal(t, tc.known, known)
			pci, err := p.Completeness(tc.id, tc.generations)
			require.NoError(t, err)
			require.InDelta(t, tc.pci, pci, exact)
		})
	}
}

func TestCompletenessGenerationsRange(t *testing.T) {
	t.Parallel()
	p := mustPedigree(t, fullTree(2))
	for _, g := range []int{-1, 0, lineage.MaxGenerations + 1} {
		t.Run(fmt.Sprint(g), func(t *testing.T) {
			t.Parallel()
			_, err := p.Completeness(1, g)
			require.ErrorIs(t, err, lineage.ErrGenerations)
			_, err = p.KnownAncestors(1, g)
			require.ErrorIs(t, err, lineage.ErrGenerations)
		})
	}
	known, err := p.KnownAncestors(1, lineage.MaxGenerations)
	require.NoError(t, err)
	require.Equal(t, []int{2, 4}, known[:2])
	require.Zero(t, known[lineage.MaxGenerations-1])
}

// KnownAncestors agrees with walking every position of the pedigree tree, and Completeness
// with MacCluer's formula on the two halves of that walk.
func TestKnownAncestorsMatchesTreeWalk(t *testing.T) {
	t.Parallel()
	for seed := range uint64(100) {
		rng := rand.New(rand.NewPCG(seed, 3))
		animals := randomPedigree(rng)
		byID := make(map[int64]lineage.Animal, len(animals))
		for _, a := range animals {
			byID[a.ID] = a
		}
		// walk adds, for each generation, the known positions above id.
		var walk func(id int64, g int, counts []int)
		walk = func(id int64, g int, counts []int) {
			if g == len(counts) || id == 0 {
				return
			}
			for _, par := range []int64{byID[id].Sire, byID[id].Dam} {
				if par != 0 {
					counts[g]++
					walk(par, g+1, counts)
				}
			}
		}
		p := mustPedigree(t, animals)
		const gens = 8
		for _, a := range animals {
			want := make([]int, gens)
			walk(a.ID, 0, want)
			got, err := p.KnownAncestors(a.ID, gens)
			require.NoError(t, err)
			require.Equal(t, want, got, "seed %d, animal %d", seed, a.ID)

			side := func(parent int64) float64 {
				if parent == 0 {
					return 0
				}
				counts := make([]int, gens)
				counts[0] = 1
				walk(parent, 1, counts)
				var c float64
				for g, k := range counts {
					c += float64(k) / float64(int(1)<<g)
				}
				return c / gens
			}
			cs, cd := side(a.Sire), side(a.Dam)
			wantPCI := 0.0
			if cs > 0 && cd > 0 {
				wantPCI = 2 * cs * cd / (cs + cd)
			}
			pci, err := p.Completeness(a.ID, gens)
			require.NoError(t, err)
			require.InDelta(t, wantPCI, pci, exact, "seed %d, animal %d", seed, a.ID)
		}
	}
}
