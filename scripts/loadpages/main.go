// Command loadpages measures the pages for people of a ReptiDex API serving the bench
// database that scripts/population loads: each page's time to answer (its server time, on
// loopback) and its weight (the HTML, with the stylesheet it loads, before photos).
//
// It logs in as two bench breeders through the login page, as a browser does (cookie and
// CSRF token), and sets up what the pages show: an offer of one of breeder 1's animals to
// breeder 2's organization, an order by breeder 2 of another of them (listed on a seller
// account stripe-mock opens), and an embed of one of breeder 1's public animals. Then, page by
// page, -clients clients GET the page in a closed loop for -duration after an unmeasured
// -warmup, anonymous pages spread over -animals public animals of the population (their
// pedigrees are 20 generations deep). It prints each page's requests/s, p50/p99/max latency
// and bytes, and exits with status 1 when a page's p99 is over -budget or its weight over
// -weight.
//
//	go run ./scripts/loadpages -base http://127.0.0.1:18580 -clients 1 -duration 10s
//
// Only loopback targets are accepted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/scripts/population/benchdb"
	"github.com/reptidex/reptidex/store"
)

type config struct {
	base, dbURL      string
	clients, animals int
	warmup, duration time.Duration
	budget           time.Duration
	weight           int
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:18580", "API base URL (loopback only)")
	flag.StringVar(&c.dbURL, "database-url", "postgres://postgres@127.0.0.1:5432/reptidex_bench?sslmode=disable",
		"the bench database, to pick public animals and verify the breeders' addresses (loopback only)")
	flag.IntVar(&c.clients, "clients", 1, "concurrent clients per page")
	flag.IntVar(&c.animals, "animals", 200, "public animals the anonymous pages cycle through")
	flag.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured warm-up per page")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "measured time per page")
	flag.DurationVar(&c.budget, "budget", 20*time.Millisecond, "p99 each page must answer within")
	flag.IntVar(&c.weight, "weight", 100_000, "bytes each page may weigh with its stylesheet, before photos")
	flag.Parse()
	ok, err := run(c)
	loadgen.Exit("loadpages", ok, err)
}

// page is one page to measure: the paths its requests cycle through, as whom.
type page struct {
	name  string
	paths []string
	as    *http.Client // nil: anonymous
}

// result is one page's figures.
type result struct {
	name              string
	requests, failed  int
	rate              float64
	p50, p99, max     time.Duration
	bytes, withStyles int
}

