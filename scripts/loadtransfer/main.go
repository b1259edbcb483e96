// Command loadtransfer measures ownership transfers end to end through the ReptiDex API:
// how many offers are made and accepted per second, and how long the offer and the accept
// calls take.
//
// Against a running API (-base, loopback only; `make dev` by default) it registers a seller
// and a buyer with fresh email addresses, verifies the seller's through the link the
// development mail sink (-mail) received (an organization makes offers once its owner is
// verified), creates -transfers animals for the seller with
// -create-workers concurrent clients, then runs -clients concurrent clients, each of which
// takes the next animal, offers it to the buyer's organization (POST /api/v1/transfers with
// an Idempotency-Key; the API records the offer and starts its workflow) and, as soon as
// the offer is answered, accepts it as the buyer into the buyer's organization
// (POST /api/v1/transfers/{id}/accept, which waits for the workflow to move the animal:
// a Temporal Update round trip).
//
// It reports the wall time from the first offer to the last answer (the last accept, unless
// calls failed), transfers accepted per second, the p50/p90/p99/max latency of the offer
// and the accept calls and of the whole transfer (offer sent to accept answered), and every
// call by status. Finally it lists the buyer's incoming transfers and checks that every
// offer was accepted into the buyer's organization. With -metrics (on by default) it reads
// the server's Prometheus metrics before the first offer and after the last answer and
// shows where the time went: each Temporal server call, task wait and activity, how often
// per transfer and how long on average, and the wait for a database connection.
//
// It exits with status 1 unless all -transfers were accepted and verified, and 2 when the
// run could not be set up. A run must end within the access token's lifetime
// (AUTH_ACCESS_TTL, 15 minutes by default), hence the cap on -transfers.
//
//	go run ./scripts/loadtransfer -base http://127.0.0.1:8080 -transfers 500 -clients 16
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/scripts/population/benchdb"
)

// maxTransfers caps -transfers so that a run ends well within the access token's lifetime.
const maxTransfers = 10_000

type config struct {
	base          string
	transfers     int
	clients       int
	createWorkers int
	species       string
	mailURL       string
	metricsURL    string
	databaseURL   string
	timeout       time.Duration
	json          bool
}

// Result is the summary printed at the end of a run.
type Result struct {
	Target             string          `json:"target"`
	Transfers          int             `json:"transfers"`
	Clients            int             `json:"clients"`
	CreateWorkers      int             `json:"create_workers"`
	AnimalsSeconds     float64         `json:"animals_seconds"`
	WallSeconds        float64         `json:"wall_seconds"` // first offer sent to last answer
	Accepted           int             `json:"accepted"`
	TransfersPerSecond float64         `json:"transfers_per_second"`
	Offer              CallSummary     `json:"offer"`
	Accept             CallSummary     `json:"accept"`
	Transfer           loadgen.Latency `json:"transfer"`
	Verified           Verification    `json:"verified"`
	Server             *Server         `json:"server,omitempty"`
}

// OK reports whether every transfer was offered, accepted and verified.
func (r Result) OK() bool {
	return r.Offer.OK == r.Transfers && r.Accept.OK == r.Transfers && r.Verified.Accepted == r.Transfers
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:8080", "API base URL (loopback only)")
	flag.IntVar(&c.transfers, "transfers", 500, fmt.Sprintf("animals to create, offer and accept (at most %d)", maxTransfers))
	flag.IntVar(&c.clients, "clients", 16, "concurrent clients, each offering an animal and then accepting that offer")
	flag.IntVar(&c.createWorkers, "create-workers", 8, "concurrent clients creating the animals before the run")
	flag.StringVar(&c.species, "species", "ball-python", "species of the animals")
	flag.StringVar(&c.mailURL, "mail", "http://127.0.0.1:8025", "HTTP API of the mail sink that receives the seller's verification email")
	flag.StringVar(&c.databaseURL, "database-url", "postgres://reptidex_app@127.0.0.1:5432/reptidex?sslmode=disable",
		"the API's database, through which the seller's organization is granted Business as support grants it (Free keeps 50 animals)")
	flag.StringVar(&c.metricsURL, "metrics", "http://127.0.0.1:9090/metrics", "URL of the API's Prometheus metrics (its operations "+
		"listener, OPS_ADDR), read before and after the transfers to show where their time went (empty: do not read)")
	flag.DurationVar(&c.timeout, "timeout", time.Minute, "per-request timeout (an accept waits up to 30 s for the workflow)")
	flag.BoolVar(&c.json, "json", false, "print the result as JSON")
	flag.Parse()

	ok, err := run(c)
	loadgen.Exit("loadtransfer", ok, err)
}

