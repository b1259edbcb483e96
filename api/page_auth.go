package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
)

// The pages where a person logs in, registers and logs out, and the home page that lists
// what waits for them.

// authPageData is what the login and registration pages show: where the person goes once in.
type authPageData struct {
	Next string
	Why  string
}

// loginPage asks for an email address and a password; a person logged in already goes on.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	next := localPath(r.URL.Query().Get("next"))
	if v.Person != nil {
		return redirectTo(w, next)
	}
	return s.authPage(w, r, v, http.StatusOK, "login", next)
}

// authPage draws the login or registration page, whose forms post back to themselves and
// then go to next.
func (s *Server) authPage(w http.ResponseWriter, r *http.Request, v *web.View, status int, name, next string) error {
	s.formToken(w, r, v)
	v.Title = map[string]string{"login": "Log in", "register": "Register"}[name]
	d := authPageData{}
	if next != "/" {
		d.Next = next
		d.Why = "Log in, or register if you have no account, to continue where the link you followed leads."
	}
	v.Path = d.Next // the header's links keep where the person goes next
	v.Data = d
	return s.renderPage(w, r, status, name, v)
}

// loginForm logs the person in under the API's login throttle, and goes where the link they
// followed leads. A wrong email or password draws the form again, saying so.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	next := localPath(r.URL.Query().Get("next"))
	req := loginRequest{Email: r.PostForm.Get("email"), Password: r.PostForm.Get("password")}
	v.Form = map[string]string{"email": strings.TrimSpace(req.Email)}
	if err := throttled(s.limiter, r); err != nil {
		return s.formRefused(w, r, v, "login", next, err)
	}
	if err := req.validate(); err != nil {
		return s.formRefused(w, r, v, "login", next, err)
	}
	var session accounts.Session
	err := s.limits.throttleLogin(req.Email, clientIP(r), func() (err error) {
		session, err = s.sessions().Login(r.Context(), s.db, accounts.Credentials{Email: req.Email, Password: req.Password})
		return err
	})
	if err != nil {
		return s.formRefused(w, r, v, "login", next, sessionProblem(err))
	}
	s.endPageSession(r)
	s.startPageSession(w, session)
	return redirectTo(w, next)
}

// registerPage asks for what an account needs.
func (s *Server) registerPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	next := localPath(r.URL.Query().Get("next"))
	if v.Person != nil {
		return redirectTo(w, next)
	}
	return s.authPage(w, r, v, http.StatusOK, "register", next)
}

// registerForm opens the account as the API's registration does (the same checks, the same
// verification email), logs the person in and goes on.
func (s *Server) registerForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	next := localPath(r.URL.Query().Get("next"))
	if err := throttled(s.limiter, r); err != nil {
		return s.formRefused(w, r, v, "register", next, err)
	}
	req := registerRequest{Email: r.PostForm.Get("email"), Password: r.PostForm.Get("password"),
		DisplayName: r.PostForm.Get("display_name"), OrganizationName: r.PostForm.Get("organization_name")}
	v.Form = map[string]string{"email": strings.TrimSpace(req.Email), "display_name": req.DisplayName,
		"organization_name": req.OrganizationName}
	if err := req.validate(); err != nil {
		return s.formRefused(w, r, v, "register", next, err)
	}
	session, err := s.openAccount(r.Context(), req)
	if errors.Is(err, store.ErrConflict) {
		return s.formRefused(w, r, v, "register", next,
			invalid(FieldError{"email", "has an account already: log in instead"}))
	}
	if err != nil {
		return err
	}
	s.endPageSession(r)
	s.startPageSession(w, session)
	return redirectTo(w, next)
}

// formRefused draws the login or registration form again with why it was refused: each field
// at fault marked, or the problem's detail above the form. Any other error is a problem page.
func (s *Server) formRefused(w http.ResponseWriter, r *http.Request, v *web.View, name, next string, err error) error {
	var p *Problem
	if !errors.As(err, &p) {
		return err
	}
	markFields(v, p)
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", retryAfterSeconds(p.retryAfter))
	}
	return s.authPage(w, r, v, p.Status, name, next)
}

