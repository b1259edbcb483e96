package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/store"
)

type registerRequest struct {
	// An email address such as keeper@example.com: a bare address (no display name), at most 254
	// characters, whose domain contains a dot. Surrounding whitespace is trimmed. Compared
	// case-insensitively.
	Email string `json:"email" jsonschema:"required,format=email,maxLength=254"`
	// At least 10 characters and at most 1024 bytes of UTF-8.
	Password string `json:"password" text:"multiline,max=1024" jsonschema:"required,minLength=10"`
	// 1 to 100 characters after trimming surrounding whitespace.
	DisplayName string `json:"display_name" jsonschema:"required,minLength=1,maxLength=100"`
	// Name of the new organization: 1 to 120 characters after trimming surrounding whitespace.
	OrganizationName string `json:"organization_name" jsonschema:"required,minLength=1,maxLength=120"`
}

func (q *registerRequest) validate() error {
	var errs []FieldError
	q.Email = strings.TrimSpace(q.Email)
	if err := validEmail(q.Email); err != nil {
		errs = append(errs, FieldError{"email", err.Error()})
	}
	// The password's bound is the hash's, in bytes; the tag's, in characters, never refuses
	// what this does not.
	if n := utf8.RuneCountInString(q.Password); n < 10 || len(q.Password) > auth.MaxPasswordLength {
		errs = append(errs, FieldError{"password", "must be at least 10 characters and at most 1024 bytes"})
	}
	q.DisplayName = strings.TrimSpace(q.DisplayName)
	if n := utf8.RuneCountInString(q.DisplayName); n < 1 || n > 100 {
		errs = append(errs, FieldError{"display_name", "must be 1 to 100 characters"})
	}
	q.OrganizationName = strings.TrimSpace(q.OrganizationName)
	if n := utf8.RuneCountInString(q.OrganizationName); n < 1 || n > 120 {
		errs = append(errs, FieldError{"organization_name", "must be 1 to 120 characters"})
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	return nil
}

func validEmail(s string) error {
	if s == "" {
		return errors.New("is required")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return errors.New("must be an email address such as keeper@example.com")
	}
	return nil
}

// tokenResponse is what register, login and refresh answer with.
type tokenResponse struct {
	// RS256 JWT to send as 'Authorization: Bearer <token>'.
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type" jsonschema:"enum=Bearer"`
	// Seconds until the access token expires (900 with the default 15-minute lifetime).
	ExpiresIn int `json:"expires_in"`
	// Opaque, single-use token for /api/v1/auth/refresh and /api/v1/auth/logout.
	RefreshToken string `json:"refresh_token"`
	// When the refresh token expires (30 days by default), UTC, whole seconds.
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	// Public ID of the user.
	UserID string `json:"user_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Public ID of the organization the tokens act for.
	OrganizationID string `json:"organization_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
}

// register opens an account (user, organization, onboarding) and logs the new owner in, in
// one transaction.
func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	var req registerRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	session, err := s.openAccount(r.Context(), req)
	if errors.Is(err, store.ErrConflict) {
		return newProblem(kindConflict, "An account with this email already exists; log in instead.")
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toTokenResponse(session))
}

// openAccount registers the account req asks for (accounts.Register) and starts its owner's
// first session in the same transaction; an address with an account is store.ErrConflict.
func (s *Server) openAccount(ctx context.Context, req registerRequest) (session accounts.Session, err error) {
	_, _, err = accounts.Register(ctx, s.db, s.river, accounts.NewAccount{
		Email: req.Email, Password: req.Password, DisplayName: req.DisplayName, OrganizationName: req.OrganizationName,
		VerificationTTL: s.cfg.Notify.VerificationTTL,
	}, func(tx pgx.Tx, user store.User, org store.Organization) error {
		var err error
		session, err = s.sessions().Start(ctx, tx, user, org)
		return err
	})
	return session, err
}

// sessions starts, renews and ends the sessions of the API's clients.
func (s *Server) sessions() accounts.Sessions {
	return accounts.Sessions{Issuer: s.tokens, RefreshTTL: s.cfg.Auth.RefreshTTL, Log: s.log}
}

func toTokenResponse(t accounts.Session) tokenResponse {
	return tokenResponse{
		AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresIn: int(time.Until(t.AccessExpiresAt).Round(time.Second).Seconds()),
		RefreshToken: t.RefreshToken, RefreshExpiresAt: t.RefreshExpiresAt, UserID: t.UserPublicID, OrganizationID: t.OrgPublicID,
	}
}

// sessionProblem answers a login or refresh that accounts.Sessions refused; other errors
// pass as they are.
func sessionProblem(err error) error {
	switch {
	case errors.Is(err, accounts.ErrBadCredentials):
		return errBadCredentials
	case errors.Is(err, accounts.ErrBadRefreshToken):
		return errBadRefresh
	case errors.Is(err, accounts.ErrNotMember):
		return notFound("organization")
	case errors.Is(err, accounts.ErrNoOrganization):
		return newProblem(kindForbidden, "You do not belong to any organization.")
	}
	return err
}

type loginRequest struct {
	// The account's email, compared case-insensitively.
	Email string `json:"email" jsonschema:"required,minLength=1"`
	// The account's password, at most 1,024 characters (422 beyond); one that fits in that many
	// characters but not in 1,024 bytes of UTF-8 can be no account's and is simply wrong (401).
	Password string `json:"password" text:"multiline,max=1024" jsonschema:"required,minLength=1"`
	// Optional: the public ID of the organization to act for; by default the user's oldest
	// membership. A random Base58 string; one the user does not belong to answers 404.
	OrganizationID string `json:"organization_id,omitempty"`
}

