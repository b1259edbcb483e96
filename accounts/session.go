package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/store"
)

// Sessions starts, renews and ends sessions. A session is a family of refresh tokens, each
// replacing the one before, and the access tokens issued with them, which name it.
type Sessions struct {
	Issuer *auth.Issuer
	// RefreshTTL is config.Auth.RefreshTTL: how long each refresh token works.
	RefreshTTL time.Duration
	// Log reports what a refresh could not clean up; nil is slog.Default().
	Log *slog.Logger
}

// Session is what a client holds once logged in: an access token and the refresh token that
// renews it, for one user acting for one organization.
type Session struct {
	AccessToken      string
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
	UserPublicID     string
	OrgPublicID      string
}

// Refusals of a login or a refresh.
var (
	ErrBadCredentials  = errors.New("the email or password is wrong")
	ErrBadRefreshToken = errors.New("the refresh token is invalid, expired or revoked")
	// ErrNotMember is an organization asked for that the user does not belong to.
	ErrNotMember      = errors.New("the user is not a member of the organization")
	ErrNoOrganization = errors.New("the user belongs to no organization")
)

// errTokenReused is a refresh token presented again after it was rotated: it leaked.
var errTokenReused = fmt.Errorf("%w: it was already rotated", ErrBadRefreshToken)

// Credentials are what a person logs in with, checked as an email address and a non-empty
// password by the caller, and the public ID of the organization to act for: empty for the
// user's oldest membership.
type Credentials struct {
	Email       string
	Password    string
	OrgPublicID string
}

// Login checks a password and starts a session. An unknown email and a wrong (or overlong)
// password are both ErrBadCredentials and take the same time. A requested organization the
// user does not belong to is ErrNotMember; a user who belongs to none is ErrNoOrganization.
func (s Sessions) Login(ctx context.Context, db *store.DB, c Credentials) (Session, error) {
	u, err := store.UserByEmail(ctx, db.Pool, c.Email)
	if errors.Is(err, store.ErrNotFound) {
		auth.DummyVerify(c.Password)
		return Session{}, ErrBadCredentials
	}
	if err != nil {
		return Session{}, err
	}
	ok, err := auth.VerifyPassword(u.PasswordHash, c.Password)
	if err != nil {
		return Session{}, fmt.Errorf("verify password: %w", err)
	}
	if !ok {
		return Session{}, ErrBadCredentials
	}
	var out Session
	err = db.InTenant(ctx, store.Tenant{UserID: u.ID}, func(tx pgx.Tx) error {
		org, err := organizationToActFor(ctx, tx, u.ID, c.OrgPublicID)
		if err != nil {
			return err
		}
		out, _, err = s.issue(ctx, tx, u, org, uuid.New())
		return err
	})
	return out, err
}

// organizationToActFor chooses the organization a new session acts for: the requested one if
// the user belongs to it, else their oldest membership.
func organizationToActFor(ctx context.Context, tx pgx.Tx, userID uuid.UUID, requested string) (store.UserOrganization, error) {
	if requested != "" {
		org, err := store.OrganizationByPublicIDForUser(ctx, tx, requested, userID)
		if errors.Is(err, store.ErrNotFound) {
			return org, ErrNotMember
		}
		return org, err
	}
	orgs, err := store.OrganizationsOfUser(ctx, tx, userID)
	if err != nil {
		return store.UserOrganization{}, err
	}
	if len(orgs) == 0 {
		return store.UserOrganization{}, ErrNoOrganization
	}
	return orgs[0], nil
}

// Start starts a new session for u acting for org, in q: what registering ends with.
func (s Sessions) Start(ctx context.Context, q store.Querier, u store.User, org store.Organization) (Session, error) {
	out, _, err := s.issue(ctx, q, u, store.UserOrganization{OrgID: org.ID, PublicID: org.PublicID}, uuid.New())
	return out, err
}

// Refresh rotates a refresh token: the old one is revoked and a new one issued in the same
// session, acting for the organization with public ID orgPublicID or, when empty, the one
// the old token acted for. A token that is unknown, expired or revoked is
// ErrBadRefreshToken; one that was already rotated has leaked, and its whole session is
// revoked too. A requested organization the user does not belong to is ErrNotMember.
func (s Sessions) Refresh(ctx context.Context, db *store.DB, raw, orgPublicID string) (Session, error) {
	var out Session
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = s.rotate(ctx, tx, raw, orgPublicID)
		return err
	})
	if errors.Is(err, errTokenReused) {
		if rerr := s.Logout(ctx, db, raw); rerr != nil {
			log := s.Log
			if log == nil {
				log = slog.Default()
			}
			log.ErrorContext(ctx, "revoke session after refresh token reuse", "error", rerr)
		}
		return Session{}, ErrBadRefreshToken
	}
	return out, err
}

