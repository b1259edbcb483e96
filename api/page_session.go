package api

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
)

// Sessions of the pages. Logging in on a page starts a session of the same kind the API's
// clients get (accounts.Sessions): a family of refresh tokens. Its cookie holds the refresh
// token, which the server keeps only hashed; every page looks the session up by it, so the
// session ends wherever it is ended: logging out on a page or with the API, the account's
// erasure, or leaving the organization. The cookie is HttpOnly, SameSite=Lax (a link
// followed from an email arrives logged in; another site's form does not) and Secure in
// production.
//
// Every form carries a CSRF token: for a session, a MAC of the session's ID; for a person not
// logged in (the login and registration forms), a MAC of a random value kept in a cookie of
// its own. A post whose token does not match, or that says it comes from another site, is
// refused before its handler runs.

const (
	sessionCookie = "rdx_session"
	csrfCookie    = "rdx_csrf"
	// maxCookieValue bounds the cookie values read; a refresh token is 43 characters.
	maxCookieValue = 128
	// maxFormValue bounds every value of a form; the longest field a form has is a
	// thousand characters of reason.
	maxFormValue = 8 << 10
)

// pageSession reads the session cookie. A live session puts its person's claims in the
// request's context, where withAccess finds them as it finds a bearer token's; a cookie of a
// session that has ended is cleared.
func (s *Server) pageSession(w http.ResponseWriter, r *http.Request, v *web.View) (*http.Request, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > maxCookieValue {
		return r, nil
	}
	ps, err := store.PageSessionByHash(r.Context(), s.db, auth.HashRefreshToken(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		s.clearCookie(w, sessionCookie)
		return r, nil
	}
	if err != nil {
		return r, err
	}
	ctx := context.WithValue(r.Context(), claimsKey{},
		auth.Claims{UserID: ps.UserPublicID, OrgID: ps.OrgPublicID, SessionID: ps.SessionID.String()})
	v.Person = &web.Person{Name: ps.Name, Email: ps.Email, Verified: ps.Verified, Organization: ps.OrgName}
	v.CSRF = s.csrfToken("session", ps.SessionID.String())
	return r.WithContext(ctx), nil
}

// errNeedPerson refuses a form to a person not logged in: the problem page offers to log in
// or register and come back.
var errNeedPerson = newProblem(kindUnauthenticated, "Log in, or register if you have no account, to see this page.")

// needPerson refuses a form to a person not logged in.
func needPerson(v *web.View) error {
	if v.Person == nil {
		return errNeedPerson
	}
	return nil
}

// logInFirst sends a person not logged in to the login page, which brings them back to the
// page they asked for; ok is whether the page may go on.
func logInFirst(w http.ResponseWriter, r *http.Request, v *web.View) (ok bool) {
	if v.Person != nil {
		return true
	}
	_ = redirectTo(w, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
	return false
}

// startPageSession sets the cookie of a session just started.
func (s *Server) startPageSession(w http.ResponseWriter, session accounts.Session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: session.RefreshToken, Path: "/",
		Expires: session.RefreshExpiresAt, MaxAge: int(time.Until(session.RefreshExpiresAt).Seconds()),
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

// secureCookies is whether cookies are sent over HTTPS only: everywhere but on a developer's
// machine and in its tests, which serve plain HTTP.
func (s *Server) secureCookies() bool {
	return s.cfg.Env != "development" && s.cfg.Env != "test"
}

// formToken gives a page with a form for a person not logged in its CSRF token, setting the
// cookie it is made from when the browser has none yet.
func (s *Server) formToken(w http.ResponseWriter, r *http.Request, v *web.View) {
	if v.CSRF != "" {
		return
	}
	nonce := ""
	if c, err := r.Cookie(csrfCookie); err == nil && validNonce(c.Value) {
		nonce = c.Value
	} else {
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		nonce = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: nonce, Path: "/", HttpOnly: true,
			Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
	}
	v.CSRF = s.csrfToken("anonymous", nonce)
}

func validNonce(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 18
}

// csrfToken is the MAC of what a form's token stands for.
func (s *Server) csrfToken(kind, value string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(kind + "|" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

var errForeignForm = newProblem(kindForbidden,
	"This form was not sent from a ReptiDex page, or it is too old. Go back, reload the page and try again.")

// checkForm refuses a post that is not a form sent from one of our pages, and any of whose
// values is not text (invalid UTF-8, NUL or other control characters) or is too long.
func (s *Server) checkForm(r *http.Request, v *web.View) error {
	// A browser says where a form comes from: Sec-Fetch-Site, or failing that Origin (which a
	// page that sends no referrer, like the email confirmation's, sends as "null"). Both are
	// read before the body, which is not read at all for a form from elsewhere.
	switch site, origin := r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Origin"); {
	case site != "":
		if site != "same-origin" && site != "none" {
			return errForeignForm
		}
	case origin != "" && origin != "null" && !s.ownOrigin(r, origin):
		return errForeignForm
	}
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err != nil:
		return newProblem(kindUnsupportedType, "Send the form as a browser does.")
	case media == "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case media == "multipart/form-data" && v.CSRF != "":
		// Only a person logged in sends files (a reported problem's photos).
		err = r.ParseMultipartForm(maxMemoryForm)
	case media == "multipart/form-data":
		return errNeedPerson
	default:
		return newProblem(kindUnsupportedType, "Send the form as a browser does.")
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return newProblem(kindTooLarge, "What was sent is too large.")
		}
		return newProblem(kindMalformed, "The form could not be read; reload the page and try again.")
	}
	want := v.CSRF
	if want == "" {
		c, err := r.Cookie(csrfCookie)
		if err != nil || !validNonce(c.Value) {
			return errForeignForm
		}
		want = s.csrfToken("anonymous", c.Value)
	}
	if !hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(want)) {
		return errForeignForm
	}
	for name, values := range r.PostForm {
		for _, value := range values {
			if len(value) > maxFormValue || !isTextOf(value, true) {
				return invalid(FieldError{name, "must be text, without control characters, of at most 8 KB"})
			}
		}
	}
	if v.CSRF == "" {
		v.CSRF = want
	}
	return nil
}

// maxMemoryForm is how much of a multipart form is held in memory; the rest of its files go
// to temporary files until the request ends.
const maxMemoryForm = 8 << 20

// ownOrigin is whether origin is this site's: its public address or the host asked for.
func (s *Server) ownOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if pub, err := url.Parse(s.cfg.HTTP.PublicBaseURL); err == nil && pub.Scheme == u.Scheme && pub.Host == u.Host {
		return true
	}
	return u.Host == r.Host
}

