package api_test

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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/reptidex/reptidex/api"
	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/obs"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

// testPassword is the password every test account registers with.
const testPassword = "correct horse battery"

// signingKey is generated once per test run: RSA key generation is slow, and every server of
// the package may share it.
var signingKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// certKey is the certificate signing key every server of the package signs with.
var certKey = sync.OnceValues(func() (*certs.Keyring, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return certs.NewKeyring(priv)
})

// bundle is one API server under test with what it was built from.
type bundle struct {
	URL string
	// OpsURL serves the server's operations endpoints (OpsHandler), as OPS_ADDR does.
	OpsURL string
	Client *http.Client
	Cfg    config.Config
	DB     *store.DB
	Admin  *pgxpool.Pool
	Keys   *auth.KeySet
	// CertKeys signs the server's certificates.
	CertKeys *certs.Keyring
	Tokens   *auth.Issuer
	Reg      *prometheus.Registry
	// Pedigree is the server's pedigree graph, loaded before the first request.
	Pedigree *pedigree.Graph
}

// option adjusts the configuration a server is built with.
type option func(*config.Config)

func withConfig(f func(*config.Config)) option { return option(f) }

// setup builds the API as cmd/reptidex does (api.New), on the package's test database and
// the running test components, and serves it on a local port until the test ends. The rate
// limits per client address (credential endpoints, search) are lifted unless an option sets
// them.
func setup(t *testing.T, opts ...option) *bundle {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.Auth.RatePerMinute = 100000
	cfg.Auth.RateBurst = 100000
	cfg.Limits.SearchPerMinute = 100000
	cfg.Limits.SearchBurst = 100000
	for _, o := range opts {
		o(&cfg)
	}
	db := testkit.DB(t)
	reg := prometheus.NewRegistry()
	require.NoError(t, reg.Register(obs.NewPoolCollector(db.Pool)))
	key, err := signingKey()
	require.NoError(t, err)
	keys, err := auth.NewKeySet(key)
	require.NoError(t, err)
	certKeys, err := certKey()
	require.NoError(t, err)
	tc, err := client.NewLazyClient(client.Options{
		HostPort: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace,
		Logger: tlog.NewStructuredLogger(testkit.Logger(t)),
	})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	srv := serve(t, cfg, api.Conns{DB: db, Temporal: tc, Registry: reg, Logger: testkit.Logger(t), Keys: keys, CertKeys: certKeys},
		api.WithPedigreeOptions(pedigree.Options{RetryDelay: 20 * time.Millisecond}))
	wait, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, srv.Pedigree().WaitReady(wait))
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	ops := httptest.NewServer(srv.OpsHandler())
	t.Cleanup(ops.Close)
	return &bundle{URL: ts.URL, OpsURL: ops.URL, Client: ts.Client(), Cfg: cfg, DB: db, Admin: testkit.AdminPool(t),
		Keys: keys, CertKeys: certKeys, Tokens: srv.Tokens(), Reg: reg, Pedigree: srv.Pedigree()}
}

// serve builds an API server with api.New, as cmd/reptidex does, until the test ends. Without
// certificate keys it signs with the package's.
func serve(t *testing.T, cfg config.Config, c api.Conns, opts ...api.Option) *api.Server {
	t.Helper()
	if c.CertKeys == nil {
		k, err := certKey()
		require.NoError(t, err)
		c.CertKeys = k
	}
	ctx, stop := context.WithCancel(context.Background())
	srv, err := api.New(ctx, cfg, c, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		stop()
		srv.Wait()
	})
	return srv
}

// reply is one HTTP answer: its status, headers, raw body and, when the body is a JSON
// object, the object.
type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// newRequest builds a request to path. A string or []byte body is sent as it is, anything
// else as JSON; either way labelled application/json.
func (b *bundle) newRequest(t *testing.T, method, path, token string, body any) *http.Request {
	t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(v)
	case []byte:
		rd = bytes.NewReader(v)
	default:
		raw, err := json.Marshal(v)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, b.URL+path, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// send sends a request and reads the whole answer.
func (b *bundle) send(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := b.Client.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if strings.HasPrefix(req.URL.String(), b.URL) {
		checkContract(t, req, resp.StatusCode, resp.Header, raw)
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		r.Body = m
	}
	return r
}

// ops sends a GET to the operations listener.
func (b *bundle) ops(t *testing.T, path string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, b.OpsURL+path, nil)
	require.NoError(t, err)
	return b.send(t, req)
}

