package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/reptidex/reptidex/api"
	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/migrations"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/obs"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/taxonomy"
	"github.com/reptidex/reptidex/worker"
)

// app builds the pieces each command runs, from one configuration.
type app struct {
	cfg config.Config
	log *slog.Logger
}

// migrate applies the migrations and seeds the shipped species catalogues that are missing.
func (a *app) migrate(ctx context.Context) error {
	if err := migrations.Apply(ctx, a.cfg.Database.AdminURL, migrations.Options{AppRole: a.cfg.Database.AppRole()}, a.log); err != nil {
		return err
	}
	species, err := taxonomy.Builtin()
	if err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, a.cfg.Database.AdminURL)
	if err != nil {
		return fmt.Errorf("connect as migrator: %w", err)
	}
	defer pool.Close()
	for _, sp := range species {
		wrote, err := store.SeedSpecies(ctx, pool, sp)
		if err != nil {
			return err
		}
		if wrote {
			a.log.Info("seeded species catalogue", "species", sp.Key, "genes", len(sp.Genes))
		}
	}
	return nil
}

func (a *app) openDB(ctx context.Context, reg prometheus.Registerer) (*store.DB, error) {
	db, err := store.Open(ctx, a.cfg.Database.URL, a.cfg.Database.MaxConns)
	if err != nil {
		return nil, err
	}
	if reg != nil {
		if err := reg.Register(obs.NewPoolCollector(db.Pool)); err != nil {
			db.Close()
			return nil, fmt.Errorf("register pool metrics: %w", err)
		}
	}
	return db, nil
}

// temporalClient connects lazily, so a process starts even while Temporal is down and
// reports it on /health/deep instead.
func (a *app) temporalClient(reg prometheus.Registerer) (client.Client, error) {
	c, err := client.NewLazyClient(client.Options{
		HostPort:       a.cfg.Temporal.Address,
		Namespace:      a.cfg.Temporal.Namespace,
		Logger:         tlog.NewStructuredLogger(a.log.With("component", "temporal")),
		MetricsHandler: obs.NewTemporalMetrics(reg),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal client: %w", err)
	}
	return c, nil
}

// keys loads the token signing keys; outside production a missing key is generated once.
func (a *app) keys() (*auth.KeySet, error) {
	if a.cfg.Auth.DevGenerateKeys {
		created, err := auth.EnsureDevSigningKey(a.cfg.Auth.SigningKeyFile)
		if err != nil {
			return nil, err
		}
		if created {
			a.log.Info("generated a development signing key", "path", a.cfg.Auth.SigningKeyFile)
		}
	}
	return auth.LoadKeySet(a.cfg.Auth.SigningKeyFile, a.cfg.Auth.VerifyKeyFiles)
}

// certKeys loads the certificate signing keys; outside production a missing key is generated
// once. Production has no default key file: it must be configured.
func (a *app) certKeys() (*certs.Keyring, error) {
	if a.cfg.Certs.SigningKeyFile == "" {
		return nil, errors.New("CERT_SIGNING_KEY_FILE: must be set in production")
	}
	if a.cfg.Certs.DevGenerateKey {
		created, err := certs.EnsureDevSigningKey(a.cfg.Certs.SigningKeyFile)
		if err != nil {
			return nil, err
		}
		if created {
			a.log.Info("generated a development certificate signing key", "path", a.cfg.Certs.SigningKeyFile)
		}
	}
	return certs.LoadKeyring(a.cfg.Certs.SigningKeyFile, a.cfg.Certs.VerifyKeyFiles)
}

// apiServer builds the API on the opened connections; it follows the pedigree graph it
// keeps in memory until ctx ends.
func (a *app) apiServer(ctx context.Context, d *deps) (*api.Server, error) {
	keys, err := a.keys()
	if err != nil {
		return nil, err
	}
	return api.New(ctx, a.cfg, api.Conns{DB: d.db, Temporal: d.tc, Registry: d.reg, Logger: a.log, Keys: keys,
		CertKeys: d.certKeys, S3: d.s3})
}

// serveHTTP serves h on addr until ctx ends, then shuts down gracefully.
func (a *app) serveHTTP(ctx context.Context, name, addr string, h http.Handler) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       a.cfg.HTTP.ReadTimeout,
		WriteTimeout:      a.cfg.HTTP.WriteTimeout,
		IdleTimeout:       a.cfg.HTTP.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.log.Info("listening", "server", name, "addr", addr)
	select {
	case err := <-errc:
		return fmt.Errorf("%s server: %w", name, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.HTTP.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("%s server shutdown: %w", name, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// deps are what every long-running command opens once and shares between the API and the
// worker it runs: the connections, the object storage client and the certificate keys, with
// their metrics registry.
type deps struct {
	reg      *prometheus.Registry
	db       *store.DB
	tc       client.Client
	s3       *s3.Client
	certKeys *certs.Keyring
}

// connect loads the certificate keys, opens the database pool and the Temporal client,
// registering their metrics, and builds the object storage client.
func (a *app) connect(ctx context.Context) (*deps, error) {
	certKeys, err := a.certKeys()
	if err != nil {
		return nil, err
	}
	reg := obs.NewRegistry()
	db, err := a.openDB(ctx, reg)
	if err != nil {
		return nil, err
	}
	tc, err := a.temporalClient(reg)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &deps{reg: reg, db: db, tc: tc, s3: objstore.New(a.cfg.S3), certKeys: certKeys}, nil
}

func (d *deps) close() {
	d.tc.Close()
	d.db.Close()
}

// startWorker starts the Temporal worker and River; the returned stop drains them. River's
// client outlives ctx until stop has drained the jobs in hand.
func (a *app) startWorker(ctx context.Context, d *deps) (stop func() error, err error) {
	w, err := worker.New(worker.Deps{Config: a.cfg, DB: d.db, Temporal: d.tc, Mail: mailer.New(a.cfg.SMTP), CertKeys: d.certKeys,
		S3: d.s3, Registry: d.reg, Logger: a.log})
	if err != nil {
		return nil, err
	}
	if err := w.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return func() error {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return w.Stop(sctx)
	}, nil
}

func (a *app) runAPI(ctx context.Context) error {
	d, err := a.connect(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	srv, err := a.apiServer(ctx, d)
	if err != nil {
		return err
	}
	return a.serveAPI(ctx, srv)
}

// serveAPI serves the public API on HTTP.Addr and its operations endpoints (metrics, the
// detailed health check) on HTTP.OpsAddr until ctx ends; either failing stops both.
func (a *app) serveAPI(ctx context.Context, srv *api.Server) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opsErr := make(chan error, 1)
	go func() {
		opsErr <- a.serveHTTP(ctx, "ops", a.cfg.HTTP.OpsAddr, srv.OpsHandler())
		cancel()
	}()
	err := a.serveHTTP(ctx, "api", a.cfg.HTTP.Addr, srv.Handler())
	cancel()
	return errors.Join(err, <-opsErr)
}

func (a *app) runWorker(ctx context.Context) error {
	d, err := a.connect(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	stop, err := a.startWorker(ctx, d)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(d.reg, promhttp.HandlerOpts{Registry: d.reg}))
	serveErr := a.serveHTTP(ctx, "worker-metrics", a.cfg.HTTP.MetricsAddr, mux)
	return errors.Join(serveErr, stop())
}
