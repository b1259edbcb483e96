// Command loadcert measures pedigree certificates issued through the ReptiDex API, request
// to issue, beside the rate at which the same Temporal server runs a workflow of as many
// no-op activities.
//
// Against a running `make dev` (-base, loopback only) it first sets up, untimed: one
// organization, its owner registered with a fresh address and verified through the link the
// development mail sink (-mail) received, and -animals animals of it.
//
// Then the baseline: a worker in this process, with -pollers workflow and activity task
// pollers like the real worker's (TEMPORAL_POLLERS), on a task queue of its own on the same
// Temporal server (-temporal), runs -certificates workflows started by -clients concurrent
// clients, each running one no-op activity after another as many times as an issued
// certificate runs activities (counted from its recorded history, -history). It reports
// no-op workflows completed per second, from the first start to the last completion, and
// each one's start-to-end latency.
//
// Then the certificates: -clients concurrent clients request -certificates certificates
// (POST /api/v1/animals/{id}/certificates, certificate i of animal i mod -animals), then
// the driver reads each animal's certificates (GET /api/v1/animals/{id}/certificates) every
// -poll until every one is issued or failed, or -wait has passed. A certificate's latency
// runs from its request being sent to the time the API records it issued (issued_at: the
// driver and the API share the machine's clock), so the poll interval does not add to it.
//
// It prints certificates issued per second (first request to the last issue), the p50, p90
// and p99 of the request's answer and of request to issue, the baseline's rate, and the
// ratio of the two rates. It exits with status 1 unless every certificate was issued and
// every no-op workflow completed, and 2 when the run could not be set up. A run must end
// within the access token's lifetime (15 minutes by default), hence the cap on
// -certificates.
//
//	go run ./scripts/loadcert -certificates 1000 -clients 32
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/scripts/population/benchdb"
)

// maxCertificates caps -certificates so that a run ends well within the access token's
// lifetime.
const maxCertificates = 5_000

// maxPerAnimal is how many certificates an animal may be asked for in a run: an animal's
// list answers its newest 100, and the driver reads every certificate there.
const maxPerAnimal = 100

type config struct {
	base, mailURL, history string
	databaseURL            string
	temporal, namespace    string
	species                string
	certificates, animals  int
	clients, createWorkers int
	pollers                int
	poll, waitMax, timeout time.Duration
	baseline, json         bool
}

// Result is the summary printed at the end of a run.
type Result struct {
	Target       string  `json:"target"`
	Certificates int     `json:"certificates"`
	Animals      int     `json:"animals"`
	Clients      int     `json:"clients"`
	SetupSeconds float64 `json:"setup_seconds"`
	// Requested counts the requests the API accepted (202); Issued and Failed how they ended.
	Requested int `json:"requested"`
	Issued    int `json:"issued"`
	Failed    int `json:"failed"`
	// WallSeconds runs from the first request sent to the last certificate issued.
	WallSeconds float64 `json:"wall_seconds"`
	PerSecond   float64 `json:"certificates_per_second"`
	// Answer is the spread of the request's answer (202); Issue of request to issue.
	Answer   loadgen.Latency   `json:"request_answer"`
	Issue    loadgen.Latency   `json:"request_to_issued"`
	Baseline *loadgen.Baseline `json:"baseline,omitempty"`
	// Ratio is certificates per second ÷ no-op workflows per second.
	Ratio    float64  `json:"ratio,omitempty"`
	Failures []string `json:"failures,omitempty"`
}

