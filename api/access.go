package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/obs"
	"github.com/reptidex/reptidex/store"
)

// access is the caller as authorized for one organization.
type access = store.Access

// withAccess runs fn in one transaction acting for the caller in the organization with the
// given public ID (the token's organization when empty). An organization the caller does
// not belong to is a 404, exactly like one that does not exist.
func (s *Server) withAccess(r *http.Request, orgPublicID string, fn func(pgx.Tx, access) error) error {
	ctx := r.Context()
	c := claimsFrom(ctx)
	if orgPublicID == "" {
		orgPublicID = c.OrgID
	}
	sid, err := uuid.Parse(c.SessionID)
	if err != nil {
		return newProblem(kindUnauthenticated, "The access token is invalid or expired.")
	}
	return pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		a, err := store.Authorize(ctx, tx, c.UserID, orgPublicID, sid)
		if err := accessProblem(err, orgPublicID == c.OrgID); err != nil {
			return err
		}
		obs.AddLogAttrs(ctx, slog.String("org_id", a.OrgPublicID))
		return fn(tx, a)
	})
}

// accessProblem turns an authorization failure into its answer. Losing access to the token's
// own organization ends the session (401); any other organization the caller does not
// belong to is a 404, exactly like one that does not exist.
func accessProblem(err error, tokenOrg bool) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrSessionRevoked):
		return newProblem(kindUnauthenticated, "The session has ended; log in again.")
	case errors.Is(err, store.ErrNotFound) && tokenOrg:
		return newProblem(kindUnauthenticated, "You are no longer a member of this organization; log in again.")
	case errors.Is(err, store.ErrNotFound):
		return notFound("organization")
	}
	return err
}

// withKeeper is withAccess in the caller's own organization for a change to the record:
// viewers are refused.
func (s *Server) withKeeper(r *http.Request, fn func(pgx.Tx, access) error) error {
	return s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		if !a.Role.AtLeast(membership.Keeper) {
			return newProblem(kindForbidden, "Viewers cannot change the record; ask an owner or admin for the keeper role.")
		}
		return fn(tx, a)
	})
}

// requirePlatformAdmin admits a platform administrator whose session is still live,
// returning their user ID, and answers anyone else: 401 when the token's session has ended
// (logged out, revoked, expired), as for every other endpoint; 403 with refusal when the
// caller is not an administrator. Every action on shared reference data starts with it.
func (s *Server) requirePlatformAdmin(r *http.Request, refusal string) (uuid.UUID, error) {
	ctx := r.Context()
	c := claimsFrom(ctx)
	sid, err := uuid.Parse(c.SessionID)
	if err != nil {
		return uuid.Nil, newProblem(kindUnauthenticated, "The access token is invalid or expired.")
	}
	caller, err := store.Authenticate(ctx, s.db.Pool, c.UserID, sid)
	switch {
	case errors.Is(err, store.ErrSessionRevoked):
		return uuid.Nil, newProblem(kindUnauthenticated, "The session has ended; log in again.")
	case errors.Is(err, store.ErrNotFound):
		return uuid.Nil, newProblem(kindUnauthenticated, "The account no longer exists; log in again.")
	case err != nil:
		return uuid.Nil, err
	case !caller.PlatformAdmin:
		return uuid.Nil, newProblem(kindForbidden, refusal)
	}
	return caller.UserID, nil
}

// inPath loads the caller's organization's object named by a path parameter; any other is a
// 404 naming what was asked for, exactly like one that does not exist.
func inPath[T, Q any](r *http.Request, q Q, param, what string, load func(context.Context, Q, string) (T, error)) (T, error) {
	v, err := load(r.Context(), q, chi.URLParam(r, param))
	if errors.Is(err, store.ErrNotFound) {
		return v, notFound(what)
	}
	return v, err
}
