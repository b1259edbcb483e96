// Package api is the HTTP API of ReptiDex: a chi router that validates, authorizes and
// records intent, then hands long processes to Temporal workflows.
package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/health"
	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/web"
)

// Deps is what the API needs from the process that runs it.
type Deps struct {
	Config   config.Config
	DB       *store.DB
	Keys     *auth.KeySet
	CertKeys *certs.Keyring // signs certificates; its public keys are published
	Tokens   *auth.Issuer
	River    *river.Client[pgx.Tx] // insert-only: jobs enqueued in the request's transaction
	Temporal client.Client         // starts workflows and sends them updates
	Payments *payments.Client      // Stripe
	Health   []health.Check
	Registry *prometheus.Registry
	Logger   *slog.Logger
	// Pedigree is the pedigree graph in memory; nil reads every pedigree from the database.
	Pedigree *pedigree.Graph
	// Media is the object storage photos are kept in.
	Media *media.Storage
}

// Server holds the API's dependencies; its methods are the handlers.
type Server struct {
	cfg         config.Config
	db          *store.DB
	keys        *auth.KeySet
	certKeys    *certs.Keyring
	tokens      *auth.Issuer
	river       *river.Client[pgx.Tx]
	temporal    client.Client
	payments    *payments.Client
	healthCache *healthCache
	reg         *prometheus.Registry
	log         *slog.Logger
	limiter     *ipLimiter
	limits      *limiters
	species     *catalogues
	verified    *verifiedTokens
	pedigree    *pedigree.Graph
	media       *media.Storage
	notifier    *notify.Notifier
	links       notify.Links
	stripeHooks stripehooks.Receiver
	pages       *web.Pages
	csrfKey     []byte // signs the pages' form tokens
	photoOrigin string // where the pages' presigned photos load from
	router      chi.Router
	done        chan struct{} // closed when the work New started in the background ends
}

// newServer wires the handlers. Its Handler is the whole API.
func newServer(d Deps) *Server {
	s := &Server{
		cfg:         d.Config,
		db:          d.DB,
		keys:        d.Keys,
		certKeys:    d.CertKeys,
		tokens:      d.Tokens,
		river:       d.River,
		temporal:    d.Temporal,
		payments:    d.Payments,
		healthCache: &healthCache{checks: d.Health, ttl: d.Config.HTTP.HealthCacheTTL},
		reg:         d.Registry,
		log:         d.Logger,
		limiter:     newIPLimiter(d.Config.Auth.RatePerMinute, d.Config.Auth.RateBurst),
		limits:      newLimiters(d.Config.Auth, d.Config.Limits),
		species:     &catalogues{db: d.DB},
		verified:    newVerifiedTokens(50_000),
		pedigree:    d.Pedigree,
		media:       d.Media,
		notifier:    &notify.Notifier{River: d.River},
		links:       notify.LinksFrom(d.Config),
		pages:       web.Load(),
		csrfKey:     derivedKey(d.Config.Notify.LinkSecret, "page forms"),
		photoOrigin: storageOrigin(d.Config.S3),
		stripeHooks: stripehooks.Receiver{DB: d.DB, Secret: d.Config.Stripe.WebhookSecret, Handlers: stripehooks.Handlers(d.Payments, d.Temporal, d.River, billing.Sync{
			Stripe: d.Payments, Notifier: &notify.Notifier{River: d.River}, Dunning: billing.TemporalDunning{Client: d.Temporal, TaskQueue: d.Config.Temporal.TaskQueue},
			Schedule: billing.ScheduleOf(d.Config.Billing)})},
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

// derivedKey is a key for one purpose, derived from a configured secret.
func derivedKey(secret, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("reptidex " + purpose))
	return m.Sum(nil)
}

// storageOrigin is the origin presigned object URLs point at: the configured endpoint's, or
// Amazon S3's.
func storageOrigin(c config.S3) string {
	if u, err := url.Parse(c.Endpoint); err == nil && u.Scheme != "" && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	return "https://*.amazonaws.com"
}
