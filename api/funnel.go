package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/store"
)

// handlerFunc is an HTTP handler that returns its error to the funnel instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc under the request deadline (HTTP.RequestTimeout).
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return s.handleWithin(s.cfg.HTTP.RequestTimeout, h)
}

// handleWaiting adapts a handlerFunc that waits for a running workflow to answer, under the
// longer deadline HTTP.WorkflowRequestTimeout.
func (s *Server) handleWaiting(h handlerFunc) http.HandlerFunc {
	return s.handleWithin(s.cfg.HTTP.WorkflowRequestTimeout, h)
}

// handleWithin is the funnel every handler runs through: the request's path parameters and
// query are checked first (text.go); the handler then runs with the request's context
// bounded by deadline, which every store and workflow call takes from r.Context(). A
// *Problem is written as it is; a passed deadline or an unavailable dependency is a 503
// with Retry-After; anything else is logged with its detail and answered with a generic 500
// that carries only the request ID. An error after the handler began its answer is only
// logged.
func (s *Server) handleWithin(deadline time.Duration, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p := checkRequestText(r); p != nil {
			writeProblem(w, r, p)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), deadline)
		defer cancel()
		r = r.WithContext(ctx)
		aw := &answerWriter{ResponseWriter: w}
		if err := h(aw, r); err != nil {
			if aw.began {
				s.log.ErrorContext(ctx, "request failed after its answer began", "error", err, "method", r.Method, "path", r.URL.Path)
				return
			}
			s.writeError(aw, r, err)
		}
	}
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	writeProblem(w, r, s.asProblem(r, err))
}

// asProblem is the problem an error answers, for the API and the pages alike: a *Problem as it
// is, a plan's limit as planLimitProblem words it, a passed deadline or an unavailable
// dependency as a 503, values the database refused as a 4xx, and anything else as a 500 that
// carries only the request ID, the error logged with its detail.
func (s *Server) asProblem(r *http.Request, err error) *Problem {
	var (
		p     *Problem
		limit *billing.LimitError
	)
	switch {
	case errors.As(err, &p):
	case errors.As(err, &limit):
		p = planLimitProblem(limit)
	case isUnavailable(err):
		s.log.WarnContext(r.Context(), "request deadline passed or a dependency is unavailable", "error", err,
			"method", r.Method, "path", r.URL.Path)
		p = unavailableProblem()
	case store.Permanent(err):
		// The database refused the request's values: a check at the edge is missing. Say so
		// in the log, and answer the client as the bad input it is rather than with a 500.
		s.log.ErrorContext(r.Context(), "the database refused a request's values; validate them at the edge", "error", err,
			"method", r.Method, "path", r.URL.Path)
		p = refusedByDatabase(err)
	default:
		s.log.ErrorContext(r.Context(), "request failed", "error", err, "method", r.Method, "path", r.URL.Path)
		p = newProblem(kindInternal, "Something went wrong on our side; quote the request ID when reporting it.")
	}
	return p
}

// refusedByDatabase answers values the database refused: a conflict with what is stored
// (a unique or foreign key) is a 409, anything else — too long, malformed, out of range —
// a 422.
func refusedByDatabase(err error) *Problem {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "23503") {
		return newProblem(kindConflict, "The request conflicts with what is stored; reload and try again.")
	}
	return newProblem(kindValidation, "A value in the request cannot be stored: it is too large, malformed or out of range.")
}

func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	out := *p
	out.Instance = r.URL.Path
	out.RequestID = middleware.GetReqID(r.Context())
	if out.Status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="reptidex"`)
	}
	retryAfter := p.retryAfter
	if retryAfter <= 0 && out.Status == http.StatusServiceUnavailable {
		retryAfter = unavailableRetryAfter // every 503 says when to come back
	}
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds()+0.999)))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(out.Status)
	if err := json.NewEncoder(w).Encode(out); err != nil {
		slog.Default().DebugContext(r.Context(), "write problem", "error", err)
	}
}

// writeJSON writes v as the JSON response with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return nil
}

// writePublicJSON answers 200 with v as JSON that holds nothing private, which browsers and
// shared caches may keep for maxAge.
func writePublicJSON(w http.ResponseWriter, v any, maxAge time.Duration) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge.Seconds())))
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return nil
}
