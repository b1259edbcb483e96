package pedigree_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// bundle is a graph following the package's test database, an organization to register
// animals in, and the owner's pool to write with as the application would.
type bundle struct {
	Graph *pedigree.Graph
	DB    *store.DB
	Admin *pgxpool.Pool
	Org   uuid.UUID
}

// setup starts a graph on the test database with quick retries and waits until it answers;
// it stops when the test ends.
func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{DB: testkit.DB(t), Admin: testkit.AdminPool(t)}
	b.Org = b.newOrg(t, "Graph Keepers")
	b.Graph = start(t, b.DB)
	return b
}

// start runs a graph until the test ends and waits until it answers.
func start(t *testing.T, db *store.DB) *pedigree.Graph {
	t.Helper()
	g := pedigree.New(db.Pool, testkit.Logger(t), pedigree.Options{RetryDelay: 20 * time.Millisecond, IdleCheck: 200 * time.Millisecond})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		g.Run(ctx)
	}()
	t.Cleanup(func() {
		stop()
		<-done
	})
	waitReady(t, g)
	return g
}

func waitReady(t *testing.T, g *pedigree.Graph) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, g.WaitReady(ctx))
}

// newOrg registers an organization (and the user who created it) as the owner of the schema.
func (b *bundle) newOrg(t *testing.T, name string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	user, org := uuid.New(), uuid.New()
	_, err := b.Admin.Exec(ctx, `INSERT INTO users (id, public_id, email, display_name, password_hash) VALUES ($1, $2, $3, 'Keeper', 'x')`,
		user, store.NewPublicID(), testkit.UniqueEmail("graph"))
	require.NoError(t, err)
	_, err = b.Admin.Exec(ctx, `INSERT INTO organizations (id, public_id, name, created_by) VALUES ($1, $2, $3, $4)`,
		org, store.NewPublicID(), name, user)
	require.NoError(t, err)
	return org
}

// animal registers an animal with the given parents (uuid.Nil: unknown) and returns its ID
// and public ID. The pedigree row and its notification come from the database's triggers.
func (b *bundle) animal(t *testing.T, sire, dam uuid.UUID) (uuid.UUID, string) {
	t.Helper()
	id, pub := uuid.New(), store.NewPublicID()
	_, err := b.Admin.Exec(context.Background(), `INSERT INTO animals (id, public_id, org_id, species_key, sex, sire_id, dam_id)
		VALUES ($1, $2, $3, 'ball-python', 'unknown', $4, $5)`, id, pub, b.Org, nullable(sire), nullable(dam))
	require.NoError(t, err)
	return id, pub
}

// relink gives an animal new parents.
func (b *bundle) relink(t *testing.T, child, sire, dam uuid.UUID) {
	t.Helper()
	_, err := b.Admin.Exec(context.Background(), `UPDATE animals SET sire_id = $2, dam_id = $3 WHERE id = $1`,
		child, nullable(sire), nullable(dam))
	require.NoError(t, err)
}

func nullable(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// catchUp waits until the graph holds every change committed so far.
func catchUp(t *testing.T, g *pedigree.Graph) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, g.Sync(ctx))
}

// parents returns the sire and dam the graph records for an animal (by public ID).
func parents(t *testing.T, g *pedigree.Graph, pub string) (sire, dam uuid.UUID) {
	t.Helper()
	a, ok := g.Ancestors(pub, 1)
	require.True(t, ok, "the graph knows %s", pub)
	at := func(p int32) uuid.UUID {
		if p < 0 {
			return uuid.Nil
		}
		return a.IDs[p]
	}
	return at(a.Sire[0]), at(a.Dam[0])
}

// eventually polls cond every 10 ms for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			require.FailNow(t, fmt.Sprintf("timed out waiting until %s", what))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
