package api_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const embedsPath = "/api/v1/embed/widgets"

type embedReply struct {
	ID             string   `json:"id"`
	Kind           string   `json:"kind"`
	AnimalID       string   `json:"animal_id"`
	AllowedOrigins []string `json:"allowed_origins"`
	URL            string   `json:"url"`
	Snippet        string   `json:"snippet"`
}

// embed makes a widget with token, which must succeed.
func (b *bundle) embed(t *testing.T, token string, body map[string]any) embedReply {
	t.Helper()
	r := b.do(t, http.MethodPost, embedsPath, token, body)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	return decodeAs[embedReply](t, r)
}

// widget loads a widget page as a breeder's visitor's browser would: anonymous, but sending
// a stale session cookie, which the page must neither read nor clear.
func (b *bundle) widget(t *testing.T, id string) page {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, b.URL+"/embed/"+id, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Cookie", "rdx_session=stale-session-token; rdx_csrf=x")
	resp, err := b.Client.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	return page{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
}

// cspDirective is one directive's value in a Content-Security-Policy.
func cspDirective(t *testing.T, csp, name string) string {
	t.Helper()
	for _, d := range strings.Split(csp, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(d), name+" "); ok {
			return v
		}
	}
	t.Fatalf("no %s in %q", name, csp)
	return ""
}

// requireWidgetHeaders checks what every widget page sends: framed only by frameAncestors,
// no cookie, no X-Frame-Options, no referrer, scripts and styles from ReptiDex only.
func requireWidgetHeaders(t *testing.T, p page, frameAncestors string) {
	t.Helper()
	csp := p.Header.Get("Content-Security-Policy")
	require.Equal(t, frameAncestors, cspDirective(t, csp, "frame-ancestors"))
	require.Equal(t, "'none'", cspDirective(t, csp, "default-src"))
	require.Equal(t, "'self'", cspDirective(t, csp, "script-src"))
	require.Equal(t, "'self'", cspDirective(t, csp, "style-src"))
	require.Equal(t, "'none'", cspDirective(t, csp, "base-uri"))
	require.Equal(t, "'none'", cspDirective(t, csp, "form-action"))
	require.Empty(t, p.Header.Values("X-Frame-Options"), "the widget is framed")
	require.Empty(t, p.Header.Values("Set-Cookie"), "the widget neither sets nor clears a cookie")
	require.Equal(t, "no-referrer", p.Header.Get("Referrer-Policy"))
}

