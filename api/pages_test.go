package api_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/testkit"
)

// browser is a person's browser on the pages: it keeps cookies, follows no redirect by
// itself, and sends each form with the CSRF token of the page it last drew.
type browser struct {
	b    *bundle
	c    *http.Client
	csrf string
}

func (b *bundle) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{b: b, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is one answer of a page.
type page struct {
	Status int
	Header http.Header
	Body   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (br *browser) do(t *testing.T, req *http.Request) page {
	t.Helper()
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	resp, err := br.c.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	p := page{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		br.csrf = html.UnescapeString(m[1])
	}
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusNotModified {
		require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"), "%s %s is a page: %.300s", req.Method, req.URL.Path, raw)
		require.Contains(t, p.Body, "<!doctype html>")
	}
	return p
}

func (br *browser) get(t *testing.T, path string) page {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, br.b.URL+path, nil)
	require.NoError(t, err)
	return br.do(t, req)
}

// post sends form from the page drawn last, with its CSRF token unless form has one.
func (br *browser) post(t *testing.T, path string, form url.Values) page {
	t.Helper()
	if !form.Has("csrf") {
		form.Set("csrf", br.csrf)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, br.b.URL+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return br.do(t, req)
}

// getAfterMove gets a page of another of the person's organizations than their session's:
// the session is moved there (303 to the same page), and the page then drawn.
func (br *browser) getAfterMove(t *testing.T, path string) page {
	t.Helper()
	p := br.get(t, path)
	require.Equal(t, http.StatusSeeOther, p.Status, "%s", p.Body)
	require.Equal(t, path, p.Header.Get("Location"))
	p = br.get(t, path)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	return p
}

// logIn logs the browser in as email, from the login page.
func (br *browser) logIn(t *testing.T, email string) {
	t.Helper()
	br.get(t, "/login")
	p := br.post(t, "/login", url.Values{"email": {email}, "password": {testPassword}})
	require.Equal(t, http.StatusSeeOther, p.Status, "%s", p.Body)
}

func (br *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(br.b.URL)
	for _, c := range br.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestPages_RegisterLogInAndOut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.browser(t)
	email := testkit.UniqueEmail("pages")

	p := br.get(t, "/register?next=/transfers/abc")
	require.Equal(t, http.StatusOK, p.Status)
	require.Contains(t, p.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	require.Equal(t, "DENY", p.Header.Get("X-Frame-Options"))
	require.NotEmpty(t, br.csrf, "the form carries a CSRF token")

	p = br.post(t, "/register?next=/transfers/abc", url.Values{"email": {email}, "password": {testPassword},
		"display_name": {"Page Person"}, "organization_name": {"Page Reptiles"}})
	require.Equal(t, http.StatusSeeOther, p.Status, "%s", p.Body)
	require.Equal(t, "/transfers/abc", p.Header.Get("Location"), "registering goes where the link led")
	var set *http.Cookie
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == "rdx_session" {
			set = c
		}
	}
	require.NotNil(t, set, "a session cookie is set")
	require.True(t, set.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, set.SameSite)
	require.Equal(t, "/", set.Path)
	require.Positive(t, set.MaxAge)

	home := br.get(t, "/")
	require.Contains(t, home.Body, "Hello, Page Person")
	require.Contains(t, home.Body, "Confirm your email address", "an unverified person is asked to confirm")

	// The cookie is a session of the API's kind: its refresh token works there, and ending it
	// there ends the page's session.
	raw := br.cookie("rdx_session").Value
	refreshed := b.refresh(t, raw, "")
	require.Equal(t, http.StatusOK, refreshed.Status, "%s", refreshed.Raw)
	require.Contains(t, br.get(t, "/").Body, "Log in", "a rotated token's page session has moved on to the new token")

	br.logIn(t, email)
	require.Contains(t, br.get(t, "/").Body, "Hello, Page Person")
	old := br.cookie("rdx_session").Value
	p = br.post(t, "/logout", url.Values{})
	require.Equal(t, http.StatusSeeOther, p.Status)
	require.Nil(t, br.cookie("rdx_session"), "logging out forgets the cookie")
	require.Equal(t, http.StatusUnauthorized, b.refresh(t, old, "").Status, "logging out ends the session everywhere")
	require.Contains(t, br.get(t, "/").Body, "Log in")

	// A wrong password draws the form again, saying so, with the address kept.
	br.get(t, "/login")
	p = br.post(t, "/login", url.Values{"email": {email}, "password": {"not the password"}})
	require.Equal(t, http.StatusUnauthorized, p.Status)
	require.Contains(t, p.Body, "The email or password is wrong.")
	require.Contains(t, p.Body, `value="`+email+`"`)
}

func TestPages_RefuseFormsFromElsewhere(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "csrf")
	br := b.browser(t)
	br.get(t, "/login")
	good := url.Values{"email": {u.Email}, "password": {testPassword}}

	// No token, another browser's token, a token without its cookie: all refused.
	p := br.post(t, "/login", url.Values{"email": {u.Email}, "password": {testPassword}, "csrf": {""}})
	require.Equal(t, http.StatusForbidden, p.Status)
	require.Contains(t, p.Body, "not sent from a ReptiDex page")
	other := b.browser(t)
	other.get(t, "/login")
	p = br.post(t, "/login", url.Values{"email": {u.Email}, "password": {testPassword}, "csrf": {other.csrf}})
	require.Equal(t, http.StatusForbidden, p.Status)
	fresh := b.browser(t)
	p = fresh.post(t, "/login", url.Values{"email": {u.Email}, "password": {testPassword}, "csrf": {br.csrf}})
	require.Equal(t, http.StatusForbidden, p.Status)

	// A form another site posts is refused even with a token.
	for _, h := range [][2]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}} {
		good.Set("csrf", br.csrf)
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, b.URL+"/login", strings.NewReader(good.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(h[0], h[1])
		require.Equal(t, http.StatusForbidden, br.do(t, req).Status, "%s: %s", h[0], h[1])
	}
	require.Nil(t, br.cookie("rdx_session"), "no refused form logged anyone in")

	// Another session's token does not serve either.
	someone := b.browser(t)
	someone.logIn(t, b.newUser(t, "someone").Email)
	someone.get(t, "/")
	br.logIn(t, u.Email)
	br.get(t, "/")
	p = br.post(t, "/logout", url.Values{"csrf": {someone.csrf}})
	require.Equal(t, http.StatusForbidden, p.Status, "a token is bound to its session")
	require.NotNil(t, br.cookie("rdx_session"))

	// Files are read only from a person logged in, and from no other site.
	anon := b.browser(t)
	anon.get(t, "/login")
	p = anon.postFiles(t, "/orders/abc/report-problem", url.Values{"reason": {"x"}}, sentFile{"photos", "a.png", []byte("x")})
	require.Equal(t, http.StatusUnauthorized, p.Status)

	// Logged in, the token is the session's: the anonymous one no longer serves.
	anonymous := br.csrf
	br.logIn(t, u.Email)
	br.get(t, "/")
	require.NotEqual(t, anonymous, br.csrf)
	p = br.post(t, "/logout", url.Values{"csrf": {anonymous}})
	require.Equal(t, http.StatusForbidden, p.Status)
	require.NotNil(t, br.cookie("rdx_session"), "still logged in")
}

