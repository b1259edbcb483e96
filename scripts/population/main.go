// Command population loads a realistic simulated breeding population into a ReptiDex
// database for benchmarks, and recomputes the inbreeding of the whole population from it.
//
// Loading (the default) creates the database if it is missing, applies the migrations and
// seeds the species as `reptidex migrate` does, then bulk-loads with COPY: one breeder user
// per organization (email breeder-<n>@bench.reptidex.local, password benchdb.Password, email
// verified), the organizations with their owner memberships, and the animals of
// lineage.SimulatePopulation (ball pythons; sex, organization and parents from the
// simulation; hatch dates by generation; about 30% public) with their pedigree rows. The
// load runs as the database owner, which must be a superuser here, with
// session_replication_role = replica so that the audit and pedigree triggers (and the
// foreign-key checks) do not fire; the pedigree rows are written by the loader itself and
// parents always precede their offspring, so the data is what the triggers would have
// written. The tables are then vacuumed and analyzed.
//
//	go run ./scripts/population -database-admin-url 'postgres://postgres@127.0.0.1:5432/reptidex_bench?sslmode=disable' \
//	    -animals 1000000 -orgs 1000 -seed 1
//
// The database's name must contain "bench". One that already holds users, organizations or
// animals is refused unless -reset, which drops the database and recreates it.
//
// -coi-all instead reads the whole pedigree table, orders it parents first, and computes
// Wright's F of every animal with lineage.InbreedingAll, printing the time of each phase,
// the mean F and the share of animals with F > 0.0625. With -verify-sim it also simulates
// the population from the same flags and checks that the F values computed from the
// database are those of the simulation.
//
// Only loopback databases are accepted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/domain/lineage"
	"github.com/reptidex/reptidex/migrations"
	"github.com/reptidex/reptidex/scripts/population/benchdb"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/taxonomy"
)

const speciesKey = "ball-python"

// coiThreshold is the share of the population reported as inbred: F above that of the
// offspring of first cousins × 4 (half sibs), the default warning threshold.
const coiThreshold = 0.0625

type config struct {
	adminURL    string
	appRole     string
	animals     int
	orgs        int
	generations int
	seed        uint64
	reset       bool
	coiAll      bool
	verifySim   bool
	cpuProfile  string
}

func (c config) sim() lineage.SimConfig {
	s := lineage.DefaultSimConfig()
	s.Seed, s.Animals, s.Orgs, s.Generations = c.seed, c.animals, c.orgs, c.generations
	return s
}

