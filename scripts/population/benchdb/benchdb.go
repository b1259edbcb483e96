// Package benchdb holds what the population loader (scripts/population) and the lineage load
// generator (scripts/loadlineage) share: the known credentials of the bench breeders, the
// loopback guard on database URLs, and reading the whole pedigree table into dense,
// parents-first parent indices for domain/lineage.
package benchdb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/lineage"
)

// Password is the password of every bench breeder. The loader hashes it once with
// auth.HashPassword and gives all users that hash.
const Password = "bench-breeder-password"

// EmailDomain is the domain of the bench breeders' emails.
const EmailDomain = "bench.reptidex.local"

// Email is the login of breeder n (1-based): breeder n owns organization n, which bred the
// simulated animals of organisation n−1.
func Email(n int) string { return fmt.Sprintf("breeder-%d@%s", n, EmailDomain) }

// CheckLoopbackDB refuses a Postgres URL whose host is not 127.0.0.0/8, ::1, localhost or a
// Unix socket directory: the bench tools bulk-load and hammer local databases only.
func CheckLoopbackDB(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bad database URL: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("database URL: scheme must be postgres or postgresql, not %q", u.Scheme)
	}
	hosts := []string{u.Hostname()}
	if h := u.Query().Get("host"); h != "" {
		hosts = append(hosts, strings.Split(h, ",")...)
	}
	for _, host := range hosts {
		switch {
		case host == "" || strings.HasPrefix(host, "/"): // the default or a Unix socket
		case strings.EqualFold(host, "localhost"):
		default:
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("database URL: refusing non-loopback host %q", host)
			}
		}
	}
	return nil
}

// DatabaseName is the database named in a Postgres URL.
func DatabaseName(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad database URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return "", errors.New("database URL names no database")
	}
	return name, nil
}

// WithDatabase is the URL with its database replaced by name.
func WithDatabase(raw, name string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad database URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Pedigree is the pedigree table read into dense indices: animal k has ID IDs[k], and
// Sire[k], Dam[k] are the dense indices of its parents (-1 unknown), always below k.
type Pedigree struct {
	IDs       []uuid.UUID
	Sire, Dam []int32
	Index     map[uuid.UUID]int32 // ID → dense index
}

// Timings are the phases of LoadPedigree.
type Timings struct {
	Query time.Duration // running the query and decoding its rows
	Build time.Duration // mapping IDs to indices and ordering parents first
}

// LoadPedigree reads every row of the pedigree table and returns it ordered parents first.
func LoadPedigree(ctx context.Context, conn *pgx.Conn) (*Pedigree, Timings, error) {
	var tm Timings
	t0 := time.Now()
	var n int
	// A size hint from the planner statistics (ANALYZE'd after a bulk load).
	_ = conn.QueryRow(ctx, `SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'pedigree'::regclass`).Scan(&n)
	rows, err := conn.Query(ctx, `SELECT animal_id, sire_id, dam_id FROM pedigree`)
	if err != nil {
		return nil, tm, fmt.Errorf("read pedigree: %w", err)
	}
	ids := make([]uuid.UUID, 0, n)
	sires := make([]uuid.UUID, 0, n)
	dams := make([]uuid.UUID, 0, n)
	for rows.Next() {
		raw := rows.RawValues() // binary format: 16 bytes per uuid, nil for NULL
		var id, s, d uuid.UUID
		if len(raw) != 3 || len(raw[0]) != 16 {
			rows.Close()
			return nil, tm, errors.New("read pedigree: unexpected row format")
		}
		copy(id[:], raw[0])
		copy(s[:], raw[1]) // a NULL parent stays uuid.Nil
		copy(d[:], raw[2])
		ids = append(ids, id)
		sires = append(sires, s)
		dams = append(dams, d)
	}
	if err := rows.Err(); err != nil {
		return nil, tm, fmt.Errorf("read pedigree: %w", err)
	}
	tm.Query = time.Since(t0)

	t1 := time.Now()
	p, err := Dense(ids, sires, dams)
	tm.Build = time.Since(t1)
	return p, tm, err
}

// Dense maps records given in any order (uuid.Nil: unknown parent) to dense indices ordered
// parents first.
func Dense(ids, sires, dams []uuid.UUID) (*Pedigree, error) {
	n := len(ids)
	index := make(map[uuid.UUID]int32, n)
	for i, id := range ids {
		if id == uuid.Nil {
			return nil, fmt.Errorf("record %d has the nil ID", i)
		}
		if _, dup := index[id]; dup {
			return nil, fmt.Errorf("duplicate animal %s", id)
		}
		index[id] = int32(i)
	}
	resolve := func(i int, par uuid.UUID) (int32, error) {
		if par == uuid.Nil {
			return -1, nil
		}
		k, ok := index[par]
		if !ok {
			return 0, fmt.Errorf("animal %s has parent %s, which has no pedigree row", ids[i], par)
		}
		return k, nil
	}
	sire := make([]int32, n)
	dam := make([]int32, n)
	for i := range ids {
		var err error
		if sire[i], err = resolve(i, sires[i]); err != nil {
			return nil, err
		}
		if dam[i], err = resolve(i, dams[i]); err != nil {
			return nil, err
		}
	}
	order, err := lineage.ParentsFirst(sire, dam, func(i int32) string { return ids[i].String() })
	if err != nil {
		return nil, err
	}
	p := &Pedigree{IDs: make([]uuid.UUID, n), Sire: make([]int32, n), Dam: make([]int32, n), Index: index}
	rank := make([]int32, n)
	for k, old := range order {
		rank[old] = int32(k)
	}
	for k, old := range order {
		p.IDs[k] = ids[old]
		index[ids[old]] = int32(k)
		p.Sire[k], p.Dam[k] = remap(rank, sire[old]), remap(rank, dam[old])
	}
	return p, nil
}

func remap(rank []int32, i int32) int32 {
	if i < 0 {
		return -1
	}
	return rank[i]
}

// Closure is the number of known ancestors of animal i (itself excluded): the size of the
// pedigree the inbreeding endpoint loads, minus one. seen is scratch of len(Sire) that
// must be all false and is left so.
func (p *Pedigree) Closure(i int32, seen []bool) int {
	list := []int32{i}
	seen[i] = true
	for k := 0; k < len(list); k++ {
		for _, par := range [2]int32{p.Sire[list[k]], p.Dam[list[k]]} {
			if par >= 0 && !seen[par] {
				seen[par] = true
				list = append(list, par)
			}
		}
	}
	for _, v := range list {
		seen[v] = false
	}
	return len(list) - 1
}
