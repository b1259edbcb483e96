// Command loadsale measures whole sales through the ReptiDex API, with the driver playing
// buyer, seller and Stripe, beside the rate at which the same Temporal dev server runs a
// workflow of as many no-op activities.
//
// Against a running `make dev` (-base, loopback only) it first sets up, untimed: -sellers
// sellers and -buyers buyers with fresh addresses, each verified through the link the
// development mail sink (-mail) received; a seller account for each seller, made ready to
// sell through the database's admin connection (-database-admin-url: stripe-mock's account
// never has charges and payouts enabled, so no account.updated can make it ready); and
// -sales animals listed, spread over the sellers.
//
// Then the baseline: a worker in this process, with -pollers workflow and activity task
// pollers like the real worker's, on its own task queue of the same Temporal server
// (-temporal), runs -sales workflows at once, each running one no-op activity after another
// as many times as a completed sale runs activities and child workflows (counted from its
// recorded history, -history). It reports no-op workflows completed per minute, from the
// first start to the last completion.
//
// Then the sales: -clients concurrent clients each take the next listing and drive its sale:
// the buyer orders (POST /api/v1/orders); the driver reads the order until the sale has asked
// Stripe for the payment (payment.payment_intent_id), posts the signed event Stripe would
// send once the card is authorized (payment_intent.amount_capturable_updated, built by
// stripehooks.BuildEvent and signed with -webhook-secret) and reads the order until it is
// paid; the seller ships; the buyer marks it delivered and confirms; the driver reads the
// order until it is completed. The driver reads the order every -poll.
//
// It prints sales completed per minute (first order to the last sale's end), the p50, p90 and
// p99 of each step, and the ratio of sales per minute to no-op workflows per minute. It exits
// with status 1 unless every sale completed and every no-op workflow too, and 2 when the run
// could not be set up. A run must end within the access token's lifetime (15 minutes by
// default), hence the cap on -sales.
//
//	go run ./scripts/loadsale -sales 200 -clients 32
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

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/scripts/population/benchdb"
)

// maxSales caps -sales so that a run ends well within the access token's lifetime.
const maxSales = 2_000

type config struct {
	base, mailURL, adminURL  string
	temporal, namespace      string
	secret, history, species string
	sales, clients           int
	sellers, buyers          int
	createWorkers, pollers   int
	poll, waitMax, timeout   time.Duration
	baseline, json           bool
}

// Result is the summary printed at the end of a run.
type Result struct {
	Target         string                     `json:"target"`
	Sales          int                        `json:"sales"`
	Clients        int                        `json:"clients"`
	SetupSeconds   float64                    `json:"setup_seconds"`
	WallSeconds    float64                    `json:"wall_seconds"` // first order sent to the last sale's end
	Completed      int                        `json:"completed"`
	SalesPerMinute float64                    `json:"sales_per_minute"`
	Steps          map[string]loadgen.Latency `json:"steps"`
	Failed         map[string]int             `json:"failed"` // sales by the step that failed
	// Updates whose answer still showed the stage before, by step: the step then waited
	// for the order to show the new one.
	Stale    map[string]int    `json:"stale_answers"`
	Baseline *loadgen.Baseline `json:"baseline,omitempty"`
	Ratio    float64           `json:"ratio,omitempty"` // sales per minute ÷ no-op workflows per minute
}

