package api

import (
	"net/http"
	"time"

	"github.com/reptidex/reptidex/health"
)

// health answers as long as the process serves HTTP.
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "up"})
}

// healthDeep checks every dependency, with each one's status and latency; 503 if any is down.
func (s *Server) healthDeep(w http.ResponseWriter, r *http.Request) error {
	rep := health.RunAll(r.Context(), s.checks, 3*time.Second)
	status := http.StatusOK
	if rep.Status != "up" {
		status = http.StatusServiceUnavailable
	}
	return writeJSON(w, status, rep)
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
