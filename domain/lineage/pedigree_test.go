package lineage_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
)

func TestNewPedigreeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		animals []lineage.Animal
		want    error
		names   string // text the message must contain
	}{
		{"ID 0", []lineage.Animal{rec(1, 0, 0), rec(0, 1, 0)}, lineage.ErrInvalidID, "record 1"},
		{"duplicate ID", []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(1, 0, 0)}, lineage.ErrDuplicateID, "animal 1"},
		{"unknown sire", []lineage.Animal{rec(1, 0, 0), rec(2, 7, 1)}, lineage.ErrUnknownParent, "animal 2 has sire 7"},
		{"unknown dam", []lineage.Animal{rec(1, 0, 0), rec(2, 1, 8)}, lineage.ErrUnknownParent, "animal 2 has dam 8"},
		{"own sire", []lineage.Animal{rec(1, 0, 0), rec(5, 5, 1)}, lineage.ErrSelfParent, "animal 5 is its own sire"},
		{"own dam", []lineage.Animal{rec(1, 0, 0), rec(5, 1, 5)}, lineage.ErrSelfParent, "animal 5 is its own dam"},
		{"two-animal cycle", []lineage.Animal{rec(1, 2, 0), rec(2, 1, 0)}, lineage.ErrCycle, "is its own ancestor"},
		{
			"cycle through dams",
			[]lineage.Animal{rec(10, 0, 0), rec(11, 10, 13), rec(12, 0, 11), rec(13, 10, 12), rec(14, 11, 12)},
			lineage.ErrCycle, "11 → 13 → 12 → 11",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := lineage.NewPedigree(tc.animals)
			require.ErrorIs(t, err, tc.want)
			require.ErrorContains(t, err, tc.names)
			require.Nil(t, p)
		})
	}
}

func TestNewPedigreeFromIndexErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sire, dam []int32
		want      error // nil: no sentinel
		names     string
	}{
		{"lengths differ", []int32{-1, -1}, []int32{-1}, nil, "2 sires for 1 dams"},
		{"own parent", []int32{-1, 1}, []int32{-1, 0}, lineage.ErrSelfParent, "animal 2 (index 1)"},
		{"parent after offspring", []int32{-1, 2, -1}, []int32{-1, -1, -1}, lineage.ErrNotOrdered, "parent index 2"},
		{"negative index", []int32{-1, -1}, []int32{-1, -5}, lineage.ErrNotOrdered, "parent index -5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := lineage.NewPedigreeFromIndex(tc.sire, tc.dam)
			require.Error(t, err)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			}
			require.ErrorContains(t, err, tc.names)
			require.Nil(t, p)
		})
	}
}

// Records in any order give the same coefficients, in the order they were given.
func TestNewPedigreeAnyOrder(t *testing.T) {
	t.Parallel()
	ordered := []lineage.Animal{rec(1, 0, 0), rec(2, 0, 0), rec(3, 1, 2), rec(4, 1, 2), rec(5, 3, 4)}
	tests := []struct {
		name    string
		animals []lineage.Animal
		want    []float64
	}{
		{"ordered", ordered, []float64{0, 0, 0, 0, 0.25}},
		{"reversed", []lineage.Animal{ordered[4], ordered[3], ordered[2], ordered[1], ordered[0]}, []float64{0.25, 0, 0, 0, 0}},
		{"offspring first", []lineage.Animal{ordered[4], ordered[0], ordered[1], ordered[2], ordered[3]}, []float64{0.25, 0, 0, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustPedigree(t, tc.animals)
			require.Equal(t, len(tc.animals), p.Len())
			require.Equal(t, 2, p.MaxDepth())
			require.InDeltaSlice(t, tc.want, p.InbreedingAll(), exact)
		})
	}
}

func TestEmptyPedigree(t *testing.T) {
	t.Parallel()
	p := mustPedigree(t, nil)
	require.Zero(t, p.Len())
	require.Empty(t, p.InbreedingAll())
	_, err := p.Inbreeding(1)
	require.ErrorIs(t, err, lineage.ErrNotFound)
}
