package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/obs"
	"github.com/reptidex/reptidex/store"
)

type claimsKey struct{}

// authenticate requires a valid bearer access token and puts its claims in the context.
// Membership and session liveness are checked later, inside the request's transaction.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="reptidex"`)
			writeProblem(w, r, newProblem(kindUnauthenticated, "Send an access token as 'Authorization: Bearer <token>'."))
			return
		}
		claims, err := s.verified.verify(s.tokens, strings.TrimSpace(token))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="reptidex", error="invalid_token"`)
			writeProblem(w, r, newProblem(kindUnauthenticated, "The access token is invalid or expired."))
			return
		}
		ctx := context.WithValue(r.Context(), claimsKey{}, claims)
		obs.AddLogAttrs(ctx, slog.String("user_id", claims.UserID), slog.String("org_id", claims.OrgID))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func claimsFrom(ctx context.Context) auth.Claims {
	c, _ := ctx.Value(claimsKey{}).(auth.Claims)
	return c
}

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

// requirePlatformAdmin admits a platform administrator whose session is still live, and
// answers anyone else: 401 when the token's session has ended (logged out, revoked,
// expired), as for every other endpoint; 403 with refusal when the caller is not an
// administrator. Every action on shared reference data starts with it.
func (s *Server) requirePlatformAdmin(r *http.Request, refusal string) error {
	ctx := r.Context()
	c := claimsFrom(ctx)
	sid, err := uuid.Parse(c.SessionID)
	if err != nil {
		return newProblem(kindUnauthenticated, "The access token is invalid or expired.")
	}
	admin, err := store.IsPlatformAdmin(ctx, s.db.Pool, c.UserID, sid)
	switch {
	case errors.Is(err, store.ErrSessionRevoked):
		return newProblem(kindUnauthenticated, "The session has ended; log in again.")
	case errors.Is(err, store.ErrNotFound):
		return newProblem(kindUnauthenticated, "The account no longer exists; log in again.")
	case err != nil:
		return err
	case !admin:
		return newProblem(kindForbidden, refusal)
	}
	return nil
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