// markFields puts a refusal on the page: each field it names beside its field, and a banner
// saying what is wrong.
func markFields(v *web.View, p *Problem) {
	if len(p.Errors) == 0 {
		v.Banner = &web.Banner{Tone: "bad", Text: p.Detail}
		return
	}
	v.Errors = map[string]string{}
	for _, e := range p.Errors {
		v.Errors[e.Field] = e.Message
	}
	v.Banner = &web.Banner{Tone: "bad", Text: "Check the fields marked below."}
}

// logoutForm ends the page's session (every token of it, as the API's logout does) and
// forgets its cookie.
func (s *Server) logoutForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	s.endPageSession(r)
	s.clearCookie(w, sessionCookie)
	return redirectTo(w, "/")
}

// endPageSession ends the session the request's cookie holds, if any: logging out, or
// logging in as someone else.
func (s *Server) endPageSession(r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > maxCookieValue {
		return
	}
	if err := s.sessions().Logout(r.Context(), s.db, c.Value); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.WarnContext(r.Context(), "page session not ended", "error", err)
	}
}

// resendVerificationForm sends the person a new link to confirm their address.
func (s *Server) resendVerificationForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := needPerson(v); err != nil {
		return err
	}
	out, err := s.sendVerificationAgain(r)
	if err != nil {
		return err
	}
	v.Banner = &web.Banner{Tone: "good", Text: "We sent a new link to " + out.Email + ". It works until " +
		out.ExpiresAt.UTC().Format(pageTime) + "."}
	return s.homePage(w, r, v)
}

// homeData is what the home page lists for a person logged in.
type homeData struct {
	Transfers []homeTransfer
	// Organizations are the person's, the one the session acts for marked.
	Organizations []store.UserOrganization
	Acting        string
}

type homeTransfer struct {
	ID, Name, From, Status string
}

// homePage welcomes a person, and lists the offers waiting for their answer.
func (s *Server) homePage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	v.Title = "Home"
	if v.Person == nil {
		return s.renderPage(w, r, http.StatusOK, "home", v)
	}
	var d homeData
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		var err error
		if d.Organizations, err = store.OrganizationsOfUser(r.Context(), tx, a.UserID); err != nil {
			return err
		}
		d.Acting = a.OrgPublicID
		ts, err := store.ListTransfers(r.Context(), tx, store.TransferFilter{Incoming: true, Limit: 50})
		for _, t := range ts {
			if t.Status == "offered" {
				d.Transfers = append(d.Transfers, homeTransfer{ID: t.PublicID, Name: t.AnimalName, From: t.OrgName, Status: t.Status})
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	v.Data = d
	return s.renderPage(w, r, http.StatusOK, "home", v)
}

// confirmEmailData is what the email confirmation page shows.
type confirmEmailData struct {
	Token string
	// Email is the address confirmed, once it is.
	Email string
}

// verifyEmailLinkPage is what the emailed verification link opens: a button to confirm,
// because mail scanners open links too, and only a person's click should verify an address.
func (s *Server) verifyEmailLinkPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := strings.TrimSpace(r.URL.Query().Get("token"))
	if _, ok := store.ParseLinkToken(token); !ok {
		return errBadVerificationLink
	}
	s.formToken(w, r, v)
	v.Title = "Confirm your email address"
	v.Data = confirmEmailData{Token: token}
	return s.renderPage(w, r, http.StatusOK, "confirm_email", v)
}

// verifyEmailForm confirms the address when the page's button is pressed; following the
// link again afterwards confirms nothing new and says it is confirmed.
func (s *Server) verifyEmailForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	out, err := s.useVerificationToken(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		return err
	}
	if v.Person != nil && strings.EqualFold(v.Person.Email, out.Email) {
		v.Person.Verified = true
	}
	v.Title = "Your email address is confirmed"
	v.Data = confirmEmailData{Email: out.Email}
	return s.renderPage(w, r, http.StatusOK, "confirm_email", v)
}

// switchOrganizationForm moves the page's session to another of the person's organizations
// (switchPageSession), and goes back.
func (s *Server) switchOrganizationForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := needPerson(v); err != nil {
		return err
	}
	org := r.PostForm.Get("organization_id")
	if !isPublicID(org) {
		return invalid(FieldError{"organization_id", "is not one of your organizations"})
	}
	if err := s.switchPageSession(r, org); err != nil {
		return err
	}
	return redirectTo(w, localPath(r.URL.Query().Get("next")))
}
