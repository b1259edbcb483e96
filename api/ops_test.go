package api_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/testkit"
)

// strictLimit is the rate limit the rate-limit tests run with: two attempts, then one a minute.
func strictLimit(trusted ...string) option {
	return func(c *config.Config) {
		c.Auth.RatePerMinute, c.Auth.RateBurst = 1, 2
		c.HTTP.TrustedProxies = nil
		for _, p := range trusted {
			c.HTTP.TrustedProxies = append(c.HTTP.TrustedProxies, netip.MustParsePrefix(p))
		}
	}
}

// attempt is one cheap credential request (refused by validation, after the rate limit),
// sent as if forwarded for xff when xff is not empty.
func (b *bundle) attempt(t *testing.T, path, xff string) reply {
	t.Helper()
	req := b.newRequest(t, http.MethodPost, path, "", map[string]any{})
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	return b.send(t, req)
}

func requireLimited(t *testing.T, r reply) {
	t.Helper()
	requireProblem(t, r, http.StatusTooManyRequests, "rate-limited")
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After is whole seconds: %q", r.Header.Get("Retry-After"))
	require.Positive(t, secs)
	require.LessOrEqual(t, secs, 60)
}

func TestRateLimit_ThirdLoginAttemptFromOneClientIs429WithRetryAfter(t *testing.T) {
	t.Parallel()
	b := setup(t, strictLimit())
	u := b.newUser(t, "limited") // the registration takes the first token
	r := b.login(t, u.Email, "a wrong password", "")
	requireProblem(t, r, http.StatusUnauthorized, "invalid-credentials")

	requireLimited(t, b.login(t, u.Email, testPassword, ""))
	requireLimited(t, b.refresh(t, u.Tokens.RefreshToken, ""))
	requireLimited(t, b.do(t, http.MethodPost, "/api/v1/auth/register", "", registerBody(testkit.UniqueEmail("limited"))))

	// Endpoints that take no credentials are not limited.
	require.Equal(t, http.StatusOK, b.do(t, http.MethodGet, "/api/v1/health", "", nil).Status)
	require.Equal(t, http.StatusOK, b.me(t, u.Tokens.AccessToken).Status)
}

func TestRateLimit_XForwardedForIsIgnoredWithoutTrustedProxies(t *testing.T) {
	t.Parallel()
	b := setup(t, strictLimit())
	require.Equal(t, http.StatusUnprocessableEntity, b.attempt(t, "/api/v1/auth/login", "203.0.113.1").Status)
	require.Equal(t, http.StatusUnprocessableEntity, b.attempt(t, "/api/v1/auth/login", "203.0.113.2").Status)
	requireLimited(t, b.attempt(t, "/api/v1/auth/login", "203.0.113.3"))
	requireLimited(t, b.attempt(t, "/api/v1/auth/login", ""))
}

func TestRateLimit_TrustedProxysXForwardedForGivesEachClientItsBucket(t *testing.T) {
	t.Parallel()
	b := setup(t, strictLimit("127.0.0.1/32", "::1/128"))
	for _, client := range []string{"203.0.113.1", "203.0.113.2", "2001:db8::7"} {
		for i := range 2 {
			r := b.attempt(t, "/api/v1/auth/login", client)
			require.Equal(t, http.StatusUnprocessableEntity, r.Status, "attempt %d of %s: %s", i+1, client, r.Raw)
		}
	}
	requireLimited(t, b.attempt(t, "/api/v1/auth/login", "203.0.113.1"))
	requireLimited(t, b.attempt(t, "/api/v1/auth/login", "2001:db8::7"))
	// A client behind another trusted hop is still itself.
	requireLimited(t, b.attempt(t, "/api/v1/auth/login", "203.0.113.2, 127.0.0.1"))
	// The proxy's own requests are its own client.
	require.Equal(t, http.StatusUnprocessableEntity, b.attempt(t, "/api/v1/auth/login", "").Status)
}

func TestHealth_LivenessIsUp(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.do(t, http.MethodGet, "/api/v1/health", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, map[string]any{"status": "up"}, r.Body)
}

