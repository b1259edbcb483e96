package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/obs"
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

// authenticateIfSent is authenticate for a public operation that shows a member more: a
// request without an Authorization header passes anonymously, one with a token must be
// valid.
func (s *Server) authenticateIfSent(next http.Handler) http.Handler {
	authenticated := s.authenticate(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			next.ServeHTTP(w, r)
			return
		}
		authenticated.ServeHTTP(w, r)
	})
}

func claimsFrom(ctx context.Context) auth.Claims {
	c, _ := ctx.Value(claimsKey{}).(auth.Claims)
	return c
}