// rotate is Refresh in tx, which it leaves acting as the token's user.
func (s Sessions) rotate(ctx context.Context, tx pgx.Tx, raw, orgPublicID string) (Session, error) {
	old, err := store.RefreshTokenByHash(ctx, tx, auth.HashRefreshToken(raw))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Session{}, ErrBadRefreshToken
	case err != nil:
		return Session{}, err
	case old.RevokedAt != nil && old.ReplacedBy != nil:
		return Session{}, errTokenReused
	case old.RevokedAt != nil, time.Now().After(old.ExpiresAt):
		return Session{}, ErrBadRefreshToken
	}
	u, err := store.UserByID(ctx, tx, old.UserID)
	if err != nil {
		return Session{}, err
	}
	if err := store.SetTenant(ctx, tx, store.Tenant{UserID: u.ID}); err != nil {
		return Session{}, err
	}
	org, err := organizationToRenew(ctx, tx, old, u.ID, orgPublicID)
	if err != nil {
		return Session{}, err
	}
	out, id, err := s.issue(ctx, tx, u, org, old.SessionID)
	if err != nil {
		return Session{}, err
	}
	if err := store.RotateRefreshToken(ctx, tx, old.ID, id); err != nil {
		return Session{}, err
	}
	return out, nil
}

// organizationToRenew is the organization a renewed session acts for: the requested one
// (ErrNotMember unless the user belongs to it), or the old token's while the user still
// belongs to it (else the token no longer works).
func organizationToRenew(ctx context.Context, tx pgx.Tx, old store.RefreshToken, userID uuid.UUID, requested string) (store.UserOrganization, error) {
	publicID := requested
	if publicID == "" {
		o, err := store.OrganizationByID(ctx, tx, old.OrgID)
		if errors.Is(err, store.ErrNotFound) {
			return store.UserOrganization{}, ErrBadRefreshToken
		}
		if err != nil {
			return store.UserOrganization{}, err
		}
		publicID = o.PublicID
	}
	org, err := store.OrganizationByPublicIDForUser(ctx, tx, publicID, userID)
	switch {
	case errors.Is(err, store.ErrNotFound) && requested != "":
		return org, ErrNotMember
	case errors.Is(err, store.ErrNotFound):
		return org, ErrBadRefreshToken
	}
	return org, err
}

// Switch moves the session a page's refresh token belongs to (raw) to another of the
// user's organizations, in place: the token is not rotated, so requests that carry it at the
// same moment all stay logged in, whichever acts for which organization. An unknown, expired
// or revoked token is ErrBadRefreshToken; an organization the user does not belong to,
// ErrNotMember.
func (s Sessions) Switch(ctx context.Context, db *store.DB, raw, orgPublicID string) error {
	return db.InTx(ctx, func(tx pgx.Tx) error {
		t, err := store.RefreshTokenByHash(ctx, tx, auth.HashRefreshToken(raw))
		switch {
		case errors.Is(err, store.ErrNotFound):
			return ErrBadRefreshToken
		case err != nil:
			return err
		case t.RevokedAt != nil, time.Now().After(t.ExpiresAt):
			return ErrBadRefreshToken
		}
		if err := store.SetTenant(ctx, tx, store.Tenant{UserID: t.UserID}); err != nil {
			return err
		}
		org, err := store.OrganizationByPublicIDForUser(ctx, tx, orgPublicID, t.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotMember
		}
		if err != nil {
			return err
		}
		return store.MoveRefreshToken(ctx, tx, t.ID, org.OrgID)
	})
}

// Logout ends the session a refresh token belongs to: every token of the session, refresh
// and access, stops working. An unknown token is store.ErrNotFound.
func (s Sessions) Logout(ctx context.Context, db *store.DB, raw string) error {
	return db.InTx(ctx, func(tx pgx.Tx) error {
		t, err := store.RefreshTokenByHash(ctx, tx, auth.HashRefreshToken(raw))
		if err != nil {
			return err
		}
		return store.RevokeSession(ctx, tx, t.SessionID)
	})
}

// issue stores a new refresh token of session sid for u acting for org, in q, and signs an
// access token for the same session. It returns the refresh token's ID too.
func (s Sessions) issue(ctx context.Context, q store.Querier, u store.User, org store.UserOrganization, sid uuid.UUID) (Session, uuid.UUID, error) {
	raw, hash, err := auth.NewRefreshToken()
	if err != nil {
		return Session{}, uuid.Nil, fmt.Errorf("new refresh token: %w", err)
	}
	rt := store.RefreshToken{ID: uuid.New(), SessionID: sid, UserID: u.ID, OrgID: org.OrgID, Hash: hash,
		ExpiresAt: time.Now().Add(s.RefreshTTL).UTC().Truncate(time.Second)}
	if err := store.InsertRefreshToken(ctx, q, rt); err != nil {
		return Session{}, uuid.Nil, err
	}
	access, exp, err := s.Issuer.Issue(auth.Claims{UserID: u.PublicID, OrgID: org.PublicID, SessionID: sid.String()})
	if err != nil {
		return Session{}, uuid.Nil, fmt.Errorf("issue access token: %w", err)
	}
	return Session{AccessToken: access, AccessExpiresAt: exp, RefreshToken: raw, RefreshExpiresAt: rt.ExpiresAt,
		UserPublicID: u.PublicID, OrgPublicID: org.PublicID}, rt.ID, nil
}