// OK reports whether every certificate was issued, and every no-op workflow of the
// baseline completed.
func (r Result) OK() bool {
	return r.Certificates > 0 && r.Issued == r.Certificates && (r.Baseline == nil || r.Baseline.OK())
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:8080", "API base URL (loopback only)")
	flag.StringVar(&c.mailURL, "mail", "http://127.0.0.1:8025", "HTTP API of the mail sink that receives the verification email")
	flag.StringVar(&c.databaseURL, "database-url", "postgres://reptidex_app@127.0.0.1:5432/reptidex?sslmode=disable",
		"the API's database, through which the organization is granted Business as support grants it (Free issues 5 certificates a month)")
	flag.StringVar(&c.temporal, "temporal", "127.0.0.1:7233", "the Temporal frontend the API and worker use (loopback only)")
	flag.StringVar(&c.namespace, "namespace", "default", "Temporal namespace")
	flag.StringVar(&c.history, "history", "workflows/certificate/testdata/issued.json",
		"recorded history of an issued certificate: its activities are the baseline's no-op activities")
	flag.StringVar(&c.species, "species", "ball-python", "species of the animals")
	flag.IntVar(&c.certificates, "certificates", 1000, fmt.Sprintf("certificates to request, and no-op workflows to run (at most %d)", maxCertificates))
	flag.IntVar(&c.animals, "animals", 100, fmt.Sprintf("animals the certificates are spread over (at most %d certificates each)", maxPerAnimal))
	flag.IntVar(&c.clients, "clients", 32, "concurrent clients requesting certificates (and starting the no-op workflows, and reading the lists)")
	flag.IntVar(&c.createWorkers, "create-workers", 8, "concurrent clients creating the animals before the run")
	flag.IntVar(&c.pollers, "pollers", 16, "workflow and activity task pollers of the baseline's worker (the real worker's TEMPORAL_POLLERS)")
	flag.DurationVar(&c.poll, "poll", 250*time.Millisecond, "how often the driver reads the certificates still issuing")
	flag.DurationVar(&c.waitMax, "wait", 10*time.Minute, "how long after the requests the driver waits for every certificate")
	flag.DurationVar(&c.timeout, "timeout", 30*time.Second, "per-request timeout")
	flag.BoolVar(&c.baseline, "baseline", true, "run the no-op baseline before the certificates")
	flag.BoolVar(&c.json, "json", false, "print the result as JSON")
	flag.Parse()

	ok, err := run(c, os.Stdout)
	loadgen.Exit("loadcert", ok, err)
}

// validate checks the configuration.
func validate(c config) error {
	switch {
	case c.certificates < 1 || c.certificates > maxCertificates:
		return fmt.Errorf("-certificates must be between 1 and %d", maxCertificates)
	case c.animals < 1 || c.animals > c.certificates:
		return errors.New("-animals must be between 1 and -certificates")
	case (c.certificates+c.animals-1)/c.animals > maxPerAnimal:
		return fmt.Errorf("-animals must be at least -certificates / %d: an animal's list shows its newest %d certificates", maxPerAnimal, maxPerAnimal)
	case c.clients < 1 || c.clients > loadgen.MaxClients:
		return fmt.Errorf("-clients must be between 1 and %d", loadgen.MaxClients)
	case c.createWorkers < 1 || c.createWorkers > loadgen.MaxClients:
		return fmt.Errorf("-create-workers must be between 1 and %d", loadgen.MaxClients)
	case c.pollers < 1:
		return errors.New("-pollers must be positive")
	case c.poll <= 0 || c.waitMax <= 0 || c.timeout <= 0:
		return errors.New("-poll, -wait and -timeout must be positive")
	case strings.TrimSpace(c.species) == "":
		return errors.New("-species is required")
	}
	if err := loadgen.CheckLoopback("http://" + c.temporal); err != nil {
		return fmt.Errorf("-temporal: %w", err)
	}
	if err := loadgen.CheckLoopback(c.mailURL); err != nil {
		return fmt.Errorf("-mail: %w", err)
	}
	if err := benchdb.CheckLoopbackDB(c.databaseURL); err != nil {
		return fmt.Errorf("-database-url: %w", err)
	}
	return loadgen.CheckLoopback(c.base)
}

func run(c config, w io.Writer) (bool, error) {
	if err := validate(c); err != nil {
		return false, err
	}
	steps := 0
	if c.baseline {
		var err error
		if steps, err = loadgen.HistorySteps(c.history); err != nil {
			return false, err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	api := loadgen.NewAPI(c.base, loadgen.NewClient(max(c.clients, c.createWorkers), c.timeout))

	runID := newRunID()
	progress(c, "loadcert: run %s: setting up an organization and %d animals", runID, c.animals)
	t0 := time.Now()
	owner, animals, err := setUp(ctx, api, c, runID)
	if err != nil {
		return false, err
	}
	r := Result{Target: api.Base, Certificates: c.certificates, Animals: c.animals, Clients: c.clients,
		SetupSeconds: time.Since(t0).Seconds()}

	if c.baseline {
		tc, err := client.Dial(client.Options{HostPort: c.temporal, Namespace: c.namespace,
			Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))})
		if err != nil {
			return false, fmt.Errorf("connect to Temporal: %w", err)
		}
		defer tc.Close()
		progress(c, "loadcert: baseline: %d no-op workflows of %d activities, %d pollers, %d clients", c.certificates, steps, c.pollers, c.clients)
		b, err := loadgen.RunBaseline(ctx, tc, "loadcert-noop-"+runID, c.certificates, steps, c.pollers, c.clients)
		if err != nil {
			return false, err
		}
		r.Baseline = &b
		for _, f := range b.Failures {
			fmt.Fprintln(os.Stderr, "loadcert: baseline failed:", f)
		}
	}

	progress(c, "loadcert: %d certificates with %d clients", c.certificates, c.clients)
	d := &driver{api: api, token: owner.Token, runID: runID, poll: c.poll, waitMax: c.waitMax, clients: c.clients}
	reqs := d.requestAll(ctx, animals, c.certificates)
	outcomes := d.waitAll(ctx, reqs)
	if ctx.Err() != nil {
		return false, errors.New("interrupted")
	}
	summarize(&r, reqs, outcomes)
	r.Failures = d.failures
	for _, f := range r.Failures {
		fmt.Fprintln(os.Stderr, "loadcert: failed:", f)
	}
	if err := report(c, w, r); err != nil {
		return false, err
	}
	return r.OK(), nil
}

