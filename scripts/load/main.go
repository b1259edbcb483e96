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
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

const (
	maxDuration = 5 * time.Minute
	maxWarmup   = time.Minute
	maxClients  = 4096
	failLimit   = 0.01 // exit 1 when more than this fraction of requests failed
)

type config struct {
	base, path      string
	email, password string
	clients         int
	duration        time.Duration
	warmup          time.Duration
	timeout         time.Duration
	json            bool
}

// clientStats is owned by a single client goroutine, so recording needs no locks.
type clientStats struct {
	latencies []time.Duration // one per answered request
	statuses  map[int]int
	errors    int // transport errors and timeouts (no answer)
}

// Result is the summary printed at the end of a run.
type Result struct {
	Target      string         `json:"target"`
	Clients     int            `json:"clients"`
	Requests    int            `json:"requests"`
	DurationSec float64        `json:"duration_seconds"`
	RPS         float64        `json:"requests_per_second"`
	P50ms       float64        `json:"p50_ms"`
	P90ms       float64        `json:"p90_ms"`
	P99ms       float64        `json:"p99_ms"`
	MaxMs       float64        `json:"max_ms"`
	Errors      int            `json:"errors"`
	Failed      int            `json:"failed"`
	Statuses    map[string]int `json:"statuses"`
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:8080", "API base URL (loopback only)")
	flag.StringVar(&c.path, "path", "/api/v1/me", "path to GET")
	flag.StringVar(&c.email, "email", "", "log in as this user (empty: register a fresh user)")
	flag.StringVar(&c.password, "password", "", "password for -email")
	flag.IntVar(&c.clients, "clients", 32, "concurrent clients")
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "measured duration (capped at 5m)")
	flag.DurationVar(&c.warmup, "warmup", 3*time.Second, "unmeasured warm-up before the measured period (capped at 1m)")
	flag.DurationVar(&c.timeout, "timeout", 5*time.Second, "per-request timeout")
	flag.BoolVar(&c.json, "json", false, "print the result as JSON")
	flag.Parse()

	ok, err := run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func run(c config) (ok bool, err error) {
	target, err := validate(&c)
	if err != nil {
		return false, err
	}
	client := newClient(c.clients, c.timeout)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	token, err := accessToken(ctx, client, strings.TrimRight(c.base, "/"), c.email, c.password)
	if err != nil {
		return false, err
	}

	if !c.json {
		fmt.Fprintf(os.Stderr, "load: GET %s with %d clients, %s warm-up + %s measured\n", target, c.clients, c.warmup, c.duration)
	}
	start := time.Now()
	measureFrom := start.Add(c.warmup)
	end := measureFrom.Add(c.duration)
	stats := make([]*clientStats, c.clients)
	var wg sync.WaitGroup
	for i := range stats {
		s := &clientStats{latencies: make([]time.Duration, 0, 4096), statuses: map[int]int{}}
		stats[i] = s
		wg.Go(func() { s.loop(ctx, client, target, token, measureFrom, end) })
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)
	if elapsed <= 0 {
		return false, errors.New("interrupted during warm-up; nothing measured")
	}

	r := summarize(stats, elapsed)
	r.Target, r.Clients = target, c.clients
	if c.json {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return false, err
		}
	} else {
		printResult(os.Stdout, r)
	}
	return r.Requests > 0 && float64(r.Failed) <= failLimit*float64(r.Requests), nil
}

// validate checks and clamps the configuration and returns the full target URL.
func validate(c *config) (string, error) {
	if c.clients < 1 || c.clients > maxClients {
		return "", fmt.Errorf("-clients must be between 1 and %d", maxClients)
	}
	if c.duration <= 0 || c.warmup < 0 || c.timeout <= 0 {
		return "", errors.New("-duration and -timeout must be positive and -warmup not negative")
	}
	if c.duration > maxDuration {
		fmt.Fprintf(os.Stderr, "load: -duration %s capped at %s\n", c.duration, maxDuration)
		c.duration = maxDuration
	}
	if c.warmup > maxWarmup {
		fmt.Fprintf(os.Stderr, "load: -warmup %s capped at %s\n", c.warmup, maxWarmup)
		c.warmup = maxWarmup
	}
	if (c.email == "") != (c.password == "") {
		return "", errors.New("give both -email and -password, or neither to register a fresh user")
	}
	if !strings.HasPrefix(c.path, "/") {
		return "", errors.New("-path must start with /")
	}
	if err := checkLoopback(c.base); err != nil {
		return "", err
	}
	target := strings.TrimRight(c.base, "/") + c.path
	// Check the joined URL too, so no -path can change the host.
	if err := checkLoopback(target); err != nil {
		return "", err
	}
	return target, nil
}

