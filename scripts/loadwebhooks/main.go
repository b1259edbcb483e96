// Command loadwebhooks measures how fast the ReptiDex API acknowledges Stripe's billing
// webhooks when many arrive at once.
//
// Against a running API (`make dev`, or `bin/reptidex stack -- bin/reptidex api` for the
// API alone; -base, loopback only) it first registers -orgs organizations, untimed. Then
// -clients concurrent senders each take the next of -months
// subscriptions (spread over the organizations in turn, each with its own Stripe IDs) and
// post, signed with -webhook-secret as Stripe signs them, the events of a month of its
// subscription in the order Stripe would send them: customer.subscription.created,
// customer.subscription.updated (past due), invoice.payment_failed (which starts the
// organization's dunning on Temporal), payment_method.attached (which tells the dunning),
// invoice.paid (which tells it again), customer.subscription.updated (active), and a
// redelivery of the failure. Every answer must be 200.
//
// With -gap, the senders go in waves instead: -clients deliveries released at once, then a
// pause of -gap while the worker handles what they started, then the next wave; each
// subscription's events still go in order, one per wave. Without it the senders post as
// fast as the answers come (a closed loop with -clients always in flight).
//
// It prints the acknowledgement latency (from the request sent to the answer read) at p50,
// p90 and p99 for all events and for each type, and exits with status 1 when an answer was
// not 200 or the p99 exceeds -budget, and 2 when the run could not be set up.
//
//	go run ./scripts/loadwebhooks -orgs 50 -months 300 -clients 50
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/stripehooks"
)

type config struct {
	base, secret          string
	orgs, months, clients int
	budget, timeout, gap  time.Duration
}

// delivery is one event posted, and how long its acknowledgement took.
type delivery struct {
	typ     string
	status  int
	latency time.Duration
	err     error
}

