package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/reptidex/reptidex/api"
	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// syncBuffer is a log destination the server's goroutines and the test may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// degraded is a second server on b's keys and sessions, built from cfg with db (b's pool
// when nil) and a Temporal client of cfg.Temporal.Address: a server whose deadlines or
// dependencies differ from b's. Its log is returned for the test to read.
func (b *bundle) degraded(t *testing.T, cfg config.Config, db *store.DB) (*bundle, *syncBuffer) {
	t.Helper()
	if db == nil {
		db = b.DB
	}
	logged := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logged, nil))
	tc, err := client.NewLazyClient(client.Options{HostPort: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace,
		Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	srv := serve(t, cfg, api.Conns{DB: db, Temporal: tc, Registry: prometheus.NewRegistry(), Logger: log, Keys: b.Keys},
		api.WithoutPedigree())
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	other := *b
	other.URL, other.Client, other.Cfg, other.DB, other.Pedigree = ts.URL, ts.Client(), cfg, db, nil
	return &other, logged
}

// requireUnavailable checks r is a 503 problem that says when to retry.
func requireUnavailable(t *testing.T, r reply) {
	t.Helper()
	requireProblem(t, r, http.StatusServiceUnavailable, "unavailable")
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After is whole seconds: %q", r.Header.Get("Retry-After"))
	require.Positive(t, secs)
	require.LessOrEqual(t, secs, 60)
}

// databaseRequests are requests that each read or write the database before answering.
func databaseRequests(token string) []struct{ method, path, token string } {
	return []struct{ method, path, token string }{
		{http.MethodGet, "/api/v1/me", token},
		{http.MethodGet, "/api/v1/animals", token},
		{http.MethodGet, "/api/v1/transfers", token},
		{http.MethodGet, "/api/v1/notifications/unread-count", token},
		{http.MethodGet, "/api/v1/taxonomy/species", ""},
	}
}

func TestDeadline_RequestPastItsDeadlineIs503WithRetryAfter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "deadline")
	cfg := b.Cfg
	cfg.HTTP.RequestTimeout = time.Nanosecond
	slow, logged := b.degraded(t, cfg, nil)

	for _, req := range databaseRequests(u.Tokens.AccessToken) {
		t.Run(req.method+" "+req.path, func(t *testing.T) {
			requireUnavailable(t, slow.do(t, req.method, req.path, req.token, nil))
		})
	}
	t.Run("login", func(t *testing.T) {
		requireUnavailable(t, slow.login(t, u.Email, testPassword, ""))
	})
	require.Contains(t, logged.String(), "deadline exceeded", "the cause is logged")
	require.Equal(t, http.StatusOK, b.me(t, u.Tokens.AccessToken).Status, "the same request within its deadline is answered")
}

func TestDeadline_UnreachableDatabaseIs503WithRetryAfterNot500(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "nodb")
	dbURL, err := url.Parse(b.Cfg.Database.URL)
	require.NoError(t, err)
	dbURL.Host = testkit.ClosedAddr(t)
	db, err := store.Open(context.Background(), dbURL.String(), 2)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	down, logged := b.degraded(t, b.Cfg, db)

	for _, req := range databaseRequests(u.Tokens.AccessToken) {
		t.Run(req.method+" "+req.path, func(t *testing.T) {
			requireUnavailable(t, down.do(t, req.method, req.path, req.token, nil))
		})
	}
	t.Run("login", func(t *testing.T) {
		requireUnavailable(t, down.login(t, u.Email, testPassword, ""))
	})
	t.Run("register", func(t *testing.T) {
		requireUnavailable(t, down.do(t, http.MethodPost, "/api/v1/auth/register", "", registerBody(testkit.UniqueEmail("nodb"))))
	})
	require.Contains(t, logged.String(), "connect", "the cause is logged")
}

func TestDeadline_TransferAnswerWithTemporalUnreachableIs503WithRetryAfter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "notemporal")
	offered := b.offer(t, o.Owner.Tokens.AccessToken, testkit.UniqueEmail("buyer"))
	require.Equal(t, http.StatusCreated, offered.Status, "%s", offered.Raw)
	cfg := b.Cfg
	cfg.Temporal.Address = testkit.ClosedAddr(t)
	cfg.HTTP.WorkflowRequestTimeout = 2 * time.Second
	down, logged := b.degraded(t, cfg, nil)

	r := down.do(t, http.MethodPost, "/api/v1/transfers/"+offered.Body["id"].(string)+"/cancel", o.Owner.Tokens.AccessToken, nil)
	requireUnavailable(t, r)
	require.NotEmpty(t, logged.String(), "the cause is logged")
	got := b.do(t, http.MethodGet, "/api/v1/transfers/"+offered.Body["id"].(string), o.Owner.Tokens.AccessToken, nil)
	require.Equal(t, "offered", got.Body["status"], "nothing changed: %s", got.Raw)
}
