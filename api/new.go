package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/health"
	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/obs"
	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
)

// Conns are what the process running the API has opened for it: the connections, the
// metrics registry, the logger, the token signing keys and the certificate keys.
type Conns struct {
	DB       *store.DB
	Temporal client.Client
	Registry *prometheus.Registry
	Logger   *slog.Logger
	Keys     *auth.KeySet
	CertKeys *certs.Keyring
	// S3 is the object storage client of the photos, the certificates' links and the
	// health check; nil: one built from the configuration.
	S3 *s3.Client
}

// Option adjusts how New builds the API; the command uses none.
type Option func(*options)

type options struct {
	noPedigree bool
	pedigree   pedigree.Options
}

// WithPedigreeOptions follows the pedigree graph with o instead of the defaults.
func WithPedigreeOptions(o pedigree.Options) Option {
	return func(opts *options) { opts.pedigree = o }
}

// WithoutPedigree keeps no pedigree graph in memory: every pedigree is read from the database.
func WithoutPedigree() Option {
	return func(opts *options) { opts.noPedigree = true }
}

// New builds the API as every process runs it, from its configuration and the connections
// the process opened: the River insert client, the token issuer, the dependency checks and
// the metrics. It follows the pedigree graph in memory until ctx ends; Wait waits for that.
func New(ctx context.Context, cfg config.Config, c Conns, opts ...Option) (*Server, error) {
	if c.CertKeys == nil {
		return nil, errors.New("api: no certificate keys")
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	rc, err := river.NewClient(riverpgxv5.New(c.DB.Pool), &river.Config{Logger: c.Logger.With("component", "river")})
	if err != nil {
		return nil, fmt.Errorf("river insert client: %w", err)
	}
	if err := c.Registry.Register(obs.NewRiverQueueCollector(c.DB.Pool)); err != nil {
		return nil, fmt.Errorf("register river metrics: %w", err)
	}
	stripe, err := payments.New(cfg.Stripe, payments.WithLogger(c.Logger.With("component", "stripe")))
	if err != nil {
		return nil, fmt.Errorf("stripe client: %w", err)
	}
	objects := c.S3
	if objects == nil {
		objects = objstore.New(cfg.S3)
	}
	d := Deps{
		Config:   cfg,
		DB:       c.DB,
		Keys:     c.Keys,
		CertKeys: c.CertKeys,
		Tokens:   auth.NewIssuer(c.Keys, cfg.Auth.Issuer, cfg.Auth.Audience, cfg.Auth.AccessTTL),
		River:    rc,
		Temporal: c.Temporal,
		Payments: stripe,
		Health:   health.All(cfg, c.DB.Pool, c.Temporal, objects),
		Registry: c.Registry,
		Logger:   c.Logger,
		Media:    media.NewStorage(objects, cfg.S3.Bucket),
	}
	done := make(chan struct{})
	if o.noPedigree {
		close(done)
	} else {
		graph := pedigree.New(c.DB.Pool, c.Logger.With("component", "pedigree"), o.pedigree)
		if err := c.Registry.Register(graph.Collector()); err != nil {
			return nil, fmt.Errorf("register pedigree metrics: %w", err)
		}
		go func() {
			defer close(done)
			graph.Run(ctx)
		}()
		d.Pedigree = graph
	}
	s := newServer(d)
	s.done = done
	return s, nil
}

// Pedigree is the pedigree graph the server follows, nil when it reads every pedigree from
// the database.
func (s *Server) Pedigree() *pedigree.Graph { return s.pedigree }

// Tokens is the issuer of the server's access tokens.
func (s *Server) Tokens() *auth.Issuer { return s.tokens }

// Wait returns once the background work New started has ended, after New's context ends.
func (s *Server) Wait() {
	if s.done != nil {
		<-s.done
	}
}
