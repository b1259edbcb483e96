// Package config reads the process configuration once, from the environment, into a typed
// struct whose defaults run the local development stack.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything a ReptiDex process can be told through its environment.
type Config struct {
	Env       string // development, test or production
	LogLevel  string
	LogFormat string // json or text
	DataDir   string // development state (.devdata): tool databases, generated keys, mail

	HTTP     HTTP
	Database Database
	Temporal Temporal
	River    River
	Auth     Auth
	Certs    Certs
	Stripe   Stripe
	S3       S3
	SMTP     SMTP
	SMS      SMS
	Notify   Notify
	Limits   Limits
	Sales    Sales
	Billing  Billing
	Dev      Dev
}

// Billing holds the terms of subscription billing: the dunning schedule after a failed
// renewal (workflows/dunning).
type Billing struct {
	// Reminders are how long after the first failure owners are reminded.
	Reminders []time.Duration
	// Grace is how long after the first failure the organization keeps its plan unpaid,
	// matching Stripe's retries; then it moves to Free.
	Grace time.Duration
}

// Sales holds the platform's terms of a sale (workflows/sale).
type Sales struct {
	// FeeBasisPoints is the platform's fee, in hundredths of a percent of the price.
	FeeBasisPoints int
	// PaymentWindow is how long a buyer has to authorize the card; the listing stays
	// reserved for them that long.
	PaymentWindow time.Duration
	// AuthorizationWindow bounds the wait for shipping from the card's authorization: an
	// online card authorization lapses after about seven days, so the sale captures or
	// releases before then.
	AuthorizationWindow time.Duration
	// DeliveryWait is how long after shipping the animal is taken to have arrived when
	// neither side says so.
	DeliveryWait time.Duration
	// DecisionWindow is how long a reported problem waits for a platform admin before the
	// buyer is refunded in full; AdminReminderEvery how often the admins are reminded.
	DecisionWindow     time.Duration
	AdminReminderEvery time.Duration
}

// HTTP configures the API server.
type HTTP struct {
	Addr            string
	PublicBaseURL   string
	MaxBodyBytes    int64
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration
	TrustedProxies  []netip.Prefix
	MetricsAddr     string // the worker's /metrics listener
	// OpsAddr is the API's operations listener: /metrics and the detailed /health/deep, for
	// operators only; the public API serves neither.
	OpsAddr string
	// HealthCacheTTL is how long dependency checks are reused, so /health/deep cannot be
	// used to load the dependencies.
	HealthCacheTTL time.Duration
	// RequestTimeout is every request's deadline: past it, or when a dependency is
	// unavailable, the answer is 503 with Retry-After.
	RequestTimeout time.Duration
	// WorkflowRequestTimeout is the deadline of the requests that wait for a running workflow
	// to answer (accepting, declining or cancelling a transfer): it covers the wait for the
	// update (up to 20 s) and the reads around it, and stays below WriteTimeout so that the
	// 503 still reaches the caller.
	WorkflowRequestTimeout time.Duration
}

// Database configures Postgres access.
type Database struct {
	URL      string // the application role: neither owner nor superuser, subject to RLS
	AdminURL string // the owner role, used only by migrate
	MaxConns int32
}

// Temporal configures the workflow engine client.
type Temporal struct {
	Address   string
	Namespace string
	TaskQueue string
	UIPort    int
	Pollers   int
}

// River configures background jobs.
type River struct {
	MaxWorkers    int
	FetchCooldown time.Duration
	// JobTimeout cancels a job's context after that long.
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken for stuck and tried
	// again: the job of a worker that crashed is held that long (a sale's start among them,
	// while the buyer's payment window runs), so it is a little more than JobTimeout.
	RescueAfter time.Duration
}

