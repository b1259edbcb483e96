package pedigree

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
	"github.com/reptidex/reptidex/store"
)

// pubOf is a public ID of a form store.NewPublicID does not make.
func pubOf(id uuid.UUID) string { return "p" + id.String() }

// build makes a table from records given as (animal, sire, dam) numbers, 0 for unknown; animal
// n gets the UUID num(n) and a public ID of its last characters.
func build(t *testing.T, records [][3]uint64) *table {
	t.Helper()
	tb := newTable(0)
	for _, r := range records {
		require.NoError(t, tb.set(num(r[0]), "a"+uuid.UUID(num(r[0])).String()[30:], num(r[1]), num(r[2])))
	}
	return tb
}

// num is the UUID of animal n (uuid.Nil for 0): sequential, the worst case for a weak hash.
func num(n uint64) uuid.UUID {
	var id uuid.UUID
	if n > 0 {
		binary.BigEndian.PutUint64(id[8:], n)
	}
	return id
}

func TestTable_FindsEveryAnimalByIDAndPublicIDAsItGrows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		id   func(i int) uuid.UUID
		pub  func(id uuid.UUID) string
	}{
		{"random UUIDs, store public IDs", func(int) uuid.UUID { return uuid.New() }, func(uuid.UUID) string { return store.NewPublicID() }},
		{"sequential UUIDs, store public IDs", func(i int) uuid.UUID { return num(uint64(i + 1)) }, func(uuid.UUID) string { return store.NewPublicID() }},
		{"public IDs of another form", func(int) uuid.UUID { return uuid.New() }, pubOf},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := newTable(0)
			const n = 20_000
			ids := make([]uuid.UUID, n)
			pubs := make([]string, n)
			for i := range n {
				ids[i] = tc.id(i)
				pubs[i] = tc.pub(ids[i])
				k, err := tb.add(ids[i], pubs[i])
				require.NoError(t, err)
				require.Equal(t, int32(i), k)
			}
			for i := range n {
				require.Equal(t, int32(i), tb.node(ids[i]))
				require.Equal(t, int32(i), tb.nodeByPublicID(pubs[i]))
			}
			require.Equal(t, int32(-1), tb.node(uuid.New()))
			require.Equal(t, int32(-1), tb.nodeByPublicID(store.NewPublicID()))
			require.Equal(t, int32(-1), tb.nodeByPublicID(""))
			require.Equal(t, int32(-1), tb.nodeByPublicID("not base58: 0OIl"))
			require.LessOrEqual(t, tb.byID.n*4, len(tb.byID.slots)*3, "at most three quarters full")
		})
	}
}

func TestTable_SetRelinksAndRefusesAParentItDoesNotHold(t *testing.T) {
	t.Parallel()
	tb := build(t, [][3]uint64{{1, 0, 0}, {2, 0, 0}, {3, 1, 2}})
	require.Equal(t, []int32{-1, -1, 0}, tb.sire)
	require.Equal(t, []int32{-1, -1, 1}, tb.dam)

	require.NoError(t, tb.set(num(3), "ignored", uuid.Nil, num(2)), "relinking keeps the node")
	require.Equal(t, 3, tb.Len())
	require.Equal(t, int32(-1), tb.sire[2])
	require.Equal(t, int32(2), tb.nodeByPublicID("a"+uuid.UUID(num(3)).String()[30:]), "the public ID never changes")

	err := tb.set(num(4), "a4", num(9), uuid.Nil)
	require.ErrorContains(t, err, "not in the graph")
	require.Equal(t, 3, tb.Len(), "nothing added on a refusal")
}

func TestTable_AncestorsPlacesEachAnimalOnceAtItsNearestGeneration(t *testing.T) {
	t.Parallel()
	// 5 is the offspring of half sibs 3 and 4, who share their sire 1; 2 is 3's dam.
	tb := build(t, [][3]uint64{{1, 0, 0}, {2, 0, 0}, {3, 1, 2}, {4, 1, 0}, {5, 3, 4}, {6, 5, 0}})
	for _, tc := range []struct {
		name      string
		root      uint64
		gens      int
		ids       []uint64
		sire, dam []int32
	}{
		{"one generation", 5, 1, []uint64{5, 3, 4}, []int32{1, -1, -1}, []int32{2, -1, -1}},
		{"shared ancestor listed once", 5, 2, []uint64{5, 3, 4, 1, 2}, []int32{1, 3, 3, -1, -1}, []int32{2, 4, -1, -1, -1}},
		{"nearest generation wins", 6, 3, []uint64{6, 5, 3, 4, 1, 2}, []int32{1, 2, 4, 4, -1, -1}, []int32{-1, 3, 5, -1, -1, -1}},
		{"deeper than the record", 1, 10, []uint64{1}, []int32{-1}, []int32{-1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := tb.ancestors(tb.node(num(tc.root)), tc.gens)
			want := make([]uuid.UUID, len(tc.ids))
			for i, n := range tc.ids {
				want[i] = num(n)
			}
			require.Equal(t, want, a.IDs)
			require.Equal(t, tc.sire, a.Sire)
			require.Equal(t, tc.dam, a.Dam)
		})
	}
}

