package pedigree_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

func TestGraph_LoadsThePedigreeAlreadyRecorded(t *testing.T) {
	t.Parallel()
	b := &bundle{DB: testkit.DB(t), Admin: testkit.AdminPool(t)}
	b.Org = b.newOrg(t, "Loaded Before Start")
	sire, _ := b.animal(t, uuid.Nil, uuid.Nil)
	dam, _ := b.animal(t, uuid.Nil, uuid.Nil)
	child, childPub := b.animal(t, sire, dam)
	grandchild, grandPub := b.animal(t, child, uuid.Nil)

	g := start(t, b.DB)
	a, ok := g.Ancestors(grandPub, 4)
	require.True(t, ok)
	require.Equal(t, []uuid.UUID{grandchild, child, sire, dam}, a.IDs)
	require.Equal(t, []int32{1, 2, -1, -1}, a.Sire)
	require.Equal(t, []int32{-1, 3, -1, -1}, a.Dam)

	c, ok := g.Closure(lineage.MaxAncestors, grandchild)
	require.True(t, ok)
	require.Equal(t, []uuid.UUID{grandchild, child, sire, dam}, c.IDs)
	_, ok = g.Ancestors(childPub, 2)
	require.True(t, ok)

	known, missing := g.Organizations([]uuid.UUID{b.Org})
	require.Empty(t, missing)
	require.Equal(t, "Loaded Before Start", known[b.Org].Name)
	s := g.Stats()
	require.True(t, s.Ready)
	require.EqualValues(t, 1, s.Loads)
	require.GreaterOrEqual(t, s.Animals, 4)
	require.Positive(t, s.Bytes)

	reg := prometheus.NewRegistry()
	require.NoError(t, reg.Register(g.Collector()))
	families, err := reg.Gather()
	require.NoError(t, err)
	metrics := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			metrics[f.GetName()] += m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	require.Equal(t, 1.0, metrics["reptidex_pedigree_ready"])
	require.GreaterOrEqual(t, metrics["reptidex_pedigree_animals"], 4.0)
	require.Equal(t, 1.0, metrics["reptidex_pedigree_loads_total"])
	require.Equal(t, float64(g.Stats().Hits+g.Stats().Misses), metrics["reptidex_pedigree_lookups_total"])
}

func TestGraph_FollowsChangesAsTheyCommit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sire, _ := b.animal(t, uuid.Nil, uuid.Nil)
	dam, _ := b.animal(t, uuid.Nil, uuid.Nil)
	child, pub := b.animal(t, sire, uuid.Nil)
	catchUp(t, b.Graph)
	s, d := parents(t, b.Graph, pub)
	require.Equal(t, sire, s, "an animal added after the load")
	require.Equal(t, uuid.Nil, d)

	b.relink(t, child, uuid.Nil, dam)
	catchUp(t, b.Graph)
	s, d = parents(t, b.Graph, pub)
	require.Equal(t, uuid.Nil, s, "a parent removed")
	require.Equal(t, dam, d, "a parent added")

	// A change that leaves the parents as they were is not sent at all: of the two changes
	// below, only the relink of the marker is.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, b.DB.Pool.Config().ConnConfig.ConnString())
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "LISTEN pedigree_changed")
	require.NoError(t, err)
	_, err = b.Admin.Exec(ctx, `UPDATE animals SET name = 'Renamed', sex = 'female' WHERE id = $1`, child)
	require.NoError(t, err)
	marker, _ := b.animal(t, uuid.Nil, uuid.Nil)
	for {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		require.NoError(t, err)
		require.False(t, strings.HasPrefix(n.Payload, child.String()), "sent: %s", n.Payload)
		if strings.HasPrefix(n.Payload, marker.String()) {
			break
		}
	}

	other := b.newOrg(t, "Newcomers")
	_, err = b.Admin.Exec(ctx, `UPDATE organizations SET name = 'Graph Keepers & Co' WHERE id = $1`, b.Org)
	require.NoError(t, err)
	catchUp(t, b.Graph)
	known, missing := b.Graph.Organizations([]uuid.UUID{b.Org, other})
	require.Empty(t, missing)
	require.Equal(t, "Graph Keepers & Co", known[b.Org].Name, "a rename")
	require.Equal(t, "Newcomers", known[other].Name, "an organization added after the load")
}