// Auth configures tokens and the rate limits of the credential endpoints: per client
// address, and per account for failed logins.
type Auth struct {
	SigningKeyFile string
	VerifyKeyFiles []string
	Issuer         string
	Audience       string
	AccessTTL      time.Duration
	RefreshTTL     time.Duration
	RatePerMinute  int
	RateBurst      int
	// FailuresPerHour and FailureBurst throttle failed logins to one account from one client
	// network (an IPv4 /24, an IPv6 /64): Burst failures in a row, then one more each
	// 1/PerHour of an hour.
	FailuresPerHour int
	FailureBurst    int
	// FailuresAnywherePerHour and FailureAnywhereBurst throttle failed logins to one account
	// from every network together: looser, so that failures from elsewhere do not easily
	// lock the owner out, yet a bound on guessing from many networks.
	FailuresAnywherePerHour int
	FailureAnywhereBurst    int
	DevGenerateKeys         bool
}

// Stripe configures the payments client.
type Stripe struct {
	APIBase       string
	SecretKey     string
	WebhookSecret string
}

// S3 configures object storage.
type S3 struct {
	Endpoint       string
	Region         string
	Bucket         string
	AccessKey      string
	SecretKey      string
	ForcePathStyle bool
}

// SMTP configures outgoing mail.
type SMTP struct {
	Addr     string
	From     string
	Username string
	Password string
}

// SMS configures outgoing text messages: a Twilio-compatible HTTP API, which in development
// and tests is the mail sink's imitation of it.
type SMS struct {
	ProviderURL string // base URL; the API lives under /2010-04-01/Accounts/{AccountSID}
	AccountSID  string
	AuthToken   string
	From        string // E.164 sender number
}

// Certs configures the keys pedigree certificates are signed with (package certs).
type Certs struct {
	// SigningKeyFile is the Ed25519 private key (PKCS#8 PEM) new certificates are signed
	// with. Outside production it defaults to a file in the data directory; in production it
	// has no default and the API refuses to start without it.
	SigningKeyFile string
	// VerifyKeyFiles are older public keys (PKIX PEM), published and accepted so that
	// certificates signed before a key rotation stay verifiable.
	VerifyKeyFiles []string
	// DevGenerateKey generates the signing key once when its file is missing.
	DevGenerateKey bool
}

// Notify configures notifications: link signing, escalation delays and delivery retries.
// How many organization messages may be sent is in Limits.Messages.
type Notify struct {
	LinkSecret      string        // signs unsubscribe links
	EmailAfter      time.Duration // escalation: in-app to email, if unread and unactioned
	SMSAfter        time.Duration // escalation: email to SMS, for types that allow it
	RetryBase       time.Duration // first retry of a failed email or SMS; doubles after
	VerificationTTL time.Duration // email verification links
	InvitationTTL   time.Duration
	PhoneCodeTTL    time.Duration
}

// Limits bounds what one sender can make the platform send, and anonymous search.
type Limits struct {
	Invitations SendLimit
	Offers      SendLimit // its recipient limits count offers to an email address
	Messages    SendLimit // organization messages; their recipients are members, so no PerRecipient
	// OffersPerRecipientOrg and OffersPerRecipientOrgAll bound the offers one organization
	// receives in an hour: from one sending organization, and from all of them together.
	OffersPerRecipientOrg    int
	OffersPerRecipientOrgAll int
	// SearchPerMinute and SearchBurst throttle the public search per client address.
	SearchPerMinute int
	SearchBurst     int
}

// SendLimit is how many of one kind of message may be sent in an hour: by one organization,
// by one account across all its organizations, to one recipient address from one
// organization, and to one recipient address from all organizations together. The tight
// per-recipient limit is the sending organization's own, so that no organization can use up
// another's; the looser one across organizations stops many organizations mail-bombing one
// person.
type SendLimit struct {
	PerOrganization int
	PerAccount      int
	PerRecipient    int
	PerRecipientAll int
}

// devLinkSecret signs links outside production, where NOTIFY_LINK_SECRET must be set.
const devLinkSecret = "reptidex-development-link-secret"

// Dev configures the local components that `reptidex dev` and `reptidex stack` start.
type Dev struct {
	BinDir           string
	StripeMockPort   int
	S3Port           int
	MailHTTPAddr     string
	TemporalDBFile   string // empty keeps Temporal state in memory
	TemporalHeadless bool
}

// Load reads the configuration from the environment.
func Load() (Config, error) {
	return load(os.Getenv)
}