func main() {
	var c config
	flag.StringVar(&c.adminURL, "database-admin-url", "postgres://postgres@127.0.0.1:5432/reptidex_bench?sslmode=disable",
		"owner (superuser) URL of the bench database (loopback only)")
	flag.StringVar(&c.appRole, "app-role", "reptidex_app", "application role the migrations grant privileges to")
	flag.IntVar(&c.animals, "animals", 1_000_000, "animals to simulate")
	flag.IntVar(&c.orgs, "orgs", 1_000, "organizations (one breeder user each)")
	flag.IntVar(&c.generations, "generations", 20, "generations to simulate")
	flag.Uint64Var(&c.seed, "seed", 1, "simulation seed")
	flag.BoolVar(&c.reset, "reset", false, "drop and recreate the database first")
	flag.BoolVar(&c.coiAll, "coi-all", false, "do not load: compute F of the whole population from the pedigree table")
	flag.BoolVar(&c.verifySim, "verify-sim", false, "with -coi-all: check the F values against the simulation from the same flags")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of this program to the file")
	flag.Parse()
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "population:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if c.coiAll {
		err = coiAll(ctx, c, os.Stdout)
	} else {
		err = load(ctx, c, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "population:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func validate(c config) error {
	if err := benchdb.CheckLoopbackDB(c.adminURL); err != nil {
		return err
	}
	if c.animals < 1 || c.orgs < 1 || c.generations < 1 {
		return errors.New("-animals, -orgs and -generations must be positive")
	}
	if c.orgs > c.animals {
		return errors.New("-orgs must not exceed -animals")
	}
	return nil
}

// timer prints the phases of a run as they end.
type timer struct {
	w     io.Writer
	start time.Time
	last  time.Time
}

func newTimer(w io.Writer) *timer {
	now := time.Now()
	return &timer{w: w, start: now, last: now}
}

func (t *timer) lap(format string, args ...any) time.Duration {
	now := time.Now()
	d := now.Sub(t.last)
	t.last = now
	fmt.Fprintf(t.w, "%-44s %9.3fs\n", fmt.Sprintf(format, args...), d.Seconds())
	return d
}

func load(ctx context.Context, c config, w io.Writer) error {
	if err := validate(c); err != nil {
		return err
	}
	dbName, err := benchdb.DatabaseName(c.adminURL)
	if err != nil {
		return err
	}
	if !strings.Contains(dbName, "bench") {
		return fmt.Errorf("refusing to load into %q: the database name must contain \"bench\"", dbName)
	}
	t := newTimer(w)
	if c.reset {
		if err := dropDatabase(ctx, c.adminURL, dbName); err != nil {
			return err
		}
		t.lap("drop database %s", dbName)
	}
	if err := migrate(ctx, c); err != nil {
		return err
	}
	t.lap("migrate and seed species")

	connA, err := connect(ctx, c.adminURL)
	if err != nil {
		return err
	}
	defer connA.Close(context.WithoutCancel(ctx))
	if err := checkLoadable(ctx, connA); err != nil {
		return err
	}
	connB, err := connect(ctx, c.adminURL)
	if err != nil {
		return err
	}
	defer connB.Close(context.WithoutCancel(ctx))

	pop := lineage.SimulatePopulation(c.sim())
	t.lap("simulate %d animals", len(pop.Animals))

	hash, err := auth.HashPassword(benchdb.Password)
	if err != nil {
		return err
	}
	ids := newIdentities(c.orgs, len(pop.Animals))
	t.lap("generate IDs and the password hash")

	if err := loadAccounts(ctx, connA, c, ids, hash); err != nil {
		return err
	}
	t.lap("copy %d users, organizations, memberships", c.orgs)

	var wg sync.WaitGroup
	var animalsErr, pedigreeErr error
	var animalsTime, pedigreeTime time.Duration
	wg.Go(func() {
		t0 := time.Now()
		animalsErr = copyAnimals(ctx, connA, c, pop, ids)
		animalsTime = time.Since(t0)
	})
	wg.Go(func() {
		t0 := time.Now()
		pedigreeErr = copyPedigree(ctx, connB, c, pop, ids)
		pedigreeTime = time.Since(t0)
	})
	wg.Wait()
	if err := errors.Join(animalsErr, pedigreeErr); err != nil {
		return fmt.Errorf("%w (run again with -reset)", err)
	}
	t.lap("copy animals ‖ pedigree (%.1fs ‖ %.1fs)", animalsTime.Seconds(), pedigreeTime.Seconds())

	wg.Go(func() { animalsErr = vacuum(ctx, connA, "animals") })
	wg.Go(func() { pedigreeErr = vacuum(ctx, connB, "pedigree", "users", "organizations", "memberships") })
	wg.Wait()
	if err := errors.Join(animalsErr, pedigreeErr); err != nil {
		return err
	}
	t.lap("vacuum analyze")
	fmt.Fprintf(w, "%-44s %9.3fs\n", "total", time.Since(t.start).Seconds())
	return summary(ctx, connA, w)
}

// dropDatabase drops the bench database, refusing any database not named for benchmarks.
func dropDatabase(ctx context.Context, adminURL, name string) error {
	if !strings.Contains(name, "bench") { // checked by load too; never drop anything else
		return fmt.Errorf("-reset refuses to drop %q: only databases whose name contains \"bench\"", name)
	}
	u, err := benchdb.WithDatabase(adminURL, "postgres")
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return fmt.Errorf("connect to the postgres database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// migrate does what `reptidex migrate` does: the migrations, then the shipped species.
func migrate(ctx context.Context, c config) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := migrations.Apply(ctx, c.adminURL, migrations.Options{AppRole: c.appRole}, log); err != nil {
		return err
	}
	species, err := taxonomy.Builtin()
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, c.adminURL)
	if err != nil {
		return fmt.Errorf("connect as migrator: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, sp := range species {
		if _, err := store.SeedSpecies(ctx, conn, sp); err != nil {
			return err
		}
	}
	return nil
}

// enums are the enum types the COPYs write; pgx must know them to encode in binary.
var enums = []string{"member_role", "animal_sex", "animal_status", "animal_visibility"}

func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	types, err := conn.LoadTypes(ctx, enums)
	if err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("load enum types: %w", err)
	}
	conn.TypeMap().RegisterTypes(types)
	return conn, nil
}

