package api

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/store"
)

// verificationResendInterval is how often a person may ask for a new verification link.
const verificationResendInterval = time.Minute

var errBadVerificationLink = newProblem(kindMalformed,
	"This email verification link is not valid: check that it was copied whole, or log in and ask for a new one.")

type verifyEmailRequest struct {
	// The token from the emailed verification link (its token query parameter).
	Token string `json:"token" jsonschema:"required"`
}

type emailVerifiedResponse struct {
	// The verified address.
	Email string `json:"email" jsonschema:"format=email"`
	// When the address was first verified.
	VerifiedAt time.Time `json:"verified_at"`
}

// verifyEmail follows an emailed verification link sent as JSON. No login is needed: the
// token is the proof. The confirmation page's form posts here too, and gets a page back.
func (s *Server) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return s.confirmEmailPage(w, r)
	}
	var req verifyEmailRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	out, err := s.useVerificationToken(r.Context(), req.Token)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// verifyEmailPage is what the emailed link opens: a page that asks to confirm, because mail
// scanners open links too, and only a person's click should verify an address.
func (s *Server) verifyEmailPage(w http.ResponseWriter, r *http.Request) error {
	if _, ok := store.ParseLinkToken(strings.TrimSpace(r.URL.Query().Get("token"))); !ok {
		return s.writeProblemPage(w, r, "We could not confirm your email address", errBadVerificationLink)
	}
	return writePage(w, http.StatusOK, page{
		Title:      "Confirm your email address",
		Paragraphs: []string{"Confirm that this is the address of your ReptiDex account."},
		Button:     "Confirm my address",
	})
}

// confirmEmailPage verifies the address when the confirmation page's button is pressed.
func (s *Server) confirmEmailPage(w http.ResponseWriter, r *http.Request) error {
	out, err := s.useVerificationToken(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		return s.writeProblemPage(w, r, "We could not confirm your email address", err)
	}
	return writePage(w, http.StatusOK, page{
		Title:      "Your email address is confirmed",
		Paragraphs: []string{out.Email + " is confirmed as the address of your ReptiDex account. You can close this page."},
	})
}

// useVerificationToken verifies the address a token was sent to (accounts.VerifyEmail). A
// token whose person is verified already answers as a success, so following a link twice
// does no harm.
func (s *Server) useVerificationToken(ctx context.Context, token string) (emailVerifiedResponse, error) {
	hash, ok := store.ParseLinkToken(strings.TrimSpace(token))
	if !ok {
		return emailVerifiedResponse{}, errBadVerificationLink
	}
	var v accounts.VerifiedEmail
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		v, err = accounts.VerifyEmail(ctx, tx, hash)
		return err
	})
	var expired *accounts.LinkExpiredError
	switch {
	case errors.Is(err, accounts.ErrBadVerificationLink):
		return emailVerifiedResponse{}, errBadVerificationLink
	case errors.As(err, &expired):
		return emailVerifiedResponse{}, newProblem(kindGone, "This email verification link expired on "+
			expired.ExpiresAt.UTC().Format(pageTime)+"; log in and ask for a new one (POST /api/v1/me/verify-email).")
	case err != nil:
		return emailVerifiedResponse{}, err
	}
	if !v.Already {
		s.log.InfoContext(ctx, "email verified", "user_id", v.UserPublicID)
	}
	return emailVerifiedResponse{Email: v.Email, VerifiedAt: v.VerifiedAt}, nil
}

type verificationSentResponse struct {
	// Where the link was sent: the account's address.
	Email string `json:"email" jsonschema:"format=email"`
	// When the new link stops working.
	ExpiresAt time.Time `json:"expires_at"`
}

// resendVerification emails the caller a new verification link, at most one a minute.
func (s *Server) resendVerification(w http.ResponseWriter, r *http.Request) error {
	out, err := s.sendVerificationAgain(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, out)
}

// sendVerificationAgain emails the caller a new verification link unless one went less than
// verificationResendInterval ago, or the address is verified already.
func (s *Server) sendVerificationAgain(r *http.Request) (verificationSentResponse, error) {
	var out verificationSentResponse
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		u, err := store.UserByID(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		if u.EmailVerifiedAt != nil {
			return newProblem(kindConflict, "Your email address is already verified.")
		}
		age, sent, err := store.LastEmailVerificationAge(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if sent && age < verificationResendInterval {
			p := newProblem(kindRateLimited, "A verification link was sent less than a minute ago; check your inbox (and spam folder), or ask again shortly.")
			p.retryAfter = verificationResendInterval - age
			return p
		}
		expires, err := accounts.SendVerification(ctx, tx, s.notifier, u, a.OrgID, s.cfg.Notify.VerificationTTL)
		out = verificationSentResponse{Email: u.Email, ExpiresAt: expires}
		return err
	})
	return out, err
}

// pageTime is how pages and problems about links write a moment.
const pageTime = "2 January 2006 at 15:04 UTC"

// page is a small self-contained HTML page, answered where an emailed link is opened in a
// browser.
type page struct {
	Title      string
	Paragraphs []string
	Code       string // shown as preformatted text, e.g. a request to make
	Button     string // a button that posts the page's own URL back, e.g. to confirm
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} · ReptiDex</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d2a1f}
h1{font-size:1.4rem}pre{background:#f2f4f0;padding:.8rem;border-radius:6px;white-space:pre-wrap;word-break:break-all}
.brand{color:#2b6a2f;font-weight:700}
</style></head><body>
<p class="brand">ReptiDex</p>
<h1>{{.Title}}</h1>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .Code}}<pre>{{.Code}}</pre>
{{end}}{{if .Button}}<form method="post"><button type="submit">{{.Button}}</button></form>
{{end}}</body></html>`))

// writePage answers p with status. The page is not cached, sends no referrer (its URL holds
// a token) and loads nothing from elsewhere.
func writePage(w http.ResponseWriter, status int, p page) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	return pageTemplate.Execute(w, p)
}

// writeProblemPage answers a page titled title with why err stopped the link: a problem's
// status and detail, or for anything else a 500 quoting the request ID, the error logged.
func (s *Server) writeProblemPage(w http.ResponseWriter, r *http.Request, title string, err error) error {
	var p *Problem
	if !errors.As(err, &p) {
		s.log.ErrorContext(r.Context(), "request failed", "error", err, "method", r.Method, "path", r.URL.Path)
		p = newProblem(kindInternal, "Something went wrong on our side; try the link again later, and quote request "+
			middleware.GetReqID(r.Context())+" if it keeps failing.")
	}
	return writePage(w, p.Status, page{Title: title, Paragraphs: []string{p.Detail}})
}