func main() {
	var c config
	fs := flag.NewFlagSet("loadwebhooks", flag.ExitOnError)
	fs.StringVar(&c.base, "base", "http://127.0.0.1:8080", "the API's base URL (loopback only)")
	fs.StringVar(&c.secret, "webhook-secret", "whsec_reptidex_dev", "the webhook endpoint's signing secret (STRIPE_WEBHOOK_SECRET)")
	fs.IntVar(&c.orgs, "orgs", 50, "organizations registered (1 to 500)")
	fs.IntVar(&c.months, "months", 300, "subscriptions whose month of events is sent (1 to 10000)")
	fs.IntVar(&c.clients, "clients", 50, "concurrent senders (1 to 500)")
	fs.DurationVar(&c.budget, "budget", 50*time.Millisecond, "the p99 acknowledgement latency the run must stay within")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.DurationVar(&c.gap, "gap", 0, "send in waves of -clients deliveries at once, this long apart (0: a closed loop)")
	_ = fs.Parse(os.Args[1:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ok, err := run(ctx, c)
	loadgen.Exit("loadwebhooks", ok, err)
}

func run(ctx context.Context, c config) (bool, error) {
	switch {
	case c.orgs < 1 || c.orgs > 500:
		return false, errors.New("-orgs must be from 1 to 500")
	case c.months < 1 || c.months > 10000:
		return false, errors.New("-months must be from 1 to 10000")
	case c.clients < 1 || c.clients > 500:
		return false, errors.New("-clients must be from 1 to 500")
	}
	if err := loadgen.CheckLoopback(c.base); err != nil {
		return false, err
	}
	hc := loadgen.NewClient(c.clients, c.timeout)
	api := loadgen.NewAPI(c.base, hc)
	runID := randomHex(4)
	orgs := make([]string, c.orgs)
	setup := time.Now()
	err := loadgen.ForEach(ctx, c.orgs, min(c.clients, 16), func(ctx context.Context, i int) error {
		a, err := api.Register(ctx, fmt.Sprintf("webhooks-%s-%d@load.reptidex.test", runID, i), fmt.Sprintf("Webhooks %s %d", runID, i))
		orgs[i] = a.OrgID
		return err
	})
	if err != nil {
		return false, fmt.Errorf("set up: %w", err)
	}
	fmt.Printf("set up %d organizations in %.1fs\n", c.orgs, time.Since(setup).Seconds())

	if c.gap > 0 {
		start := time.Now()
		all := waves(ctx, hc, c, orgs)
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return report(all, time.Since(start), c), nil
	}
	var (
		mu   sync.Mutex
		all  []delivery
		next = make(chan int)
	)
	go func() {
		defer close(next)
		for i := range c.months {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for range c.clients {
		wg.Go(func() {
			for i := range next {
				got := sendMonth(ctx, hc, c, orgs[i%len(orgs)])
				mu.Lock()
				all = append(all, got...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	return report(all, wall, c), nil
}

// waves sends the months in groups of -clients: wave k releases the k-th event of each month
// of the group at once, and waits -gap after the last answer.
func waves(ctx context.Context, hc *http.Client, c config, orgs []string) []delivery {
	var all []delivery
	for first := 0; first < c.months && ctx.Err() == nil; first += c.clients {
		n := min(c.clients, c.months-first)
		months := make([][][]byte, n)
		for i := range n {
			months[i] = monthOf(orgs[(first+i)%len(orgs)])
		}
		for k := range months[0] {
			got := make([]delivery, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { got[i] = deliver(ctx, hc, c, months[i][k], k == len(months[i])-1) })
			}
			wg.Wait()
			all = append(all, got...)
			select {
			case <-time.After(c.gap):
			case <-ctx.Done():
			}
		}
	}
	return all
}

// deliver posts one event and times its acknowledgement.
func deliver(ctx context.Context, hc *http.Client, c config, payload []byte, redelivery bool) delivery {
	typ := eventType(payload)
	if redelivery {
		typ += " (redelivered)"
	}
	t := time.Now()
	d, err := stripehooks.Deliver(ctx, hc, c.base, c.secret, payload)
	return delivery{typ: typ, status: d.Status, latency: time.Since(t), err: err}
}

// sendMonth posts one organization's month of subscription events, in order.
func sendMonth(ctx context.Context, hc *http.Client, c config, org string) []delivery {
	events := monthOf(org)
	out := make([]delivery, 0, len(events))
	for i, p := range events {
		out = append(out, deliver(ctx, hc, c, p, i == len(events)-1))
	}
	return out
}

// monthOf renders a month of one new subscription's events for org, in the order Stripe
// sends them; the last is a redelivery of the failure.
func monthOf(org string) [][]byte {
	sub := stripehooks.SubscriptionState{ID: "sub_" + randomHex(8), CustomerID: "cus_" + randomHex(8), OrgPublicID: org,
		PriceID: "price_load"}
	in := stripehooks.InvoiceState{ID: "in_" + randomHex(8), SubscriptionID: sub.ID, CustomerID: sub.CustomerID,
		OrgPublicID: org, AmountDue: 1200}
	t0 := time.Now().Add(-time.Minute)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	var events [][]byte
	add := func(p []byte, err error) {
		if err == nil {
			events = append(events, p)
		}
	}
	active, pastDue := sub, sub
	active.Status, pastDue.Status = stripe.SubscriptionStatusActive, stripe.SubscriptionStatusPastDue
	add(stripehooks.BuildSubscriptionEvent(stripe.EventTypeCustomerSubscriptionCreated, active, at(0)))
	add(stripehooks.BuildSubscriptionEvent(stripe.EventTypeCustomerSubscriptionUpdated, pastDue, at(1)))
	failed, err := stripehooks.BuildInvoiceEvent(stripe.EventTypeInvoicePaymentFailed, in, at(1))
	add(failed, err)
	add(stripehooks.BuildPaymentMethodEvent(sub.CustomerID, at(2)))
	add(stripehooks.BuildInvoiceEvent(stripe.EventTypeInvoicePaid, in, at(3)))
	add(stripehooks.BuildSubscriptionEvent(stripe.EventTypeCustomerSubscriptionUpdated, active, at(3)))
	add(failed, err) // Stripe redelivers
	return events
}

func eventType(payload []byte) string {
	var ev struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(payload, &ev)
	return ev.Type
}

// report prints the latencies, overall and by type, and says whether the run met the
// budget with every event acknowledged.
func report(all []delivery, wall time.Duration, c config) bool {
	byType := map[string][]time.Duration{}
	var lat []time.Duration
	failed := map[string]int{}
	for _, d := range all {
		switch {
		case d.err != nil:
			failed["error"]++
			continue
		case d.status != http.StatusOK:
			failed[fmt.Sprint(d.status)]++
		}
		lat = append(lat, d.latency)
		byType[d.typ] = append(byType[d.typ], d.latency)
	}
	spread := loadgen.Spread(lat)
	fmt.Printf("events    %d in %.2fs = %.1f events/s, %d concurrent senders\n", len(all), wall.Seconds(),
		float64(len(all))/wall.Seconds(), c.clients)
	fmt.Printf("ack       %s\n", spread)
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Printf("  %-45s %s\n", t, loadgen.Spread(byType[t]))
	}
	fmt.Printf("failed    %s\n", loadgen.Breakdown(failed))
	within := time.Duration(spread.P99ms*float64(time.Millisecond)) <= c.budget
	fmt.Printf("budget    p99 %.2fms against %s: %s\n", spread.P99ms, c.budget, map[bool]string{true: "met", false: "NOT met"}[within])
	return within && len(failed) == 0
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
