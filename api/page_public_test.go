package api_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
)

// maxPageWeight bounds what a public page costs a visitor: its HTML and the stylesheet.
const maxPageWeight = 100 << 10

// requestLine is the problem page's quote of the request ID, which differs between pages.
var requestLine = regexp.MustCompile(`<p class="muted">Request [^<]*</p>`)

// stylesheet is the size of the stylesheet a page links to.
func (b *bundle) stylesheet(t *testing.T, body string) int {
	t.Helper()
	href := regexp.MustCompile(`href="(/static/site\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(body)
	require.NotNil(t, href, "the page links its stylesheet")
	resp, err := b.Client.Get(b.URL + href[1])
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	css, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return len(css)
}

// pedigreeFamily makes, in o, a public sire, a private dam and their public offspring.
func (b *bundle) pedigreeFamily(t *testing.T, o org) (sire, dam, child animalReply) {
	t.Helper()
	tok := o.Owner.Tokens.AccessToken
	sire = b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "name": "Sire Shown",
		"genetics": "Pastel", "visibility": "public"})
	dam = b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "name": "Secret Dam",
		"genetics": "Clown", "visibility": "private"})
	child = b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "name": "Pebble Public",
		"genetics": "Pastel het Clown", "hatch_date": "2024-06-01", "visibility": "public", "sire_id": sire.ID, "dam_id": dam.ID})
	return sire, dam, child
}

func TestPublicPages_AnimalPageShowsAPublicAnimalWithItsChart(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "public-animal")
	sire, dam, child := b.pedigreeFamily(t, o)
	b.readySeller(t, o)
	r := b.do(t, http.MethodPost, listingsPath, o.Owner.Tokens.AccessToken, listingBody(child.ID, 25000))
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	require.NotEmpty(t, r.Body["id"])
	b.uploadPhoto(t, o.Owner.Tokens.AccessToken, child.ID, "image/png", pngOf(t, gradient(40, 30)))
	b.uploadPhoto(t, o.Owner.Tokens.AccessToken, dam.ID, "image/png", pngOf(t, gradient(30, 30)))

	br := b.browser(t)
	p := br.get(t, "/animals/"+child.ID)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	for _, want := range []string{"Pebble Public", "Ball python", "female", "1 June 2024", "Pastel het Clown",
		"<svg", "Sire Shown", `href="/breeders/` + o.ID + `"`, "0.00%", "250.00 USD"} {
		require.Contains(t, p.Body, want)
	}
	require.NotContains(t, p.Body, "/api/v1/", "a page links to pages, not to the API's JSON")
	require.NotContains(t, p.Body, "Secret Dam", "a private parent is not named on the chart")
	require.NotContains(t, p.Body, dam.ID, "nor identified")
	photos := regexp.MustCompile(`<img src="([^"]+)" alt="Photo of Pebble Public"`).FindAllStringSubmatch(p.Body, -1)
	require.Len(t, photos, 1, "its photo, and not its private parent's")
	require.True(t, strings.HasPrefix(html.UnescapeString(photos[0][1]), b.Cfg.S3.Endpoint+"/"), photos[0][1])
	require.Contains(t, cspDirective(t, p.Header.Get("Content-Security-Policy"), "img-src"), b.Cfg.S3.Endpoint)
	require.Equal(t, "public, max-age=60", p.Header.Get("Cache-Control"), "nobody is logged in: it may be cached")
	require.Equal(t, "DENY", p.Header.Get("X-Frame-Options"), "the page is not the widget: it may not be framed")
	require.Contains(t, p.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	require.Empty(t, p.Header.Values("Set-Cookie"))
	require.Less(t, len(p.Body)+b.stylesheet(t, p.Body), maxPageWeight, "page weight")
	require.Equal(t, http.StatusOK, br.get(t, "/animals/"+sire.ID).Status)

	// Logged in, the page is drawn for the person: not cached. It still shows only what is
	// public, even to the animals' own organization.
	br.logIn(t, o.Owner.Email)
	p = br.get(t, "/animals/"+child.ID)
	require.Equal(t, http.StatusOK, p.Status)
	require.Contains(t, p.Body, "Pebble Public")
	require.Equal(t, "no-store", p.Header.Get("Cache-Control"))
	require.Equal(t, http.StatusNotFound, br.get(t, "/animals/"+dam.ID).Status)
}