// OK reports whether every sale completed, and every no-op workflow of the baseline.
func (r Result) OK() bool {
	return r.Completed == r.Sales && (r.Baseline == nil || r.Baseline.OK())
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:8080", "API base URL (loopback only)")
	flag.StringVar(&c.mailURL, "mail", "http://127.0.0.1:8025", "HTTP API of the mail sink that receives the verification emails")
	flag.StringVar(&c.adminURL, "database-admin-url", "postgres://postgres@127.0.0.1:5432/reptidex?sslmode=disable",
		"owner (superuser) URL of the API's database (loopback only): makes the sellers ready and reads each order's id for Stripe's events")
	flag.StringVar(&c.temporal, "temporal", "127.0.0.1:7233", "the Temporal frontend the API and worker use (loopback only)")
	flag.StringVar(&c.namespace, "namespace", "default", "Temporal namespace")
	flag.StringVar(&c.secret, "webhook-secret", "whsec_reptidex_dev", "the API's STRIPE_WEBHOOK_SECRET, which signs the events")
	flag.StringVar(&c.history, "history", "workflows/sale/testdata/completed.json",
		"recorded history of a completed sale: its activities and child workflows are the baseline's no-op activities")
	flag.StringVar(&c.species, "species", "ball-python", "species of the animals")
	flag.IntVar(&c.sales, "sales", 200, fmt.Sprintf("sales to drive, and no-op workflows to run (at most %d)", maxSales))
	flag.IntVar(&c.clients, "clients", 32, "concurrent clients, each driving one sale at a time (and starting the no-op workflows)")
	flag.IntVar(&c.sellers, "sellers", 4, "selling organizations")
	flag.IntVar(&c.buyers, "buyers", 4, "buying organizations")
	flag.IntVar(&c.createWorkers, "create-workers", 8, "concurrent clients creating and listing the animals before the run")
	flag.IntVar(&c.pollers, "pollers", 16, "workflow and activity task pollers of the baseline's worker (the real worker's TEMPORAL_POLLERS)")
	flag.DurationVar(&c.poll, "poll", 250*time.Millisecond, "how often a client reads an order it waits on (a page refreshing its status)")
	flag.DurationVar(&c.waitMax, "wait", 2*time.Minute, "how long a client waits on an order before counting the sale failed")
	flag.DurationVar(&c.timeout, "timeout", time.Minute, "per-request timeout (an order's update waits up to 20 s for the sale)")
	flag.BoolVar(&c.baseline, "baseline", true, "run the no-op baseline before the sales")
	flag.BoolVar(&c.json, "json", false, "print the result as JSON")
	flag.Parse()

	ok, err := run(c, os.Stdout)
	loadgen.Exit("loadsale", ok, err)
}