// otherOrganizationWith finds another of the person's organizations (than the session's) in
// which found answers without store.ErrNotFound: where what a link names is theirs. It
// answers "" when there is none.
func (s *Server) otherOrganizationWith(r *http.Request, found func(pgx.Tx) error) (string, error) {
	ctx := r.Context()
	c := claimsFrom(ctx)
	sid, err := uuid.Parse(c.SessionID)
	if err != nil {
		return "", errNeedPerson
	}
	org := ""
	err = s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		orgs, err := store.OrganizationsOfUser(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.OrgID == a.OrgID {
				continue
			}
			if _, err := store.Authorize(ctx, tx, c.UserID, o.PublicID, sid); err != nil {
				return err
			}
			switch err := found(tx); {
			case err == nil:
				org = o.PublicID
				return nil
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		return nil
	})
	return org, err
}

// switchPageSession moves the page's session to the person's organization org, in place
// (accounts.Sessions.Switch): its cookie stays as it is, so pages loading at the same moment
// stay logged in.
func (s *Server) switchPageSession(r *http.Request, org string) error {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return errNeedPerson
	}
	err = s.sessions().Switch(r.Context(), s.db, c.Value, org)
	if errors.Is(err, accounts.ErrNotMember) {
		return invalid(FieldError{"organization_id", "is not one of your organizations"})
	}
	return sessionProblem(err)
}