func TestPages_HostileFormsGetAPageNamingTheField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.browser(t)
	br.get(t, "/register")
	base := func() url.Values {
		return url.Values{"email": {testkit.UniqueEmail("hostile")}, "password": {testPassword},
			"display_name": {"Hostile"}, "organization_name": {"Hostile Reptiles"}}
	}
	for _, c := range []struct {
		field, value string
		status       int
	}{
		{"display_name", "nul\x00byte", http.StatusUnprocessableEntity},
		{"organization_name", "bad \xff utf-8", http.StatusUnprocessableEntity},
		{"display_name", strings.Repeat("x", 101), http.StatusUnprocessableEntity},
		{"email", "not an address", http.StatusUnprocessableEntity},
		{"password", "short", http.StatusUnprocessableEntity},
		{"display_name", strings.Repeat("y", 9000), http.StatusUnprocessableEntity},
	} {
		f := base()
		f.Set(c.field, c.value)
		p := br.post(t, "/register", f)
		require.Equal(t, c.status, p.Status, "%s=%q: %.400s", c.field, c.value, p.Body)
		require.Contains(t, p.Body, c.field, "the page names the field")
	}
	require.Zero(t, b.count(t, `SELECT count(*) FROM users WHERE display_name = 'Hostile'`), "nothing was recorded")

	// Paths and queries are checked as the API's are; a page that is not there is a page.
	p := br.get(t, "/transfers/%00")
	require.Equal(t, http.StatusNotFound, p.Status)
	p = br.get(t, "/login?next=%ff")
	require.Equal(t, http.StatusBadRequest, p.Status)
	p = br.get(t, "/no/such/page")
	require.Equal(t, http.StatusNotFound, p.Status)
	require.Contains(t, p.Body, "There is no page at this address")

	// Where logging in returns to is this site only.
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
		u := b.newUser(t, "next")
		nb := b.browser(t)
		nb.get(t, "/login")
		p := nb.post(t, "/login?next="+url.QueryEscape(next), url.Values{"email": {u.Email}, "password": {testPassword}})
		require.Equal(t, http.StatusSeeOther, p.Status)
		require.Equal(t, "/", p.Header.Get("Location"), "next=%s", next)
	}
}

