// Command loadexport measures an export of a large collection through the ReptiDex API:
// how long it takes from the request to the export ready, and how much memory the process
// that builds it (`reptidex dev`, API and worker in one) holds above what it held idle.
//
// Against a running `make dev` (-base, loopback only) it first sets up, untimed: one
// organization, its owner registered with a fresh address, and -animals animals loaded into
// it through the database as its owner (-database-admin-url): generations of 1,000, each
// animal after the first generation bred from two of the generation before it, with
// genetics claims, identifiers and a name a spreadsheet would run as a formula every tenth.
//
// Then it samples the resident memory of the process -pid (by default the one running
// `reptidex dev`) for -idle to learn its idle size, asks for the export (POST
// /api/v1/exports), reads it every -poll until it is ready or failed (printing its progress
// as it changes) while sampling the memory every 20 ms, and downloads the ZIP and counts the
// animals' rows in it. It prints the time from the request to ready (the API's own
// created_at and finished_at), the ZIP's size, the rows of each file, and the peak memory
// above idle, against the budget: under 30 s and within 100 MB. It exits with status 1 when
// the export failed, the ZIP holds another count of animals, or a budget is not met, and 2
// when the run could not be set up.
//
//	go run ./scripts/loadexport -animals 100000
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/scripts/population/benchdb"
)

// The budget the issue sets for an export of 100,000 animals.
const (
	budgetSeconds = 30
	budgetMB      = 100
)

// generation is how many animals are loaded by one statement; each generation's parents are
// in the one before.
const generation = 1000

type config struct {
	base, adminURL string
	animals, pid   int
	idle, poll     time.Duration
	waitMax        time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:8080", "API base URL (loopback only)")
	flag.StringVar(&c.adminURL, "database-admin-url", "postgres://postgres@127.0.0.1:5432/reptidex?sslmode=disable",
		"the API's database as its owner, through which the animals are loaded")
	flag.IntVar(&c.animals, "animals", 100_000, "animals to load and export (1,000 to 1,000,000)")
	flag.IntVar(&c.pid, "pid", 0, "process whose memory is sampled; 0: the one running `reptidex dev`")
	flag.DurationVar(&c.idle, "idle", 20*time.Second, "how long the idle memory is sampled before the export, once the loaded animals have settled into the API's pedigree graph")
	flag.DurationVar(&c.poll, "poll", 250*time.Millisecond, "how often the export is read")
	flag.DurationVar(&c.waitMax, "wait", 10*time.Minute, "how long to wait for the export")
	flag.Parse()
	ok, err := run(c, os.Stdout)
	loadgen.Exit("loadexport", ok, err)
}

func validate(c *config) error {
	if c.animals < generation || c.animals > 1_000_000 {
		return errors.New("-animals must be between 1,000 and 1,000,000")
	}
	if c.idle <= 0 || c.poll <= 0 || c.waitMax <= 0 {
		return errors.New("-idle, -poll and -wait must be positive")
	}
	if err := benchdb.CheckLoopbackDB(c.adminURL); err != nil {
		return fmt.Errorf("-database-admin-url: %w", err)
	}
	if c.pid == 0 {
		pid, err := devProcess()
		if err != nil {
			return err
		}
		c.pid = pid
	}
	return loadgen.CheckLoopback(c.base)
}

func run(c config, w io.Writer) (bool, error) {
	if err := validate(&c); err != nil {
		return false, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	api := loadgen.NewAPI(c.base, loadgen.NewClient(2, time.Minute))
	runID := newRunID()
	acct, err := api.Register(ctx, "export-"+runID+"@bench.reptidex.local", "Export "+runID)
	if err != nil {
		return false, err
	}
	t0 := time.Now()
	if err := load(ctx, c, acct.OrgID, runID); err != nil {
		return false, err
	}
	fmt.Fprintf(w, "loadexport: %d animals loaded in %.1f s\n", c.animals, time.Since(t0).Seconds())

	idle, err := idleRSS(ctx, c.pid, c.idle)
	if err != nil {
		return false, err
	}
	var peak atomic.Int64
	sampling, stopSampling := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		sample(sampling, c.pid, &peak)
	}()
	e, err := export(ctx, api, acct.Token, c, w)
	stopSampling()
	<-sampled
	if err != nil {
		return false, err
	}
	r := result{animals: c.animals, export: e, idleMB: mb(idle), peakMB: mb(peak.Load())}
	if e.Status == "ready" {
		if r.zipRows, err = countAnimals(ctx, e.Download.URL); err != nil {
			return false, err
		}
	}
	r.print(w)
	return r.ok(), nil
}

