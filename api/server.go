// Package api is the HTTP API of ReptiDex: a chi router that validates, authorizes and
// records intent, then hands long processes to Temporal workflows.
package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/health"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
)

// Deps is what the API needs from the process that runs it.
type Deps struct {
	Config   config.Config
	DB       *store.DB
	Keys     *auth.KeySet
	Tokens   *auth.Issuer
	River    *river.Client[pgx.Tx] // insert-only: jobs enqueued in the request's transaction
	Temporal client.Client         // starts workflows and sends them updates
	Health   []health.Check
	Registry *prometheus.Registry
	Logger   *slog.Logger
	// Pedigree is the pedigree graph in memory; nil reads every pedigree from the database.
	Pedigree *pedigree.Graph
}

// Server holds the API's dependencies; its methods are the handlers.
type Server struct {
	cfg         config.Config
	db          *store.DB
	keys        *auth.KeySet
	tokens      *auth.Issuer
	river       *river.Client[pgx.Tx]
	temporal    client.Client
	healthCache *healthCache
	reg         *prometheus.Registry
	log         *slog.Logger
	limiter     *ipLimiter
	limits      *limiters
	species     *catalogues
	verified    *verifiedTokens
	pedigree    *pedigree.Graph
	notifier    *notify.Notifier
	links       notify.Links
	router      chi.Router
	done        chan struct{} // closed when the work New started in the background ends
}

// newServer wires the handlers. Its Handler is the whole API.
func newServer(d Deps) *Server {
	s := &Server{
		cfg:         d.Config,
		db:          d.DB,
		keys:        d.Keys,
		tokens:      d.Tokens,
		river:       d.River,
		temporal:    d.Temporal,
		healthCache: &healthCache{checks: d.Health, ttl: d.Config.HTTP.HealthCacheTTL},
		reg:         d.Registry,
		log:         d.Logger,
		limiter:     newIPLimiter(d.Config.Auth.RatePerMinute, d.Config.Auth.RateBurst),
		limits:      newLimiters(d.Config.Auth, d.Config.Limits),
		species:     &catalogues{db: d.DB},
		verified:    newVerifiedTokens(50_000),
		pedigree:    d.Pedigree,
		notifier:    &notify.Notifier{River: d.River},
		links:       notify.LinksFrom(d.Config),
	}
	s.healthCache.onDown = func(name string, res health.Result) {
		s.log.Warn("dependency check failed", "check", name, "error", res.Err, "latency_ms", res.LatencyMS)
	}
	s.router = s.routes()
	return s
}

// Handler is the whole public API.
func (s *Server) Handler() http.Handler { return s.router }

// OpsHandler serves what only operators may see, on its own listener (HTTP.OpsAddr): the
// Prometheus metrics and the detailed deep health check.
func (s *Server) OpsHandler() http.Handler {
	r := chi.NewRouter()
	r.Use(requestID, noSniff, s.recoverer)
	r.Get("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}).ServeHTTP)
	r.Get("/health/deep", s.handle(s.opsHealthDeep))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, newProblem(kindNotFound, "No such endpoint."))
	})
	return r
}

