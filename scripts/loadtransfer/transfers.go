package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/reptidex/reptidex/scripts/loadgen"
)

// maxFailures is how many failed calls a run quotes on stderr.
const maxFailures = 5

// createAnimals creates c.transfers animals in the token's organization with
// c.createWorkers concurrent clients and returns their IDs. Any failure ends the run: the
// animals are the set-up, not what is measured.
func createAnimals(ctx context.Context, api *loadgen.API, token string, c config, runID string) ([]string, error) {
	ids := make([]string, c.transfers)
	err := loadgen.ForEach(ctx, len(ids), c.createWorkers, func(ctx context.Context, i int) error {
		id, err := api.CreateAnimal(ctx, token, c.species, runID, i)
		if err != nil {
			return fmt.Errorf("create animal %d: %w", i+1, err)
		}
		ids[i] = id
		return nil
	})
	if err != nil {
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
func transferAll(ctx context.Context, api *loadgen.API, seller, buyer loadgen.Account, animals []string, runID string, clients int) transferRun {
	runs := make([]*clientRun, clients)
	for k := range runs {
		runs[k] = &clientRun{offer: newCallStats(), accept: newCallStats()}
	}
	start := time.Now()
	loadgen.Deal(ctx, len(animals), clients, func(k, i int) {
		transferOne(ctx, api, seller, buyer, animals[i], fmt.Sprintf("loadtransfer-%s-%d", runID, i), runs[k])
	})

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
func transferOne(ctx context.Context, api *loadgen.API, seller, buyer loadgen.Account, animal, key string, cr *clientRun) {
	t0 := time.Now()
	a, err := api.Call(ctx, http.MethodPost, "/api/v1/transfers", seller.Token,
		map[string]string{"animal_id": animal, "recipient_organization_id": buyer.OrgID}, "Idempotency-Key", key)
	cr.offer.record(a.Status, http.StatusCreated, a.Latency, err)
	cr.last = time.Now()
	if err != nil || a.Status != http.StatusCreated {
		cr.fail("offer animal %s: %s", animal, failure(a, err))
		return
	}
	id, err := transferID(a.Body)
	if err != nil {
		cr.fail("offer animal %s: %v", animal, err)
		return
	}
	cr.offered = append(cr.offered, id)

	a, err = api.Call(ctx, http.MethodPost, "/api/v1/transfers/"+url.PathEscape(id)+"/accept", buyer.Token,
		map[string]string{"organization_id": buyer.OrgID})
	cr.accept.record(a.Status, http.StatusOK, a.Latency, err)
	cr.last = time.Now()
	if err != nil || a.Status != http.StatusOK {
		cr.fail("accept transfer %s: %s", id, failure(a, err))
		return
	}
	cr.whole = append(cr.whole, cr.last.Sub(t0))
}

// failure describes a failed call: its error, or its status and the start of its answer.
func failure(a loadgen.Answer, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("status %d: %.300s", a.Status, bytes.TrimSpace(a.Body))
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
