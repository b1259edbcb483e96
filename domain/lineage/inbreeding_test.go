package lineage_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
)

// classicCases are textbook pedigrees with their exact coefficients. Animals not listed in
// f have F = 0.
var classicCases = []struct {
	name    string
	animals []lineage.Animal
	f       map[int64]float64 // expected F by ID
	kin     [][3]float64      // {a, b, f_ab} expected coancestries
}{
	{
		name:    "unrelated parents",
		animals: []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2)},
		kin:     [][3]float64{{1, 2, 0}, {1, 3, 0.25}},
	},
	{
		name:    "full sibs",
		animals: []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2), rec(4, 1, 2), rec(5, 3, 4)},
		f:       map[int64]float64{5: 0.25},
		kin:     [][3]float64{{3, 4, 0.25}, {1, 5, 0.25}},
	},
	{
		name:    "half sibs",
		animals: []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 0, 0), rec(4, 1, 2), rec(5, 1, 3), rec(6, 4, 5)},
		f:       map[int64]float64{6: 0.125},
		kin:     [][3]float64{{4, 5, 0.125}},
	},
	{
		name:    "parent x offspring",
		animals: []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2), rec(4, 1, 3)},
		f:       map[int64]float64{4: 0.25},
		kin:     [][3]float64{{1, 3, 0.25}, {1, 4, 0.375}},
	},
	{
		name: "first cousins",
		animals: []lineage.Animal{
			rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2), rec(4, 1, 2), // 3 and 4 are full sibs
			rec(5, 0, 0), rec(6, 0, 0),
			rec(7, 3, 5), rec(8, 6, 4), // 7 and 8 are first cousins
			rec(9, 7, 8),
		},
		f:   map[int64]float64{9: 0.0625},
		kin: [][3]float64{{7, 8, 0.0625}, {3, 8, 0.125}},
	},
	{
		name: "double first cousins",
		animals: []lineage.Animal{
			rec(1, 0, 0), rec(2, 0, 0), rec(3, 0, 0), rec(4, 0, 0),
			rec(5, 1, 2), rec(6, 1, 2), // a brother and sister
			rec(7, 3, 4), rec(8, 3, 4), // another brother and sister
			rec(9, 5, 8), rec(10, 7, 6), // each brother with the other's sister
			rec(11, 9, 10),
		},
		f:   map[int64]float64{11: 0.125},
		kin: [][3]float64{{9, 10, 0.125}},
	},
	{
		// Wright's series for repeated full-sib mating: 0, .25, .375, .5, .59375.
		name: "repeated full-sib mating",
		animals: []lineage.Animal{
			rec(1, 0, 0), rec(2, 0, 0),
			rec(3, 1, 2), rec(4, 1, 2),
			rec(5, 3, 4), rec(6, 3, 4),
			rec(7, 5, 6), rec(8, 5, 6),
			rec(9, 7, 8), rec(10, 7, 8),
			rec(11, 9, 10),
		},
		f: map[int64]float64{5: 0.25, 6: 0.25, 7: 0.375, 8: 0.375, 9: 0.5, 10: 0.5, 11: 0.59375},
	},
	{
		// Half sibs through a common parent that is itself inbred (F = 1/4): the half-sib
		// 1/8 is scaled by 1 + F_A, giving 1/8 · 5/4.
		name: "inbred common ancestor",
		animals: []lineage.Animal{
			rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2), rec(4, 1, 2),
			rec(5, 3, 4), // F = 0.25
			rec(6, 0, 0), rec(7, 0, 0),
			rec(8, 5, 6), rec(9, 5, 7), // half sibs through 5
			rec(10, 8, 9),
		},
		f:   map[int64]float64{5: 0.25, 10: 0.15625},
		kin: [][3]float64{{5, 5, 0.625}, {8, 9, 0.15625}},
	},
	{
		name:    "one parent unknown",
		animals: []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2), rec(4, 1, 0), rec(5, 3, 4)},
		f:       map[int64]float64{5: 0.125},
		kin:     [][3]float64{{3, 4, 0.125}},
	},
	{
		name:    "selfing",
		animals: []lineage.Animal{rec(1, 0, 0), rec(2, 1, 1), rec(3, 2, 2)},
		f:       map[int64]float64{2: 0.5, 3: 0.75},
		kin:     [][3]float64{{1, 1, 0.5}, {2, 2, 0.75}},
	},
}

func TestInbreedingClassicCases(t *testing.T) {
	t.Parallel()
	for _, tc := range classicCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustPedigree(t, tc.animals)
			all := p.InbreedingAll()
			require.Len(t, all, len(tc.animals))
			for i, a := range tc.animals {
				want := tc.f[a.ID]
				require.InDelta(t, want, all[i], exact, "InbreedingAll, animal %d", a.ID)
				one, err := p.Inbreeding(a.ID)
				require.NoError(t, err)
				require.InDelta(t, want, one, exact, "Inbreeding(%d)", a.ID)
			}
		})
	}
}

func TestCoancestryClassicCases(t *testing.T) {
	t.Parallel()
	for _, tc := range classicCases {
		if len(tc.kin) == 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustPedigree(t, tc.animals)
			for _, k := range tc.kin {
				a, b := int64(k[0]), int64(k[1])
				for _, pair := range [][2]int64{{a, b}, {b, a}} {
					got, err := p.Coancestry(pair[0], pair[1])
					require.NoError(t, err)
					require.InDelta(t, k[2], got, exact, "Coancestry(%d, %d)", pair[0], pair[1])
				}
			}
		})
	}
}

// The offspring of a planned pairing has F equal to its parents' coancestry: check it on
// every pair of the classic pedigrees by adding the offspring for real.
func TestCoancestryIsOffspringInbreeding(t *testing.T) {
	t.Parallel()
	for _, tc := range classicCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustPedigree(t, tc.animals)
			for _, a := range tc.animals {
				for _, b := range tc.animals {
					kin, err := p.Coancestry(a.ID, b.ID)
					require.NoError(t, err)
					const child = 1000
					withChild := append(append([]lineage.Animal(nil), tc.animals...), rec(child, a.ID, b.ID))
					f, err := mustPedigree(t, withChild).Inbreeding(child)
					require.NoError(t, err)
					require.InDelta(t, f, kin, exact, "pairing %d x %d", a.ID, b.ID)
				}
			}
		})
	}
}

func TestQueriesUnknownAnimal(t *testing.T) {
	t.Parallel()
	p := mustPedigree(t, []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2)})
	tests := []struct {
		name string
		call func() error
	}{
		{"Inbreeding", func() error { _, err := p.Inbreeding(4); return err }},
		{"Coancestry first", func() error { _, err := p.Coancestry(4, 1); return err }},
		{"Coancestry second", func() error { _, err := p.Coancestry(1, 0); return err }},
		{"Completeness", func() error { _, err := p.Completeness(-3, 5); return err }},
		{"KnownAncestors", func() error { _, err := p.KnownAncestors(99, 5); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.call(), lineage.ErrNotFound)
		})
	}
}