func run(c config) (bool, error) {
	if err := loadgen.CheckLoopback(c.base); err != nil {
		return false, err
	}
	if err := benchdb.CheckLoopbackDB(c.dbURL); err != nil {
		return false, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	base := strings.TrimRight(c.base, "/")
	db, err := pgx.Connect(ctx, c.dbURL)
	if err != nil {
		return false, fmt.Errorf("connect to the bench database: %w", err)
	}
	defer func() { _ = db.Close(ctx) }()
	// Offers leave an organization only once one of its owners has a verified address.
	if _, err := db.Exec(ctx, `UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE email = ANY($1)`,
		[]string{benchdb.Email(1), benchdb.Email(2)}); err != nil {
		return false, err
	}
	animals, err := publicAnimals(ctx, db, c.animals)
	if err != nil {
		return false, err
	}
	seller, err := logIn(ctx, base, benchdb.Email(1))
	if err != nil {
		return false, err
	}
	buyer, err := logIn(ctx, base, benchdb.Email(2))
	if err != nil {
		return false, err
	}
	setup, err := prepare(ctx, base, db)
	if err != nil {
		return false, err
	}
	breeders := map[string]bool{}
	var animalPaths, breederPaths []string
	for _, a := range animals {
		animalPaths = append(animalPaths, "/animals/"+a.id)
		if !breeders[a.org] {
			breeders[a.org] = true
			breederPaths = append(breederPaths, "/breeders/"+a.org)
		}
	}
	pages := []page{
		{name: "login", paths: []string{"/login"}},
		{name: "home (logged in)", paths: []string{"/"}, as: buyer},
		{name: "transfer offer", paths: []string{"/transfers/" + setup.transfer}, as: buyer},
		{name: "order", paths: []string{"/orders/" + setup.order}, as: buyer},
		{name: "billing", paths: []string{"/billing"}, as: seller},
		{name: "public animal", paths: animalPaths},
		{name: "breeder profile", paths: breederPaths},
		{name: "widget", paths: []string{"/embed/" + setup.embed}},
	}
	styles, err := stylesheetBytes(ctx, base)
	if err != nil {
		return false, err
	}
	fmt.Printf("%d public animals of %d breeders; %d client(s), %s per page after %s; stylesheet %d bytes\n\n",
		len(animals), len(breederPaths), c.clients, c.duration, c.warmup, styles)
	fmt.Printf("%-18s %8s %9s %9s %9s %9s %9s\n", "page", "req/s", "p50", "p99", "max", "bytes", "+css")
	ok := true
	for _, p := range pages {
		r, err := measure(ctx, c, base, p)
		if err != nil {
			return false, err
		}
		r.withStyles = r.bytes + styles
		within := r.p99 <= c.budget && r.withStyles <= c.weight && r.failed == 0
		ok = ok && within
		mark := ""
		if !within {
			mark = "  over budget"
		}
		fmt.Printf("%-18s %8.0f %9s %9s %9s %9d %9d%s\n", r.name, r.rate, round(r.p50), round(r.p99), round(r.max),
			r.bytes, r.withStyles, mark)
	}
	return ok, nil
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }

// publicAnimal is a public animal of the population and its organization's public ID.
type publicAnimal struct{ id, org string }

// publicAnimals picks n public animals of the population, the youngest (deepest pedigrees)
// of many organizations.
func publicAnimals(ctx context.Context, db *pgx.Conn, n int) ([]publicAnimal, error) {
	rows, err := db.Query(ctx, `SELECT a.public_id, o.public_id FROM animals a JOIN organizations o ON o.id = a.org_id
		WHERE a.visibility = 'public' AND a.archived_at IS NULL ORDER BY a.hatch_date DESC NULLS LAST, a.id LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("pick public animals: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (publicAnimal, error) {
		var a publicAnimal
		return a, row.Scan(&a.id, &a.org)
	})
	if err == nil && len(out) == 0 {
		err = errors.New("the bench database has no public animals: run make population")
	}
	return out, err
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// logIn logs a bench breeder in through the login page and returns their browser.
func logIn(ctx context.Context, base, email string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body, _, err := get(ctx, c, base+"/login")
	if err != nil {
		return nil, err
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		return nil, errors.New("the login page has no CSRF token")
	}
	form := url.Values{"csrf": {html.UnescapeString(m[1])}, "email": {email}, "password": {benchdb.Password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("log in as %s: %s", email, resp.Status)
	}
	return c, nil
}

// prepared is what the logged-in pages show.
type prepared struct{ transfer, embed, order string }

// prepare offers one of breeder 1's animals to breeder 2's organization and embeds one of
// breeder 1's public animals, through the API.
func prepare(ctx context.Context, base string, db *pgx.Conn) (prepared, error) {
	api := loadgen.NewAPI(base, loadgen.NewClient(2, 30*time.Second))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := api.Expect(ctx, http.StatusOK, &tok, http.MethodPost, "/api/v1/auth/login", "",
		map[string]any{"email": benchdb.Email(1), "password": benchdb.Password}); err != nil {
		return prepared{}, err
	}
	var p prepared
	var offered, listed, shown, recipient, seller string
	err := db.QueryRow(ctx, `SELECT
			(SELECT a.public_id FROM animals a JOIN users u ON u.email = $1 JOIN memberships m ON m.user_id = u.id AND m.org_id = a.org_id
				WHERE a.held_by IS NULL AND a.archived_at IS NULL ORDER BY a.hatch_date DESC NULLS LAST LIMIT 1),
			(SELECT a.public_id FROM animals a JOIN users u ON u.email = $1 JOIN memberships m ON m.user_id = u.id AND m.org_id = a.org_id
				WHERE a.held_by IS NULL AND a.archived_at IS NULL ORDER BY a.hatch_date DESC NULLS LAST OFFSET 1 LIMIT 1),
			(SELECT a.public_id FROM animals a JOIN users u ON u.email = $1 JOIN memberships m ON m.user_id = u.id AND m.org_id = a.org_id
				WHERE a.visibility = 'public' AND a.archived_at IS NULL ORDER BY a.hatch_date DESC NULLS LAST LIMIT 1),
			(SELECT o.public_id FROM organizations o JOIN memberships m ON m.org_id = o.id JOIN users u ON u.id = m.user_id WHERE u.email = $2),
			(SELECT o.public_id FROM organizations o JOIN memberships m ON m.org_id = o.id JOIN users u ON u.id = m.user_id WHERE u.email = $1)`,
		benchdb.Email(1), benchdb.Email(2)).Scan(&offered, &listed, &shown, &recipient, &seller)
	if err != nil {
		return p, fmt.Errorf("pick breeder 1's animals: %w", err)
	}
	var t struct {
		ID string `json:"id"`
	}
	if err := api.Expect(ctx, http.StatusCreated, &t, http.MethodPost, "/api/v1/transfers", tok.AccessToken,
		map[string]any{"animal_id": offered, "recipient_organization_id": recipient}, "Idempotency-Key", uuid.NewString()); err != nil {
		return p, fmt.Errorf("offer an animal: %w", err)
	}
	p.transfer = t.ID
	if err := api.Expect(ctx, http.StatusCreated, &t, http.MethodPost, "/api/v1/embed/widgets", tok.AccessToken,
		map[string]any{"animal_id": shown, "allowed_origins": []string{"https://breeder.example"}}); err != nil {
		return p, fmt.Errorf("embed an animal: %w", err)
	}
	p.embed = t.ID
	if p.order, err = placeOrder(ctx, api, db, tok.AccessToken, seller, listed); err != nil {
		return p, fmt.Errorf("place an order: %w", err)
	}
	return p, nil
}

// placeOrder lists the animal of breeder 1 (whose seller account Stripe, here stripe-mock,
// opens and the bench database then marks ready, as `reptidex stripe-event --ready` does) and
// orders it as breeder 2. No worker runs here: the order stays placed, which its page shows.
func placeOrder(ctx context.Context, api *loadgen.API, db *pgx.Conn, sellerToken, seller, animal string) (string, error) {
	if _, err := api.Call(ctx, http.MethodPost, "/api/v1/marketplace/seller-account", sellerToken, map[string]any{"country": "US"}); err != nil {
		return "", err
	}
	if _, err := store.MarkSellerReadyAsOwner(ctx, db, seller); err != nil {
		return "", err
	}
	var l struct {
		ID string `json:"id"`
	}
	if err := api.Expect(ctx, http.StatusCreated, &l, http.MethodPost, "/api/v1/marketplace/listings", sellerToken, map[string]any{
		"animal_id": animal, "title": "Bench listing", "price": map[string]any{"amount": 25000, "currency": "usd"},
		"shipping": map[string]any{"ships_within_days": 3, "regions": []string{"US"}}, "live_arrival_hours": 48,
	}, "Idempotency-Key", uuid.NewString()); err != nil {
		return "", err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := api.Expect(ctx, http.StatusOK, &tok, http.MethodPost, "/api/v1/auth/login", "",
		map[string]any{"email": benchdb.Email(2), "password": benchdb.Password}); err != nil {
		return "", err
	}
	var o struct {
		ID string `json:"id"`
	}
	err := api.Expect(ctx, http.StatusCreated, &o, http.MethodPost, "/api/v1/orders", tok.AccessToken,
		map[string]any{"listing_id": l.ID, "amount": 25000, "currency": "usd", "ship_to": "US"}, "Idempotency-Key", uuid.NewString())
	return o.ID, err
}

// stylesheetBytes is the size of the stylesheet every page loads.
func stylesheetBytes(ctx context.Context, base string) (int, error) {
	body, _, err := get(ctx, http.DefaultClient, base+"/login")
	if err != nil {
		return 0, err
	}
	href := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`).FindStringSubmatch(body)
	if href == nil {
		return 0, errors.New("the login page links no stylesheet")
	}
	css, _, err := get(ctx, http.DefaultClient, base+html.UnescapeString(href[1]))
	return len(css), err
}

func get(ctx context.Context, c *http.Client, target string) (string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode, err
}

// measure runs the page's clients and summarizes what they measured.
func measure(ctx context.Context, c config, base string, p page) (result, error) {
	client := p.as
	if client == nil {
		client = loadgen.NewClient(c.clients, 30*time.Second)
	}
	w := loadgen.NewWindow(c.warmup, c.duration)
	type tally struct {
		lat      []time.Duration
		failed   int
		bytes    int
		firstErr error
	}
	tallies := make([]tally, c.clients)
	done := make(chan int)
	for k := range c.clients {
		go func() {
			defer func() { done <- k }()
			tl := &tallies[k]
			for i := k; ; i++ {
				t0 := time.Now()
				if !t0.Before(w.End) || ctx.Err() != nil {
					return
				}
				body, status, err := get(ctx, client, base+p.paths[i%len(p.paths)])
				lat := time.Since(t0)
				if t0.Before(w.MeasureFrom) {
					continue
				}
				if err != nil || status != http.StatusOK {
					tl.failed++
					if tl.firstErr == nil {
						tl.firstErr = fmt.Errorf("%s %s: status %d: %v", p.name, p.paths[i%len(p.paths)], status, err)
					}
					continue
				}
				tl.lat = append(tl.lat, lat)
				tl.bytes = max(tl.bytes, len(body))
			}
		}()
	}
	for range c.clients {
		<-done
	}
	r := result{name: p.name}
	var all []time.Duration
	for _, tl := range tallies {
		all = append(all, tl.lat...)
		r.failed += tl.failed
		r.bytes = max(r.bytes, tl.bytes)
		if tl.firstErr != nil && r.failed == tl.failed {
			fmt.Fprintln(os.Stderr, tl.firstErr)
		}
	}
	if len(all) == 0 {
		return r, fmt.Errorf("%s: no request answered", p.name)
	}
	slices.Sort(all)
	r.requests = len(all)
	r.rate = float64(len(all)) / c.duration.Seconds()
	r.p50, r.p99, r.max = all[len(all)/2], all[min(len(all)-1, len(all)*99/100)], all[len(all)-1]
	return r, nil
}
