package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// maxFailures is how many failed calls a run quotes on stderr.
const maxFailures = 5

// createAnimals creates c.transfers animals in the token's organization with
// c.createWorkers concurrent clients and returns their IDs. Any failure ends the run: the
// animals are the set-up, not what is measured.
func createAnimals(ctx context.Context, api *apiClient, token string, c config, runID string) ([]string, error) {
	ids := make([]string, c.transfers)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range c.createWorkers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(ids) {
					return
				}
				sex := []string{"male", "female"}[i%2]
				id, err := api.createAnimal(ctx, token, c.species, sex, fmt.Sprintf("Load %s #%d", runID, i+1))
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("create animal %d: %w", i+1, err)
					}
					mu.Unlock()
					cancel()
					return
				}
				ids[i] = id
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return ids, nil
}

// clientRun is what one client recorded.
type clientRun struct {
	offer, accept *callStats
	whole         []time.Duration // offer sent to accept answered, accepted transfers only
	offered       []string        // IDs of the transfers it created
	last          time.Time       // when its last call was answered
	failures      []string
}

// fail notes a failed call, up to maxFailures.
func (r *clientRun) fail(format string, args ...any) {
	if len(r.failures) < maxFailures {
		r.failures = append(r.failures, fmt.Sprintf(format, args...))
	}
}

// transferRun is what all clients recorded.
type transferRun struct {
	offer, accept *callStats
	whole         []time.Duration
	offered       []string
	wall          time.Duration // first offer sent to last call answered
	failures      []string
}

// transferAll runs clients concurrent clients until every animal is offered to the buyer's
// organization and each offer answered is accepted by the buyer.
func transferAll(ctx context.Context, api *apiClient, seller, buyer account, animals []string, runID string, clients int) transferRun {
	var next atomic.Int64
	runs := make([]*clientRun, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for k := range runs {
		cr := &clientRun{offer: newCallStats(), accept: newCallStats()}
		runs[k] = cr
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(animals) {
					return
				}
				transferOne(ctx, api, seller, buyer, animals[i], fmt.Sprintf("loadtransfer-%s-%d", runID, i), cr)
			}
		})
	}
	wg.Wait()

	out := transferRun{}
	var offers, accepts []*callStats
	last := start
	for _, cr := range runs {
		offers, accepts = append(offers, cr.offer), append(accepts, cr.accept)
		out.whole = append(out.whole, cr.whole...)
		out.offered = append(out.offered, cr.offered...)
		if cr.last.After(last) {
			last = cr.last
		}
		for _, f := range cr.failures {
			if len(out.failures) < maxFailures {
				out.failures = append(out.failures, f)
			}
		}
	}
	out.offer, out.accept, out.wall = merge(offers), merge(accepts), last.Sub(start)
	return out
}

// transferOne offers the animal to the buyer's organization as the seller and, once the
// offer is recorded, accepts it as the buyer into the buyer's organization.
func transferOne(ctx context.Context, api *apiClient, seller, buyer account, animal, key string, cr *clientRun) {
	t0 := time.Now()
	a, err := api.call(ctx, http.MethodPost, "/api/v1/transfers", seller.token,
		map[string]string{"animal_id": animal, "recipient_organization_id": buyer.orgID}, "Idempotency-Key", key)
	cr.offer.record(a.status, http.StatusCreated, a.latency, err)
	cr.last = time.Now()
	if err != nil || a.status != http.StatusCreated {
		cr.fail("offer animal %s: %s", animal, failure(a, err))
		return
	}
	id, err := transferID(a.body)
	if err != nil {
		cr.fail("offer animal %s: %v", animal, err)
		return
	}
	cr.offered = append(cr.offered, id)

	a, err = api.call(ctx, http.MethodPost, "/api/v1/transfers/"+url.PathEscape(id)+"/accept", buyer.token,
		map[string]string{"organization_id": buyer.orgID})
	cr.accept.record(a.status, http.StatusOK, a.latency, err)
	cr.last = time.Now()
	if err != nil || a.status != http.StatusOK {
		cr.fail("accept transfer %s: %s", id, failure(a, err))
		return
	}
	cr.whole = append(cr.whole, cr.last.Sub(t0))
}

// failure describes a failed call: its error, or its status and the start of its answer.
func failure(a answer, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("status %d: %.300s", a.status, bytes.TrimSpace(a.body))
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