// healthReport is the deep health answer.
type healthReport struct {
	Status string `json:"status"`
	Checks map[string]struct {
		Status    string   `json:"status"`
		LatencyMS *float64 `json:"latency_ms"`
		Error     string   `json:"error"`
	} `json:"checks"`
}

type noopArgs struct{}

func (noopArgs) Kind() string { return "api_test_noop" }

type noopWorker struct{ river.WorkerDefaults[noopArgs] }

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// startRiverWorker runs a River client that works a queue of its own, so that it takes part
// in River's leader election, until the test ends.
func startRiverWorker(t *testing.T, b *bundle) {
	t.Helper()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	workers := river.NewWorkers()
	river.AddWorker(workers, &noopWorker{})
	rc, err := river.NewClient(riverpgxv5.New(b.DB.Pool), &river.Config{
		Queues:  map[string]river.QueueConfig{"health-check-" + hex.EncodeToString(suffix): {MaxWorkers: 1}},
		Workers: workers,
		Logger:  testkit.Logger(t),
	})
	require.NoError(t, err)
	require.NoError(t, rc.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = rc.Stop(ctx)
	})
}

func TestHealth_DeepReportsEveryDependencyUpToOperatorsAndOnlyTheStatusToThePublic(t *testing.T) {
	t.Parallel()
	b := setup(t, withConfig(func(c *config.Config) { c.HTTP.HealthCacheTTL = 50 * time.Millisecond }))
	startRiverWorker(t, b)

	var r reply
	var rep healthReport
	deadline := time.Now().Add(20 * time.Second)
	for {
		r = b.ops(t, "/health/deep")
		rep = decodeAs[healthReport](t, r)
		if rep.Checks["river"].Status == "up" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, "up", rep.Status)
	names := make([]string, 0, len(rep.Checks))
	for name, c := range rep.Checks {
		names = append(names, name)
		require.Equal(t, "up", c.Status, "%s: %s", name, c.Error)
		require.Empty(t, c.Error, name)
		require.NotNil(t, c.LatencyMS, "%s reports its latency", name)
		require.Positive(t, *c.LatencyMS, name)
	}
	require.ElementsMatch(t, []string{"postgres", "temporal", "river", "s3", "stripe", "smtp", "sms"}, names)

	pub := b.do(t, http.MethodGet, "/api/v1/health/deep", "", nil)
	require.Equal(t, http.StatusOK, pub.Status, "%s", pub.Raw)
	require.Equal(t, "application/json", pub.Header.Get("Content-Type"))
	require.JSONEq(t, `{"status":"up"}`, string(pub.Raw), "the public answer is the status and nothing more")
}

func TestHealth_DeepIs503WhenSMTPIsDownAndNeverShowsTheCause(t *testing.T) {
	t.Parallel()
	closed := testkit.ClosedAddr(t)
	b := setup(t, withConfig(func(c *config.Config) { c.SMTP.Addr = closed }))
	_, port, err := net.SplitHostPort(closed)
	require.NoError(t, err)
	requireNoCause := func(t *testing.T, raw []byte) {
		t.Helper()
		for _, cause := range []string{"connection refused", "dial tcp", "connect:", closed, ":" + port} {
			require.NotContains(t, string(raw), cause, "a dependency's error text is never shown")
		}
	}

	pub := b.do(t, http.MethodGet, "/api/v1/health/deep", "", nil)
	require.Equal(t, http.StatusServiceUnavailable, pub.Status, "%s", pub.Raw)
	require.Equal(t, "application/json", pub.Header.Get("Content-Type"))
	require.JSONEq(t, `{"status":"down"}`, string(pub.Raw), "the public is not told which dependency is down, or how")
	requireNoCause(t, pub.Raw)

	r := b.ops(t, "/health/deep")
	require.Equal(t, http.StatusServiceUnavailable, r.Status, "%s", r.Raw)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	rep := decodeAs[healthReport](t, r)
	require.Equal(t, "down", rep.Status)
	require.Equal(t, "down", rep.Checks["smtp"].Status)
	require.Equal(t, "failed; the server log has the detail", rep.Checks["smtp"].Error)
	require.Equal(t, "up", rep.Checks["postgres"].Status, "the other checks still run: %s", r.Raw)
	require.Len(t, rep.Checks, 7)
	requireNoCause(t, r.Raw)
}

