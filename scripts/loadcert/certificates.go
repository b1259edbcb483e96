package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/reptidex/reptidex/scripts/loadgen"
)

// maxFailures is how many failures a run quotes.
const maxFailures = 5

// request is one certificate asked for: of which animal, under which serial, when the
// request was sent and how long its answer took.
type request struct {
	animal, serial string
	sent           time.Time
	answer         time.Duration
}

// certificate is what the driver reads of a certificate in an animal's list.
type certificate struct {
	Serial   string     `json:"serial"`
	Status   string     `json:"status"`
	IssuedAt *time.Time `json:"issued_at"`
}

// outcome is how one certificate ended: issued at the time the API records, or failed.
type outcome struct {
	issued   bool
	issuedAt time.Time
}

// driver requests the certificates and waits for them, as one organization's owner.
type driver struct {
	api            *loadgen.API
	token, runID   string
	poll, waitMax  time.Duration
	clients        int
	mu             sync.Mutex
	failures       []string // the first maxFailures, quoted
	requestsFailed int
}

// fail records a failure, quoting the first few.
func (d *driver) fail(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.failures) < maxFailures {
		d.failures = append(d.failures, fmt.Sprintf(format, args...))
	}
}

// requestAll asks for n certificates, certificate i of animal i mod len(animals), with
// d.clients concurrent clients, each request under its own idempotency key. It returns
// the requests the API accepted (202 with a serial); the others are counted and quoted.
func (d *driver) requestAll(ctx context.Context, animals []string, n int) []request {
	reqs := make([]request, n)
	ok := make([]bool, n)
	loadgen.Deal(ctx, n, d.clients, func(_, i int) {
		animal := animals[i%len(animals)]
		sent := time.Now()
		var out certificate
		a, err := d.api.Call(ctx, http.MethodPost, "/api/v1/animals/"+animal+"/certificates", d.token, nil,
			"Idempotency-Key", fmt.Sprintf("loadcert-%s-%d", d.runID, i))
		if err == nil && a.Status == http.StatusAccepted {
			err = decode(a.Body, &out)
		} else if err == nil {
			err = fmt.Errorf("status %d: %s", a.Status, a.Body)
		}
		if err == nil && out.Serial == "" {
			err = fmt.Errorf("no serial in the answer: %s", a.Body)
		}
		if err != nil {
			d.mu.Lock()
			d.requestsFailed++
			d.mu.Unlock()
			d.fail("request certificate %d of animal %s: %v", i+1, animal, err)
			return
		}
		reqs[i], ok[i] = request{animal: animal, serial: out.Serial, sent: sent, answer: a.Latency}, true
	})
	var accepted []request
	for i, r := range reqs {
		if ok[i] {
			accepted = append(accepted, r)
		}
	}
	return accepted
}

// waitAll reads, every d.poll, the certificates of each animal that still has one issuing
// (GET /api/v1/animals/{id}/certificates), until every request has an outcome or d.waitMax
// has passed since the last request. It returns the outcomes by serial.
func (d *driver) waitAll(ctx context.Context, reqs []request) map[string]outcome {
	pending := map[string]map[string]bool{} // animal → serials still issuing
	for _, r := range reqs {
		if pending[r.animal] == nil {
			pending[r.animal] = map[string]bool{}
		}
		pending[r.animal][r.serial] = true
	}
	outcomes := map[string]outcome{}
	deadline := time.Now().Add(d.waitMax)
	for len(pending) > 0 && ctx.Err() == nil && time.Now().Before(deadline) {
		animals := make([]string, 0, len(pending))
		for a := range pending {
			animals = append(animals, a)
		}
		lists := make([][]certificate, len(animals))
		loadgen.Deal(ctx, len(animals), d.clients, func(_, i int) {
			var page struct {
				Items []certificate `json:"items"`
			}
			err := d.api.Expect(ctx, http.StatusOK, &page, http.MethodGet, "/api/v1/animals/"+animals[i]+"/certificates", d.token, nil)
			if err != nil {
				d.fail("read the certificates of %s: %v", animals[i], err)
				return
			}
			lists[i] = page.Items
		})
		for i, a := range animals {
			for serial, o := range settle(pending[a], lists[i]) {
				outcomes[serial] = o
				delete(pending[a], serial)
				if !o.issued {
					d.fail("certificate %s of %s ended failed", serial, a)
				}
			}
			if len(pending[a]) == 0 {
				delete(pending, a)
			}
		}
		if len(pending) > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d.poll):
			}
		}
	}
	for a, serials := range pending {
		for s := range serials {
			d.fail("certificate %s of %s still issuing after %s", s, a, d.waitMax)
		}
	}
	return outcomes
}

// settle finds, in an animal's list of certificates, how the pending ones ended: issued
// (with the time the API recorded) or failed. Those still issuing, and certificates not
// pending, are left out.
func settle(pending map[string]bool, list []certificate) map[string]outcome {
	out := map[string]outcome{}
	for _, c := range list {
		if !pending[c.Serial] {
			continue
		}
		switch {
		case c.Status == "issuing":
		case c.IssuedAt != nil && c.Status != "failed":
			// Issued, or superseded or revoked since: issued all the same.
			out[c.Serial] = outcome{issued: true, issuedAt: *c.IssuedAt}
		default:
			out[c.Serial] = outcome{}
		}
	}
	return out
}