func TestPages_TransferOfferShowsOnlyToItsParties(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seller := b.newOrg(t, "offering")
	b.verifyEmail(t, seller.Owner.Tokens.UserID)
	buyer := b.newUser(t, "receiving")
	dam := b.createAnimal(t, seller.Owner.Tokens.AccessToken, map[string]any{"species": "ball-python", "sex": "female",
		"name": "Secret Dam", "genetics": "Clown"})
	sire := b.createAnimal(t, seller.Owner.Tokens.AccessToken, map[string]any{"species": "ball-python", "sex": "male",
		"name": "Open Sire", "visibility": "public"})
	animal := b.createAnimal(t, seller.Owner.Tokens.AccessToken, map[string]any{"species": "ball-python", "sex": "male",
		"name": "Pebble", "genetics": "Pastel", "dam_id": dam.ID, "sire_id": sire.ID})
	req := b.newRequest(t, http.MethodPost, "/api/v1/transfers", seller.Owner.Tokens.AccessToken,
		map[string]any{"animal_id": animal.ID, "recipient_email": buyer.Email, "message": "<b>Yours</b> if you want him"})
	req.Header.Set("Idempotency-Key", "page-offer")
	r := b.send(t, req)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	id := r.Body["id"].(string)

	// Not logged in: to the login page, which comes back.
	br := b.browser(t)
	p := br.get(t, "/transfers/"+id)
	require.Equal(t, http.StatusSeeOther, p.Status)
	require.Equal(t, "/login?next="+url.QueryEscape("/transfers/"+id), p.Header.Get("Location"))
	p = br.post(t, "/transfers/"+id+"/accept", url.Values{"organization_id": {buyer.Tokens.OrganizationID}})
	require.Equal(t, http.StatusForbidden, p.Status, "a form without a session or its token is refused")

	// Logged in but unverified: the offer to the address does not show yet, and the page says why.
	br.logIn(t, buyer.Email)
	p = br.get(t, "/transfers/"+id)
	require.Equal(t, http.StatusNotFound, p.Status)
	require.Contains(t, p.Body, "once you confirm the address")

	b.verifyEmail(t, buyer.Tokens.UserID)
	p = br.get(t, "/transfers/"+id)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Pebble")
	require.Contains(t, p.Body, "Pastel")
	require.Contains(t, p.Body, "&lt;b&gt;Yours&lt;/b&gt;", "the message is escaped")
	require.Contains(t, p.Body, "<svg", "the pedigree chart is drawn")
	require.Contains(t, p.Body, "Open Sire", "a public ancestor is shown")
	require.NotContains(t, p.Body, "Secret Dam", "the offering organization's private animals stay private")
	require.NotContains(t, p.Body, dam.ID)
	require.Contains(t, p.Body, `action="/transfers/`+id+`/accept"`)
	require.Contains(t, p.Body, buyer.Tokens.OrganizationID, "the person's organization is offered as the receiver")

	// A stranger, and the accept form posted without a token, are refused.
	stranger := b.browser(t)
	stranger.logIn(t, b.newUser(t, "stranger").Email)
	p = stranger.get(t, "/transfers/"+id)
	require.Equal(t, http.StatusNotFound, p.Status)
	require.NotContains(t, p.Body, "Pebble")
	p = br.post(t, "/transfers/"+id+"/accept", url.Values{"organization_id": {buyer.Tokens.OrganizationID}, "csrf": {"forged"}})
	require.Equal(t, http.StatusForbidden, p.Status)
	p = br.post(t, "/transfers/"+id+"/accept", url.Values{})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Contains(t, p.Body, "choose the organization that receives the animal")
	p = br.post(t, "/transfers/"+id+"/decline", url.Values{"reason": {strings.Repeat("r", 1001)}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Contains(t, p.Body, "reason")
	require.Contains(t, p.Body, "Pebble", "the offer is drawn again with the refusal")
}

func TestPages_EmailConfirmedFromTheEmailedLink(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	u := b.newUser(t, "confirm")
	token := verificationToken(t, u.Email)

	br := b.browser(t)
	p := br.get(t, "/verify-email?token="+url.QueryEscape(token))
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, "no-referrer", p.Header.Get("Referrer-Policy"), "the page's address holds a token")
	require.Contains(t, p.Body, "Confirm my address")
	require.Zero(t, b.count(t, `SELECT count(*) FROM users WHERE email = $1 AND email_verified_at IS NOT NULL`, u.Email),
		"opening the link confirms nothing: a mail scanner opens links too")

	p = br.post(t, "/verify-email?token="+url.QueryEscape(token), url.Values{})
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "is confirmed")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM users WHERE email = $1 AND email_verified_at IS NOT NULL`, u.Email))

	p = br.get(t, "/verify-email?token=not-a-token")
	require.Equal(t, http.StatusBadRequest, p.Status)
	require.Contains(t, p.Body, "verification link is not valid")
}

func TestPages_InvitationAcceptedFromItsLink(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "inviting")
	email := testkit.UniqueEmail("invited")
	r := b.invite(t, o.Owner.Tokens.AccessToken, o.ID, email, "keeper")
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	token := b.invitationToken(t, r.Body["id"].(string))
	link := "/invitations/accept?token=" + token

	br := b.browser(t)
	p := br.get(t, link)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Equal(t, "no-referrer", p.Header.Get("Referrer-Policy"), "the page's address holds a token")
	require.Contains(t, p.Body, "to join Vivarium of "+o.Owner.Email)
	require.Contains(t, p.Body, "as a keeper")
	next := regexp.MustCompile(`href="/register\?next=([^"]+)"`).FindStringSubmatch(p.Body)
	require.NotNil(t, next)
	back, err := url.QueryUnescape(html.UnescapeString(next[1]))
	require.NoError(t, err)
	require.Equal(t, link, back, "registering comes back here")

	// Someone else logged in cannot take it.
	other := b.browser(t)
	other.logIn(t, b.newUser(t, "someone-else").Email)
	other.get(t, link)
	p = other.post(t, link, url.Values{})
	require.Equal(t, http.StatusForbidden, p.Status)
	require.Contains(t, p.Body, "This invitation was sent to "+email)

	br.get(t, "/register?next="+url.QueryEscape(link))
	p = br.post(t, "/register?next="+url.QueryEscape(link), url.Values{"email": {email}, "password": {testPassword},
		"display_name": {"Invited"}, "organization_name": {"Invited's Own"}})
	require.Equal(t, http.StatusSeeOther, p.Status, "%s", p.Body)
	require.Equal(t, link, p.Header.Get("Location"))
	p = br.get(t, link)
	require.Contains(t, p.Body, `action="/invitations/accept?token=`+token+`"`)
	p = br.post(t, link, url.Values{})
	require.Equal(t, http.StatusSeeOther, p.Status, "%s", p.Body)
	require.Contains(t, br.get(t, "/").Body, "Invited · Vivarium of "+o.Owner.Email, "the session now acts for the organization joined")
	require.Contains(t, br.get(t, link).Body, "This invitation has been accepted.")

	require.Equal(t, http.StatusBadRequest, br.get(t, "/invitations/accept?token=forged").Status)
}

func TestPages_SwitchingOrganizationKeepsEveryTabLoggedIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "switching")
	others := []org{b.newOrg(t, "second"), b.newOrg(t, "third")}
	for _, o := range others {
		b.mustAddMember(t, o.Owner.Tokens.AccessToken, o.ID, u.Email, "admin")
	}
	br := b.browser(t)
	br.logIn(t, u.Email)
	br.get(t, "/")
	cookie := br.cookie("rdx_session").Value

	// Two tabs switch at the same moment with the same cookie: both are answered, and the
	// session lives on, acting for one of them.
	answers := make(chan int, 2)
	for _, o := range others {
		go func() {
			answers <- br.post(t, "/organization", url.Values{"organization_id": {o.ID}}).Status
		}()
	}
	require.Equal(t, []int{http.StatusSeeOther, http.StatusSeeOther}, []int{<-answers, <-answers})
	require.Equal(t, cookie, br.cookie("rdx_session").Value, "the cookie is not rotated")
	home := br.get(t, "/")
	require.Contains(t, home.Body, "Hello,")
	require.Regexp(t, `Vivarium of (second|third)-`, home.Body)
	require.Equal(t, http.StatusOK, b.refresh(t, cookie, "").Status, "the session's token still works")
}
