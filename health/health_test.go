package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/health"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/sms"
	"github.com/reptidex/reptidex/testkit"
)

func TestRunAll_RunsChecksConcurrently(t *testing.T) {
	t.Parallel()
	// Each check waits until all three have started: this only completes if they run at
	// the same time. Run serially, the first would block until its timeout and be down.
	const n = 3
	var started sync.WaitGroup
	started.Add(n)
	allStarted := make(chan struct{})
	go func() { started.Wait(); close(allStarted) }()
	barrier := func(ctx context.Context) error {
		started.Done()
		select {
		case <-allStarted:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	checks := []health.Check{{Name: "a", Run: barrier}, {Name: "b", Run: barrier}, {Name: "c", Run: barrier}}

	rep := health.RunAll(t.Context(), checks, 5*time.Second)
	require.Equal(t, "up", rep.Status)
	require.Len(t, rep.Checks, n)
	for name, r := range rep.Checks {
		require.Equal(t, "up", r.Status, name)
		require.Empty(t, r.Error, name)
	}
}

func TestRunAll_Outcomes(t *testing.T) {
	t.Parallel()
	ok := func(context.Context) error { return nil }
	fail := func(context.Context) error { return errors.New("connection refused") }
	block := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	tests := []struct {
		name       string
		checks     []health.Check
		timeout    time.Duration
		wantStatus string
		wantChecks map[string]health.Result // Status and Error compared; LatencyMS checked >= 0
	}{
		{
			name:       "no checks is up",
			checks:     nil,
			timeout:    time.Second,
			wantStatus: "up",
			wantChecks: map[string]health.Result{},
		},
		{
			name:       "all up",
			checks:     []health.Check{{Name: "postgres", Run: ok}, {Name: "s3", Run: ok}},
			timeout:    time.Second,
			wantStatus: "up",
			wantChecks: map[string]health.Result{"postgres": {Status: "up"}, "s3": {Status: "up"}},
		},
		{
			name:       "one failing check marks it and the report down",
			checks:     []health.Check{{Name: "postgres", Run: ok}, {Name: "smtp", Run: fail}},
			timeout:    time.Second,
			wantStatus: "down",
			wantChecks: map[string]health.Result{
				"postgres": {Status: "up"},
				"smtp":     {Status: "down", Error: "failed; the server log has the detail"},
			},
		},
		{
			name:       "a check blocking on ctx is cut off at the timeout",
			checks:     []health.Check{{Name: "temporal", Run: block}, {Name: "s3", Run: ok}},
			timeout:    50 * time.Millisecond,
			wantStatus: "down",
			wantChecks: map[string]health.Result{
				"temporal": {Status: "down", Error: "did not answer within 50ms"},
				"s3":       {Status: "up"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			rep := health.RunAll(t.Context(), tt.checks, tt.timeout)
			require.Less(t, time.Since(start), tt.timeout+3*time.Second, "RunAll returns soon after the timeout")
			require.Equal(t, tt.wantStatus, rep.Status)
			require.Len(t, rep.Checks, len(tt.wantChecks))
			for name, want := range tt.wantChecks {
				got, ok := rep.Checks[name]
				require.True(t, ok, "missing check %q", name)
				require.Equal(t, want.Status, got.Status, name)
				require.Equal(t, want.Error, got.Error, name)
				require.GreaterOrEqual(t, got.LatencyMS, 0.0, name)
				require.Equal(t, want.Status == "down", got.Err != nil, "the cause is kept for the log: %s", name)
			}
			raw, err := json.Marshal(rep)
			require.NoError(t, err)
			require.NotContains(t, string(raw), "connection refused", "a dependency's error text is never shown")
		})
	}
}

func TestRunAll_TimeoutIsPerCheckAndLatencyIsMeasured(t *testing.T) {
	t.Parallel()
	var gotDeadline time.Duration
	var hasDeadline bool
	checks := []health.Check{{Name: "slow", Run: func(ctx context.Context) error {
		var dl time.Time
		dl, hasDeadline = ctx.Deadline()
		gotDeadline = time.Until(dl)
		time.Sleep(30 * time.Millisecond)
		return nil
	}}}
	rep := health.RunAll(t.Context(), checks, 2*time.Second)
	require.Equal(t, "up", rep.Status)
	require.True(t, hasDeadline, "checks get a deadline")
	require.LessOrEqual(t, gotDeadline, 2*time.Second)
	require.Greater(t, gotDeadline, time.Second)
	require.GreaterOrEqual(t, rep.Checks["slow"].LatencyMS, 25.0)
}

func TestRunAll_ParentCancellationEndsChecks(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rep := health.RunAll(ctx, []health.Check{{Name: "x", Run: func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}}}, time.Minute)
	require.Equal(t, "down", rep.Status)
	require.ErrorIs(t, rep.Checks["x"].Err, context.Canceled)
}

func TestSMTP(t *testing.T) {
	t.Parallel()
	sink := mailsink.New(mailsink.Config{SMTPAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"}, nil)
	require.NoError(t, sink.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, sink.Shutdown(ctx))
	})

	tests := []struct {
		name     string
		addr     string
		wantDown bool
	}{
		{"mailsink answers", sink.SMTPAddr(), false},
		{"closed port", testkit.ClosedAddr(t), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := health.SMTP(tt.addr)
			require.Equal(t, "smtp", c.Name)
			rep := health.RunAll(t.Context(), []health.Check{c}, 3*time.Second)
			res := rep.Checks["smtp"]
			if tt.wantDown {
				require.Equal(t, "down", rep.Status)
				require.Equal(t, "down", res.Status)
				require.NotEmpty(t, res.Error)
				return
			}
			require.Equal(t, "up", rep.Status, res.Error)
			require.Equal(t, "up", res.Status)
		})
	}
}

func TestSMTP_SilentServerIsDownAtTimeout(t *testing.T) {
	t.Parallel()
	start := time.Now()
	rep := health.RunAll(t.Context(), []health.Check{health.SMTP(testkit.SilentServer(t))}, 200*time.Millisecond)
	require.Less(t, time.Since(start), 3*time.Second)
	require.Equal(t, "down", rep.Checks["smtp"].Status)
}

func TestStripe(t *testing.T) {
	t.Parallel()
	const key = "sk_test_health"
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus string
		wantError  string
	}{
		{
			name: "200 on authenticated GET /v1/balance is up",
			handler: func(w http.ResponseWriter, r *http.Request) {
				user, pass, ok := r.BasicAuth()
				if r.Method != http.MethodGet || r.URL.Path != "/v1/balance" || !ok || user != key || pass != "" {
					http.Error(w, "bad request", http.StatusBadRequest)
					return
				}
				_, _ = w.Write([]byte(`{"object":"balance"}`))
			},
			wantStatus: "up",
		},
		{
			name: "401 is down",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, `{"error":{"type":"invalid_request_error"}}`, http.StatusUnauthorized)
			},
			wantStatus: "down",
			wantError:  "status 401",
		},
		{
			name: "500 is down",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
			},
			wantStatus: "down",
			wantError:  "status 500",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			c := health.Stripe(srv.URL, key)
			require.Equal(t, "stripe", c.Name)
			rep := health.RunAll(t.Context(), []health.Check{c}, 3*time.Second)
			res := rep.Checks["stripe"]
			require.Equal(t, tt.wantStatus, res.Status, res.Error)
			require.Equal(t, tt.wantStatus, rep.Status)
			if tt.wantError != "" {
				require.ErrorContains(t, res.Err, tt.wantError, "the cause is kept for the log")
				require.NotContains(t, res.Error, tt.wantError, "and never shown")
			} else {
				require.NoError(t, res.Err)
				require.Empty(t, res.Error)
			}
		})
	}
}