// checkLoadable refuses a database that already has tenant data, and a role that cannot
// switch triggers off.
func checkLoadable(ctx context.Context, conn *pgx.Conn) error {
	var super, data bool
	err := conn.QueryRow(ctx, `SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
		EXISTS (SELECT 1 FROM organizations) OR EXISTS (SELECT 1 FROM animals) OR EXISTS (SELECT 1 FROM users)`).Scan(&super, &data)
	if err != nil {
		return fmt.Errorf("inspect database: %w", err)
	}
	if data {
		return errors.New("the database already has users, organizations or animals; use -reset to drop and reload it")
	}
	if !super {
		return errors.New("the admin role must be a superuser to set session_replication_role = replica")
	}
	return nil
}

// identities are the random IDs of every row, made before any COPY so that the animals and
// the pedigree can be copied at the same time.
type identities struct {
	users, orgs     []uuid.UUID
	userPub, orgPub []string
	animals         []uuid.UUID
	animalPub       []string
}

func newIdentities(orgs, animals int) *identities {
	ids := &identities{
		users: make([]uuid.UUID, orgs), orgs: make([]uuid.UUID, orgs),
		userPub: make([]string, orgs), orgPub: make([]string, orgs),
		animals: make([]uuid.UUID, animals), animalPub: make([]string, animals),
	}
	for i := range orgs {
		ids.users[i], ids.orgs[i] = uuid.New(), uuid.New()
		ids.userPub[i], ids.orgPub[i] = store.NewPublicID(), store.NewPublicID()
	}
	for i := range animals {
		ids.animals[i] = uuid.New()
		ids.animalPub[i] = store.NewPublicID()
	}
	return ids
}

// parent is the ID of a simulated parent (0: unknown), or nil.
func (ids *identities) parent(p int64) any {
	if p == 0 {
		return nil
	}
	return pg(ids.animals[p-1])
}

// pg is id for pgx's binary encoder: uuid.UUID is a driver.Valuer, which pgx would encode
// through its string form, several times slower.
func pg(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: true} }

// inReplica runs fn in a transaction in which triggers and foreign-key checks do not fire.
func inReplica(ctx context.Context, conn *pgx.Conn, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return fmt.Errorf("set session_replication_role: %w", err)
		}
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
			return err
		}
		return fn(tx)
	})
}

// withoutSecondaryIndexes drops the table's indexes that back no constraint, runs fn, and
// builds them again from their definitions: one index build is much cheaper than a million
// random insertions. It runs in fn's transaction, so a failure leaves the schema as it was.
func withoutSecondaryIndexes(ctx context.Context, tx pgx.Tx, table string, fn func() error) error {
	rows, err := tx.Query(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i WHERE i.indrelid = $1::regclass
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, table)
	if err != nil {
		return fmt.Errorf("list indexes of %s: %w", table, err)
	}
	type index struct{ name, def string }
	indexes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var x index
		return x, r.Scan(&x.name, &x.def)
	})
	if err != nil {
		return fmt.Errorf("list indexes of %s: %w", table, err)
	}
	for _, x := range indexes {
		if _, err := tx.Exec(ctx, "DROP INDEX "+x.name); err != nil {
			return fmt.Errorf("drop index %s: %w", x.name, err)
		}
	}
	t0 := time.Now()
	if err := fn(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "  %-42s %9.3fs\n", "copy "+table, time.Since(t0).Seconds())
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
		return err
	}
	for _, x := range indexes {
		t0 := time.Now()
		if _, err := tx.Exec(ctx, x.def); err != nil {
			return fmt.Errorf("rebuild index %s: %w", x.name, err)
		}
		fmt.Fprintf(os.Stdout, "  %-42s %9.3fs\n", "build "+x.name, time.Since(t0).Seconds())
	}
	return nil
}

