package sms_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/sms"
	"github.com/reptidex/reptidex/testkit"
)

const (
	testSID   = "ACtest"
	testToken = "s3cret"
	testFrom  = "+15550100000"
)

// provider is a stand-in for the SMS provider that counts the requests it gets.
type provider struct {
	URL   string
	calls atomic.Int32
}

// newProvider serves handler as the provider until the test ends.
func newProvider(t *testing.T, handler http.HandlerFunc) *provider {
	t.Helper()
	p := &provider{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.calls.Add(1)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// client returns a client of p with the test credentials.
func (p *provider) client() *sms.Client {
	return &sms.Client{BaseURL: p.URL, AccountSID: testSID, AuthToken: testToken, From: testFrom, Timeout: 5 * time.Second}
}

// answer returns a handler that answers status with body as JSON.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func TestClientSend_PostsTheFormWithBasicAuthAndReturnsTheReceipt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		prefix   string // path of the base URL
		wantPath string
	}{
		{"provider at the root", "", "/2010-04-01/Accounts/ACtest/Messages.json"},
		{"provider under a path, as the mail sink", "/sms", "/sms/2010-04-01/Accounts/ACtest/Messages.json"},
		{"trailing slash on the base URL", "/sms/", "/sms/2010-04-01/Accounts/ACtest/Messages.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			type seen struct {
				method, path, contentType, accept string
				user, pass                        string
				authOK                            bool
				form                              url.Values
			}
			got := make(chan seen, 1)
			p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
				s := seen{method: r.Method, path: r.URL.Path, contentType: r.Header.Get("Content-Type"), accept: r.Header.Get("Accept")}
				s.user, s.pass, s.authOK = r.BasicAuth()
				if err := r.ParseForm(); err == nil {
					s.form = r.PostForm
				}
				got <- s
				answer(http.StatusCreated, `{"sid":"SM0123","status":"queued","code":null,"error_message":null}`)(w, r)
			})
			c := p.client()
			c.BaseURL += tt.prefix

			rcpt, err := c.Send(t.Context(), sms.Message{To: "+44 7700 900123", Body: "Clutch due 🐍 & 28°C = ok?"})
			require.NoError(t, err)
			require.Equal(t, sms.Receipt{ProviderID: "SM0123", Status: "queued"}, rcpt)

			s := <-got
			require.Equal(t, http.MethodPost, s.method)
			require.Equal(t, tt.wantPath, s.path)
			require.Equal(t, "application/x-www-form-urlencoded", s.contentType)
			require.Equal(t, "application/json", s.accept)
			require.True(t, s.authOK, "basic auth is sent")
			require.Equal(t, testSID, s.user)
			require.Equal(t, testToken, s.pass)
			require.Equal(t, url.Values{
				"To":   {"+447700900123"},
				"From": {testFrom},
				"Body": {"Clutch due 🐍 & 28°C = ok?"},
			}, s.form, "To is normalized, the body is sent as written")
		})
	}
}

func TestClientSend_ClassifiesTheProviderAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		status        int
		body          string
		wantPermanent bool
		wantCode      int
		wantMessage   string
	}{
		{"invalid To", 400, `{"code":21211,"message":"The 'To' number +1555 is not a valid phone number.","status":400}`, true, sms.CodeInvalidTo, "not a valid phone number"},
		{"not a mobile number", 400, `{"code":21614,"message":"'To' number is not a valid mobile number","status":400}`, true, sms.CodeNotMobile, "not a valid mobile number"},
		{"recipient unsubscribed", 400, `{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}`, true, sms.CodeUnsubscribed, "unsubscribed"},
		{"body too long", 400, `{"code":21617,"message":"The concatenated message body exceeds the 1600 character limit.","status":400}`, true, 21617, "1600"},
		{"refusal without a JSON body", 400, `<html>Bad Request</html>`, true, 0, "<html>Bad Request</html>"},
		{"request too large", 413, ``, true, 0, "Request Entity Too Large"},
		{"bad credentials", 401, `{"code":20003,"message":"Authenticate","status":401}`, false, 20003, "Authenticate"},
		{"forbidden account", 403, `{"code":20005,"message":"Account not active","status":403}`, false, 20005, "Account not active"},
		{"wrong URL or account", 404, `{"code":20404,"message":"The requested resource was not found","status":404}`, false, 20404, "not found"},
		{"rate limited", 429, `{"code":20429,"message":"Too Many Requests","status":429}`, false, 20429, "Too Many Requests"},
		{"server error", 500, `{"code":20500,"message":"Internal Server Error","status":500}`, false, 20500, "Internal Server Error"},
		{"bad gateway page", 502, `<html>502 Bad Gateway</html>`, false, 0, "502 Bad Gateway"},
		{"unavailable without a body", 503, ``, false, 0, "Service Unavailable"},
		{"redirect is not followed", 302, ``, false, 0, "Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.status == http.StatusFound {
					w.Header().Set("Location", "/elsewhere")
				}
				answer(tt.status, tt.body)(w, r)
			})

			rcpt, err := p.client().Send(t.Context(), sms.Message{To: "+447700900123", Body: "hello"})
			require.Error(t, err)
			require.Zero(t, rcpt)
			require.Equal(t, tt.wantPermanent, errors.Is(err, sms.ErrPermanent), "permanent? %v", err)
			pe, ok := errors.AsType[*sms.ProviderError](err)
			require.True(t, ok, "%T %v", err, err)
			require.Equal(t, tt.status, pe.HTTPStatus)
			require.Equal(t, tt.wantCode, pe.Code)
			require.Contains(t, pe.Message, tt.wantMessage)
			require.Equal(t, tt.wantPermanent, pe.Permanent())
			require.Equal(t, int32(1), p.calls.Load(), "one request, no redirect followed")
		})
	}
}

