// Package e2e_test runs the API and the worker together, as `make dev` does, against the
// test stack's Postgres, Temporal dev server, River and SMTP sink, and drives whole
// processes over HTTP.
package e2e_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/api"
	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/worker"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// processWait is how long a test waits for a process on the dev server to end, or an email
// to arrive: the dev server's SQLite store, which every test of the package shares, can
// answer tens of seconds late while the crash tests run their fifty sales.
const processWait = time.Minute

var signingKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// system is the API and the worker of one test, sharing the package's database.
type system struct {
	URL string
	Cfg config.Config
	DB  *store.DB
	// CertKeys sign the API's and the worker's certificates.
	CertKeys *certs.Keyring
	Mail     *mailsink.Client
	HTTP     *http.Client
	Admin    func(ctx context.Context, sql string, args ...any) error
}

// start runs the worker and serves the API until the test ends. Notifications that need an
// action escalate to email at once, so tests read offers from the sink without waiting.
func start(t *testing.T, opts ...func(*config.Config)) *system {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.Auth.RatePerMinute, cfg.Auth.RateBurst = 100000, 100000
	cfg.Notify.EmailAfter = 0
	cfg.Notify.RetryBase = 100 * time.Millisecond
	// Every test's worker may handle any test's billing events (one database, one queue), so
	// all of them keep the same dunning schedule: a reminder after a second, the grace ended
	// after three.
	cfg.Billing.Reminders = []time.Duration{time.Second}
	cfg.Billing.Grace = 3 * time.Second
	for _, o := range opts {
		o(&cfg)
	}
	sys := serveAPI(t, cfg)
	w, err := worker.New(worker.Deps{Config: cfg, DB: sys.DB, Temporal: testkit.Temporal(t),
		Mail: mailer.New(cfg.SMTP), CertKeys: sys.CertKeys, Registry: prometheus.NewRegistry(), Logger: testkit.Logger(t)})
	require.NoError(t, err)
	require.NoError(t, w.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, w.Stop(ctx))
	})
	return sys
}

// serveAPI serves the API built as cmd/reptidex builds it (api.New), alone, as start does but without a worker: its jobs and
// workflows wait for the worker process the test runs.
func serveAPI(t *testing.T, cfg config.Config) *system {
	t.Helper()
	db := testkit.DB(t)
	key, err := signingKey()
	require.NoError(t, err)
	keys, err := auth.NewKeySet(key)
	require.NoError(t, err)
	certKeys, err := packageCertKeys()
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	srv, err := api.New(ctx, cfg, api.Conns{DB: db, Temporal: testkit.Temporal(t), Registry: prometheus.NewRegistry(),
		Logger: testkit.Logger(t), Keys: keys, CertKeys: certKeys})
	require.NoError(t, err)
	t.Cleanup(func() {
		stop()
		srv.Wait()
	})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	admin := testkit.AdminPool(t)
	return &system{URL: ts.URL, Cfg: cfg, DB: db, CertKeys: certKeys, Mail: testkit.Mail(t), HTTP: ts.Client(),
		Admin: func(ctx context.Context, sql string, args ...any) error {
			_, err := admin.Exec(ctx, sql, args...)
			return err
		}}
}

// packageCertKeys is the certificate keyring of every API and worker of the package, made
// once: the workers share the package's task queue, so any of them may sign a test's
// certificate.
var packageCertKeys = sync.OnceValues(func() (*certs.Keyring, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return certs.NewKeyring(key)
})

// reply is one HTTP answer.
type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

func (s *system) do(t *testing.T, method, path, token string, body any, headers ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, s.URL+path, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.HTTP.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.Body)
	return r
}

// must sends a request that must answer want, and returns its body.
func (s *system) must(t *testing.T, want int, method, path, token string, body any, headers ...string) map[string]any {
	t.Helper()
	r := s.do(t, method, path, token, body, headers...)
	require.Equal(t, want, r.Status, "%s %s: %s", method, path, r.Raw)
	return r.Body
}

// person is a registered user with their own organization.
type person struct {
	Email, Token, UserID, OrgID string
}

var (
	verifyLink     = regexp.MustCompile(`/verify-email\?token=([A-Za-z0-9_-]+)`)
	invitationLink = regexp.MustCompile(`/invitations/accept\?token=([A-Za-z0-9_-]+)`)
)

// register opens an account and, unless told not to, verifies its email through the
// emailed link, as a person would.
func (s *system) register(t *testing.T, name string, verify bool) person {
	t.Helper()
	email := testkit.UniqueEmail(name)
	b := s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/auth/register", "", map[string]any{
		"email": email, "password": "correct horse battery", "display_name": name, "organization_name": name + "'s Reptiles"})
	p := person{Email: email, Token: b["access_token"].(string), UserID: b["user_id"].(string), OrgID: b["organization_id"].(string)}
	if verify {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		m, err := s.Mail.WaitFor(ctx, email, func(m mailsink.MessageDetail) bool { return verifyLink.MatchString(m.Text) })
		require.NoError(t, err)
		token := verifyLink.FindStringSubmatch(m.Text)[1]
		s.must(t, http.StatusOK, http.MethodPost, "/api/v1/auth/verify-email", "", map[string]any{"token": token})
	}
	return p
}

// waitMail waits for an email to an address whose subject is subject.
func (s *system) waitMail(t *testing.T, to, subject string) mailsink.MessageDetail {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), processWait)
	defer cancel()
	m, err := s.Mail.WaitFor(ctx, to, func(m mailsink.MessageDetail) bool { return m.Subject == subject })
	require.NoError(t, err, "no email %q to %s", subject, to)
	return m
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return raw
}
