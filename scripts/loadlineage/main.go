// Command loadlineage is a load generator for the lineage endpoints of the ReptiDex API on a
// database loaded by scripts/population.
//
// It logs in as -breeders bench breeders (breeder-1 … breeder-K, with the known bench
// password), picks the animals to ask about from the database (-database-url, loopback
// only), then runs -clients concurrent loops — client i acting as breeder i mod K — that
// GET -path-template with an animal's public ID, cycling through that breeder's animals from
// a random start. After an unmeasured -warmup it records per-request latency for -duration
// and prints requests/s, p50/p90/p99/max latency, the error count and a status breakdown
// (-json for machine-readable output). It exits with status 1 when more than 1% of the
// measured requests failed.
//
// -pick chooses the animals:
//
//	late       the breeder's own animals, youngest first (deep pedigrees), up to -animals
//	           per breeder (a default population has 1,000 per organization, 50 per
//	           generation); the lineage endpoint's case.
//	complete   animals the breeder may look at (its own or public) whose pedigree is
//	           complete over -complete-generations generations (every ancestor position
//	           known), youngest first, up to -animals in all; the inbreeding endpoint's case.
//	           The whole pedigree is read from the database to find them, and the size of
//	           each picked animal's known ancestry (what the endpoint loads) is reported.
//
// By default each client sends its next request as soon as the last one is answered (closed
// loop), so the latency reported at saturation is mostly queueing: with 32 clients, p99 < 20 ms
// needs well over 1,600 req/s. -rate R instead sends R requests/s in all, on a fixed schedule
// (open loop), and measures each latency from the request's scheduled time, which shows the
// latency at a given offered load without coordinated omission.
//
// Examples against an API on 127.0.0.1:18580:
//
//	go run ./scripts/loadlineage -base http://127.0.0.1:18580 -clients 32 -duration 30s
//	go run ./scripts/loadlineage -base http://127.0.0.1:18580 -clients 64 -duration 30s -rate 800
//	go run ./scripts/loadlineage -base http://127.0.0.1:18580 -clients 1 -duration 20s \
//	    -pick complete -path-template '/api/v1/animals/%s/inbreeding'
//
// Only loopback targets are accepted and the duration is capped at 5 minutes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/lineage"
	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/scripts/population/benchdb"
)

type config struct {
	loadgen.Options
	base, pathTemplate string
	dbURL              string
	password           string
	breeders           int
	animals            int
	pick               string
	completeGens       int
	seed               uint64
	rate               float64
}

// Result is the summary printed at the end of a run.
type Result struct {
	Target   string  `json:"target"`
	Pick     string  `json:"pick"`
	Breeders int     `json:"breeders"`
	Animals  int     `json:"animals"`
	Clients  int     `json:"clients"`
	Rate     float64 `json:"offered_rate,omitempty"`
	loadgen.Summary
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:18580", "API base URL (loopback only)")
	flag.StringVar(&c.pathTemplate, "path-template", "/api/v1/lineage/%s?generations=5", "path to GET; %s is the animal's public ID")
	flag.StringVar(&c.dbURL, "database-url", "postgres://postgres@127.0.0.1:5432/reptidex_bench?sslmode=disable",
		"database to pick animals from (loopback only; the admin URL reads across organizations)")
	flag.StringVar(&c.password, "password", benchdb.Password, "password of the bench breeders")
	flag.IntVar(&c.breeders, "breeders", 1, "log in as breeders 1..K; client i acts as breeder i mod K")
	flag.IntVar(&c.animals, "animals", 2000, "animals to ask about: per breeder for -pick late, in all for -pick complete")
	flag.StringVar(&c.pick, "pick", "late", "which animals: late (own, youngest first) or complete (visible, complete pedigree)")
	flag.IntVar(&c.completeGens, "complete-generations", 10, "with -pick complete: generations that must be complete")
	c.Register(flag.CommandLine)
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the clients' starting positions")
	flag.Float64Var(&c.rate, "rate", 0, "open loop: send this many requests/s in all, spread evenly over the clients, and measure "+
		"latency from each request's scheduled time (0: closed loop, each client sends as soon as its last answer arrives)")
	flag.Parse()

	ok, err := run(c)
	loadgen.Exit("loadlineage", ok, err)
}

// breeder is one logged-in bench breeder and the animals its clients ask about.
type breeder struct {
	n       int
	token   string
	animals []string // public IDs
}

