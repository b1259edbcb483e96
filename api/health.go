package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/reptidex/reptidex/health"
)

// checkTimeout bounds each dependency check.
const checkTimeout = 3 * time.Second

// liveness answers the liveness check.
type liveness struct {
	Status string `json:"status" jsonschema:"enum=up"`
}

// dependencyStatus answers the public dependency check.
type dependencyStatus struct {
	// up when every dependency check is up.
	Status string `json:"status" jsonschema:"enum=up,enum=down"`
}

// health answers as long as the process serves HTTP.
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, liveness{Status: "up"})
}

// healthDeep says whether every dependency answers, and nothing more: which one is down, and
// how, is for operators (opsHealthDeep). 503 when any is down.
func (s *Server) healthDeep(w http.ResponseWriter, r *http.Request) error {
	rep := s.healthCache.report(r.Context())
	return writeJSON(w, healthStatus(rep), dependencyStatus{Status: rep.Status})
}

// opsHealthDeep is the operators' view on the operations listener: each dependency's status,
// latency and how it failed, in our words (the cause is in the log).
func (s *Server) opsHealthDeep(w http.ResponseWriter, r *http.Request) error {
	rep := s.healthCache.report(r.Context())
	return writeJSON(w, healthStatus(rep), rep)
}

func healthStatus(rep health.Report) int {
	if rep.Status != "up" {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// healthCache runs the dependency checks at most once per ttl, however many callers ask, so
// the deep health check cannot be used to load the dependencies. Callers that arrive while
// a run is under way wait for it rather than starting another.
type healthCache struct {
	checks []health.Check
	ttl    time.Duration
	onDown func(name string, res health.Result)

	mu      sync.Mutex
	last    health.Report
	at      time.Time
	running chan struct{} // closed when the run under way ends; nil when none is
}

func (c *healthCache) report(ctx context.Context) health.Report {
	c.mu.Lock()
	if c.running == nil && !c.at.IsZero() && time.Since(c.at) < c.ttl {
		defer c.mu.Unlock()
		return c.last
	}
	if c.running != nil {
		wait := c.running
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.at.IsZero() {
			return health.Report{Status: "down"} // the caller left before the first run ended
		}
		return c.last
	}
	c.running = make(chan struct{})
	c.mu.Unlock()
	return c.run(ctx)
}

// run checks the dependencies once and hands the report to every caller waiting on it; the
// run belongs to them all, not to the one that started it, so it ignores its cancellation.
func (c *healthCache) run(ctx context.Context) (rep health.Report) {
	defer func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.last, c.at = rep, time.Now()
		close(c.running)
		c.running = nil
	}()
	rep = health.RunAll(context.WithoutCancel(ctx), c.checks, checkTimeout)
	for name, res := range rep.Checks {
		if res.Status != "up" && c.onDown != nil {
			c.onDown(name, res)
		}
	}
	return rep
}

// jwks publishes the public keys access tokens are verified with.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) error {
	body, err := s.keys.PublicJWKS()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write(body)
	return err
}