// exported is what GET /api/v1/exports/{id} answers, as far as the run reads it.
type exported struct {
	ID         string           `json:"id"`
	Status     string           `json:"status"`
	Problem    string           `json:"problem"`
	CreatedAt  time.Time        `json:"created_at"`
	FinishedAt *time.Time       `json:"finished_at"`
	Bytes      int64            `json:"bytes"`
	Files      map[string]int64 `json:"files"`
	Progress   *struct {
		Stage     string `json:"stage"`
		FilesDone int    `json:"files_done"`
		Rows      int64  `json:"rows"`
	} `json:"progress"`
	Download *struct {
		URL string `json:"url"`
	} `json:"download"`
}

// export asks for the export and reads it until it ends, printing its progress.
func export(ctx context.Context, api *loadgen.API, token string, c config, w io.Writer) (exported, error) {
	var e exported
	if err := api.Expect(ctx, http.StatusAccepted, &e, http.MethodPost, "/api/v1/exports", token, nil); err != nil {
		return e, err
	}
	deadline := time.Now().Add(c.waitMax)
	last := ""
	for e.Status == "running" {
		if time.Now().After(deadline) {
			return e, fmt.Errorf("export %s still running after %s", e.ID, c.waitMax)
		}
		select {
		case <-ctx.Done():
			return e, ctx.Err()
		case <-time.After(c.poll):
		}
		if err := api.Expect(ctx, http.StatusOK, &e, http.MethodGet, "/api/v1/exports/"+e.ID, token, nil); err != nil {
			return e, err
		}
		if p := e.Progress; p != nil {
			if now := fmt.Sprintf("%s, %d files, %d rows", p.Stage, p.FilesDone, p.Rows); now != last {
				fmt.Fprintf(w, "loadexport: %s\n", now)
				last = now
			}
		}
	}
	return e, nil
}

type result struct {
	animals        int
	export         exported
	zipRows        int
	idleMB, peakMB float64
}

func (r result) seconds() float64 {
	if r.export.FinishedAt == nil {
		return 0
	}
	return r.export.FinishedAt.Sub(r.export.CreatedAt).Seconds()
}

func (r result) ok() bool {
	return r.export.Status == "ready" && r.zipRows == r.animals && r.seconds() < budgetSeconds && r.peakMB-r.idleMB < budgetMB
}

func (r result) print(w io.Writer) {
	fmt.Fprintf(w, "export of %d animals: %s", r.animals, r.export.Status)
	if r.export.Problem != "" {
		fmt.Fprintf(w, " (%s)", r.export.Problem)
	}
	fmt.Fprintf(w, "\n  request to ready: %.1f s (budget %d s)\n", r.seconds(), budgetSeconds)
	fmt.Fprintf(w, "  memory: idle %.0f MB, peak %.0f MB, %.0f MB above idle (budget %d MB)\n",
		r.idleMB, r.peakMB, r.peakMB-r.idleMB, budgetMB)
	fmt.Fprintf(w, "  ZIP: %.1f MB, %d animals in animals.csv\n", float64(r.export.Bytes)/(1<<20), r.zipRows)
	names := make([]string, 0, len(r.export.Files))
	for n := range r.export.Files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-17s %d rows\n", n+".csv", r.export.Files[n])
	}
}

