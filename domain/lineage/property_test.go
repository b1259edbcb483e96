package lineage_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
)

// randomPedigree returns up to 40 records, parents before offspring, with sparse random
// IDs (negative ones too), unknown parents, heavy reuse of a few parents (so there is
// inbreeding) and the occasional selfing.
func randomPedigree(rng *rand.Rand) []lineage.Animal {
	n := 1 + rng.IntN(40)
	animals := make([]lineage.Animal, n)
	used := map[int64]bool{0: true}
	pick := func(i int) int64 {
		if i == 0 || rng.IntN(6) == 0 {
			return 0
		}
		// Favour recent animals, as breeders do.
		lo := max(0, i-1-rng.IntN(8))
		return animals[lo+rng.IntN(i-lo)].ID
	}
	for i := range animals {
		id := int64(rng.IntN(1000) - 200)
		for used[id] {
			id = int64(rng.IntN(1000) - 200)
		}
		used[id] = true
		a := lineage.Animal{ID: id, Sire: pick(i), Dam: pick(i)}
		if a.Sire != 0 && a.Sire == a.Dam && rng.IntN(4) != 0 {
			a.Dam = 0 // keep selfing rare
		}
		animals[i] = a
	}
	return animals
}

// For random small pedigrees, every query agrees with the numerator relationship matrix
// built by the tabular method: F_i = A_ii − 1 and f_ij = A_ij / 2.
func TestMatchesTabularMethod(t *testing.T) {
	t.Parallel()
	for seed := range uint64(200) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 42))
			animals := randomPedigree(rng)
			a := tabularA(animals)

			// The records are shuffled so that NewPedigree has to order them.
			shuffled := append([]lineage.Animal(nil), animals...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			pos := make(map[int64]int, len(animals))
			for i, r := range animals {
				pos[r.ID] = i
			}
			p := mustPedigree(t, shuffled)
			all := p.InbreedingAll()
			for k, r := range shuffled {
				i := pos[r.ID]
				require.InDelta(t, a[i][i]-1, all[k], exact, "InbreedingAll, animal %d", r.ID)
				f, err := p.Inbreeding(r.ID)
				require.NoError(t, err)
				require.InDelta(t, a[i][i]-1, f, exact, "Inbreeding(%d)", r.ID)
			}
			// Every pair (f is symmetric); mismatches are collected, as per-pair assertions are slow under -race.
			var bad []string
			for i, x := range animals {
				for j, y := range animals[i:] {
					j += i
					f, err := p.Coancestry(x.ID, y.ID)
					require.NoError(t, err)
					if math.Abs(a[i][j]/2-f) > exact && len(bad) < 5 {
						bad = append(bad, fmt.Sprintf("Coancestry(%d, %d) = %v, want %v", x.ID, y.ID, f, a[i][j]/2))
					}
				}
			}
			require.Empty(t, bad)
		})
	}
}

// The dense path gives the same coefficients as the record path.
func TestFromIndexMatchesRecords(t *testing.T) {
	t.Parallel()
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 7))
		animals := randomPedigree(rng)
		pos := make(map[int64]int32, len(animals))
		for i, r := range animals {
			pos[r.ID] = int32(i)
		}
		sire := make([]int32, len(animals))
		dam := make([]int32, len(animals))
		for i, r := range animals {
			sire[i], dam[i] = -1, -1
			if r.Sire != 0 {
				sire[i] = pos[r.Sire]
			}
			if r.Dam != 0 {
				dam[i] = pos[r.Dam]
			}
		}
		dense, err := lineage.NewPedigreeFromIndex(sire, dam)
		require.NoError(t, err)
		want := mustPedigree(t, animals).InbreedingAll()
		require.InDeltaSlice(t, want, dense.InbreedingAll(), exact, "seed %d", seed)
		for i := range animals {
			f, err := dense.Inbreeding(int64(i) + 1) // dense IDs are index+1
			require.NoError(t, err)
			require.InDelta(t, want[i], f, exact, "seed %d, index %d", seed, i)
		}
	}
}