func TestEmbeds_CreateListGetAndDelete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "embedder")
	tok := o.Owner.Tokens.AccessToken
	a := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "name": "Widget Will", "visibility": "public"})

	req := b.newRequest(t, http.MethodPost, embedsPath, tok, map[string]any{"animal_id": a.ID,
		"allowed_origins": []string{"HTTPS://Breeder.Example:443/", "http://localhost:3000", "https://breeder.example"}})
	req.Header.Set("Idempotency-Key", "embed-will")
	r := b.send(t, req)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	e := decodeAs[embedReply](t, r)
	require.Equal(t, embedsPath+"/"+e.ID, r.Header.Get("Location"))
	require.Equal(t, "animal", e.Kind)
	require.Equal(t, a.ID, e.AnimalID)
	require.Equal(t, []string{"https://breeder.example", "http://localhost:3000"}, e.AllowedOrigins, "normalised, each once")
	base := strings.TrimRight(b.Cfg.HTTP.PublicBaseURL, "/")
	require.Equal(t, base+"/embed/"+e.ID, e.URL)
	require.Equal(t, `<iframe src="`+e.URL+`" title="Pedigree of Widget Will on ReptiDex" loading="lazy" style="width:100%;border:0" height="720"></iframe>`+
		"\n"+`<script async src="`+base+`/embed.js"></script>`, e.Snippet)
	again := b.send(t, func() *http.Request {
		req := b.newRequest(t, http.MethodPost, embedsPath, tok, map[string]any{"animal_id": a.ID,
			"allowed_origins": []string{"HTTPS://Breeder.Example:443/", "http://localhost:3000", "https://breeder.example"}})
		req.Header.Set("Idempotency-Key", "embed-will")
		return req
	}())
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, e.ID, again.Body["id"], "a retry makes no second widget")

	profile := b.embed(t, tok, map[string]any{"kind": "profile", "allowed_origins": []string{"https://breeder.example"}})
	require.Equal(t, "profile", profile.Kind)
	require.Empty(t, profile.AnimalID)
	require.Contains(t, profile.Snippet, `title="Animals of Vivarium of `+o.Owner.Email+` on ReptiDex"`)

	r = b.do(t, http.MethodGet, embedsPath, tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, []string{e.ID, profile.ID}, ids(t, r), "the issue's list, oldest first")
	r = b.do(t, http.MethodGet, embedsPath+"/"+e.ID, tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, e, decodeAs[embedReply](t, r))

	// Another organization sees none of them, and cannot delete them.
	other := b.newOrg(t, "embed-stranger")
	otok := other.Owner.Tokens.AccessToken
	requireProblem(t, b.do(t, http.MethodGet, embedsPath+"/"+e.ID, otok, nil), http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodDelete, embedsPath+"/"+e.ID, otok, nil), http.StatusNotFound, "not-found")
	require.Empty(t, ids(t, b.do(t, http.MethodGet, embedsPath, otok, nil)))
	// Nor can it make a widget of this organization's animal.
	requireProblem(t, b.do(t, http.MethodPost, embedsPath, otok, map[string]any{"animal_id": a.ID,
		"allowed_origins": []string{"https://stranger.example"}}), http.StatusNotFound, "not-found")

	// A viewer reads the widgets but makes and deletes none.
	_, viewer := b.join(t, o, "embed-viewer", "viewer")
	require.Len(t, ids(t, b.do(t, http.MethodGet, embedsPath, viewer.AccessToken, nil)), 2)
	requireProblem(t, b.do(t, http.MethodPost, embedsPath, viewer.AccessToken, map[string]any{"kind": "profile",
		"allowed_origins": []string{"https://breeder.example"}}), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(t, http.MethodDelete, embedsPath+"/"+e.ID, viewer.AccessToken, nil), http.StatusForbidden, "forbidden")

	require.Equal(t, http.StatusOK, b.widget(t, e.ID).Status)
	r = b.do(t, http.MethodDelete, embedsPath+"/"+e.ID, tok, nil)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Raw)
	requireProblem(t, b.do(t, http.MethodGet, embedsPath+"/"+e.ID, tok, nil), http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodDelete, embedsPath+"/"+e.ID, tok, nil), http.StatusNotFound, "not-found")
	p := b.widget(t, e.ID)
	require.Equal(t, http.StatusNotFound, p.Status, "a deleted widget is gone wherever it is framed")
	require.NotContains(t, p.Body, "Widget Will")
	requireWidgetHeaders(t, p, "'none'")
}

func TestEmbeds_RefuseWhatCannotBeEmbeddedNamingTheField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "embed-refused")
	tok := o.Owner.Tokens.AccessToken
	public := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "visibility": "public"})
	private := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "visibility": "private"})
	origins := func(o ...string) map[string]any { return map[string]any{"animal_id": public.ID, "allowed_origins": o} }
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = "https://site" + string(rune('a'+i)) + ".example"
	}

	for _, tc := range []struct {
		name  string
		body  any
		field string
	}{
		{"javascript", origins("javascript:alert(1)"), "allowed_origins[0]"},
		{"a path", origins("https://a.com/path"), "allowed_origins[0]"},
		{"a wildcard", origins("*"), "allowed_origins[0]"},
		{"a wildcard host", origins("https://*.a.com"), "allowed_origins[0]"},
		{"plain http", origins("https://a.com", "http://a.com"), "allowed_origins[1]"},
		{"CSP injection", origins("https://a.com; script-src *"), "allowed_origins[0]"},
		{"eleven", origins(eleven...), "allowed_origins"},
		{"none", origins(), "allowed_origins"},
		{"missing", map[string]any{"animal_id": public.ID}, "allowed_origins"},
		{"NUL", origins("https://a.com\x00"), "allowed_origins[0]"},
		{"invalid UTF-8", `{"animal_id": "` + public.ID + `", "allowed_origins": ["https://a.com` + "\xff" + `"]}`, "allowed_origins[0]"},
		{"too long", origins("https://" + strings.Repeat("a", 400) + ".com"), "allowed_origins[0]"},
		{"a private animal", map[string]any{"animal_id": private.ID, "allowed_origins": []string{"https://a.com"}}, "animal_id"},
		{"no animal", map[string]any{"allowed_origins": []string{"https://a.com"}}, "animal_id"},
		{"a profile with an animal", map[string]any{"kind": "profile", "animal_id": public.ID, "allowed_origins": []string{"https://a.com"}}, "animal_id"},
		{"an unknown kind", map[string]any{"kind": "banner", "allowed_origins": []string{"https://a.com"}}, "kind"},
	} {
		r := b.do(t, http.MethodPost, embedsPath, tok, tc.body)
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.Contains(t, problemFields(t, r), tc.field, "%s: %s", tc.name, r.Raw)
	}
	require.Zero(t, b.count(t, `SELECT count(*) FROM embeds WHERE org_id = $1`, b.orgUUID(t, o.ID)), "nothing was recorded")
	requireProblem(t, b.do(t, http.MethodPost, embedsPath, tok, map[string]any{"animal_id": "2NEpo7TZRRrLZSi2U",
		"allowed_origins": []string{"https://a.com"}}), http.StatusNotFound, "not-found")
}

