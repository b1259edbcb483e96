package render_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/render"
)

// The chart's slots follow the lineage read: sire above dam, an animal reached through two
// lines at both its positions, a missing card as unknown, and nothing beyond the generations.
func TestFromChart_PlacesAncestorsLikeTheLineageRead(t *testing.T) {
	t.Parallel()
	f := fullPedigree(3, "Orion", func(k int) bool { return k == 2 }, none)
	a := &f.chart.Ancestors
	// The sire's dam is also the dam's dam: inbreeding, one animal in two positions.
	a.Dam[1] = a.Dam[2]
	// The dam's sire has no card (an ID of no animal).
	f.chart.Cards[a.Sire[2]] = nil
	c := render.FromChart(f.chart, 3, drawnOn)

	require.Len(t, c.Slots, 15)
	require.Equal(t, "Orion", c.Slots[0].Name)
	require.Equal(t, "Ancestor 1", c.Slots[1].Name)
	require.Equal(t, "male", c.Slots[1].Sex)
	require.False(t, c.Slots[2].Visible)
	require.Equal(t, render.Animal{Species: "ball-python"}, *c.Slots[2], "a hidden animal shows its species only")
	require.Same(t, c.Slots[4], c.Slots[6], "the shared ancestor fills both positions")
	require.Nil(t, c.Slots[5], "no card: unknown")
	require.Nil(t, c.Slots[11])
	require.Equal(t, c.Slots[9], c.Slots[13], "above the shared ancestor, its own parents, twice")
	require.Equal(t, "2016-02-02", c.Slots[1].HatchDate)
	require.Equal(t, "Alice Reptiles", c.Slots[1].Breeder)
	require.Equal(t, "Bob's Balls", c.Slots[1].Owner)
}
