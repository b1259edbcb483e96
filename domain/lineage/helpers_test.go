package lineage_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
)

// exact is the tolerance of comparisons with exact values: every coefficient in these
// tests is a short dyadic fraction.
const exact = 1e-12

// rec is a record in test tables: {ID, sire, dam}, 0 for unknown.
func rec(id, sire, dam int64) lineage.Animal { return lineage.Animal{ID: id, Sire: sire, Dam: dam} }

// mustPedigree builds a pedigree or fails the test.
func mustPedigree(t testing.TB, animals []lineage.Animal) *lineage.Pedigree {
	t.Helper()
	p, err := lineage.NewPedigree(animals)
	require.NoError(t, err)
	return p
}

// tabularA is the numerator relationship matrix by Henderson's recursive (tabular) rules,
// for records where parents precede offspring. Unknown parents contribute 0.
//
//	A_ii = 1 + A_sd/2                  (0 when a parent is unknown)
//	A_ij = (A_i,sj + A_i,dj)/2 for i older than j
func tabularA(animals []lineage.Animal) [][]float64 {
	n := len(animals)
	pos := make(map[int64]int, n)
	for i, a := range animals {
		pos[a.ID] = i
	}
	parent := func(id int64) int {
		if id == 0 {
			return -1
		}
		return pos[id]
	}
	a := make([][]float64, n)
	for i := range a {
		a[i] = make([]float64, n)
	}
	get := func(i, j int) float64 {
		if i < 0 || j < 0 {
			return 0
		}
		return a[i][j]
	}
	for j := range n {
		s, d := parent(animals[j].Sire), parent(animals[j].Dam)
		for i := range j {
			a[i][j] = (get(i, s) + get(i, d)) / 2
			a[j][i] = a[i][j]
		}
		a[j][j] = 1 + get(s, d)/2
	}
	return a
}
