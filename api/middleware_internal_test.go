package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRecoverer_PanicIsA500ProblemWithoutThePanicText(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logged, nil))}
	const secret = "db password is hunter2"
	h := requestID(s.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(errors.New(secret))
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))

	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	require.NotContains(t, rec.Body.String(), "hunter2")
	require.NotContains(t, rec.Body.String(), "goroutine", "no stack trace")
	var p Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	require.Equal(t, kindInternal.typeURI(), p.Type)
	require.Equal(t, http.StatusInternalServerError, p.Status)
	require.Equal(t, "/boom", p.Instance)
	require.NotEmpty(t, p.RequestID, "the request ID is what a caller can quote")
	require.Equal(t, rec.Header().Get("X-Request-Id"), p.RequestID)
	require.Contains(t, logged.String(), "hunter2", "the panic is logged for operators")
}

func TestRecoverer_AbortHandlerPanicIsNotSwallowed(t *testing.T) {
	t.Parallel()
	s := &Server{log: slog.New(slog.DiscardHandler)}
	h := s.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	require.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	})
}

func TestRealIP_BelievesForwardedForOnlyThroughTrustedProxies(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	cases := []struct {
		name    string
		trusted []netip.Prefix
		remote  string
		xff     []string // one entry per header line
		want    string
	}{
		{"no trusted proxies: the peer", nil, "198.51.100.1:4000", []string{"203.0.113.9"}, "198.51.100.1"},
		{"untrusted peer: its header is ignored", trusted, "198.51.100.1:4000", []string{"203.0.113.9"}, "198.51.100.1"},
		{"trusted peer without header: the peer", trusted, "10.0.0.1:4000", nil, "10.0.0.1"},
		{"trusted peer: the client it forwards", trusted, "10.0.0.1:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"chain of trusted proxies", trusted, "10.0.0.1:4000", []string{"203.0.113.9, 10.0.0.7, 10.0.0.8"}, "203.0.113.9"},
		{"spoofed entries left of the client are ignored", trusted, "10.0.0.1:4000", []string{"1.2.3.4, 203.0.113.9, 10.0.0.7"}, "203.0.113.9"},
		{"only trusted hops: the farthest", trusted, "10.0.0.1:4000", []string{"10.0.0.9, 10.0.0.7"}, "10.0.0.9"},
		{"spaces are tolerated", trusted, "10.0.0.1:4000", []string{"  203.0.113.9 ,10.0.0.7  "}, "203.0.113.9"},
		{"unparsable hop stops the walk at the last proxy", trusted, "10.0.0.1:4000", []string{"203.0.113.9, unknown, 10.0.0.7"}, "10.0.0.7"},
		{"IPv6 client behind IPv6 proxies", trusted, "[fd00::1]:4000", []string{"2001:db8::5, fd00::2"}, "2001:db8::5"},
		{"IPv4-mapped peer counts as IPv4", trusted, "[::ffff:10.0.0.1]:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"peer without a port", trusted, "198.51.100.1", nil, "198.51.100.1"},
		// A proxy that appends its own header line: the lines form one list (RFC 9110 §5.3),
		// and the line the client sent must not win.
		{"header split over several lines", trusted, "10.0.0.1:4000", []string{"1.2.3.4", "203.0.113.9"}, "203.0.113.9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got netip.Addr
			h := realIP(tc.trusted)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = clientIP(r) }))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			require.Equal(t, tc.want, got.String(), "X-Forwarded-For %q from %s", tc.xff, tc.remote)
		})
	}
}

func TestLimitBody_RefusesADeclaredLengthOverTheCapBeforeReading(t *testing.T) {
	t.Parallel()
	called := false
	h := limitBody(10)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("x", 11))))
	require.False(t, called)
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
}

type decodeTarget struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	OK    bool     `json:"ok"`
	Tags  []string `json:"tags"`
}

func TestDecodeJSON_EachBadBodyIsItsProblem(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		contentType string
		body        string
		limit       int64 // 0: no limit
		status      int   // 0: accepted
		field       string
		detail      string
	}{
		{"valid", "application/json", `{"name":"Monty","count":2,"ok":true,"tags":["ball python"]}`, 0, 0, "", ""},
		{"valid with charset", "application/json; charset=utf-8", `{"name":"Monty"}`, 0, 0, "", ""},
		{"valid +json type", "application/merge-patch+json", `{"name":"Monty"}`, 0, 0, "", ""},
		{"valid without content type", "", `{"name":"Monty"}`, 0, 0, "", ""},
		{"trailing whitespace", "application/json", "{\"name\":\"Monty\"}\n\n  ", 0, 0, "", ""},
		{"text/plain", "text/plain", `{"name":"Monty"}`, 0, 415, "", ""},
		{"unparsable content type", "application/json;;;=", `{"name":"Monty"}`, 0, 415, "", ""},
		{"empty", "application/json", ``, 0, 400, "", "empty"},
		{"syntax error", "application/json", `{"name":"Monty",}`, 0, 400, "", "not valid JSON"},
		{"cut short", "application/json", `{"name":"Mon`, 0, 400, "", "cut short"},
		{"array", "application/json", `[{"name":"Monty"}]`, 0, 400, "", "JSON object"},
		{"string", "application/json", `"Monty"`, 0, 400, "", "JSON object"},
		{"two objects", "application/json", `{"name":"Monty"}{"name":"Python"}`, 0, 400, "", "single JSON object"},
		{"trailing garbage", "application/json", `{"name":"Monty"} x`, 0, 400, "", "single JSON object"},
		{"string for a number", "application/json", `{"count":"two"}`, 0, 422, "count", "must be a number"},
		{"number for a string", "application/json", `{"name":1}`, 0, 422, "name", "must be a string"},
		{"string for a bool", "application/json", `{"ok":"yes"}`, 0, 422, "ok", "must be true or false"},
		{"object for an array", "application/json", `{"tags":{}}`, 0, 422, "tags", "must be an array"},
		{"unknown field", "application/json", `{"name":"Monty","species":"python"}`, 0, 422, "species", "not a known field"},
		{"over the limit", "application/json", `{"name":"` + strings.Repeat("x", 100) + `"}`, 32, 413, "", "larger than 32 bytes"},
		{"over the limit after the object", "application/json", `{"name":"Monty"}` + strings.Repeat(" ", 100), 32, 413, "", "larger than 32 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, "/", io.NopCloser(strings.NewReader(tc.body)))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.limit > 0 {
				req.Body = http.MaxBytesReader(httptest.NewRecorder(), req.Body, tc.limit)
			}
			var dst decodeTarget
			err := decodeJSON(req, &dst)
			if tc.status == 0 {
				require.NoError(t, err)
				require.Equal(t, "Monty", dst.Name)
				return
			}
			var p *Problem
			require.ErrorAs(t, err, &p)
			require.Equal(t, tc.status, p.Status, "%+v", p)
			require.Contains(t, p.Detail, tc.detail)
			if tc.field == "" {
				require.Empty(t, p.Errors)
				return
			}
			require.Len(t, p.Errors, 1)
			require.Equal(t, tc.field, p.Errors[0].Field)
			require.Contains(t, p.Errors[0].Message, tc.detail)
		})
	}
}
