// Package pedigree holds the cross-organization pedigree graph (which animal is whose sire
// and dam) in the API's memory, with the names of the organizations that own and breed the
// animals, so that pedigree charts and inbreeding read their ancestors without a recursive
// query. The graph is loaded from the database in the background and kept current by a
// notification for every change of parents or of an organization's name (migration 0007);
// until it is loaded, and whenever it may be out of step, it answers nothing and callers
// read the database as before. It holds no private data: only IDs, links and organization
// names, never what an organization may see of an animal.
//
// The package also holds the reads of pedigrees that ask the graph first and the database
// when it cannot answer: a chart of ancestors, an animal's inbreeding and the pedigree a
// coefficient is computed over; and the listing of an animal's descendants. What a caller
// may see of each animal is read through their own authorization, never kept.
package pedigree

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options tune how the graph follows the database; the zero value takes the defaults.
type Options struct {
	// RetryDelay is the first wait before reconnecting after the connection is lost; it
	// doubles on each failure up to a minute. Default 1 s.
	RetryDelay time.Duration
	// IdleCheck is how long the listening connection may be silent before it is pinged, so
	// that a dead connection is noticed. Default 30 s.
	IdleCheck time.Duration
	// SyncTimeout bounds Sync. Default 5 s.
	SyncTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.RetryDelay <= 0 {
		o.RetryDelay = time.Second
	}
	if o.IdleCheck <= 0 {
		o.IdleCheck = 30 * time.Second
	}
	if o.SyncTimeout <= 0 {
		o.SyncTimeout = 5 * time.Second
	}
	return o
}

// Graph is the pedigree graph of the whole database, safe for concurrent use. A nil Graph
// holds nothing: its lookups miss and Sync returns at once.
type Graph struct {
	pool     *pgxpool.Pool
	log      *slog.Logger
	opts     Options
	instance string // tells this graph's fences from other processes'

	mu sync.RWMutex
	// t is the graph, nil until loaded and whenever it may be out of step with the database.
	t *table
	// listening is true while a LISTEN is in force: a fence sent now is either seen or its
	// loss noticed.
	listening bool
	fences    map[string]chan struct{}
	fenceSeq  uint64
	ready     chan struct{} // closed while t is set

	loads, changes, hits, misses atomic.Int64
	lastLoad                     atomic.Int64 // nanoseconds
}

// New returns a graph that reads through pool's configuration; Run loads it and keeps it
// current.
func New(pool *pgxpool.Pool, log *slog.Logger, opts Options) *Graph {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	return &Graph{pool: pool, log: log, opts: opts.withDefaults(), instance: hex.EncodeToString(b[:]),
		fences: map[string]chan struct{}{}, ready: make(chan struct{})}
}

// Ancestors returns the animal with the given public ID and its ancestors up to the given
// number of generations, whoever owns them. ok is false when the graph is not in step with
// the database or does not know the animal (yet): the caller reads the database instead.
// Whether the caller may see the animal is not the graph's business.
func (g *Graph) Ancestors(publicID string, generations int) (a Ancestors, ok bool) {
	if g == nil {
		return a, false
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	root := int32(-1)
	if g.t != nil {
		root = g.t.nodeByPublicID(publicID)
	}
	if root < 0 {
		g.misses.Add(1)
		return a, false
	}
	g.hits.Add(1)
	return g.t.ancestors(root, generations), true
}

// Closure returns the given animals and their known ancestors, each once, generation by
// generation as long as whole generations fit within maxAncestors; c.Extent says whether
// some were left out. ok is false when the graph is not in step with the database or does
// not know one of them.
func (g *Graph) Closure(maxAncestors int, roots ...uuid.UUID) (c Closure, ok bool) {
	if g == nil {
		return c, false
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	nodes := make([]int32, 0, len(roots))
	for _, id := range roots {
		n := int32(-1)
		if g.t != nil {
			n = g.t.node(id)
		}
		if n < 0 {
			g.misses.Add(1)
			return c, false
		}
		nodes = append(nodes, n)
	}
	g.hits.Add(1)
	return g.t.closure(nodes, maxAncestors), true
}

// Organizations names the organizations of ids that the graph knows; missing lists the
// others (an organization added a moment ago, or all of them while the graph is out of
// step), for the caller to read from the database.
func (g *Graph) Organizations(ids []uuid.UUID) (known map[uuid.UUID]Organization, missing []uuid.UUID) {
	known = make(map[uuid.UUID]Organization, len(ids))
	if g == nil {
		return known, ids
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.t == nil {
		return known, ids
	}
	for _, id := range ids {
		if o, ok := g.t.orgs[id]; ok {
			known[id] = o
		} else {
			missing = append(missing, id)
		}
	}
	return known, missing
}

// Sync returns once every change committed before it was called (of parents, of an
// organization's name) is in the graph, or the graph is out of step (and answers nothing
// until it has reloaded past the change): a writer calls it after committing so that its next
// read sees its own write. It sends a fence notification, which Postgres delivers after those
// of every earlier commit, and waits for the listener to reach it.
func (g *Graph) Sync(ctx context.Context) error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	if !g.listening {
		g.mu.Unlock()
		return nil
	}
	token := g.tokenLocked()
	seen := make(chan struct{})
	g.fences[token] = seen
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.fences, token)
		g.mu.Unlock()
	}()

	ctx, cancel := context.WithTimeout(ctx, g.opts.SyncTimeout)
	defer cancel()
	if _, err := g.pool.Exec(ctx, "SELECT pg_notify($1, $2)", fenceChannel, token); err != nil {
		return fmt.Errorf("send pedigree fence: %w", err)
	}
	select {
	case <-seen:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the pedigree graph to catch up: %w", ctx.Err())
	}
}

// newToken names a new fence.
func (g *Graph) newToken() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tokenLocked()
}

func (g *Graph) tokenLocked() string {
	g.fenceSeq++
	return g.instance + "-" + strconv.FormatUint(g.fenceSeq, 10)
}

// WaitReady waits until the graph is loaded and in step with the database.
func (g *Graph) WaitReady(ctx context.Context) error {
	g.mu.RLock()
	ready := g.ready
	g.mu.RUnlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the pedigree graph: %w", ctx.Err())
	}
}

// Stats describe the graph and its use.
type Stats struct {
	Ready    bool          // loaded and in step: lookups are answered
	Animals  int           // animals in the graph
	Bytes    int64         // memory the graph holds
	Loads    int64         // completed loads (the first and every reload)
	LastLoad time.Duration // how long the last load took, catching up included
	Changes  int64         // changes applied from notifications
	Hits     int64         // lookups answered
	Misses   int64         // lookups left to the database
}

// Stats returns the graph's current figures.
func (g *Graph) Stats() Stats {
	g.mu.RLock()
	s := Stats{Ready: g.t != nil}
	if g.t != nil {
		s.Animals, s.Bytes = g.t.Len(), g.t.bytes()
	}
	g.mu.RUnlock()
	s.Loads, s.LastLoad, s.Changes = g.loads.Load(), time.Duration(g.lastLoad.Load()), g.changes.Load()
	s.Hits, s.Misses = g.hits.Load(), g.misses.Load()
	return s
}
