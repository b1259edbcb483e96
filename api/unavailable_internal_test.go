package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

func TestIsUnavailable_TellsDependencyAndDeadlineFailuresFromBugs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"request deadline passed", fmt.Errorf("list animals: %w", context.DeadlineExceeded), true},
		{"Postgres refused the connection", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"Postgres shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"Postgres starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, true},
		{"Temporal unavailable", fmt.Errorf("answer: %w", serviceerror.NewUnavailable("connection refused")), true},
		{"Temporal deadline exceeded", serviceerror.NewDeadlineExceeded("deadline"), true},
		{"Temporal overloaded", serviceerror.NewResourceExhausted(0, "busy"), true},
		{"workflow update timed out", &client.WorkflowUpdateServiceTimeoutOrCanceledError{}, true},

		{"a bug", errors.New("nil map"), false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"no rows", pgx.ErrNoRows, false},
		{"not found", store.ErrNotFound, false},
		{"client went away", context.Canceled, false},
		{"Temporal invalid argument", serviceerror.NewInvalidArgument("bad"), false},
		{"Temporal not found", serviceerror.NewNotFound("no workflow"), false},
		{"a listen failure", &net.OpError{Op: "listen", Err: errors.New("address in use")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, isUnavailable(tt.err), "%v", tt.err)
		})
	}
}

func TestIsUnavailable_RealPostgresFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("connect to a closed port", func(t *testing.T) {
		t.Parallel()
		_, err := pgconn.Connect(ctx, "postgres://reptidex_app@"+testkit.ClosedAddr(t)+"/reptidex?sslmode=disable&connect_timeout=5")
		require.Error(t, err)
		require.True(t, isUnavailable(err), "%v", err)
	})

	t.Run("pool exhausted until the deadline", func(t *testing.T) {
		t.Parallel()
		cfg, err := pgxpool.ParseConfig(testkit.Config(t).Database.URL)
		require.NoError(t, err)
		cfg.MaxConns = 1
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		held, err := pool.Acquire(ctx)
		require.NoError(t, err)
		defer held.Release()

		wait, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		err = pgx.BeginFunc(wait, pool, func(pgx.Tx) error { return nil })
		require.Error(t, err)
		require.True(t, isUnavailable(err), "%v", err)
	})

	t.Run("query past the deadline", func(t *testing.T) {
		t.Parallel()
		db := testkit.DB(t)
		wait, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := db.Pool.Exec(wait, "SELECT pg_sleep(5)")
		require.Error(t, err)
		require.True(t, isUnavailable(err), "%v", err)
	})
}

// funnelServer is a Server with only what the handler funnel uses.
func funnelServer(logged io.Writer) *Server {
	return &Server{
		cfg: config.Config{HTTP: config.HTTP{RequestTimeout: 2 * time.Second, WorkflowRequestTimeout: 7 * time.Second}},
		log: slog.New(slog.NewTextHandler(logged, nil)),
	}
}

func TestHandle_EveryHandlerRunsUnderItsRoutesDeadline(t *testing.T) {
	t.Parallel()
	s := funnelServer(io.Discard)
	tests := []struct {
		name  string
		adapt func(handlerFunc) http.HandlerFunc
		want  time.Duration
	}{
		{"an ordinary request", s.handle, 2 * time.Second},
		{"a request that waits for a workflow", s.handleWaiting, 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var left time.Duration
			h := tt.adapt(func(w http.ResponseWriter, r *http.Request) error {
				deadline, ok := r.Context().Deadline()
				require.True(t, ok, "the handler's context has a deadline")
				left = time.Until(deadline)
				return writeJSON(w, http.StatusOK, map[string]string{"ok": "yes"})
			})
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
			require.LessOrEqual(t, left, tt.want)
			require.Greater(t, left, tt.want-time.Second)
		})
	}
}

func TestHandle_UnavailableIs503ProblemWithRetryAfterAndTheCauseLogged(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	s := funnelServer(&logged)
	h := s.handle(func(http.ResponseWriter, *http.Request) error {
		return fmt.Errorf("list animals: %w", serviceerror.NewUnavailable("temporal is down"))
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/animals", nil))

	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	require.Equal(t, "5", rec.Header().Get("Retry-After"))
	var p Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	require.Equal(t, kindUnavailable.typeURI(), p.Type)
	require.NotContains(t, rec.Body.String(), "temporal is down", "the cause is for the log, not the caller")
	require.Contains(t, logged.String(), "temporal is down")
}

func TestHandle_EveryServiceUnavailableProblemCarriesRetryAfter(t *testing.T) {
	t.Parallel()
	s := funnelServer(io.Discard)
	h := s.handle(func(http.ResponseWriter, *http.Request) error {
		return newProblem(kindUnavailable, "The transfer did not answer in time.")
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/transfers/x/accept", nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "5", rec.Header().Get("Retry-After"))
}

func TestHandle_AnErrorAfterTheAnswerBeganIsLoggedNotWrittenAgain(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	s := funnelServer(&logged)
	h := s.handle(func(w http.ResponseWriter, _ *http.Request) error {
		if err := writeJSON(w, http.StatusOK, map[string]string{"id": "abc"}); err != nil {
			return err
		}
		return errors.New("connection lost while streaming")
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))

	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	require.JSONEq(t, `{"id":"abc"}`, rec.Body.String(), "one answer, not an answer and a problem")
	require.Contains(t, logged.String(), "connection lost while streaming")
}