func copyRows(ctx context.Context, tx pgx.Tx, table string, columns []string, n int, row func(i int) []any) error {
	i := -1
	copied, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromFunc(func() ([]any, error) {
		i++
		if i >= n {
			return nil, nil
		}
		return row(i), nil
	}))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	if copied != int64(n) {
		return fmt.Errorf("copy %s: %d rows copied of %d", table, copied, n)
	}
	return nil
}

func loadAccounts(ctx context.Context, conn *pgx.Conn, c config, ids *identities, hash string) error {
	now := time.Now()
	return inReplica(ctx, conn, func(tx pgx.Tx) error {
		err := copyRows(ctx, tx, "users", []string{"id", "public_id", "email", "display_name", "password_hash", "email_verified_at"},
			c.orgs, func(i int) []any {
				return []any{pg(ids.users[i]), ids.userPub[i], benchdb.Email(i + 1), fmt.Sprintf("Breeder %d", i+1), hash, now}
			})
		if err != nil {
			return err
		}
		err = copyRows(ctx, tx, "organizations", []string{"id", "public_id", "name", "created_by", "provisioned_at", "welcomed_at"},
			c.orgs, func(i int) []any {
				return []any{pg(ids.orgs[i]), ids.orgPub[i], fmt.Sprintf("Bench Reptiles %d", i+1), pg(ids.users[i]), now, now}
			})
		if err != nil {
			return err
		}
		return copyRows(ctx, tx, "memberships", []string{"org_id", "user_id", "role"}, c.orgs, func(i int) []any {
			return []any{pg(ids.orgs[i]), pg(ids.users[i]), "owner"}
		})
	})
}

func copyAnimals(ctx context.Context, conn *pgx.Conn, c config, pop lineage.Population, ids *identities) error {
	gens := int32(c.generations)
	return inReplica(ctx, conn, func(tx pgx.Tx) error {
		return withoutSecondaryIndexes(ctx, tx, "animals", func() error {
			return copyRows(ctx, tx, "animals", []string{"id", "public_id", "org_id", "breeder_org_id", "species_key", "sex", "name",
				"hatch_date", "status", "visibility", "sire_id", "dam_id"}, len(pop.Animals), func(i int) []any {
				a, g := pop.Animals[i], pop.Generation[i]
				org := pg(ids.orgs[pop.Org[i]])
				return []any{pg(ids.animals[i]), ids.animalPub[i], org, org, speciesKey, sex(pop.Female[i]), name(c.seed, i),
					hatchDate(c.seed, i, g), status(g, gens), visibility(c.seed, i), ids.parent(a.Sire), ids.parent(a.Dam)}
			})
		})
	})
}

func copyPedigree(ctx context.Context, conn *pgx.Conn, c config, pop lineage.Population, ids *identities) error {
	return inReplica(ctx, conn, func(tx pgx.Tx) error {
		return withoutSecondaryIndexes(ctx, tx, "pedigree", func() error {
			return copyRows(ctx, tx, "pedigree", []string{"animal_id", "sire_id", "dam_id", "species_key", "sex", "hatch_date"},
				len(pop.Animals), func(i int) []any {
					a := pop.Animals[i]
					return []any{pg(ids.animals[i]), ids.parent(a.Sire), ids.parent(a.Dam), speciesKey, sex(pop.Female[i]),
						hatchDate(c.seed, i, pop.Generation[i])}
				})
		})
	})
}

func vacuum(ctx context.Context, conn *pgx.Conn, tables ...string) error {
	for _, t := range tables {
		if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) "+pgx.Identifier{t}.Sanitize()); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return nil
}