func TestEmbeds_WidgetIsFramedOnlyByItsOrigins(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "widget")
	tok := o.Owner.Tokens.AccessToken
	_, dam, child := b.pedigreeFamily(t, o)
	b.uploadPhoto(t, tok, child.ID, "image/png", pngOf(t, gradient(40, 30)))
	e := b.embed(t, tok, map[string]any{"animal_id": child.ID,
		"allowed_origins": []string{"https://breeder.example", "https://www.breeder.example:8443"}})

	p := b.widget(t, e.ID)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	requireWidgetHeaders(t, p, "https://breeder.example https://www.breeder.example:8443")
	require.Equal(t, "public, max-age=60", p.Header.Get("Cache-Control"))
	for _, want := range []string{"Pebble Public", "Pastel het Clown", "<svg", "Sire Shown", `data-widget="` + e.ID + `"`,
		`<a href="/animals/` + child.ID + `" target="_blank" rel="noopener">`, `<script src="/static/widget.js?v=`, `class="widget"`} {
		require.Contains(t, p.Body, want)
	}
	require.NotContains(t, p.Body, "Secret Dam")
	require.NotContains(t, p.Body, dam.ID)
	require.NotContains(t, p.Body, "<form", "nothing to post")
	require.Contains(t, p.Body, `<img src="`+b.Cfg.S3.Endpoint+"/", "its photo, from the storage the CSP allows")
	require.Contains(t, cspDirective(t, p.Header.Get("Content-Security-Policy"), "img-src"), b.Cfg.S3.Endpoint)
	for _, a := range regexp.MustCompile(`<a [^>]*>`).FindAllString(p.Body, -1) {
		require.Contains(t, a, `target="_blank" rel="noopener"`, "every link opens a new tab")
	}
	require.Less(t, len(p.Body)+b.stylesheet(t, p.Body), maxPageWeight, "page weight")

	// The profile's widget shows its public animals only.
	profile := b.embed(t, tok, map[string]any{"kind": "profile", "allowed_origins": []string{"http://localhost:3000"}})
	p = b.widget(t, profile.ID)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	requireWidgetHeaders(t, p, "http://localhost:3000")
	require.Contains(t, p.Body, "Pebble Public")
	require.Contains(t, p.Body, `href="/animals/`+child.ID+`" target="_blank" rel="noopener"`)
	require.NotContains(t, p.Body, "Secret Dam")

	// Once the animal is no longer public, its widget is not available, and no one may frame
	// the answer.
	r := b.patchAnimal(t, tok, child.ID, `"v1"`, map[string]any{"visibility": "organization"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	p = b.widget(t, e.ID)
	require.Equal(t, http.StatusNotFound, p.Status)
	require.NotContains(t, p.Body, "Pebble Public")
	require.Equal(t, "no-store", p.Header.Get("Cache-Control"))
	requireWidgetHeaders(t, p, "'none'")
	require.NotContains(t, b.widget(t, profile.ID).Body, "Pebble Public")

	for _, id := range []string{"2NEpo7TZRRrLZSi2U", "%00", "not-an-id"} {
		p := b.widget(t, id)
		require.Equal(t, http.StatusNotFound, p.Status, id)
		requireWidgetHeaders(t, p, "'none'")
	}
}
