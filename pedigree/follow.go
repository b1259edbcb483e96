package pedigree

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The notification channels of migration 0007: a pedigree row added or relinked, an
// organization added or renamed, and the fences Sync and the loader send behind other
// commits.
const (
	changeChannel = "pedigree_changed"
	orgChannel    = "pedigree_organization"
	fenceChannel  = "pedigree_fence"
)

// Run loads the graph and keeps it in step with the database until ctx ends. When the
// listening connection is lost, or a change cannot be applied, the graph stops answering
// and is loaded again on a new connection. Notifications are delivered in commit order
// and carry the row as it now stands, so replaying those that arrive during a load on top
// of the load's snapshot ends in the current graph.
func (g *Graph) Run(ctx context.Context) {
	delay := g.opts.RetryDelay
	for {
		loaded, err := g.follow(ctx)
		g.lose()
		if ctx.Err() != nil {
			return
		}
		if loaded {
			delay = g.opts.RetryDelay
		}
		g.log.WarnContext(ctx, "pedigree graph out of step with the database; reloading", "error", err, "retry_in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Minute)
	}
}

// follow connects, listens, loads and applies notifications until something fails; loaded
// says whether the graph got as far as answering.
func (g *Graph) follow(ctx context.Context) (loaded bool, err error) {
	cfg := g.pool.Config().ConnConfig
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = g.applicationName()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	// Listen before the snapshot is taken, so that no commit falls between the two.
	if _, err := conn.Exec(ctx, "LISTEN "+changeChannel+"; LISTEN "+orgChannel+"; LISTEN "+fenceChannel); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	g.mu.Lock()
	g.listening = true
	g.mu.Unlock()

	start := time.Now()
	t, err := load(ctx, conn)
	if err != nil {
		return false, err
	}
	// Catch up with what was committed since the snapshot, up to a fence of our own.
	token := g.newToken()
	if _, err := conn.Exec(ctx, "SELECT pg_notify($1, $2)", fenceChannel, token); err != nil {
		return false, fmt.Errorf("send load fence: %w", err)
	}
	for caught := false; !caught; {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return false, fmt.Errorf("catch up after loading: %w", err)
		}
		if caught, err = g.receive(t, n, token); err != nil {
			return false, err
		}
	}
	took := time.Since(start)
	g.publish(t, took)
	g.log.InfoContext(ctx, "pedigree graph loaded", "animals", t.Len(), "bytes", t.bytes(),
		"duration_ms", float64(took.Microseconds())/1000)

	for {
		n, err := g.next(ctx, conn)
		if err != nil {
			return true, err
		}
		if _, err := g.receive(t, n, ""); err != nil {
			return true, err
		}
	}
}

// applicationName names the listening connection in pg_stat_activity.
func (g *Graph) applicationName() string { return "reptidex-pedigree-" + g.instance }

// next waits for the next notification, pinging the connection whenever it has been
// silent for IdleCheck.
func (g *Graph) next(ctx context.Context, conn *pgx.Conn) (*pgconn.Notification, error) {
	for {
		wctx, cancel := context.WithTimeout(ctx, g.opts.IdleCheck)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err == nil {
			return n, nil
		}
		if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("wait for notifications: %w", err)
		}
		pctx, cancel := context.WithTimeout(ctx, g.opts.IdleCheck)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("ping the listening connection: %w", err)
		}
	}
}