func TestTable_ClosureListsTheGivenAnimalsFirstAndEachAncestorOnce(t *testing.T) {
	t.Parallel()
	tb := build(t, [][3]uint64{{1, 0, 0}, {2, 0, 0}, {3, 1, 2}, {4, 1, 2}, {5, 3, 4}, {7, 0, 0}})
	c := tb.closure([]int32{tb.node(num(4)), tb.node(num(5))}, lineage.MaxAncestors)
	require.Equal(t, []uuid.UUID{num(4), num(5), num(1), num(2), num(3)}, c.IDs)
	require.Equal(t, []lineage.Animal{{ID: 1, Sire: 3, Dam: 4}, {ID: 2, Sire: 5, Dam: 1}, {ID: 3}, {ID: 4}, {ID: 5, Sire: 3, Dam: 4}}, c.Animals)
	p, err := lineage.NewPedigree(c.Animals)
	require.NoError(t, err)
	f, err := p.Inbreeding(2)
	require.NoError(t, err)
	require.InDelta(t, 0.25, f, 1e-12, "the offspring of full sibs")
	require.Equal(t, lineage.Extent{Ancestors: 3, Generations: 1}, c.Extent, "1, 2 and 3 are all parents of 4 or 5")
}

func TestTable_ClosureKeepsTheNearestGenerationsWithinTheBound(t *testing.T) {
	t.Parallel()
	tb := build(t, [][3]uint64{{1, 0, 0}, {2, 0, 0}, {3, 1, 2}, {4, 1, 2}, {5, 3, 4}, {6, 5, 0}})
	c := tb.closure([]int32{tb.node(num(6))}, 2)
	require.Equal(t, []uuid.UUID{num(6), num(5)}, c.IDs, "the grandparents 3 and 4 would make three ancestors")
	require.Equal(t, []lineage.Animal{{ID: 1, Sire: 2}, {ID: 2}}, c.Animals)
	require.Equal(t, lineage.Extent{Ancestors: 1, Generations: 1, Truncated: true}, c.Extent)
}

// The database cannot stop two concurrent writes from closing a cycle; the walks must end.
func TestTable_WalksEndOnACycle(t *testing.T) {
	t.Parallel()
	tb := build(t, [][3]uint64{{1, 0, 0}, {2, 1, 0}, {3, 2, 0}})
	require.NoError(t, tb.set(num(1), "", num(3), uuid.Nil), "1 becomes its own great-grandsire")
	a := tb.ancestors(tb.node(num(3)), 10)
	require.Equal(t, []uuid.UUID{num(3), num(2), num(1)}, a.IDs)
	require.Equal(t, []int32{1, 2, 0}, a.Sire, "the loop is drawn, not walked forever")
	c := tb.closure([]int32{tb.node(num(3))}, lineage.MaxAncestors)
	require.Len(t, c.Animals, 3)
	_, err := lineage.NewPedigree(c.Animals)
	require.True(t, errors.Is(err, lineage.ErrCycle), "got %v", err)
}

func TestParseChange_ReadsTheTriggersPayload(t *testing.T) {
	t.Parallel()
	a, s, d := uuid.New(), uuid.New(), uuid.New()
	for _, tc := range []struct {
		name, payload string
		sire, dam     uuid.UUID
		pub           string
		err           bool
	}{
		{"both parents", a.String() + " " + s.String() + " " + d.String() + " Pub1", s, d, "Pub1", false},
		{"unknown parents", a.String() + "   Pub2", uuid.Nil, uuid.Nil, "Pub2", false},
		{"public ID with a space", a.String() + " " + s.String() + "  odd id", s, uuid.Nil, "odd id", false},
		{"too few fields", a.String() + " " + s.String(), uuid.Nil, uuid.Nil, "", true},
		{"no animal", "   Pub", uuid.Nil, uuid.Nil, "", true},
		{"bad parent", a.String() + " nope  Pub", uuid.Nil, uuid.Nil, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id, pub, sire, dam, err := parseChange(tc.payload)
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, a, id)
			require.Equal(t, tc.pub, pub)
			require.Equal(t, tc.sire, sire)
			require.Equal(t, tc.dam, dam)
		})
	}
}

func TestGraph_NilOrUnloadedAnswersNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		g    *Graph
	}{
		{"nil", nil},
		{"never run", New(nil, nil, Options{})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, ok := tc.g.Ancestors(store.NewPublicID(), 4)
			require.False(t, ok)
			_, ok = tc.g.Closure(lineage.MaxAncestors, uuid.New())
			require.False(t, ok)
			id := uuid.New()
			known, missing := tc.g.Organizations([]uuid.UUID{id})
			require.Empty(t, known)
			require.Equal(t, []uuid.UUID{id}, missing)
			require.NoError(t, tc.g.Sync(t.Context()), "nothing to wait for: readers go to the database")
		})
	}
}