// Sync is what gives a writer read-your-writes: without it the read below races the
// notification and would, now and then, see the parents from before.
func TestGraph_SyncMakesTheNextReadSeeTheWrite(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a, _ := b.animal(t, uuid.Nil, uuid.Nil)
	c, _ := b.animal(t, uuid.Nil, uuid.Nil)
	child, pub := b.animal(t, uuid.Nil, uuid.Nil)
	for i := range 40 {
		want := []uuid.UUID{a, c}[i%2]
		b.relink(t, child, want, uuid.Nil)
		catchUp(t, b.Graph)
		s, _ := parents(t, b.Graph, pub)
		require.Equal(t, want, s, "round %d", i)
	}
}

func TestGraph_ReloadsAfterLosingItsConnection(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sire, _ := b.animal(t, uuid.Nil, uuid.Nil)
	child, pub := b.animal(t, uuid.Nil, uuid.Nil)
	catchUp(t, b.Graph)

	var cut int
	require.NoError(t, b.Admin.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1`, pedigree.ListenerName(b.Graph)).Scan(&cut))
	require.Equal(t, 1, cut, "one listening connection")
	// Committed while no one may be listening: only a reload can bring it in.
	b.relink(t, child, sire, uuid.Nil)

	eventually(t, "the graph has loaded again", func() bool { return b.Graph.Stats().Loads == 2 })
	waitReady(t, b.Graph)
	catchUp(t, b.Graph)
	s, _ := parents(t, b.Graph, pub)
	require.Equal(t, sire, s)
}

// The application refuses to close a cycle, but two concurrent changes could; the graph must
// still answer, and inbreeding report the cycle rather than loop.
func TestGraph_AnswersThroughACycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	x, _ := b.animal(t, uuid.Nil, uuid.Nil)
	y, ypub := b.animal(t, x, uuid.Nil)
	b.relink(t, x, y, uuid.Nil)
	catchUp(t, b.Graph)

	a, ok := b.Graph.Ancestors(ypub, 10)
	require.True(t, ok)
	require.Equal(t, []uuid.UUID{y, x}, a.IDs)
	require.Equal(t, []int32{1, 0}, a.Sire)
	c, ok := b.Graph.Closure(lineage.MaxAncestors, y)
	require.True(t, ok)
	require.Len(t, c.Animals, 2)
	_, err := lineage.NewPedigree(c.Animals)
	require.True(t, errors.Is(err, lineage.ErrCycle), "got %v", err)
	b.relink(t, x, uuid.Nil, uuid.Nil) // leave no cycle for the other tests' loads
}

func TestGraph_ServesConcurrentReadersWhileFollowingWrites(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s1, _ := b.animal(t, uuid.Nil, uuid.Nil)
	s2, _ := b.animal(t, uuid.Nil, uuid.Nil)
	child, pub := b.animal(t, s1, uuid.Nil)
	grand, _ := b.animal(t, child, uuid.Nil)
	catchUp(t, b.Graph)

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				a, ok := b.Graph.Ancestors(pub, 3)
				c, ok2 := b.Graph.Closure(lineage.MaxAncestors, grand, child)
				_, _ = b.Graph.Organizations([]uuid.UUID{b.Org})
				_ = b.Graph.Stats()
				if !ok || !ok2 || len(a.IDs) != 2 || (a.IDs[1] != s1 && a.IDs[1] != s2) || len(c.IDs) != 3 {
					errs <- errors.New("a reader saw a graph no write made")
					return
				}
			}
		})
	}
	for i := range 30 {
		b.relink(t, child, []uuid.UUID{s2, s1}[i%2], uuid.Nil)
		b.animal(t, child, uuid.Nil)
		catchUp(t, b.Graph)
	}
	stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// Any organization's animals, public or not, are in the graph: what a caller may see is
// decided when the cards are read, not here.
func TestGraph_HoldsEveryOrganizationsAnimals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	other := &bundle{DB: b.DB, Admin: b.Admin, Graph: b.Graph}
	other.Org = b.newOrg(t, "Private Breeder")
	hidden, _ := other.animal(t, uuid.Nil, uuid.Nil)
	_, err := b.Admin.Exec(context.Background(), `UPDATE animals SET visibility = 'private' WHERE id = $1`, hidden)
	require.NoError(t, err)
	_, pub := b.animal(t, hidden, uuid.Nil)
	catchUp(t, b.Graph)
	s, _ := parents(t, b.Graph, pub)
	require.Equal(t, hidden, s)
	_, ok := b.Graph.Ancestors(store.NewPublicID(), 3)
	require.False(t, ok, "an animal the graph does not know is left to the database")
}