// do sends one request, with a bearer token when token is not empty.
func (b *bundle) do(t *testing.T, method, path, token string, body any) reply {
	t.Helper()
	return b.send(t, b.newRequest(t, method, path, token, body))
}

// tokenResponse is what register, login and refresh answer with.
type tokenResponse struct {
	AccessToken      string    `json:"access_token"`
	TokenType        string    `json:"token_type"`
	ExpiresIn        int       `json:"expires_in"`
	RefreshToken     string    `json:"refresh_token"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	UserID           string    `json:"user_id"`
	OrganizationID   string    `json:"organization_id"`
}

func decodeAs[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(r.Raw, &v), "body: %s", r.Raw)
	return v
}

// registerBody is a valid registration for email.
func registerBody(email string) map[string]any {
	return map[string]any{"email": email, "password": testPassword, "display_name": "Keeper " + email,
		"organization_name": "Vivarium of " + email}
}

// register opens an account for email and returns its first tokens.
func (b *bundle) register(t *testing.T, email string) tokenResponse {
	t.Helper()
	r := b.do(t, http.MethodPost, "/api/v1/auth/register", "", registerBody(email))
	require.Equal(t, http.StatusCreated, r.Status, "register %s: %s", email, r.Raw)
	return decodeAs[tokenResponse](t, r)
}

// user is a registered person with the tokens of their first session.
type user struct {
	Email  string
	Tokens tokenResponse
}

// newUser registers a person with a unique email and their own organization.
func (b *bundle) newUser(t *testing.T, prefix string) user {
	t.Helper()
	email := testkit.UniqueEmail(prefix)
	return user{Email: email, Tokens: b.register(t, email)}
}

func (b *bundle) login(t *testing.T, email, password, orgID string) reply {
	t.Helper()
	body := map[string]any{"email": email, "password": password}
	if orgID != "" {
		body["organization_id"] = orgID
	}
	return b.do(t, http.MethodPost, "/api/v1/auth/login", "", body)
}

func (b *bundle) refresh(t *testing.T, refreshToken, orgID string) reply {
	t.Helper()
	body := map[string]any{"refresh_token": refreshToken}
	if orgID != "" {
		body["organization_id"] = orgID
	}
	return b.do(t, http.MethodPost, "/api/v1/auth/refresh", "", body)
}

func (b *bundle) me(t *testing.T, token string) reply {
	t.Helper()
	return b.do(t, http.MethodGet, "/api/v1/me", token, nil)
}

func membersPath(orgID string) string { return "/api/v1/organizations/" + orgID + "/members" }

func memberPath(orgID, userID string) string { return membersPath(orgID) + "/" + userID }

// addMember asks, acting with token, for the person with email to join orgID as role: an
// invitation they must accept.
func (b *bundle) addMember(t *testing.T, token, orgID, email, role string) reply {
	t.Helper()
	return b.do(t, http.MethodPost, membersPath(orgID), token, map[string]any{"email": email, "role": role})
}

// mustAddMember makes a registered person a member of orgID as a person does: the owners are
// verified (else the organization invites no one), the member is invited with token, and
// accepts with the token of the invitation's link.
func (b *bundle) mustAddMember(t *testing.T, token, orgID, email, role string) {
	t.Helper()
	_, err := b.Admin.Exec(context.Background(), `UPDATE users SET email_verified_at = coalesce(email_verified_at, now())
		WHERE id IN (SELECT m.user_id FROM memberships m JOIN organizations o ON o.id = m.org_id
			WHERE o.public_id = $1 AND m.role = 'owner')`, orgID)
	require.NoError(t, err)
	r := b.addMember(t, token, orgID, email, role)
	require.Equal(t, http.StatusAccepted, r.Status, "invite %s as %s: %s", email, role, r.Raw)
	invitee := b.login(t, email, testPassword, "")
	require.Equal(t, http.StatusOK, invitee.Status, "login %s: %s", email, invitee.Raw)
	accepted := b.accept(t, decodeAs[tokenResponse](t, invitee).AccessToken, b.invitationToken(t, decodeAs[invitationOf](t, r).ID))
	require.Equal(t, http.StatusOK, accepted.Status, "accept as %s: %s", email, accepted.Raw)
}

// invitationToken reads the token of an invitation's link from the notification that carries
// it, as the schema owner: tests that do not deliver email need not wait for it.
func (b *bundle) invitationToken(t *testing.T, invitationID string) string {
	t.Helper()
	var link string
	require.NoError(t, b.Admin.QueryRow(context.Background(), `SELECT link FROM notifications WHERE dedup_key = $1`,
		"invitation/"+invitationID).Scan(&link))
	token, ok := strings.CutPrefix(link, "/invitations/accept?token=")
	require.True(t, ok, "the invitation's link: %s", link)
	return token
}

// verifyEmail marks a user's email address verified, as following the emailed link does.
func (b *bundle) verifyEmail(t *testing.T, userPublicID string) {
	t.Helper()
	_, err := b.Admin.Exec(context.Background(), `UPDATE users SET email_verified_at = now() WHERE public_id = $1`, userPublicID)
	require.NoError(t, err)
}

// loginTo logs a member in to one organization and returns the session's tokens.
func (b *bundle) loginTo(t *testing.T, email, orgID string) tokenResponse {
	t.Helper()
	r := b.login(t, email, testPassword, orgID)
	require.Equal(t, http.StatusOK, r.Status, "login %s to %s: %s", email, orgID, r.Raw)
	tok := decodeAs[tokenResponse](t, r)
	require.Equal(t, orgID, tok.OrganizationID)
	return tok
}

// requireProblem checks r is an RFC 9457 problem of the given status and type slug.
func requireProblem(t *testing.T, r reply, status int, slug string) {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Raw)
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
	require.NotNil(t, r.Body, "a problem is a JSON object: %s", r.Raw)
	require.Equal(t, "/docs#problem-"+slug, r.Body["type"])
	require.Equal(t, float64(status), r.Body["status"])
	require.NotEmpty(t, r.Body["title"])
}

// problemFields names the fields a validation problem lists.
func problemFields(t *testing.T, r reply) []string {
	t.Helper()
	errs, _ := r.Body["errors"].([]any)
	var out []string
	for _, e := range errs {
		m, ok := e.(map[string]any)
		require.True(t, ok, "errors entries are objects: %s", r.Raw)
		f, _ := m["field"].(string)
		require.NotEmpty(t, m["message"], "each field error says what is wrong: %s", r.Raw)
		out = append(out, f)
	}
	return out
}

// publicShape is what must not differ between two problems that must not reveal anything:
// everything but the instance and the request ID.
func publicShape(r reply) map[string]any {
	out := map[string]any{"http_status": r.Status, "content_type": r.Header.Get("Content-Type")}
	for k, v := range r.Body {
		if k != "instance" && k != "request_id" {
			out[k] = v
		}
	}
	return out
}

// orgUUID is the internal ID of the organization with a public ID.
func (b *bundle) orgUUID(t *testing.T, publicID string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, b.Admin.QueryRow(context.Background(), "SELECT id FROM organizations WHERE public_id = $1", publicID).Scan(&id))
	return id
}

// userUUID is the internal ID of the user with a public ID.
func (b *bundle) userUUID(t *testing.T, publicID string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, b.Admin.QueryRow(context.Background(), "SELECT id FROM users WHERE public_id = $1", publicID).Scan(&id))
	return id
}

// count runs a count(*) query as the schema owner.
func (b *bundle) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.Admin.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// deliver works the package's notification deliveries (email to the test SMTP sink, SMS to
// its recording endpoint) until the test ends, as the worker does in production.
func (b *bundle) deliver(t *testing.T) { testkit.DeliverNotifications(t, b.DB, b.Cfg, "") }

// grantPlan grants the organization with this public ID a plan as support does
// (billing.Grant): for tests that hold more than Free allows.
func (b *bundle) grantPlan(t *testing.T, orgPublicID, plan string) {
	t.Helper()
	registered.GrantPlan(t, b.DB, b.orgUUID(t, orgPublicID), plan)
}