func run(c config) (ok bool, err error) {
	if err := validate(&c); err != nil {
		return false, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	client := loadgen.NewClient(c.Clients, c.Timeout)
	base := strings.TrimRight(c.base, "/")

	breeders := make([]*breeder, c.breeders)
	for i := range breeders {
		tok, err := login(ctx, client, base, benchdb.Email(i+1), c.password)
		if err != nil {
			return false, err
		}
		breeders[i] = &breeder{n: i + 1, token: tok}
	}
	if err := pickAnimals(ctx, c, breeders); err != nil {
		return false, err
	}
	total := 0
	for _, b := range breeders {
		if len(b.animals) == 0 {
			return false, fmt.Errorf("breeder %d: no animals to ask about", b.n)
		}
		total += len(b.animals)
	}

	if !c.JSON {
		fmt.Fprintf(os.Stderr, "loadlineage: GET %s for %d animals of %d breeder(s), %d clients, %s warm-up + %s measured\n",
			base+c.pathTemplate, total, len(breeders), c.Clients, c.Warmup, c.Duration)
	}
	w := loadgen.NewWindow(c.Warmup, c.Duration)
	loops := make([]func(*loadgen.Stats), c.Clients)
	rng := rand.New(rand.NewPCG(c.seed, 0x11ea9e))
	for i := range loops {
		b := breeders[i%len(breeders)]
		first := rng.IntN(len(b.animals))
		sched := schedule{start: w.Start}
		if c.rate > 0 {
			sched.offset = time.Duration(float64(i) / c.rate * float64(time.Second))
			sched.interval = time.Duration(float64(c.Clients) / c.rate * float64(time.Second))
		}
		loops[i] = func(s *loadgen.Stats) { loop(ctx, s, client, base, c.pathTemplate, b, first, sched, w) }
	}
	sum, err := loadgen.Run(w, loops)
	if err != nil {
		return false, err
	}

	r := Result{Target: base + c.pathTemplate, Clients: c.Clients, Pick: c.pick, Breeders: len(breeders), Animals: total, Rate: c.rate,
		Summary: sum}
	mode := "closed loop"
	if r.Rate > 0 {
		mode = fmt.Sprintf("open loop at %.0f req/s", r.Rate)
	}
	header := fmt.Sprintf("target    GET %s (%d clients, %s, %d breeders, %d animals, pick %s)",
		r.Target, r.Clients, mode, r.Breeders, r.Animals, r.Pick)
	if err := loadgen.Report(os.Stdout, c.JSON, r, header, sum); err != nil {
		return false, err
	}
	return sum.OK(), nil
}

// validate checks and clamps the configuration.
func validate(c *config) error {
	if err := c.CheckClients(); err != nil {
		return err
	}
	if c.breeders < 1 || c.animals < 1 {
		return errors.New("-breeders and -animals must be positive")
	}
	if c.rate < 0 {
		return errors.New("-rate must not be negative")
	}
	if err := c.CheckDurations("loadlineage"); err != nil {
		return err
	}
	switch c.pick {
	case "late":
	case "complete":
		if c.completeGens < 1 || c.completeGens > lineage.MaxGenerations {
			return fmt.Errorf("-complete-generations must be between 1 and %d", lineage.MaxGenerations)
		}
	default:
		return fmt.Errorf("-pick must be late or complete, not %q", c.pick)
	}
	if strings.Count(c.pathTemplate, "%s") != 1 || strings.Count(c.pathTemplate, "%") != 1 {
		return errors.New("-path-template must hold exactly one %s and no other %")
	}
	if !strings.HasPrefix(c.pathTemplate, "/") {
		return errors.New("-path-template must start with /")
	}
	if err := loadgen.CheckLoopback(c.base); err != nil {
		return err
	}
	// Check a joined URL too, so no template can change the host.
	if err := loadgen.CheckLoopback(strings.TrimRight(c.base, "/") + fmt.Sprintf(c.pathTemplate, "x")); err != nil {
		return err
	}
	return benchdb.CheckLoopbackDB(c.dbURL)
}

// login returns an access token of the user.
func login(ctx context.Context, client *http.Client, base, email, password string) (string, error) {
	return loadgen.AccessToken(ctx, client, base+"/api/v1/auth/login", map[string]string{"email": email, "password": password},
		"log in as "+email, http.StatusOK)
}

// pickAnimals fills each breeder's animals from the database.
func pickAnimals(ctx context.Context, c config, breeders []*breeder) error {
	conn, err := pgx.Connect(ctx, c.dbURL)
	if err != nil {
		return fmt.Errorf("connect to the database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if c.pick == "complete" {
		return pickComplete(ctx, conn, c, breeders)
	}
	for _, b := range breeders {
		rows, err := conn.Query(ctx, `SELECT a.public_id FROM animals a
			JOIN memberships m ON m.org_id = a.org_id AND m.role = 'owner'
			JOIN users u ON u.id = m.user_id
			WHERE lower(u.email) = lower($1) AND a.archived_at IS NULL
			ORDER BY a.hatch_date DESC NULLS LAST, a.public_id LIMIT $2`, benchdb.Email(b.n), c.animals)
		if err != nil {
			return fmt.Errorf("pick animals of breeder %d: %w", b.n, err)
		}
		if b.animals, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return fmt.Errorf("pick animals of breeder %d: %w", b.n, err)
		}
	}
	return nil
}

// pickComplete gives each breeder the youngest animals it may look at whose pedigree is
// complete over c.completeGens generations, c.animals in all, and reports their known
// ancestry.
func pickComplete(ctx context.Context, conn *pgx.Conn, c config, breeders []*breeder) error {
	t0 := time.Now()
	ped, _, err := benchdb.LoadPedigree(ctx, conn)
	if err != nil {
		return err
	}
	p, err := lineage.NewPedigreeFromIndex(ped.Sire, ped.Dam)
	if err != nil {
		return err
	}
	seen := make([]bool, len(ped.IDs))
	var closures []int
	perBreeder := (c.animals + len(breeders) - 1) / len(breeders)
	for _, b := range breeders {
		// The breeder's own animals and every public one, youngest first.
		rows, err := conn.Query(ctx, `SELECT a.id, a.public_id FROM animals a
			WHERE a.archived_at IS NULL AND (a.visibility = 'public' OR a.org_id = (
				SELECT m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
				WHERE lower(u.email) = lower($1) AND m.role = 'owner' LIMIT 1))
			ORDER BY a.hatch_date DESC NULLS LAST`, benchdb.Email(b.n))
		if err != nil {
			return fmt.Errorf("pick animals of breeder %d: %w", b.n, err)
		}
		scanned := 0
		for rows.Next() && len(b.animals) < perBreeder {
			var id uuid.UUID
			var pub string
			if err := rows.Scan(&id, &pub); err != nil {
				rows.Close()
				return err
			}
			scanned++
			k, ok := ped.Index[id]
			if !ok {
				continue
			}
			known, err := p.KnownAncestors(int64(k)+1, c.completeGens)
			if err != nil {
				rows.Close()
				return err
			}
			if complete(known) {
				b.animals = append(b.animals, pub)
				closures = append(closures, ped.Closure(k, seen))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "loadlineage: breeder %d: %d animals with a complete %d-generation pedigree among the %d youngest visible\n",
			b.n, len(b.animals), c.completeGens, scanned)
	}
	if len(closures) > 0 {
		slices.Sort(closures)
		sum := 0
		for _, x := range closures {
			sum += x
		}
		fmt.Fprintf(os.Stderr, "loadlineage: known ancestors of the picked animals: min %d, median %d, mean %d, max %d (picked in %s)\n",
			closures[0], closures[len(closures)/2], sum/len(closures), closures[len(closures)-1], time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

// complete reports whether every ancestor position of every generation is known: 2^g in
// generation g.
func complete(known []int) bool {
	for g, k := range known {
		if k != 1<<(g+1) {
			return false
		}
	}
	return len(known) > 0
}

// schedule is when a client sends in open loop: request k at start+offset+k·interval. A zero
// interval is closed loop.
type schedule struct {
	start            time.Time
	offset, interval time.Duration
}

// at is the scheduled time of request k, or the zero time in closed loop.
func (s schedule) at(k int) time.Time {
	if s.interval == 0 {
		return time.Time{}
	}
	return s.start.Add(s.offset + time.Duration(k)*s.interval)
}

// loop sends GETs until w.End (or ctx is cancelled), recording only requests that started
// (or were scheduled) at or after w.MeasureFrom, cycling through the breeder's animals from
// position first. In open loop it waits for each request's scheduled time and measures its
// latency from then, so a server that falls behind is charged for the queueing it causes.
func loop(ctx context.Context, s *loadgen.Stats, client *http.Client, base, tmpl string, b *breeder, first int, sched schedule,
	w loadgen.Window) {
	for k := 0; ctx.Err() == nil; k++ {
		t0 := time.Now()
		if at := sched.at(k); !at.IsZero() {
			if d := time.Until(at); d > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(d):
				}
			}
			t0 = at
		}
		if !t0.Before(w.End) {
			return
		}
		target := base + fmt.Sprintf(tmpl, url.PathEscape(b.animals[(first+k)%len(b.animals)]))
		s.Measure(ctx, client, target, b.token, t0, w.MeasureFrom)
	}
}
