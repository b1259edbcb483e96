package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/web"
)

func TestLoad_DrawsEveryPageEmpty(t *testing.T) {
	p := web.Load()
	var b bytes.Buffer
	require.NoError(t, p.Render(&b, "login", &web.View{Title: "Log in", Data: struct{ Next, Why string }{}}))
	require.Contains(t, b.String(), `<link rel="stylesheet" href="/static/site.css?v=`)
	require.Error(t, p.Render(&b, "no-such-page", &web.View{}))
}

func TestStatic_CachesTheCurrentVersionForGood(t *testing.T) {
	p := web.Load()
	var b bytes.Buffer
	require.NoError(t, p.Render(&b, "login", &web.View{Data: struct{ Next, Why string }{}}))
	i := strings.Index(b.String(), "/static/site.css?v=")
	url := b.String()[i : i+len("/static/site.css?v=")+12]

	rec := httptest.NewRecorder()
	p.Static().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "text/css; charset=utf-8", rec.Header().Get("Content-Type"))
	require.Contains(t, rec.Header().Get("Cache-Control"), "immutable")

	rec = httptest.NewRecorder()
	p.Static().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/site.css?v=old", nil))
	require.Equal(t, "public, max-age=300", rec.Header().Get("Cache-Control"), "another version is not kept long")

	rec = httptest.NewRecorder()
	p.Static().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/../web.go", nil))
	require.Equal(t, http.StatusNotFound, rec.Code)
}

func TestMoney(t *testing.T) {
	require.Equal(t, "250.00 USD", web.Money(25000, "usd"))
	require.Equal(t, "0.05 EUR", web.Money(5, "eur"))
	require.Equal(t, "-1.50 GBP", web.Money(-150, "gbp"))
}