func TestPublicPages_AnAnimalNotPublicIsNotFoundAndRevealsNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "private-animal")
	tok := o.Owner.Tokens.AccessToken
	private := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "name": "Hidden Hector",
		"genetics": "Spider", "visibility": "private"})
	internal := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "name": "Organization Olga",
		"visibility": "organization"})

	br := b.browser(t)
	unknown := br.get(t, "/animals/2NEpo7TZRRrLZSi2U")
	require.Equal(t, http.StatusNotFound, unknown.Status)
	for _, a := range []animalReply{private, internal} {
		p := br.get(t, "/animals/"+a.ID)
		require.Equal(t, http.StatusNotFound, p.Status)
		require.NotContains(t, p.Body, a.Name)
		require.NotContains(t, p.Body, "Spider")
		require.NotContains(t, p.Body, o.ID, "not even its organization")
		require.Equal(t, "no-store", p.Header.Get("Cache-Control"))
		require.Equal(t, requestLine.ReplaceAllString(strings.ReplaceAll(unknown.Body, "2NEpo7TZRRrLZSi2U", a.ID), ""),
			requestLine.ReplaceAllString(p.Body, ""), "the same page as an animal that does not exist")
	}
	require.Equal(t, http.StatusNotFound, br.get(t, "/animals/%00").Status)
}

func TestPublicPages_BreederProfileListsOnlyPublicAnimals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "profile")
	tok := o.Owner.Tokens.AccessToken
	shown := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "name": "Shown Sam",
		"genetics": "Mojave", "visibility": "public"})
	b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "name": "Private Pat", "visibility": "private"})
	b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "name": "Members Mo", "visibility": "organization"})
	archived := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "name": "Archived Al", "visibility": "public"})
	r := b.do(t, http.MethodPost, "/api/v1/animals/"+archived.ID+"/archive", tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	b.readySeller(t, o)
	b.list(t, tok, "pastel", 12000)

	br := b.browser(t)
	p := br.get(t, "/breeders/"+o.ID)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Vivarium of "+o.Owner.Email)
	require.Contains(t, p.Body, "Shown Sam")
	require.Contains(t, p.Body, `href="/animals/`+shown.ID+`"`)
	require.Contains(t, p.Body, "Mojave")
	require.Contains(t, p.Body, "120.00 USD", "its active listing")
	for _, hidden := range []string{"Private Pat", "Members Mo", "Archived Al"} {
		require.NotContains(t, p.Body, hidden)
	}
	require.Equal(t, "public, max-age=60", p.Header.Get("Cache-Control"))
	require.Less(t, len(p.Body)+b.stylesheet(t, p.Body), maxPageWeight, "page weight")

	// An organization that shows nothing still has a profile with its name.
	empty := b.newOrg(t, "profile-empty")
	p = br.get(t, "/breeders/"+empty.ID)
	require.Equal(t, http.StatusOK, p.Status)
	require.Contains(t, p.Body, "Vivarium of "+empty.Owner.Email)
	require.Contains(t, p.Body, "shows no animals publicly yet")

	require.Equal(t, http.StatusNotFound, br.get(t, "/breeders/2NEpo7TZRRrLZSi2U").Status)
	require.Equal(t, http.StatusNotFound, br.get(t, "/breeders/not-an-id").Status)
}

func TestPublicPages_AreThrottledPerClientAddress(t *testing.T) {
	t.Parallel()
	b := setup(t, withConfig(func(c *config.Config) { c.Limits.SearchPerMinute, c.Limits.SearchBurst = 1, 1 }))
	br := b.browser(t)
	require.Equal(t, http.StatusNotFound, br.get(t, "/breeders/2NEpo7TZRRrLZSi2U").Status)
	p := br.get(t, "/breeders/2NEpo7TZRRrLZSi2U")
	require.Equal(t, http.StatusTooManyRequests, p.Status)
	require.NotEmpty(t, p.Header.Get("Retry-After"))
	require.Equal(t, http.StatusTooManyRequests, br.get(t, "/animals/2NEpo7TZRRrLZSi2U").Status)
}

func TestEmbedScript_IsSmallAndPublic(t *testing.T) {
	t.Parallel()
	b := setup(t)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, b.URL+"/embed.js", nil)
	require.NoError(t, err)
	resp, err := b.Client.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript"), resp.Header.Get("Content-Type"))
	require.Equal(t, "public, max-age=3600", resp.Header.Get("Cache-Control"))
	require.Empty(t, resp.Header.Values("Set-Cookie"))
	require.Less(t, len(body), 1500)
	js := string(body)
	require.Contains(t, js, `e.origin !== origin`, "it believes only ReptiDex's messages")
	require.Contains(t, js, `reptidex !== "height"`)
}