var errBadCredentials = newProblem(kindBadCredentials, "The email or password is wrong.")

// validate refuses what cannot be an account's address, or no password, before the
// attempt reaches the throttle.
func (q *loginRequest) validate() error {
	var errs []FieldError
	q.Email = strings.TrimSpace(q.Email)
	if err := validEmail(q.Email); err != nil {
		errs = append(errs, FieldError{"email", err.Error()})
	}
	if q.Password == "" {
		errs = append(errs, FieldError{"password", "is required"})
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	return nil
}

// login checks a password and starts a session in the requested organization, or in the
// user's first one (accounts.Sessions.Login), under the account's login throttle. An
// unknown email and a wrong password get the same answer and take the same time.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	var session accounts.Session
	err := s.limits.throttleLogin(req.Email, clientIP(r), func() (err error) {
		session, err = s.sessions().Login(r.Context(), s.db,
			accounts.Credentials{Email: req.Email, Password: req.Password, OrgPublicID: req.OrganizationID})
		return err
	})
	if err != nil {
		return sessionProblem(err)
	}
	return writeJSON(w, http.StatusOK, toTokenResponse(session))
}

type refreshRequest struct {
	// The refresh token from the last token response.
	RefreshToken string `json:"refresh_token" jsonschema:"required,minLength=1"`
	// Optional: switch the session to another organization the user belongs to; by default the
	// session's current one. A random Base58 string; one the user does not belong to answers 404.
	OrganizationID string `json:"organization_id,omitempty"`
}

var errBadRefresh = newProblem(kindUnauthenticated, "The refresh token is invalid, expired or revoked.")

// refresh rotates a refresh token (accounts.Sessions.Refresh): the old one is revoked and a
// new one issued in the same session, optionally acting for another of the user's
// organizations. Presenting a token that was already rotated revokes the whole session.
func (s *Server) refresh(w http.ResponseWriter, r *http.Request) error {
	var req refreshRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return invalid(FieldError{"refresh_token", "is required"})
	}
	session, err := s.sessions().Refresh(r.Context(), s.db, req.RefreshToken, req.OrganizationID)
	if err != nil {
		return sessionProblem(err)
	}
	return writeJSON(w, http.StatusOK, toTokenResponse(session))
}

type logoutRequest struct {
	// A refresh token of the session to end.
	RefreshToken string `json:"refresh_token" jsonschema:"required,minLength=1"`
}

// logout ends the session of a refresh token: it and every access token of the session stop
// working. Logging out an unknown or already-ended session answers the same, so the call
// reveals nothing.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	var req logoutRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return invalid(FieldError{"refresh_token", "is required"})
	}
	err := s.sessions().Logout(r.Context(), s.db, req.RefreshToken)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meResponse struct {
	// Public ID of the user.
	ID            string `json:"id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	Email         string `json:"email" jsonschema:"format=email"`
	DisplayName   string `json:"display_name"`
	EmailVerified bool   `json:"email_verified"`
	// The phone number, E.164, verified or not.
	Phone string `json:"phone,omitempty"`
	// SMS notifications are sent only to a verified number.
	PhoneVerified bool      `json:"phone_verified"`
	CreatedAt     time.Time `json:"created_at"`
	// The organization the access token acts for.
	Organization orgMembership `json:"organization"`
	// Every organization the user belongs to, oldest membership first.
	Organizations []orgMembership `json:"organizations"`
}

type orgMembership struct {
	// Public ID of the organization.
	ID   string `json:"id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	Name string `json:"name"`
	Role string `json:"role" schema:"Role"`
}

// me describes the caller, the organization their token acts for and every organization they
// belong to. It is the hottest authenticated read, so its reads travel in the same round
// trip as the authorization.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c := claimsFrom(ctx)
	sid, err := uuid.Parse(c.SessionID)
	if err != nil {
		return newProblem(kindUnauthenticated, "The access token is invalid or expired.")
	}
	var (
		u    store.User
		orgs []store.UserOrganization
		a    access
	)
	batch := &pgx.Batch{}
	authorized := store.QueueAuthorize(batch, c.UserID, c.OrgID, sid)
	store.QueueCurrentUser(batch, &u)
	store.QueueOrganizationsOfCurrentUser(batch, &orgs)
	if err := s.db.ReadBatch(ctx, batch); err != nil {
		return fmt.Errorf("read caller: %w", err)
	}
	a, err = authorized()
	if err := accessProblem(err, true); err != nil {
		return err
	}
	resp := meResponse{ID: u.PublicID, Email: u.Email, DisplayName: u.DisplayName,
		EmailVerified: u.EmailVerifiedAt != nil, Phone: u.Phone, PhoneVerified: u.PhoneVerifiedAt != nil, CreatedAt: u.CreatedAt, Organizations: make([]orgMembership, 0, len(orgs))}
	for _, o := range orgs {
		m := orgMembership{ID: o.PublicID, Name: o.Name, Role: string(o.Role)}
		resp.Organizations = append(resp.Organizations, m)
		if o.OrgID == a.OrgID {
			resp.Organization = m
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}
