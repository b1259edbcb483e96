// Package payments is the one way ReptiDex talks to Stripe (stripe-go v76, API version
// 2023-10-16): a Client built from config.Stripe whose every call carries an idempotency key
// derived from the business object and the step (key.go), retries what is safe to retry a
// bounded number of times, and says which failures are Stripe being unavailable
// (ErrUnavailable) rather than refusing the request. In development and tests it talks to
// stripe-mock at config.Stripe.APIBase.
package payments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/reptidex/reptidex/config"
)

const (
	// DefaultMaxNetworkRetries is how many times a call is retried with the same key after a
	// network error, a timeout, a 409, a 503 or a lock timeout (stripe-go's rules; a POST
	// answered 500 is not retried: Stripe's idempotency layer would replay the same 500).
	// Between attempts stripe-go waits 0.5 s growing to at most 5 s, with jitter.
	DefaultMaxNetworkRetries = 2
	// DefaultAttemptTimeout bounds one attempt; a caller's context bounds the call as a whole.
	DefaultAttemptTimeout = 20 * time.Second
)

// Errors a call is classified into, besides Stripe's own refusals (*stripe.Error).
var (
	// ErrNoIdempotencyKey is a call made without a key (the zero Key); nothing is sent.
	ErrNoIdempotencyKey = errors.New("stripe call without an idempotency key")
	// ErrUnavailable wraps a failure of Stripe rather than of the request, after the
	// retries: Stripe unreachable or timing out, answering 5xx or rate limiting. A later
	// retry with the same key may succeed.
	ErrUnavailable = errors.New("stripe unavailable")
)

// Client calls Stripe. It is safe for concurrent use.
type Client struct {
	api *client.API
}

// Option adjusts a Client.
type Option func(*options)

type options struct {
	httpClient *http.Client
	retries    int64
	logger     *slog.Logger
}

// WithHTTPClient sends the calls through c (its Timeout bounds each attempt).
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithMaxNetworkRetries retries a failed call at most n times.
func WithMaxNetworkRetries(n int) Option { return func(o *options) { o.retries = int64(n) } }

// WithLogger logs stripe-go's warnings and errors to l (by default nothing is logged: every
// failure is returned to the caller, who logs it).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// New builds a client for the Stripe API at cfg.APIBase with cfg.SecretKey.
func New(cfg config.Stripe, opts ...Option) (*Client, error) {
	o := options{httpClient: &http.Client{Timeout: DefaultAttemptTimeout}, retries: DefaultMaxNetworkRetries}
	for _, opt := range opts {
		opt(&o)
	}
	base, err := url.Parse(cfg.APIBase)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("stripe API base %q is not an http(s) URL", cfg.APIBase)
	}
	if cfg.SecretKey == "" {
		return nil, errors.New("stripe secret key is empty")
	}
	var logger stripe.LeveledLoggerInterface = &stripe.LeveledLogger{Level: stripe.LevelNull}
	if o.logger != nil {
		logger = slogAdapter{o.logger}
	}
	backend := &stripe.BackendConfig{
		HTTPClient:        o.httpClient,
		LeveledLogger:     logger,
		MaxNetworkRetries: stripe.Int64(o.retries),
		URL:               stripe.String(cfg.APIBase),
		EnableTelemetry:   stripe.Bool(false),
	}
	return &Client{api: client.New(cfg.SecretKey, stripe.NewBackendsWithConfig(backend))}, nil
}

// CreateAccount creates a connected account.
func (c *Client) CreateAccount(ctx context.Context, key Key, p *stripe.AccountParams) (*stripe.Account, error) {
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	a, err := c.api.Accounts.New(p)
	return a, classify(ctx, "create account", err)
}

// CreateAccountLink creates a link that takes a person through a connected account's
// onboarding.
func (c *Client) CreateAccountLink(ctx context.Context, key Key, p *stripe.AccountLinkParams) (*stripe.AccountLink, error) {
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	l, err := c.api.AccountLinks.New(p)
	return l, classify(ctx, "create account link", err)
}

// RetrieveAccount reads a connected account as Stripe has it now. A read changes nothing,
// but it takes a key like every call, so that no call is written without one.
func (c *Client) RetrieveAccount(ctx context.Context, key Key, id string) (*stripe.Account, error) {
	p := &stripe.AccountParams{}
	if err := prepare(ctx, key, &p.Params); err != nil {
		return nil, err
	}
	a, err := c.api.Accounts.GetByID(id, p)
	return a, classify(ctx, "retrieve account", err)
}

// prepare gives a call's parameters its context and key, or refuses a call without a key.
func prepare(ctx context.Context, key Key, p *stripe.Params) error {
	if key.IsZero() {
		return ErrNoIdempotencyKey
	}
	p.Context = ctx
	p.SetIdempotencyKey(key.String())
	return nil
}

// classify wraps a failed call's error with what it did, and with ErrUnavailable when
// Stripe could not answer it (unreachable, timing out, 5xx, rate limited); a refusal of the
// request itself stays a *stripe.Error, and the end of the caller's context stays as it is.
// (An attempt that timed out also reads as context.DeadlineExceeded, hence ctx.Err.)
func classify(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	var se *stripe.Error
	switch {
	case errors.As(err, &se):
		if se.HTTPStatusCode >= http.StatusInternalServerError || se.HTTPStatusCode == http.StatusTooManyRequests {
			return fmt.Errorf("stripe: %s: %w: %w", what, ErrUnavailable, err)
		}
		return fmt.Errorf("stripe: %s: %w", what, err)
	case ctx.Err() != nil:
		return fmt.Errorf("stripe: %s: %w", what, err)
	}
	return fmt.Errorf("stripe: %s: %w: %w", what, ErrUnavailable, err)
}

// slogAdapter passes stripe-go's warnings and errors to slog; its debug and informational
// lines (each request) are dropped.
type slogAdapter struct{ log *slog.Logger }

func (a slogAdapter) Debugf(string, ...any) {}
func (a slogAdapter) Infof(string, ...any)  {}
func (a slogAdapter) Warnf(format string, v ...any) {
	a.log.Warn("stripe client", "detail", fmt.Sprintf(format, v...))
}
func (a slogAdapter) Errorf(format string, v ...any) {
	a.log.Warn("stripe client", "detail", fmt.Sprintf(format, v...))
}