func TestStripe_UnreachableIsDown(t *testing.T) {
	t.Parallel()
	rep := health.RunAll(t.Context(), []health.Check{health.Stripe("http://"+testkit.ClosedAddr(t), "sk")}, 3*time.Second)
	require.Equal(t, "down", rep.Checks["stripe"].Status)
	require.NotEmpty(t, rep.Checks["stripe"].Error)
}

func TestSMS(t *testing.T) {
	t.Parallel()
	sink := mailsink.New(mailsink.Config{SMTPAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"}, nil)
	require.NoError(t, sink.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, sink.Shutdown(ctx))
	})
	dev := func(url, token string) config.SMS {
		return config.SMS{ProviderURL: url, AccountSID: "ACdev", AuthToken: token, From: "+15550100000"}
	}

	tests := []struct {
		name      string
		cfg       config.SMS
		wantError string // empty when up
	}{
		{"mail sink answers the account", dev(sink.URL()+"/sms", "dev"), ""},
		{"credentials refused", dev(sink.URL()+"/sms", ""), "401"},
		{"wrong base URL", dev(sink.URL()+"/nope", "dev"), "404"},
		{"closed port", dev("http://"+testkit.ClosedAddr(t), "dev"), "reaching the provider"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := health.SMS(sms.New(tt.cfg))
			require.Equal(t, "sms", c.Name)
			rep := health.RunAll(t.Context(), []health.Check{c}, 3*time.Second)
			res := rep.Checks["sms"]
			if tt.wantError == "" {
				require.Equal(t, "up", rep.Status, res.Error)
				require.Equal(t, "up", res.Status)
				return
			}
			require.Equal(t, "down", rep.Status)
			require.Equal(t, "down", res.Status)
			require.ErrorContains(t, res.Err, tt.wantError, "the cause is kept for the log")
			require.NotContains(t, res.Error, tt.wantError, "and never shown")
		})
	}
}
