// Command load is a small load generator for the ReptiDex API's authenticated
// GET /api/v1/me endpoint (or another GET path given with -path).
//
// It logs in once (or, without -email/-password, registers a fresh user with a
// random email), then runs -clients concurrent loops that GET the path with the
// access token over one shared keep-alive http.Client. After a -warmup period
// that is not measured it records per-request latency for -duration and prints
// total requests, requests/s, p50/p90/p99/max latency, the error count and a
// status-code breakdown (-json for machine-readable output). It exits with
// status 1 when more than 1% of the measured requests failed (non-200 answer or
// transport error).
//
// Only loopback targets (127.0.0.0/8, ::1, localhost) are accepted, and the
// duration is capped at 5 minutes so a run always stops by itself:
//
//	go run ./scripts/load -base http://127.0.0.1:8080 -clients 32 -duration 30s
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

	"github.com/reptidex/reptidex/scripts/loadgen"
)

type config struct {
	loadgen.Options
	base, path      string
	email, password string
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:8080", "API base URL (loopback only)")
	flag.StringVar(&c.path, "path", "/api/v1/me", "path to GET")
	flag.StringVar(&c.email, "email", "", "log in as this user (empty: register a fresh user)")
	flag.StringVar(&c.password, "password", "", "password for -email")
	c.Register(flag.CommandLine)
	flag.Parse()

	ok, err := run(c)
	loadgen.Exit("load", ok, err)
}

// Result is the summary printed at the end of a run.
type Result struct {
	Target  string `json:"target"`
	Clients int    `json:"clients"`
	loadgen.Summary
}

func run(c config) (ok bool, err error) {
	target, err := validate(&c)
	if err != nil {
		return false, err
	}
	client := loadgen.NewClient(c.Clients, c.Timeout)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	token, err := accessToken(ctx, client, strings.TrimRight(c.base, "/"), c.email, c.password)
	if err != nil {
		return false, err
	}

	if !c.JSON {
		fmt.Fprintf(os.Stderr, "load: GET %s with %d clients, %s warm-up + %s measured\n", target, c.Clients, c.Warmup, c.Duration)
	}
	w := loadgen.NewWindow(c.Warmup, c.Duration)
	loops := make([]func(*loadgen.Stats), c.Clients)
	for i := range loops {
		loops[i] = func(s *loadgen.Stats) { loop(ctx, s, client, target, token, w) }
	}
	sum, err := loadgen.Run(w, loops)
	if err != nil {
		return false, err
	}

	r := Result{Target: target, Clients: c.Clients, Summary: sum}
	header := fmt.Sprintf("target    GET %s (%d clients)", r.Target, r.Clients)
	if err := loadgen.Report(os.Stdout, c.JSON, r, header, sum); err != nil {
		return false, err
	}
	return sum.OK(), nil
}

// validate checks and clamps the configuration and returns the full target URL.
func validate(c *config) (string, error) {
	if err := c.CheckClients(); err != nil {
		return "", err
	}
	if err := c.CheckDurations("load"); err != nil {
		return "", err
	}
	if (c.email == "") != (c.password == "") {
		return "", errors.New("give both -email and -password, or neither to register a fresh user")
	}
	if !strings.HasPrefix(c.path, "/") {
		return "", errors.New("-path must start with /")
	}
	if err := loadgen.CheckLoopback(c.base); err != nil {
		return "", err
	}
	target := strings.TrimRight(c.base, "/") + c.path
	// Check the joined URL too, so no -path can change the host.
	if err := loadgen.CheckLoopback(target); err != nil {
		return "", err
	}
	return target, nil
}

// accessToken logs in with email/password or, when both are empty, registers a
// fresh user with a random email, and returns the access token.
func accessToken(ctx context.Context, client *http.Client, base, email, password string) (string, error) {
	endpoint, body := "/api/v1/auth/login", map[string]string{"email": email, "password": password}
	if email == "" {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		endpoint, body = "/api/v1/auth/register", map[string]string{
			"email":             "load-" + id + "@example.com",
			"password":          "load-test-" + id,
			"display_name":      "Load Test",
			"organization_name": "Load Test " + id,
		}
	}
	return loadgen.AccessToken(ctx, client, base+endpoint, body, "POST "+endpoint, http.StatusOK, http.StatusCreated)
}

// loop sends GETs until w.End (or ctx is cancelled), recording only requests that
// started at or after w.MeasureFrom.
func loop(ctx context.Context, s *loadgen.Stats, client *http.Client, target, token string, w loadgen.Window) {
	for ctx.Err() == nil {
		t0 := time.Now()
		if !t0.Before(w.End) {
			return
		}
		s.Measure(ctx, client, target, token, t0, w.MeasureFrom)
	}
}