// checkLoopback refuses any URL that is not http(s) to 127.0.0.0/8, ::1 or localhost.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bad URL %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("URL %q: scheme must be http or https", raw)
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("URL %q: refusing non-loopback host %q (only 127.0.0.0/8, ::1 or localhost)", raw, host)
}

// newClient returns one shared keep-alive client sized for n concurrent clients. It
// uses no proxy and follows no redirects, so requests never leave the loopback host.
func newClient(n int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        2 * n,
			MaxIdleConnsPerHost: 2 * n,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
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
	payload, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+endpoint, bytes.NewReader(payload))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("POST %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST %s: %s: %s", endpoint, resp.Status, bytes.TrimSpace(data))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(data, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("POST %s: no access_token in answer", endpoint)
	}
	return tok.AccessToken, nil
}

// loop sends GETs until end (or ctx is cancelled), recording only requests that
// started at or after measureFrom.
func (s *clientStats) loop(ctx context.Context, client *http.Client, target, token string, measureFrom, end time.Time) {
	for ctx.Err() == nil {
		t0 := time.Now()
		if !t0.Before(end) {
			return
		}
		status, err := get(ctx, client, target, token)
		lat := time.Since(t0)
		if ctx.Err() != nil || t0.Before(measureFrom) {
			continue // interrupted, or still warming up
		}
		if err != nil {
			s.errors++
			continue
		}
		s.latencies = append(s.latencies, lat)
		s.statuses[status]++
	}
}

func get(ctx context.Context, client *http.Client, target, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body) // drain so the connection is reused
	resp.Body.Close()
	return resp.StatusCode, err
}

func summarize(stats []*clientStats, elapsed time.Duration) Result {
	var all []time.Duration
	r := Result{Statuses: map[string]int{}, DurationSec: elapsed.Seconds()}
	for _, s := range stats {
		all = append(all, s.latencies...)
		r.Errors += s.errors
		for code, n := range s.statuses {
			r.Statuses[fmt.Sprint(code)] += n
			if code != http.StatusOK {
				r.Failed += n
			}
		}
	}
	slices.Sort(all)
	r.Requests = len(all) + r.Errors
	r.Failed += r.Errors
	r.RPS = float64(r.Requests) / elapsed.Seconds()
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	r.P50ms, r.P90ms, r.P99ms = ms(percentile(all, 50)), ms(percentile(all, 90)), ms(percentile(all, 99))
	r.MaxMs = ms(percentile(all, 100))
	return r
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of sorted,
// or 0 when sorted is empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func printResult(w io.Writer, r Result) {
	codes := make([]string, 0, len(r.Statuses))
	for code := range r.Statuses {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var breakdown []string
	for _, code := range codes {
		breakdown = append(breakdown, fmt.Sprintf("%s=%d", code, r.Statuses[code]))
	}
	failedPct := 0.0
	if r.Requests > 0 {
		failedPct = 100 * float64(r.Failed) / float64(r.Requests)
	}
	fmt.Fprintf(w, "target    GET %s (%d clients)\n", r.Target, r.Clients)
	fmt.Fprintf(w, "requests  %d in %.2fs = %.1f req/s\n", r.Requests, r.DurationSec, r.RPS)
	fmt.Fprintf(w, "latency   p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n", r.P50ms, r.P90ms, r.P99ms, r.MaxMs)
	fmt.Fprintf(w, "failed    %d (%.2f%%): %d errors, status %s\n", r.Failed, failedPct, r.Errors, strings.Join(breakdown, " "))
}