// summary prints the row counts and on-disk sizes of the loaded tables.
func summary(ctx context.Context, conn *pgx.Conn, w io.Writer) error {
	fmt.Fprintf(w, "\n%-14s %10s %10s %10s\n", "table", "rows", "heap", "indexes")
	for _, t := range []string{"users", "organizations", "memberships", "animals", "pedigree", "audit_log"} {
		var n int64
		var heap, idx string
		err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM `+pgx.Identifier{t}.Sanitize()+`),
			pg_size_pretty(pg_table_size($1::regclass)), pg_size_pretty(pg_indexes_size($1::regclass))`, t).Scan(&n, &heap, &idx)
		if err != nil {
			return fmt.Errorf("summary of %s: %w", t, err)
		}
		fmt.Fprintf(w, "%-14s %10d %10s %10s\n", t, n, heap, idx)
	}
	var dbSize string
	if err := conn.QueryRow(ctx, "SELECT pg_size_pretty(pg_database_size(current_database()))").Scan(&dbSize); err != nil {
		return err
	}
	fmt.Fprintf(w, "database size  %s\n", dbSize)
	return nil
}

// fStats summarizes F over a population.
type fStats struct {
	N       int
	Mean    float64
	Max     float64
	Inbred  int // F > coiThreshold
	NonZero int
}

func summarizeF(f []float64) fStats {
	s := fStats{N: len(f)}
	var sum float64
	for _, x := range f {
		sum += x
		s.Max = max(s.Max, x)
		if x > coiThreshold {
			s.Inbred++
		}
		if x > 0 {
			s.NonZero++
		}
	}
	if len(f) > 0 {
		s.Mean = sum / float64(len(f))
	}
	return s
}

func (s fStats) print(w io.Writer) {
	pct := func(k int) float64 { return 100 * float64(k) / float64(max(s.N, 1)) }
	fmt.Fprintf(w, "animals       %d\n", s.N)
	fmt.Fprintf(w, "mean F        %.6f\n", s.Mean)
	fmt.Fprintf(w, "max F         %.6f\n", s.Max)
	fmt.Fprintf(w, "F > 0         %d (%.2f%%)\n", s.NonZero, pct(s.NonZero))
	fmt.Fprintf(w, "F > %.4f    %d (%.2f%%)\n", coiThreshold, s.Inbred, pct(s.Inbred))
}

func coiAll(ctx context.Context, c config, w io.Writer) error {
	if err := validate(c); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, c.adminURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	start := time.Now()
	ped, tm, err := benchdb.LoadPedigree(ctx, conn)
	if err != nil {
		return err
	}
	t1 := time.Now()
	p, err := lineage.NewPedigreeFromIndex(ped.Sire, ped.Dam)
	if err != nil {
		return err
	}
	build := time.Since(t1)
	t2 := time.Now()
	f := p.InbreedingAll()
	compute := time.Since(t2)
	total := time.Since(start)

	fmt.Fprintf(w, "%-40s %9.3fs\n", "query pedigree table ("+fmt.Sprint(len(ped.IDs))+" rows)", tm.Query.Seconds())
	fmt.Fprintf(w, "%-40s %9.3fs\n", "map IDs, order parents first", tm.Build.Seconds())
	fmt.Fprintf(w, "%-40s %9.3fs\n", "lineage.NewPedigreeFromIndex", build.Seconds())
	fmt.Fprintf(w, "%-40s %9.3fs\n", "InbreedingAll", compute.Seconds())
	fmt.Fprintf(w, "%-40s %9.3fs\n", "total (load + compute)", total.Seconds())
	fmt.Fprintf(w, "max depth     %d generations\n", p.MaxDepth())
	summarizeF(f).print(w)

	if c.verifySim {
		return verify(c, f, w)
	}
	return nil
}

// verify checks that the F values from the database are those of the simulation: the same
// multiset (IDs differ, so the values are compared sorted).
func verify(c config, fromDB []float64, w io.Writer) error {
	pop := lineage.SimulatePopulation(c.sim())
	sire, dam := pop.ParentIndex()
	p, err := lineage.NewPedigreeFromIndex(sire, dam)
	if err != nil {
		return err
	}
	fromSim := p.InbreedingAll()
	if len(fromSim) != len(fromDB) {
		return fmt.Errorf("verify: the simulation has %d animals, the database %d", len(fromSim), len(fromDB))
	}
	a, b := slices.Clone(fromDB), slices.Clone(fromSim)
	slices.Sort(a)
	slices.Sort(b)
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			return fmt.Errorf("verify: F values differ from the simulation (rank %d: %g from the database, %g simulated)", i, a[i], b[i])
		}
	}
	fmt.Fprintf(w, "verified      F of all %d animals equals the simulation's\n", len(a))
	return nil
}