func load(getenv func(string) string) (Config, error) {
	e := reader{getenv: getenv}
	env := e.str("REPTIDEX_ENV", "development")
	dataDir := e.str("DEV_DATA_DIR", ".devdata")
	mailHTTPAddr := e.str("DEV_MAIL_HTTP_ADDR", "127.0.0.1:8025")
	c := Config{
		Env:       env,
		LogLevel:  e.str("LOG_LEVEL", "info"),
		LogFormat: e.str("LOG_FORMAT", "json"),
		DataDir:   dataDir,
		HTTP: HTTP{
			Addr:                   e.str("HTTP_ADDR", ":8080"),
			PublicBaseURL:          e.str("PUBLIC_BASE_URL", "http://localhost:8080"),
			MaxBodyBytes:           int64(e.int("HTTP_MAX_BODY_BYTES", 1<<20)),
			ReadTimeout:            e.dur("HTTP_READ_TIMEOUT", 15*time.Second),
			WriteTimeout:           e.dur("HTTP_WRITE_TIMEOUT", 30*time.Second),
			IdleTimeout:            e.dur("HTTP_IDLE_TIMEOUT", 120*time.Second),
			ShutdownTimeout:        e.dur("HTTP_SHUTDOWN_TIMEOUT", 20*time.Second),
			TrustedProxies:         e.prefixes("TRUSTED_PROXIES"),
			MetricsAddr:            e.str("WORKER_METRICS_ADDR", ":9091"),
			OpsAddr:                e.str("OPS_ADDR", "127.0.0.1:9090"),
			HealthCacheTTL:         e.dur("HEALTH_CACHE_TTL", 5*time.Second),
			RequestTimeout:         e.dur("HTTP_REQUEST_TIMEOUT", 10*time.Second),
			WorkflowRequestTimeout: e.dur("HTTP_WORKFLOW_REQUEST_TIMEOUT", 25*time.Second),
		},
		Database: Database{
			URL:      e.str("DATABASE_URL", "postgres://reptidex_app@127.0.0.1:5432/reptidex?sslmode=disable"),
			AdminURL: e.str("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/reptidex?sslmode=disable"),
			MaxConns: int32(e.int("DATABASE_MAX_CONNS", 12)),
		},
		Temporal: Temporal{
			Address:   e.str("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
			Namespace: e.str("TEMPORAL_NAMESPACE", "default"),
			TaskQueue: e.str("TEMPORAL_TASK_QUEUE", "reptidex"),
			UIPort:    e.int("TEMPORAL_UI_PORT", 8233),
			Pollers:   e.int("TEMPORAL_POLLERS", 16),
		},
		River: River{
			MaxWorkers:    e.int("RIVER_MAX_WORKERS", 50),
			FetchCooldown: e.dur("RIVER_FETCH_COOLDOWN", 100*time.Millisecond),
			JobTimeout:    e.dur("RIVER_JOB_TIMEOUT", time.Minute),
			RescueAfter:   e.dur("RIVER_RESCUE_AFTER", 2*time.Minute),
		},
		Auth: Auth{
			SigningKeyFile:  e.str("AUTH_SIGNING_KEY_FILE", filepath.Join(dataDir, "jwt-signing-key.pem")),
			VerifyKeyFiles:  e.list("AUTH_VERIFY_KEY_FILES"),
			Issuer:          e.str("AUTH_ISSUER", "reptidex"),
			Audience:        e.str("AUTH_AUDIENCE", "reptidex-api"),
			AccessTTL:       e.dur("AUTH_ACCESS_TTL", 15*time.Minute),
			RefreshTTL:      e.dur("AUTH_REFRESH_TTL", 30*24*time.Hour),
			RatePerMinute:   e.int("AUTH_RATE_PER_MINUTE", 20),
			RateBurst:       e.int("AUTH_RATE_BURST", 10),
			FailuresPerHour: e.int("AUTH_FAILURES_PER_HOUR", 10),
			FailureBurst:    e.int("AUTH_FAILURE_BURST", 10),
			// 50 at once, then one every 3 minutes: about 500 guesses a day at most, and 50
			// failures from at least 5 networks before the owner is locked out at home.
			FailuresAnywherePerHour: e.int("AUTH_FAILURES_ANYWHERE_PER_HOUR", 20),
			FailureAnywhereBurst:    e.int("AUTH_FAILURE_ANYWHERE_BURST", 50),
			DevGenerateKeys:         e.bool("AUTH_DEV_GENERATE_KEY", env != "production"),
		},
		Certs: Certs{
			SigningKeyFile: e.str("CERT_SIGNING_KEY_FILE", devOnly(env, filepath.Join(dataDir, "cert-signing-key.pem"))),
			VerifyKeyFiles: e.list("CERT_VERIFY_KEY_FILES"),
			DevGenerateKey: e.bool("CERT_DEV_GENERATE_KEY", env != "production"),
		},
		Stripe: Stripe{
			APIBase:       e.str("STRIPE_API_BASE", "http://127.0.0.1:12111"),
			SecretKey:     e.str("STRIPE_SECRET_KEY", "sk_test_reptidex"),
			WebhookSecret: e.str("STRIPE_WEBHOOK_SECRET", "whsec_reptidex_dev"),
		},
		S3: S3{
			Endpoint:       e.str("S3_ENDPOINT", "http://127.0.0.1:7070"),
			Region:         e.str("S3_REGION", "us-east-1"),
			Bucket:         e.str("S3_BUCKET", "reptidex"),
			AccessKey:      e.str("S3_ACCESS_KEY", "reptidex"),
			SecretKey:      e.str("S3_SECRET_KEY", "reptidex-dev-secret"),
			ForcePathStyle: e.bool("S3_FORCE_PATH_STYLE", true),
		},
		SMTP: SMTP{
			Addr:     e.str("SMTP_ADDR", "127.0.0.1:1025"),
			From:     e.str("SMTP_FROM", "ReptiDex <no-reply@reptidex.local>"),
			Username: e.str("SMTP_USERNAME", ""),
			Password: e.str("SMTP_PASSWORD", ""),
		},
		SMS: SMS{
			ProviderURL: e.str("SMS_PROVIDER_URL", "http://"+mailHTTPAddr+"/sms"),
			AccountSID:  e.str("SMS_ACCOUNT_SID", "ACdev"),
			AuthToken:   e.str("SMS_AUTH_TOKEN", "dev"),
			From:        e.str("SMS_FROM", "+15550100000"),
		},
		Sales: Sales{
			FeeBasisPoints:      e.int("SALES_FEE_BASIS_POINTS", 500),
			PaymentWindow:       e.dur("SALES_PAYMENT_WINDOW", 30*time.Minute),
			AuthorizationWindow: e.dur("SALES_AUTHORIZATION_WINDOW", 6*24*time.Hour),
			DeliveryWait:        e.dur("SALES_DELIVERY_WAIT", 10*24*time.Hour),
			DecisionWindow:      e.dur("SALES_DECISION_WINDOW", 14*24*time.Hour),
			AdminReminderEvery:  e.dur("SALES_ADMIN_REMINDER_EVERY", 24*time.Hour),
		},
		Billing: Billing{
			Reminders: e.durations("DUNNING_REMINDERS", []time.Duration{72 * time.Hour, 168 * time.Hour, 288 * time.Hour}),
			Grace:     e.dur("DUNNING_GRACE", 336*time.Hour),
		},
		Notify: Notify{
			LinkSecret:      e.str("NOTIFY_LINK_SECRET", devLinkSecret),
			EmailAfter:      e.dur("NOTIFY_EMAIL_AFTER", time.Hour),
			SMSAfter:        e.dur("NOTIFY_SMS_AFTER", 24*time.Hour),
			RetryBase:       e.dur("NOTIFY_RETRY_BASE", 5*time.Second),
			VerificationTTL: e.dur("NOTIFY_VERIFICATION_TTL", 48*time.Hour),
			InvitationTTL:   e.dur("NOTIFY_INVITATION_TTL", 14*24*time.Hour),
			PhoneCodeTTL:    e.dur("NOTIFY_PHONE_CODE_TTL", 10*time.Minute),
		},
		Limits: Limits{
			Invitations: SendLimit{
				PerOrganization: e.int("LIMIT_INVITATIONS_PER_ORG_HOUR", 50),
				PerAccount:      e.int("LIMIT_INVITATIONS_PER_ACCOUNT_HOUR", 50),
				PerRecipient:    e.int("LIMIT_INVITATIONS_PER_RECIPIENT_HOUR", 3),
				PerRecipientAll: e.int("LIMIT_INVITATIONS_PER_RECIPIENT_ALL_HOUR", 10),
			},
			Offers: SendLimit{
				PerOrganization: e.int("LIMIT_OFFERS_PER_ORG_HOUR", 1000),
				PerAccount:      e.int("LIMIT_OFFERS_PER_ACCOUNT_HOUR", 1000),
				// An individual buyer takes a few animals at a time; a whole collection goes
				// to an organization, whose limits follow.
				PerRecipient:    e.int("LIMIT_OFFERS_PER_RECIPIENT_HOUR", 10),
				PerRecipientAll: e.int("LIMIT_OFFERS_PER_RECIPIENT_ALL_HOUR", 20),
			},
			Messages: SendLimit{
				PerOrganization: e.int("NOTIFY_MESSAGES_PER_HOUR", 10),
				PerAccount:      e.int("LIMIT_MESSAGES_PER_ACCOUNT_HOUR", 20),
			},
			// A breeder may hand a whole collection to another organization at once (make
			// load-transfer offers 500 in a run); the cap from all organizations is looser.
			OffersPerRecipientOrg:    e.int("LIMIT_OFFERS_PER_RECIPIENT_ORG_HOUR", 500),
			OffersPerRecipientOrgAll: e.int("LIMIT_OFFERS_PER_RECIPIENT_ORG_ALL_HOUR", 2000),
			SearchPerMinute:          e.int("LIMIT_SEARCH_PER_MINUTE", 60),
			SearchBurst:              e.int("LIMIT_SEARCH_BURST", 30),
		},
		Dev: Dev{
			BinDir:           e.str("DEV_BIN_DIR", "bin"),
			StripeMockPort:   e.int("DEV_STRIPE_MOCK_PORT", 12111),
			S3Port:           e.int("DEV_S3_PORT", 7070),
			MailHTTPAddr:     mailHTTPAddr,
			TemporalDBFile:   e.str("DEV_TEMPORAL_DB", filepath.Join(dataDir, "temporal.db")),
			TemporalHeadless: e.bool("DEV_TEMPORAL_HEADLESS", false),
		},
	}
	if len(e.errs) > 0 {
		return Config{}, errors.Join(e.errs...)
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// devOnly is def outside production and empty in production, where the value must be given.
func devOnly(env, def string) string {
	if env == "production" {
		return ""
	}
	return def
}

func (c Config) validate() error {
	var errs []error
	switch c.Env {
	case "development", "test", "production":
	default:
		errs = append(errs, fmt.Errorf("REPTIDEX_ENV: %q is not one of development, test, production", c.Env))
	}
	for name, raw := range map[string]string{"DATABASE_URL": c.Database.URL, "DATABASE_ADMIN_URL": c.Database.AdminURL} {
		if _, err := url.Parse(raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	if c.HTTP.MaxBodyBytes <= 0 {
		errs = append(errs, errors.New("HTTP_MAX_BODY_BYTES: must be positive"))
	}
	errs = append(errs, c.HTTP.validate()...)
	errs = append(errs, c.Billing.validate()...)
	if c.Auth.AccessTTL <= 0 || c.Auth.RefreshTTL <= 0 {
		errs = append(errs, errors.New("AUTH_ACCESS_TTL and AUTH_REFRESH_TTL: must be positive"))
	}
	if c.Auth.RatePerMinute <= 0 || c.Auth.RateBurst <= 0 {
		errs = append(errs, errors.New("AUTH_RATE_PER_MINUTE and AUTH_RATE_BURST: must be positive"))
	}
	errs = append(errs, c.SMS.validate()...)
	if c.Env == "production" && c.Notify.LinkSecret == devLinkSecret {
		errs = append(errs, errors.New("NOTIFY_LINK_SECRET: must be set in production"))
	}
	if len(c.Notify.LinkSecret) < 16 {
		errs = append(errs, errors.New("NOTIFY_LINK_SECRET: must be at least 16 characters"))
	}
	if c.Notify.EmailAfter < 0 || c.Notify.SMSAfter < 0 || c.Notify.RetryBase <= 0 || c.Notify.VerificationTTL <= 0 ||
		c.Notify.InvitationTTL <= 0 || c.Notify.PhoneCodeTTL <= 0 {
		errs = append(errs, errors.New("NOTIFY_*: delays must not be negative and lifetimes must be positive"))
	}
	if c.River.JobTimeout <= 0 || c.River.RescueAfter <= c.River.JobTimeout {
		errs = append(errs, errors.New("RIVER_JOB_TIMEOUT, RIVER_RESCUE_AFTER: the timeout must be positive and a job rescued only after it"))
	}
	if c.Sales.FeeBasisPoints < 0 || c.Sales.FeeBasisPoints >= 10000 {
		errs = append(errs, errors.New("SALES_FEE_BASIS_POINTS: must be from 0 to 9999"))
	}
	if c.Sales.PaymentWindow <= 0 || c.Sales.AuthorizationWindow <= 0 || c.Sales.AuthorizationWindow > 7*24*time.Hour ||
		c.Sales.DeliveryWait <= 0 || c.Sales.DecisionWindow <= 0 || c.Sales.AdminReminderEvery <= 0 {
		errs = append(errs, errors.New("SALES_*: windows must be positive, and the authorization window at most 7 days"))
	}
	if c.Auth.FailuresPerHour <= 0 || c.Auth.FailureBurst <= 0 || c.Auth.FailuresAnywherePerHour <= 0 || c.Auth.FailureAnywhereBurst <= 0 {
		errs = append(errs, errors.New("AUTH_FAILURES_PER_HOUR, AUTH_FAILURE_BURST, AUTH_FAILURES_ANYWHERE_PER_HOUR and AUTH_FAILURE_ANYWHERE_BURST: must be positive"))
	}
	errs = append(errs, c.Limits.validate()...)
	return errors.Join(errs...)
}

func (h HTTP) validate() []error {
	var errs []error
	for name, d := range map[string]time.Duration{
		"HTTP_REQUEST_TIMEOUT": h.RequestTimeout, "HTTP_WORKFLOW_REQUEST_TIMEOUT": h.WorkflowRequestTimeout,
	} {
		switch {
		case d <= 0:
			errs = append(errs, fmt.Errorf("%s: must be positive", name))
		case h.WriteTimeout > 0 && d >= h.WriteTimeout:
			errs = append(errs, fmt.Errorf("%s: must be shorter than HTTP_WRITE_TIMEOUT (%s), or the answer cannot be written", name, h.WriteTimeout))
		}
	}
	return errs
}

func (l Limits) validate() []error {
	var errs []error
	for name, n := range map[string]int{
		"LIMIT_INVITATIONS_PER_ORG_HOUR": l.Invitations.PerOrganization, "LIMIT_INVITATIONS_PER_ACCOUNT_HOUR": l.Invitations.PerAccount,
		"LIMIT_INVITATIONS_PER_RECIPIENT_HOUR": l.Invitations.PerRecipient, "LIMIT_INVITATIONS_PER_RECIPIENT_ALL_HOUR": l.Invitations.PerRecipientAll,
		"LIMIT_OFFERS_PER_ORG_HOUR": l.Offers.PerOrganization, "LIMIT_OFFERS_PER_ACCOUNT_HOUR": l.Offers.PerAccount,
		"LIMIT_OFFERS_PER_RECIPIENT_HOUR": l.Offers.PerRecipient, "LIMIT_OFFERS_PER_RECIPIENT_ALL_HOUR": l.Offers.PerRecipientAll,
		"LIMIT_OFFERS_PER_RECIPIENT_ORG_HOUR": l.OffersPerRecipientOrg, "LIMIT_OFFERS_PER_RECIPIENT_ORG_ALL_HOUR": l.OffersPerRecipientOrgAll,
		"NOTIFY_MESSAGES_PER_HOUR": l.Messages.PerOrganization, "LIMIT_MESSAGES_PER_ACCOUNT_HOUR": l.Messages.PerAccount,
		"LIMIT_SEARCH_PER_MINUTE": l.SearchPerMinute, "LIMIT_SEARCH_BURST": l.SearchBurst,
	} {
		if n <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive", name))
		}
	}
	return errs
}

func (b Billing) validate() []error {
	var errs []error
	if b.Grace <= 0 || b.Grace > 90*24*time.Hour {
		errs = append(errs, errors.New("DUNNING_GRACE: must be positive and at most 90 days (2160h)"))
	}
	for i, d := range b.Reminders {
		if d <= 0 || d >= b.Grace || (i > 0 && d <= b.Reminders[i-1]) {
			errs = append(errs, errors.New("DUNNING_REMINDERS: must be increasing durations, each positive and before DUNNING_GRACE"))
			break
		}
	}
	return errs
}

func (s SMS) validate() []error {
	var errs []error
	if u, err := url.Parse(s.ProviderURL); err != nil {
		errs = append(errs, fmt.Errorf("SMS_PROVIDER_URL: %w", err))
	} else if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("SMS_PROVIDER_URL: %q is not an http(s) URL with a host", s.ProviderURL))
	}
	if !isE164(s.From) {
		errs = append(errs, fmt.Errorf("SMS_FROM: %q is not an E.164 number such as +15550100000", s.From))
	}
	return errs
}

// isE164 reports whether s is + followed by 8 to 15 digits, the first not 0. Package sms
// normalizes what people type; configuration must already be in this form.
func isE164(s string) bool {
	digits, ok := strings.CutPrefix(s, "+")
	if !ok || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return false
	}
	return strings.Trim(digits, "0123456789") == ""
}

// AppRole is the database role the API and worker connect as, taken from DATABASE_URL.
func (d Database) AppRole() string {
	u, err := url.Parse(d.URL)
	if err != nil || u.User == nil {
		return ""
	}
	return u.User.Username()
}

type reader struct {
	getenv func(string) string
	errs   []error
}

func (r *reader) str(key, def string) string {
	if v := strings.TrimSpace(r.getenv(key)); v != "" {
		return v
	}
	return def
}

func (r *reader) int(key string, def int) int {
	v := strings.TrimSpace(r.getenv(key))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s: %q is not a whole number", key, v))
		return def
	}
	return n
}