func TestHealth_DeepChecksRunOncePerTTLHoweverManyAsk(t *testing.T) {
	t.Parallel()
	smtp := &countingListener{}
	addr := smtp.start(t)
	b := setup(t, withConfig(func(c *config.Config) {
		c.SMTP.Addr = addr
		c.HTTP.HealthCacheTTL = time.Minute
	}))

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				b.do(t, http.MethodGet, "/api/v1/health/deep", "", nil)
			} else {
				b.ops(t, "/health/deep")
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int32(1), smtp.accepted.Load(), "20 deep health checks within the TTL reach SMTP once")
}

// countingListener is a TCP listener that counts the connections it accepts and closes
// each at once.
type countingListener struct{ accepted atomic.Int32 }

func (c *countingListener) start(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			c.accepted.Add(1)
			_ = conn.Close()
		}
	}()
	return l.Addr().String()
}

func TestMetrics_AreNotServedByThePublicAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		r := b.do(t, method, "/metrics", "", nil)
		require.Equal(t, http.StatusNotFound, r.Status, "%s /metrics: %s", method, r.Raw)
		if method != http.MethodHead {
			requireProblem(t, r, http.StatusNotFound, "not-found")
		}
		require.NotContains(t, string(r.Raw), "reptidex_http_requests_total")
	}
}

func TestMetrics_OperationsListenerCountsRequestsByRoutePatternAndExposesThePool(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "metrics")
	for range 3 {
		require.Equal(t, http.StatusOK, b.me(t, u.Tokens.AccessToken).Status)
	}
	require.Equal(t, http.StatusOK, b.do(t, http.MethodGet, membersPath(u.Tokens.OrganizationID), u.Tokens.AccessToken, nil).Status)
	requireProblem(t, b.me(t, ""), http.StatusUnauthorized, "unauthenticated")
	junk := "/no/such/path-" + u.Tokens.UserID
	require.Equal(t, http.StatusNotFound, b.do(t, http.MethodGet, junk, "", nil).Status)

	r := b.ops(t, "/metrics")
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, r.Header.Get("Content-Type"), "text/plain")
	text := string(r.Raw)

	counter := func(route, method, status string) int {
		t.Helper()
		re := regexp.MustCompile(`(?m)^reptidex_http_requests_total\{(.*)\} (\d+)$`)
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			labels := m[1]
			if strings.Contains(labels, `route="`+route+`"`) && strings.Contains(labels, `method="`+method+`"`) &&
				strings.Contains(labels, `status="`+status+`"`) {
				n, err := strconv.Atoi(m[2])
				require.NoError(t, err)
				return n
			}
		}
		return 0
	}
	require.Equal(t, 3, counter("/api/v1/me", "GET", "200"), "%s", text)
	require.Equal(t, 1, counter("/api/v1/me", "GET", "401"), "%s", text)
	require.Equal(t, 1, counter("/api/v1/organizations/{orgID}/members", "GET", "200"), "%s", text)
	require.Equal(t, 1, counter("/api/v1/auth/register", "POST", "201"))
	require.NotContains(t, text, u.Tokens.OrganizationID, "raw paths never become labels")
	require.NotContains(t, text, u.Tokens.UserID, "raw paths never become labels")

	require.Contains(t, text, "reptidex_http_request_duration_seconds_bucket{")
	require.Regexp(t, `(?m)^reptidex_db_pool_max_connections 10$`, text)
	require.Regexp(t, `(?m)^reptidex_db_pool_acquires_total [1-9]`, text)
}

func TestOps_UnknownPathIs404Problem(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, path := range []string{"/nope", "/api/v1/health", "/api/v1/me"} {
		requireProblem(t, b.ops(t, path), http.StatusNotFound, "not-found")
	}
}