// setUp registers and verifies the organization's owner and creates c.animals animals, with
// c.createWorkers concurrent clients. Any failure ends the run: the set-up is not measured.
func setUp(ctx context.Context, api *loadgen.API, c config, runID string) (loadgen.Account, []string, error) {
	email := fmt.Sprintf("loadcert-%s@example.com", runID)
	owner, err := api.Register(ctx, email, "Load Certificates "+runID)
	if err != nil {
		return loadgen.Account{}, nil, err
	}
	if err := api.Verify(ctx, &mailsink.Client{BaseURL: c.mailURL}, email); err != nil {
		return loadgen.Account{}, nil, err
	}
	if err := loadgen.GrantPlan(ctx, c.databaseURL, owner.OrgID, "business"); err != nil {
		return loadgen.Account{}, nil, err
	}
	animals := make([]string, c.animals)
	err = loadgen.ForEach(ctx, c.animals, c.createWorkers, func(ctx context.Context, i int) error {
		id, err := api.CreateAnimal(ctx, owner.Token, c.species, runID, i)
		if err != nil {
			return fmt.Errorf("animal %d: %w", i+1, err)
		}
		animals[i] = id
		return nil
	})
	return owner, animals, err
}

// summarize fills in the result from the requests accepted and how they ended: the counts,
// the rate from the first request sent to the last certificate issued, the spreads of the
// answers and of request to issue, and the ratio to the baseline's rate.
func summarize(r *Result, reqs []request, outcomes map[string]outcome) {
	r.Requested = len(reqs)
	var (
		answers, issues []time.Duration
		first, last     time.Time
	)
	for _, q := range reqs {
		answers = append(answers, q.answer)
		if first.IsZero() || q.sent.Before(first) {
			first = q.sent
		}
		o, ok := outcomes[q.serial]
		switch {
		case !ok:
		case o.issued:
			r.Issued++
			issues = append(issues, o.issuedAt.Sub(q.sent))
			if o.issuedAt.After(last) {
				last = o.issuedAt
			}
		default:
			r.Failed++
		}
	}
	r.Answer, r.Issue = loadgen.Spread(answers), loadgen.Spread(issues)
	if r.Issued > 0 {
		wall := last.Sub(first)
		r.WallSeconds = wall.Seconds()
		r.PerSecond = loadgen.PerSecond(r.Issued, wall)
	}
	if r.Baseline != nil && r.Baseline.PerSecond > 0 {
		r.Ratio = r.PerSecond / r.Baseline.PerSecond
	}
}

// decode reads a JSON answer.
func decode(body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// newRunID returns a short random ID that keeps each run's email, keys and task queue apart.
func newRunID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails since Go 1.24
	return hex.EncodeToString(b)
}

// progress tells what the run is doing on stderr, unless the result is wanted as JSON.
func progress(c config, format string, args ...any) {
	if !c.json {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

// report writes the result: as indented JSON with -json, else as text.
func report(c config, w io.Writer, r Result) error {
	if c.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(w, "target        %s: %d certificates of %d animals, %d clients (set-up %.1fs)\n",
		r.Target, r.Certificates, r.Animals, r.Clients, r.SetupSeconds)
	fmt.Fprintf(w, "certificates  %d of %d issued (%d accepted, %d failed) in %.2fs from the first request to the last issue = %.1f certificates/s\n",
		r.Issued, r.Certificates, r.Requested, r.Failed, r.WallSeconds, r.PerSecond)
	fmt.Fprintf(w, "  %-18s %s\n", "request answer", r.Answer)
	fmt.Fprintf(w, "  %-18s %s\n", "request to issued", r.Issue)
	if b := r.Baseline; b != nil {
		fmt.Fprintf(w, "baseline      %d of %d no-op workflows of %d activities in %.2fs = %.1f workflows/s\n",
			b.Completed, b.Workflows, b.Steps, b.WallSec, b.PerSecond)
		fmt.Fprintf(w, "  %-18s %s\n", "start to end", b.Latency)
		fmt.Fprintf(w, "ratio         %.3f (certificates/s ÷ no-op workflows/s)\n", r.Ratio)
	}
	return nil
}
