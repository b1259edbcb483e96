package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/payments"
)

// unavailableRetryAfter is what a 503 asks the caller to wait before retrying: long enough
// for a pool to free a connection or a dependency to come back, short enough for a person.
const unavailableRetryAfter = 5 * time.Second

// unavailableProblem answers a request that ran out of time or whose dependency is down.
func unavailableProblem() *Problem {
	p := newProblem(kindUnavailable, "The service could not answer in time; retry shortly.")
	p.retryAfter = unavailableRetryAfter
	return p
}

// isUnavailable reports whether err means the request could not be served now rather than
// that it is wrong or that we are: the request's deadline passed, or Postgres or Temporal
// could not be reached, refused the connection or said it is overloaded or shutting down, or
// Stripe could not answer after its retries.
// A retry later may succeed, so the answer is a 503, not a 500.
func isUnavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) || errors.Is(err, payments.ErrUnavailable) {
		return true
	}
	var (
		connectErr   *pgconn.ConnectError
		pgErr        *pgconn.PgError
		opErr        *net.OpError
		updateTimout *client.WorkflowUpdateServiceTimeoutOrCanceledError
		tUnavailable *serviceerror.Unavailable
		tDeadline    *serviceerror.DeadlineExceeded
		tExhausted   *serviceerror.ResourceExhausted
	)
	switch {
	case errors.As(err, &pgErr):
		return pgUnavailable(pgErr.Code)
	case errors.As(err, &connectErr), pgconn.SafeToRetry(err):
		// Postgres was not reached, or nothing of the request was sent to it.
		return true
	case errors.As(err, &opErr) && opErr.Op == "dial",
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return true
	case errors.As(err, &tUnavailable), errors.As(err, &tDeadline), errors.As(err, &tExhausted),
		errors.As(err, &updateTimout):
		return true
	}
	return false
}

// pgUnavailable reports whether a Postgres error code says the server cannot serve now:
// connection exceptions (class 08), insufficient resources (class 53: too many
// connections, out of memory or disk), shutting down or starting up (57P01–57P03), or a
// statement cancelled by its timeout (57014).
func pgUnavailable(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"):
		return true
	}
	switch code {
	case "57P01", "57P02", "57P03", "57014":
		return true
	}
	return false
}

// answerWriter remembers whether a handler began its answer, so that the error funnel
// never writes a second one over it.
type answerWriter struct {
	http.ResponseWriter
	began bool
}

func (w *answerWriter) WriteHeader(status int) {
	w.began = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *answerWriter) Write(b []byte) (int, error) {
	w.began = true
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