// validate checks the configuration.
func validate(c config) error {
	switch {
	case c.sales < 1 || c.sales > maxSales:
		return fmt.Errorf("-sales must be between 1 and %d", maxSales)
	case c.clients < 1 || c.clients > loadgen.MaxClients:
		return fmt.Errorf("-clients must be between 1 and %d", loadgen.MaxClients)
	case c.createWorkers < 1 || c.createWorkers > loadgen.MaxClients:
		return fmt.Errorf("-create-workers must be between 1 and %d", loadgen.MaxClients)
	case c.sellers < 1 || c.buyers < 1 || c.sellers+c.buyers > 50:
		return errors.New("-sellers and -buyers must be at least 1, and at most 50 together")
	case c.pollers < 1:
		return errors.New("-pollers must be positive")
	case c.poll <= 0 || c.waitMax <= 0 || c.timeout <= 0:
		return errors.New("-poll, -wait and -timeout must be positive")
	case strings.TrimSpace(c.species) == "" || c.secret == "":
		return errors.New("-species and -webhook-secret are required")
	}
	if err := benchdb.CheckLoopbackDB(c.adminURL); err != nil {
		return fmt.Errorf("-database-admin-url: %w", err)
	}
	if err := loadgen.CheckLoopback("http://" + c.temporal); err != nil {
		return fmt.Errorf("-temporal: %w", err)
	}
	if err := loadgen.CheckLoopback(c.mailURL); err != nil {
		return fmt.Errorf("-mail: %w", err)
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
	pc, err := pgxpool.ParseConfig(c.adminURL)
	if err != nil {
		return false, fmt.Errorf("-database-admin-url: %w", err)
	}
	pc.MaxConns = 4
	admin, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return false, fmt.Errorf("connect to the database: %w", err)
	}
	defer admin.Close()

	runID := newRunID()
	progress(c, "loadsale: run %s: setting up %d sellers, %d buyers and %d listings", runID, c.sellers, c.buyers, c.sales)
	t0 := time.Now()
	m, err := openMarket(ctx, api, admin, c, runID)
	if err != nil {
		return false, err
	}
	r := Result{Target: api.Base, Sales: c.sales, Clients: c.clients, SetupSeconds: time.Since(t0).Seconds()}

	if c.baseline {
		tc, err := client.Dial(client.Options{HostPort: c.temporal, Namespace: c.namespace,
			Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))})
		if err != nil {
			return false, fmt.Errorf("connect to Temporal: %w", err)
		}
		defer tc.Close()
		progress(c, "loadsale: baseline: %d no-op workflows of %d activities, %d pollers", c.sales, steps, c.pollers)
		b, err := loadgen.RunBaseline(ctx, tc, "loadsale-noop-"+runID, c.sales, steps, c.pollers, c.clients)
		if err != nil {
			return false, err
		}
		r.Baseline = &b
		for _, f := range b.Failures {
			fmt.Fprintln(os.Stderr, "loadsale: baseline failed:", f)
		}
	}

	progress(c, "loadsale: %d sales with %d clients", c.sales, c.clients)
	d := &driver{api: api, admin: admin, secret: c.secret, poll: c.poll, waitMax: c.waitMax, runID: runID}
	sr := d.sellAll(ctx, m.sales, c.clients)
	if ctx.Err() != nil {
		return false, errors.New("interrupted")
	}
	for _, f := range sr.failures {
		fmt.Fprintln(os.Stderr, "loadsale: failed:", f)
	}
	r.WallSeconds, r.Completed, r.Failed, r.Stale = sr.wall.Seconds(), sr.completed, sr.failed, sr.stale
	r.SalesPerMinute = loadgen.PerMinute(sr.completed, sr.wall)
	r.Steps = map[string]loadgen.Latency{}
	for s := range numSteps {
		r.Steps[stepNames[s]] = loadgen.Spread(sr.steps[s])
	}
	if r.Baseline != nil && r.Baseline.PerMinute > 0 {
		r.Ratio = r.SalesPerMinute / r.Baseline.PerMinute
	}
	if err := report(c, w, r); err != nil {
		return false, err
	}
	return r.OK(), nil
}

// newRunID returns a short random ID that keeps each run's emails, keys and task queue apart.
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
	fmt.Fprintf(w, "target      %s: %d sales, %d clients (set-up %.1fs)\n", r.Target, r.Sales, r.Clients, r.SetupSeconds)
	fmt.Fprintf(w, "sales       %d completed in %.2fs from the first order to the last sale's end = %.1f sales/min\n",
		r.Completed, r.WallSeconds, r.SalesPerMinute)
	for s := range numSteps {
		l := r.Steps[stepNames[s]]
		fmt.Fprintf(w, "  %-20s p50 %8.1fms  p90 %8.1fms  p99 %8.1fms  max %8.1fms\n", stepNames[s], l.P50ms, l.P90ms, l.P99ms, l.MaxMs)
	}
	if len(r.Stale) > 0 {
		fmt.Fprintf(w, "stale       %s (updates answered 200 with the stage before; the step waited for the new one)\n", loadgen.Breakdown(r.Stale))
	}
	if len(r.Failed) > 0 {
		fmt.Fprintf(w, "failed      %s (sales by the step that failed)\n", loadgen.Breakdown(r.Failed))
	}
	if b := r.Baseline; b != nil {
		fmt.Fprintf(w, "baseline    %d of %d no-op workflows of %d activities in %.2fs = %.1f workflows/min\n",
			b.Completed, b.Workflows, b.Steps, b.WallSec, b.PerMinute)
		fmt.Fprintf(w, "ratio       %.3f (sales/min ÷ no-op workflows/min)\n", r.Ratio)
	}
	return nil
}
