package lineage_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
)

// Published pedigrees with their published coefficients.
var referenceCases = []struct {
	name    string
	animals []lineage.Animal
	f       []float64            // F of every animal, in record order
	a       map[[2]int64]float64 // additive relationships A_ij = 2 f_ij
}{
	{
		// R. A. Mrode, Linear Models for the Prediction of Animal Breeding Values, Table 2.1
		// (the pedigree of sections 2.2 and 2.4.1): calf 3 of 1 × 2, calf 4 of 1 × unknown,
		// calf 5 of 4 × 3, calf 6 of 5 × 2. The book's A matrix of section 2.2 has
		// diag(A) = 1 + F = (1, 1, 1, 1, 1.125, 1.125), and section 2.6 repeats the
		// relationships among sires 1, 4 and 5: A_14 = A_15 = 0.5, A_45 = 0.625, A_55 =
		// 1.125. The book prints off-diagonals to three decimals (0.563, 0.313, 0.688); the
		// exact values are given here.
		name: "Mrode table 2.1",
		animals: []lineage.Animal{
			rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2), rec(4, 1, 0), rec(5, 4, 3), rec(6, 5, 2),
		},
		f: []float64{0, 0, 0, 0, 0.125, 0.125},
		a: map[[2]int64]float64{
			{1, 4}: 0.5, {1, 5}: 0.5, {4, 5}: 0.625, {5, 5}: 1.125,
			{1, 2}: 0, {1, 3}: 0.5, {1, 6}: 0.25, {2, 5}: 0.25, {2, 6}: 0.625,
			{3, 4}: 0.25, {3, 5}: 0.625, {3, 6}: 0.5625, {4, 6}: 0.3125, {5, 6}: 0.6875,
			{6, 6}: 1.125,
		},
	},
	{
		// The 12-animal example pedigree of the R package FnR (M. A. Nilforooshan, README of
		// github.com/nilforooshan/FnR), whose inbreeding coefficients are computed there
		// by Meuwissen & Luo (1992) and whose relationships by Van Vleck (2007,
		// Genet. Mol. Res. 6:685): F = 0 except F_10 = 0.25 and F_11 = 0.015625.
		name: "FnR example",
		animals: []lineage.Animal{
			rec(1, 0, 0), rec(2, 0, 0), rec(3, 0, 0), rec(4, 2, 1), rec(5, 2, 1), rec(6, 0, 0),
			rec(7, 4, 3), rec(8, 6, 5), rec(9, 0, 7), rec(10, 6, 8), rec(11, 10, 9), rec(12, 10, 0),
		},
		f: []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0.25, 0.015625, 0},
		a: map[[2]int64]float64{
			{12, 11}: 0.3203125, {12, 8}: 0.375, {6, 11}: 0.375, {6, 8}: 0.5,
			{7, 8}: 0.125, {7, 9}: 0.5,
			{2, 4}: 0.5, {2, 10}: 0.125, {6, 4}: 0, {6, 10}: 0.75,
		},
	},
}

func TestReferencePedigrees(t *testing.T) {
	t.Parallel()
	for _, tc := range referenceCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustPedigree(t, tc.animals)
			require.InDeltaSlice(t, tc.f, p.InbreedingAll(), exact)
			for i, a := range tc.animals {
				f, err := p.Inbreeding(a.ID)
				require.NoError(t, err)
				require.InDelta(t, tc.f[i], f, exact, "Inbreeding(%d)", a.ID)
			}
			for pair, want := range tc.a {
				got, err := p.Coancestry(pair[0], pair[1])
				require.NoError(t, err)
				require.InDelta(t, want/2, got, exact, "Coancestry(%d, %d)", pair[0], pair[1])
			}
		})
	}
}