// routes builds the router. Middleware order: request ID, security headers, real IP,
// metrics, access log, panic recovery, body limit; authentication is per route group.
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(requestID, noSniff, realIP(s.cfg.HTTP.TrustedProxies), newHTTPMetrics(s.reg).middleware,
		accessLog(s.log), s.recoverer, limitBody(s.cfg.HTTP.MaxBodyBytes))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, newProblem(kindNotFound, "No such endpoint."))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		var allowed []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if r.Match(chi.NewRouteContext(), m, req.URL.Path) {
				allowed = append(allowed, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeProblem(w, req, newProblem(kindMethod, req.Method+" is not allowed here."))
	})

	// What anyone may post without an account is a few short fields: its bodies are capped
	// far below the general limit, so none is worth scanning at length.
	anonymousBody := limitBody(maxAnonymousBody)

	r.Get("/docs", s.handle(s.docs))
	r.Get("/unsubscribe", s.handle(s.unsubscribePrompt))
	r.With(anonymousBody).Post("/unsubscribe", s.handle(s.unsubscribe))

	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/health", s.handle(s.health))
		r.Get("/health/deep", s.handle(s.healthDeep))
		r.Get("/openapi.json", s.handle(s.openAPI))
		r.Get("/auth/jwks.json", s.handle(s.jwks))
		r.With(s.limits.search.middleware).Get("/search", s.handle(s.searchPublic))
		r.Get("/taxonomy/species", s.handle(s.listSpecies))
		r.Get("/taxonomy/species/{species}", s.handle(s.getSpecies))

		r.Group(func(r chi.Router) {
			r.Use(s.limiter.middleware, anonymousBody)
			r.Post("/auth/register", s.handle(s.register))
			r.Post("/auth/login", s.handle(s.login))
			r.Post("/auth/refresh", s.handle(s.refresh))
		})
		r.With(anonymousBody).Post("/auth/logout", s.handle(s.logout))
		r.Get("/auth/verify-email", s.handle(s.verifyEmailPage))
		r.With(anonymousBody).Post("/auth/verify-email", s.handle(s.verifyEmail))
		r.Get("/invitations/accept", s.handle(s.invitationPage))

		r.Group(func(r chi.Router) {
			r.Use(s.authenticate)
			r.Get("/me", s.handle(s.me))
			r.Get("/organizations/{orgID}/members", s.handle(s.listMembers))
			r.Post("/organizations/{orgID}/members", s.handle(s.addMember))
			r.Patch("/organizations/{orgID}/members/{userID}", s.handle(s.changeMember))
			r.Delete("/organizations/{orgID}/members/{userID}", s.handle(s.removeMember))
			r.Post("/me/verify-email", s.handle(s.resendVerification))
			r.Get("/organizations/{orgID}/invitations", s.handle(s.listInvitations))
			r.Post("/organizations/{orgID}/invitations", s.handle(s.createInvitation))
			r.Delete("/organizations/{orgID}/invitations/{invitationID}", s.handle(s.revokeInvitation))
			r.Post("/invitations/accept", s.handle(s.acceptInvitation))
			r.Get("/animals", s.handle(s.listAnimals))
			r.Get("/animals/search", s.handle(s.searchOwn))
			r.Post("/animals/{animalID}/replace", s.handle(s.replaceReference))
			r.Patch("/organizations/{orgID}", s.handle(s.updateOrganization))
			r.Put("/taxonomy/species/{species}", s.handle(s.replaceSpecies))
			r.Post("/animals", s.handle(s.createAnimal))
			r.Get("/animals/{animalID}", s.handle(s.getAnimal))
			r.Patch("/animals/{animalID}", s.handle(s.updateAnimal))
			r.Post("/animals/{animalID}/archive", s.handle(s.archiveAnimal))
			r.Get("/animals/{animalID}/inbreeding", s.handle(s.inbreeding))
			r.Post("/genetics/predict", s.handle(s.predict))
			r.Get("/breeding/pairs", s.handle(s.listPairings))
			r.Post("/breeding/pairs", s.handle(s.createPairing))
			r.Get("/breeding/pairs/{pairID}", s.handle(s.getPairing))
			r.Post("/breeding/pairs/{pairID}/clutches", s.handle(s.createClutch))
			r.Patch("/breeding/clutches/{clutchID}", s.handle(s.updateClutch))
			r.Post("/breeding/clutches/{clutchID}/hatchlings", s.handle(s.createHatchlings))
			r.Get("/lineage/{animalID}", s.handle(s.lineage))
			r.Get("/lineage/{animalID}/descendants", s.handle(s.descendants))
			r.Get("/notifications", s.handle(s.listNotifications))
			r.Get("/notifications/unread-count", s.handle(s.unreadNotifications))
			r.Post("/notifications/read-all", s.handle(s.readAllNotifications))
			r.Post("/notifications/send", s.handle(s.sendMessage))
			r.Get("/notifications/{notificationID}", s.handle(s.getNotification))
			r.Post("/notifications/{notificationID}/read", s.handle(s.readNotification))
			r.Get("/me/notification-preferences", s.handle(s.listPreferences))
			r.Put("/me/notification-preferences/{type}", s.handle(s.setPreference))
			r.Put("/me/phone", s.handle(s.setPhone))
			r.Post("/me/phone/verify", s.handle(s.verifyPhone))
			r.Delete("/me/phone", s.handle(s.deletePhone))
			r.Get("/transfers", s.handle(s.listTransfers))
			r.Post("/transfers", s.handle(s.createTransfer))
			r.Get("/transfers/{transferID}", s.handle(s.getTransfer))
			r.Post("/transfers/{transferID}/accept", s.handleWaiting(s.acceptTransfer))
			r.Post("/transfers/{transferID}/decline", s.handleWaiting(s.declineTransfer))
			r.Post("/transfers/{transferID}/cancel", s.handleWaiting(s.cancelTransfer))
			r.Get("/animals/{animalID}/ownership", s.handle(s.animalOwnership))
		})
	})
	return r
}

// Routes lists every method and pattern the router serves, for documentation checks.
func (s *Server) Routes() ([][2]string, error) {
	var out [][2]string
	err := chi.Walk(s.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, [2]string{method, route})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk routes: %w", err)
	}
	return out, nil
}