func TestClientSend_TransportFailuresAreTemporary(t *testing.T) {
	t.Parallel()
	blocking := func(t *testing.T) string {
		release := make(chan struct{})
		p := newProvider(t, func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		t.Cleanup(func() { close(release) }) // runs before the server's Close, which waits for handlers
		return p.URL
	}
	tests := []struct {
		name      string
		baseURL   func(t *testing.T) string
		timeout   time.Duration // the client's
		ctx       func(t *testing.T) context.Context
		wantIs    error
		wantInErr string
	}{
		{
			name:      "no answer within the timeout",
			baseURL:   blocking,
			timeout:   100 * time.Millisecond,
			ctx:       func(t *testing.T) context.Context { return t.Context() },
			wantIs:    context.DeadlineExceeded,
			wantInErr: "no answer from the provider within 100ms",
		},
		{
			name:      "connection refused",
			baseURL:   func(t *testing.T) string { return "http://" + testkit.ClosedAddr(t) },
			timeout:   time.Second,
			ctx:       func(t *testing.T) context.Context { return t.Context() },
			wantInErr: "reaching the provider",
		},
		{
			name:    "caller gave up",
			baseURL: blocking,
			timeout: time.Minute,
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
				t.Cleanup(cancel)
				return ctx
			},
			wantIs:    context.DeadlineExceeded,
			wantInErr: "reaching the provider",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &sms.Client{BaseURL: tt.baseURL(t), AccountSID: testSID, AuthToken: testToken, From: testFrom, Timeout: tt.timeout}
			start := time.Now()
			_, err := c.Send(tt.ctx(t), sms.Message{To: "+447700900123", Body: "hello"})
			require.Less(t, time.Since(start), 3*time.Second)
			require.Error(t, err)
			require.NotErrorIs(t, err, sms.ErrPermanent)
			if tt.wantIs != nil {
				require.ErrorIs(t, err, tt.wantIs)
			}
			require.ErrorContains(t, err, tt.wantInErr)
		})
	}
}

func TestClientSend_RefusesWithoutCallingTheProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		msg     sms.Message
		wantIs  error
		wantErr string
	}{
		{"recipient without country code", sms.Message{To: "07700 900123", Body: "hi"}, sms.ErrInvalidPhone, "must start with +"},
		{"recipient with letters", sms.Message{To: "+44 7700 CALLME", Body: "hi"}, sms.ErrInvalidPhone, "contains"},
		{"empty body", sms.Message{To: "+447700900123", Body: ""}, sms.ErrPermanent, "body is empty"},
		{"blank body", sms.Message{To: "+447700900123", Body: " \n "}, sms.ErrPermanent, "body is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, answer(http.StatusCreated, `{"sid":"SM1","status":"queued"}`))
			_, err := p.client().Send(t.Context(), tt.msg)
			require.ErrorIs(t, err, sms.ErrPermanent)
			require.ErrorIs(t, err, tt.wantIs)
			require.ErrorContains(t, err, tt.wantErr)
			require.Zero(t, p.calls.Load())
		})
	}
}

func TestClientSend_AcceptedWithoutASidIsNotRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
	}{
		{"not JSON", `<html>ok</html>`},
		{"no sid", `{"status":"queued"}`},
		{"empty", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, answer(http.StatusCreated, tt.body))
			_, err := p.client().Send(t.Context(), sms.Message{To: "+447700900123", Body: "hi"})
			require.ErrorIs(t, err, sms.ErrPermanent, "the provider took it: sending again could deliver it twice")
			require.ErrorContains(t, err, "not sent again")
		})
	}
}

func TestClientCheckAccount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr string
	}{
		{
			name: "authenticated read of the account is up",
			handler: func(w http.ResponseWriter, r *http.Request) {
				user, pass, ok := r.BasicAuth()
				if r.Method != http.MethodGet || r.URL.Path != "/2010-04-01/Accounts/ACtest.json" || !ok || user != testSID || pass != testToken {
					answer(http.StatusBadRequest, `{"code":1,"message":"wrong request","status":400}`)(w, r)
					return
				}
				answer(http.StatusOK, `{"sid":"ACtest","status":"active"}`)(w, r)
			},
		},
		{"bad credentials", answer(http.StatusUnauthorized, `{"code":20003,"message":"Authenticate","status":401}`), "401 with code 20003"},
		{"server error", answer(http.StatusInternalServerError, ``), "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, tt.handler)
			err := p.client().CheckAccount(t.Context())
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestClientCheckAccount_UnreachableIsAnError(t *testing.T) {
	t.Parallel()
	c := &sms.Client{BaseURL: "http://" + testkit.ClosedAddr(t), AccountSID: testSID, AuthToken: testToken}
	require.ErrorContains(t, c.CheckAccount(t.Context()), "reaching the provider")
}