func TestNoSniff_EveryResponseCarriesIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, c := range []struct {
		name   string
		send   func() reply
		status int
	}{
		{"JSON 200", func() reply { return b.do(t, http.MethodGet, "/api/v1/health", "", nil) }, http.StatusOK},
		{"JWKS", func() reply { return b.do(t, http.MethodGet, "/api/v1/auth/jwks.json", "", nil) }, http.StatusOK},
		{"docs page", func() reply { return b.do(t, http.MethodGet, "/docs", "", nil) }, http.StatusOK},
		{"problem", func() reply { return b.me(t, "") }, http.StatusUnauthorized},
		{"validation problem", func() reply {
			return b.do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{})
		}, http.StatusUnprocessableEntity},
		{"unknown path", func() reply { return b.do(t, http.MethodGet, "/no/such/path", "", nil) }, http.StatusNotFound},
		{"wrong method", func() reply { return b.do(t, http.MethodDelete, "/api/v1/health", "", nil) }, http.StatusMethodNotAllowed},
		{"ops metrics", func() reply { return b.ops(t, "/metrics") }, http.StatusOK},
		{"ops deep health", func() reply { return b.ops(t, "/health/deep") }, 0},
		{"ops unknown path", func() reply { return b.ops(t, "/nope") }, http.StatusNotFound},
	} {
		r := c.send()
		if c.status != 0 {
			require.Equal(t, c.status, r.Status, "%s: %s", c.name, r.Raw)
		}
		require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"), c.name)
	}
}

func TestJWKS_PublishesTheSigningKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.do(t, http.MethodGet, "/api/v1/auth/jwks.json", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "application/jwk-set+json", r.Header.Get("Content-Type"))
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(r.Raw, &set))
	require.Len(t, set.Keys, 1)
	require.Equal(t, b.Keys.SigningKID(), set.Keys[0]["kid"])
	require.Equal(t, "RS256", set.Keys[0]["alg"])
	require.NotContains(t, set.Keys[0], "d", "never the private exponent")
}

func TestRouter_UnknownPathIs404Problem(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, path := range []string{"/nope", "/api/v1/nope", "/api/v2/me", "/api/v1/organizations"} {
		r := b.do(t, http.MethodGet, path, "", nil)
		requireProblem(t, r, http.StatusNotFound, "not-found")
		require.Equal(t, path, r.Body["instance"])
		require.NotEmpty(t, r.Body["request_id"])
	}
}

func TestRouter_WrongMethodIs405Problem(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, c := range [][2]string{
		{http.MethodPost, "/api/v1/health"},
		{http.MethodDelete, "/api/v1/me"},
		{http.MethodGet, "/api/v1/auth/login"},
		{http.MethodPut, "/api/v1/organizations/x/members/y"},
	} {
		r := b.do(t, c[0], c[1], "", nil)
		requireProblem(t, r, http.StatusMethodNotAllowed, "method-not-allowed")
		require.Contains(t, r.Body["detail"], c[0])
	}
}

// RFC 9110 §15.5.6: a 405 response MUST carry an Allow header listing the methods the
// resource supports.
func TestRouter_WrongMethod405ListsTheAllowedMethods(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, c := range []struct {
		method, path string
		allowed      []string
	}{
		{http.MethodPost, "/api/v1/health", []string{"GET"}},
		{http.MethodGet, "/api/v1/auth/login", []string{"POST"}},
		{http.MethodPut, "/api/v1/organizations/x/members/y", []string{"PATCH", "DELETE"}},
	} {
		r := b.do(t, c.method, c.path, "", nil)
		require.Equal(t, http.StatusMethodNotAllowed, r.Status)
		var allow []string
		for _, v := range r.Header.Values("Allow") {
			for _, m := range strings.Split(v, ",") {
				if m = strings.TrimSpace(m); m != "" {
					allow = append(allow, m)
				}
			}
		}
		require.Subset(t, allow, c.allowed, "%s %s: Allow %q", c.method, c.path, r.Header.Values("Allow"))
		require.NotContains(t, allow, c.method)
	}
}

// The server the tests run is the one the command runs: built by api.New, it exposes the
// metrics of its River queues (a registration has just queued jobs) and of the pedigree
// graph it follows.
func TestMetrics_ServerBuiltByNewExposesRiverQueuesAndThePedigreeGraph(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.newUser(t, "queued")
	r := b.ops(t, "/metrics")
	require.Equal(t, http.StatusOK, r.Status)
	text := string(r.Raw)
	require.Regexp(t, `(?m)^reptidex_river_jobs\{state="`, text)
	require.Regexp(t, `(?m)^reptidex_pedigree_ready 1$`, text)
}