func run(c config) (bool, error) {
	if err := validate(&c); err != nil {
		return false, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	api := loadgen.NewAPI(c.base, loadgen.NewClient(max(c.clients, c.createWorkers), c.timeout))

	runID := newRunID()
	seller, err := api.Register(ctx, "loadtransfer-seller-"+runID+"@example.com", "Load Seller "+runID)
	if err != nil {
		return false, err
	}
	if err := api.Verify(ctx, &mailsink.Client{BaseURL: c.mailURL}, seller.Email); err != nil {
		return false, err
	}
	if err := loadgen.GrantPlan(ctx, c.databaseURL, seller.OrgID, "business"); err != nil {
		return false, err
	}
	buyer, err := api.Register(ctx, "loadtransfer-buyer-"+runID+"@example.com", "Load Buyer "+runID)
	if err != nil {
		return false, err
	}
	progress(c, "loadtransfer: run %s: seller %s, buyer organization %s; creating %d animals with %d workers",
		runID, seller.Email, buyer.OrgID, c.transfers, c.createWorkers)

	t0 := time.Now()
	animals, err := createAnimals(ctx, api, seller.Token, c, runID)
	if err != nil {
		return false, err
	}
	animalsTook := time.Since(t0)
	progress(c, "loadtransfer: %d animals in %s; offering and accepting with %d clients",
		len(animals), animalsTook.Round(time.Millisecond), c.clients)

	before := scrape(ctx, c, api.HTTP)
	tr := transferAll(ctx, api, seller, buyer, animals, runID, c.clients)
	if ctx.Err() != nil {
		return false, errors.New("interrupted")
	}
	for _, msg := range tr.failures {
		fmt.Fprintln(os.Stderr, "loadtransfer: failed:", msg)
	}

	after := scrape(ctx, c, api.HTTP)
	list, err := incoming(ctx, api, buyer.Token)
	if err != nil {
		return false, fmt.Errorf("verify: %w", err)
	}
	r := Result{Target: api.Base, Transfers: c.transfers, Clients: c.clients, CreateWorkers: c.createWorkers,
		AnimalsSeconds: animalsTook.Seconds(), WallSeconds: tr.wall.Seconds(),
		Offer: tr.offer.summary(), Accept: tr.accept.summary(), Transfer: loadgen.Spread(tr.whole),
		Verified: verify(tr.offered, list, buyer.OrgID)}
	r.Accepted = r.Accept.OK
	if before != nil && after != nil {
		srv := serverTimings(before, after, r.Accepted)
		r.Server = &srv
	}
	if tr.wall > 0 {
		r.TransfersPerSecond = float64(r.Accepted) / tr.wall.Seconds()
	}
	if err := report(c, r); err != nil {
		return false, err
	}
	return r.OK(), nil
}

// validate checks the configuration.
func validate(c *config) error {
	switch {
	case c.transfers < 1 || c.transfers > maxTransfers:
		return fmt.Errorf("-transfers must be between 1 and %d", maxTransfers)
	case c.clients < 1 || c.clients > loadgen.MaxClients:
		return fmt.Errorf("-clients must be between 1 and %d", loadgen.MaxClients)
	case c.createWorkers < 1 || c.createWorkers > loadgen.MaxClients:
		return fmt.Errorf("-create-workers must be between 1 and %d", loadgen.MaxClients)
	case c.timeout <= 0:
		return errors.New("-timeout must be positive")
	case strings.TrimSpace(c.species) == "":
		return errors.New("-species is required")
	}
	if c.metricsURL != "" {
		if err := loadgen.CheckLoopback(c.metricsURL); err != nil {
			return fmt.Errorf("-metrics: %w", err)
		}
	}
	if err := benchdb.CheckLoopbackDB(c.databaseURL); err != nil {
		return fmt.Errorf("-database-url: %w", err)
	}
	return loadgen.CheckLoopback(c.base)
}

// newRunID returns a short random ID that keeps each run's emails and keys apart.
func newRunID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// scrape reads the server's metrics, or returns nil when -metrics is empty or they cannot
// be read (the run goes on without them).
func scrape(ctx context.Context, c config, client *http.Client) samples {
	if c.metricsURL == "" {
		return nil
	}
	s, err := readMetrics(ctx, client, c.metricsURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtransfer: no server metrics:", err)
		return nil
	}
	return s
}

// progress tells what the run is doing on stderr, unless the result is wanted as JSON.
func progress(c config, format string, args ...any) {
	if !c.json {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

// report writes the result to stdout: as indented JSON with -json, else as text.
func report(c config, r Result) error {
	if c.json {
		return writeJSON(os.Stdout, r)
	}
	others := loadgen.Breakdown(r.Verified.Others)
	fmt.Printf("target    %s: %d transfers, %d clients (animals created by %d workers in %.2fs)\n",
		r.Target, r.Transfers, r.Clients, r.CreateWorkers, r.AnimalsSeconds)
	fmt.Printf("accepted  %d in %.2fs from the first offer to the last answer = %.1f transfers/s\n",
		r.Accepted, r.WallSeconds, r.TransfersPerSecond)
	fmt.Printf("offer     %s\n", r.Offer)
	fmt.Printf("accept    %s\n", r.Accept)
	fmt.Printf("transfer  %s (offer sent to accept answered, accepted transfers)\n", r.Transfer)
	fmt.Printf("verified  %d of %d accepted into the buyer's organization; others: %s\n", r.Verified.Accepted, r.Transfers, others)
	if r.Server != nil {
		reportServer(*r.Server)
	}
	return nil
}

// maxTimings is how many of the server's busiest timings the text report shows.
const maxTimings = 16

// reportServer writes where the server's time went, busiest first.
func reportServer(s Server) {
	fmt.Printf("server    from /metrics, between the first offer and the check (make dev: API and worker), busiest first:\n")
	fmt.Printf("          %-58s %8s %10s %9s %9s\n", "what", "count", "/transfer", "mean ms", "total s")
	for i, t := range s.Timings {
		if i == maxTimings {
			fmt.Printf("          … %d more with -json\n", len(s.Timings)-maxTimings)
			break
		}
		fmt.Printf("          %-58s %8.0f %10.2f %9.1f %9.1f\n", t.What, t.Count, t.PerTransfer, t.MeanMs, t.TotalSec)
	}
	fmt.Printf("db pool   %.0f connection acquires, mean wait %.2fms\n", s.Acquires, s.PoolWaitMs)
}