// load loads the animals into the organization, a generation at a time.
func load(ctx context.Context, c config, orgPublicID, runID string) error {
	conn, err := pgx.Connect(ctx, c.adminURL)
	if err != nil {
		return fmt.Errorf("connect to the database: %w", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	for start := 0; start < c.animals; start += generation {
		n := min(generation, c.animals-start)
		if _, err := conn.Exec(ctx, loadSQL, orgPublicID, runID, start, n, generation); err != nil {
			return fmt.Errorf("load animals %d to %d: %w", start, start+n, err)
		}
	}
	return nil
}

// loadSQL loads animals start to start+n of the run into the organization; animal i is bred
// from two of the generation before (a male and a female of it).
const loadSQL = `
WITH o AS (SELECT id FROM organizations WHERE public_id = $1)
INSERT INTO animals (id, public_id, org_id, breeder_org_id, species_key, sex, name, hatch_date, identifiers,
	genetics, genetics_text, gene_keys, sire_id, dam_id, visibility)
SELECT md5($2 || i)::uuid, translate(substr(md5('p' || $2 || i), 1, 22), '0', 'z'), o.id, o.id, 'ball-python',
	CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END::animal_sex,
	CASE WHEN i % 10 = 0 THEN '=SUM(A' || i || ')' ELSE 'Bench ' || i END,
	date '2010-01-01' + (i / $5)::int * 30,
	jsonb_build_object('breeder_id', 'B-' || i, 'microchip', '9851' || lpad(i::text, 11, '0')),
	CASE i % 3 WHEN 0 THEN '[{"gene": "pastel", "kind": "visual"}, {"gene": "clown", "kind": "het"}]'::jsonb
		WHEN 1 THEN '[{"gene": "pied", "kind": "possible_het", "probability": "2/3"}]'::jsonb ELSE '[]'::jsonb END,
	CASE i % 3 WHEN 0 THEN 'Pastel het Clown' WHEN 1 THEN '66% poss het Pied' ELSE 'Normal' END,
	CASE i % 3 WHEN 0 THEN '{pastel,clown}'::text[] WHEN 1 THEN '{pied}'::text[] ELSE '{}'::text[] END,
	CASE WHEN i >= $5 THEN md5($2 || (i - $5 - i % 2))::uuid END,
	CASE WHEN i >= $5 THEN md5($2 || (i - $5 - i % 2 + 1))::uuid END,
	CASE WHEN i % 4 = 0 THEN 'public' ELSE 'organization' END::animal_visibility
FROM o, generate_series($3::int, $3::int + $4::int - 1) i`

// countAnimals downloads the ZIP to a temporary file and counts the rows of animals.csv.
func countAnimals(ctx context.Context, url string) (int, error) {
	f, err := os.CreateTemp("", "loadexport-*.zip")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.Remove(f.Name()); _ = f.Close() }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("download the ZIP: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("download the ZIP: %s", resp.Status)
	}
	size, err := io.Copy(f, resp.Body)
	if err != nil {
		return 0, fmt.Errorf("download the ZIP: %w", err)
	}
	z, err := zip.NewReader(f, size)
	if err != nil {
		return 0, fmt.Errorf("read the ZIP: %w", err)
	}
	for _, e := range z.File {
		if e.Name != "animals.csv" {
			continue
		}
		r, err := e.Open()
		if err != nil {
			return 0, err
		}
		defer func() { _ = r.Close() }()
		cr := csv.NewReader(bufio.NewReader(r))
		n := -1 // the header
		for {
			_, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			if err != nil {
				return 0, fmt.Errorf("animals.csv: %w", err)
			}
			n++
		}
	}
	return 0, errors.New("the ZIP has no animals.csv")
}

// devProcess finds the process running `reptidex dev`.
func devProcess() (int, error) {
	dirs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		return 0, err
	}
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if len(args) >= 2 && filepath.Base(args[0]) == "reptidex" && args[1] == "dev" {
			return strconv.Atoi(filepath.Base(filepath.Dir(d)))
		}
	}
	return 0, errors.New("no `reptidex dev` process found: start `make dev`, or name the process with -pid")
}

// rss reads the resident memory of a process, in bytes.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			kb, err := strconv.ParseInt(string(bytes.Fields(v)[0]), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}

// idleRSS is the largest resident memory of the process sampled over d.
func idleRSS(ctx context.Context, pid int, d time.Duration) (int64, error) {
	var peak atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if _, err := rss(pid); err != nil {
		return 0, fmt.Errorf("read the memory of process %d: %w", pid, err)
	}
	sample(ctx, pid, &peak)
	return peak.Load(), nil
}

// sample keeps the largest resident memory of the process in peak, every 20 ms until ctx ends.
func sample(ctx context.Context, pid int, peak *atomic.Int64) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if n, err := rss(pid); err == nil && n > peak.Load() {
			peak.Store(n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