// load reads the whole pedigree and every organization's name into a new table.
func load(ctx context.Context, conn *pgx.Conn) (*table, error) {
	var n int
	// A size hint from the planner's statistics; wrong or missing only costs regrowth.
	_ = conn.QueryRow(ctx, `SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'pedigree'::regclass`).Scan(&n)
	t := newTable(n)
	sires := make([]uuid.UUID, 0, n)
	dams := make([]uuid.UUID, 0, n)
	rows, err := conn.Query(ctx, `SELECT animal_id, sire_id, dam_id, public_id FROM pedigree_graph`)
	if err != nil {
		return nil, fmt.Errorf("read pedigree: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		raw := rows.RawValues() // binary: 16 bytes a UUID, nil for NULL
		if len(raw) != 4 || len(raw[0]) != 16 {
			return nil, errors.New("read pedigree: unexpected row format")
		}
		var id, s, d uuid.UUID
		copy(id[:], raw[0])
		copy(s[:], raw[1])
		copy(d[:], raw[2])
		if _, err := t.add(id, string(raw[3])); err != nil {
			return nil, err
		}
		sires = append(sires, s)
		dams = append(dams, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pedigree: %w", err)
	}
	// Rows come in any order: link the parents once every animal is in.
	for k := range sires {
		s, err := t.parent(t.ids[k], sires[k])
		if err != nil {
			return nil, err
		}
		d, err := t.parent(t.ids[k], dams[k])
		if err != nil {
			return nil, err
		}
		t.sire[k], t.dam[k] = s, d
	}
	orgs, err := conn.Query(ctx, `SELECT id, public_id, name FROM organization_name`)
	if err != nil {
		return nil, fmt.Errorf("read organizations: %w", err)
	}
	defer orgs.Close()
	for orgs.Next() {
		var id uuid.UUID
		var o Organization
		if err := orgs.Scan(&id, &o.PublicID, &o.Name); err != nil {
			return nil, fmt.Errorf("read organizations: %w", err)
		}
		t.orgs[id] = o
	}
	if err := orgs.Err(); err != nil {
		return nil, fmt.Errorf("read organizations: %w", err)
	}
	return t, nil
}

// receive handles one notification on t: a change is applied, another's fence is released.
// It reports whether n is the fence named own.
func (g *Graph) receive(t *table, n *pgconn.Notification, own string) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch n.Channel {
	case fenceChannel:
		if n.Payload == own {
			return true, nil
		}
		if seen, ok := g.fences[n.Payload]; ok {
			close(seen)
			delete(g.fences, n.Payload)
		}
	case changeChannel:
		id, pub, sire, dam, err := parseChange(n.Payload)
		if err != nil {
			return false, err
		}
		if err := t.set(id, pub, sire, dam); err != nil {
			return false, err
		}
		g.changes.Add(1)
	case orgChannel:
		f := strings.SplitN(n.Payload, " ", 3)
		id, err := uuid.Parse(f[0])
		if err != nil || len(f) != 3 {
			return false, fmt.Errorf("organization change %q: want \"id public_id name\"", n.Payload)
		}
		t.orgs[id] = Organization{PublicID: f[1], Name: f[2]}
		g.changes.Add(1)
	}
	return false, nil
}

// parseChange reads the payload "animal sire dam public_id" of notify_pedigree, an unknown
// parent being empty.
func parseChange(payload string) (id uuid.UUID, pub string, sire, dam uuid.UUID, err error) {
	f := strings.SplitN(payload, " ", 4)
	if len(f) != 4 {
		return id, "", sire, dam, fmt.Errorf("pedigree change %q: want 4 fields", payload)
	}
	ids := [3]uuid.UUID{}
	for i, s := range f[:3] {
		if s == "" && i > 0 {
			continue
		}
		if ids[i], err = uuid.Parse(s); err != nil {
			return id, "", sire, dam, fmt.Errorf("pedigree change %q: %w", payload, err)
		}
	}
	return ids[0], f[3], ids[1], ids[2], nil
}

// publish makes t the graph that answers.
func (g *Graph) publish(t *table, took time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.t = t
	close(g.ready)
	g.loads.Add(1)
	g.lastLoad.Store(int64(took))
}

// lose stops the graph answering and releases every writer waiting on a fence: until it is
// loaded again, callers read the database, which holds their writes.
func (g *Graph) lose() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.t != nil {
		g.t = nil
		g.ready = make(chan struct{})
	}
	g.listening = false
	for token, seen := range g.fences {
		close(seen)
		delete(g.fences, token)
	}
}