func (r *reader) bool(key string, def bool) bool {
	v := strings.TrimSpace(r.getenv(key))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s: %q is not true or false", key, v))
		return def
	}
	return b
}

func (r *reader) dur(key string, def time.Duration) time.Duration {
	v := strings.TrimSpace(r.getenv(key))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s: %q is not a duration such as 15m", key, v))
		return def
	}
	return d
}

// durations reads a comma-separated list of durations, e.g. 72h,168h; empty is def, and
// "none" an empty list.
func (r *reader) durations(key string, def []time.Duration) []time.Duration {
	raw := strings.TrimSpace(r.getenv(key))
	switch raw {
	case "":
		return def
	case "none":
		return []time.Duration{}
	}
	var out []time.Duration
	for part := range strings.SplitSeq(raw, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s: %q is not a comma-separated list of durations such as 72h,168h", key, raw))
			return def
		}
		out = append(out, d)
	}
	return out
}

func (r *reader) list(key string) []string {
	var out []string
	for _, s := range strings.Split(r.getenv(key), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (r *reader) prefixes(key string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range r.list(key) {
		if !strings.Contains(s, "/") {
			addr, err := netip.ParseAddr(s)
			if err != nil {
				r.errs = append(r.errs, fmt.Errorf("%s: %q is not an address or CIDR", key, s))
				continue
			}
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s: %q is not an address or CIDR", key, s))
			continue
		}
		out = append(out, p.Masked())
	}
	return out
}
