package config

import (
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// envFrom returns a getenv func reading from m; missing keys read as "".
func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad_DefaultsGiveAValidDevelopmentConfig(t *testing.T) {
	t.Parallel()
	c, err := load(envFrom(nil))
	require.NoError(t, err)

	require.Equal(t, "development", c.Env)
	require.Equal(t, "info", c.LogLevel)
	require.Equal(t, "json", c.LogFormat)
	require.Equal(t, ".devdata", c.DataDir)
	require.Equal(t, ":8080", c.HTTP.Addr)
	require.Equal(t, int64(1<<20), c.HTTP.MaxBodyBytes)
	require.Empty(t, c.HTTP.TrustedProxies)
	require.Equal(t, 10*time.Second, c.HTTP.RequestTimeout)
	require.Equal(t, 25*time.Second, c.HTTP.WorkflowRequestTimeout)
	require.Less(t, c.HTTP.WorkflowRequestTimeout, c.HTTP.WriteTimeout, "a request's 503 is written before the server gives up on the connection")
	require.Equal(t, "127.0.0.1:7233", c.Temporal.Address)
	require.Equal(t, "default", c.Temporal.Namespace)
	require.Equal(t, 15*time.Minute, c.Auth.AccessTTL)
	require.Equal(t, 30*24*time.Hour, c.Auth.RefreshTTL)
	require.Equal(t, filepath.Join(".devdata", "jwt-signing-key.pem"), c.Auth.SigningKeyFile)
	require.Empty(t, c.Auth.VerifyKeyFiles)
	require.True(t, c.Auth.DevGenerateKeys, "development generates a signing key by default")
	require.Equal(t, Certs{SigningKeyFile: filepath.Join(".devdata", "cert-signing-key.pem"), DevGenerateKey: true}, c.Certs)
	require.True(t, c.S3.ForcePathStyle)
	require.Equal(t, SendLimit{PerOrganization: 50, PerAccount: 50, PerRecipient: 3, PerRecipientAll: 10}, c.Limits.Invitations)
	require.Equal(t, SendLimit{PerOrganization: 1000, PerAccount: 1000, PerRecipient: 10, PerRecipientAll: 20}, c.Limits.Offers)
	require.Equal(t, SendLimit{PerOrganization: 10, PerAccount: 20}, c.Limits.Messages)
	require.Equal(t, [2]int{500, 2000}, [2]int{c.Limits.OffersPerRecipientOrg, c.Limits.OffersPerRecipientOrgAll})
	require.Equal(t, [2]int{10, 10}, [2]int{c.Auth.FailuresPerHour, c.Auth.FailureBurst})
	require.Equal(t, [2]int{20, 50}, [2]int{c.Auth.FailuresAnywherePerHour, c.Auth.FailureAnywhereBurst})
	require.Equal(t, filepath.Join(".devdata", "temporal.db"), c.Dev.TemporalDBFile)
	require.Equal(t, "reptidex_app", c.Database.AppRole())
	require.Equal(t, [2]time.Duration{time.Minute, 2 * time.Minute}, [2]time.Duration{c.River.JobTimeout, c.River.RescueAfter},
		"a job a crashed worker held is tried again within minutes, not River's hour")
}

func TestLoad_DataDirMovesDerivedPaths(t *testing.T) {
	t.Parallel()
	c, err := load(envFrom(map[string]string{"DEV_DATA_DIR": "/tmp/rdx"}))
	require.NoError(t, err)
	require.Equal(t, "/tmp/rdx", c.DataDir)
	require.Equal(t, filepath.Join("/tmp/rdx", "jwt-signing-key.pem"), c.Auth.SigningKeyFile)
	require.Equal(t, filepath.Join("/tmp/rdx", "temporal.db"), c.Dev.TemporalDBFile)
	require.Equal(t, filepath.Join("/tmp/rdx", "cert-signing-key.pem"), c.Certs.SigningKeyFile)
}

// TestLoad_CertificateKeyIsGivenInProduction: production has no default certificate
// signing key and generates none; the key and the old public keys are read as given.
func TestLoad_CertificateKeyIsGivenInProduction(t *testing.T) {
	t.Parallel()
	c, err := load(envFrom(map[string]string{"REPTIDEX_ENV": "production", "NOTIFY_LINK_SECRET": "a-production-link-secret"}))
	require.NoError(t, err)
	require.Equal(t, Certs{}, c.Certs)

	c, err = load(envFrom(map[string]string{"REPTIDEX_ENV": "production", "NOTIFY_LINK_SECRET": "a-production-link-secret",
		"CERT_SIGNING_KEY_FILE": "/keys/cert.pem", "CERT_VERIFY_KEY_FILES": "/keys/old1.pub.pem,/keys/old2.pub.pem"}))
	require.NoError(t, err)
	require.Equal(t, Certs{SigningKeyFile: "/keys/cert.pem", VerifyKeyFiles: []string{"/keys/old1.pub.pem", "/keys/old2.pub.pem"}}, c.Certs)
}

func TestLoad_ReadsOverrides(t *testing.T) {
	t.Parallel()
	c, err := load(envFrom(map[string]string{
		"REPTIDEX_ENV":                  "test",
		"LOG_LEVEL":                     "debug",
		"LOG_FORMAT":                    "text",
		"HTTP_ADDR":                     "  :9000  ",
		"HTTP_MAX_BODY_BYTES":           "2048",
		"HTTP_READ_TIMEOUT":             "3s",
		"HTTP_REQUEST_TIMEOUT":          "2s",
		"HTTP_WORKFLOW_REQUEST_TIMEOUT": "4s",
		"TRUSTED_PROXIES":               "10.0.0.0/8",
		"DATABASE_URL":                  "postgres://someone:pw@db:5432/x",
		"DATABASE_MAX_CONNS":            "7",
		"TEMPORAL_ADDRESS":              "temporal:7233",
		"TEMPORAL_POLLERS":              "4",
		"AUTH_ACCESS_TTL":               "5m",
		"AUTH_VERIFY_KEY_FILES":         " a.pem, ,b.pem ",
		"AUTH_SIGNING_KEY_FILE":         "/keys/sign.pem",
		"AUTH_RATE_PER_MINUTE":          "3",
		"AUTH_DEV_GENERATE_KEY":         "false",
		"S3_FORCE_PATH_STYLE":           "0",
		"SMTP_ADDR":                     "mail:25",
	}))
	require.NoError(t, err)

	require.Equal(t, "test", c.Env)
	require.Equal(t, "debug", c.LogLevel)
	require.Equal(t, "text", c.LogFormat)
	require.Equal(t, ":9000", c.HTTP.Addr, "string values are trimmed")
	require.Equal(t, int64(2048), c.HTTP.MaxBodyBytes)
	require.Equal(t, 3*time.Second, c.HTTP.ReadTimeout)
	require.Equal(t, 2*time.Second, c.HTTP.RequestTimeout)
	require.Equal(t, 4*time.Second, c.HTTP.WorkflowRequestTimeout)
	require.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, c.HTTP.TrustedProxies)
	require.Equal(t, "postgres://someone:pw@db:5432/x", c.Database.URL)
	require.Equal(t, int32(7), c.Database.MaxConns)
	require.Equal(t, "temporal:7233", c.Temporal.Address)
	require.Equal(t, 4, c.Temporal.Pollers)
	require.Equal(t, 5*time.Minute, c.Auth.AccessTTL)
	require.Equal(t, []string{"a.pem", "b.pem"}, c.Auth.VerifyKeyFiles)
	require.Equal(t, "/keys/sign.pem", c.Auth.SigningKeyFile)
	require.Equal(t, 3, c.Auth.RatePerMinute)
	require.False(t, c.Auth.DevGenerateKeys)
	require.False(t, c.S3.ForcePathStyle)
	require.Equal(t, "mail:25", c.SMTP.Addr)
}

func TestLoad_RejectsBadValuesNamingTheVariable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string // substring of the error: the variable name
	}{
		{"non-number body limit", map[string]string{"HTTP_MAX_BODY_BYTES": "1MB"}, "HTTP_MAX_BODY_BYTES"},
		{"zero body limit", map[string]string{"HTTP_MAX_BODY_BYTES": "0"}, "HTTP_MAX_BODY_BYTES"},
		{"bad request timeout", map[string]string{"HTTP_REQUEST_TIMEOUT": "10"}, "HTTP_REQUEST_TIMEOUT"},
		{"zero request timeout", map[string]string{"HTTP_REQUEST_TIMEOUT": "0s"}, "HTTP_REQUEST_TIMEOUT"},
		{"request timeout past the write timeout", map[string]string{"HTTP_REQUEST_TIMEOUT": "30s"}, "HTTP_REQUEST_TIMEOUT"},
		{"negative workflow request timeout", map[string]string{"HTTP_WORKFLOW_REQUEST_TIMEOUT": "-1s"}, "HTTP_WORKFLOW_REQUEST_TIMEOUT"},
		{"workflow request timeout past the write timeout", map[string]string{"HTTP_WORKFLOW_REQUEST_TIMEOUT": "40s"}, "HTTP_WORKFLOW_REQUEST_TIMEOUT"},
		{"non-number pollers", map[string]string{"TEMPORAL_POLLERS": "many"}, "TEMPORAL_POLLERS"},
		{"bad access ttl", map[string]string{"AUTH_ACCESS_TTL": "15"}, "AUTH_ACCESS_TTL"},
		{"negative access ttl", map[string]string{"AUTH_ACCESS_TTL": "-1m"}, "AUTH_ACCESS_TTL"},
		{"bad refresh ttl", map[string]string{"AUTH_REFRESH_TTL": "a month"}, "AUTH_REFRESH_TTL"},
		{"bad bool", map[string]string{"S3_FORCE_PATH_STYLE": "yes"}, "S3_FORCE_PATH_STYLE"},
		{"bad dev key bool", map[string]string{"AUTH_DEV_GENERATE_KEY": "maybe"}, "AUTH_DEV_GENERATE_KEY"},
		{"bad CIDR", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES"},
		{"bad proxy address", map[string]string{"TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, "TRUSTED_PROXIES"},
		{"unknown env", map[string]string{"REPTIDEX_ENV": "staging"}, "REPTIDEX_ENV"},
		{"zero rate", map[string]string{"AUTH_RATE_PER_MINUTE": "0"}, "AUTH_RATE_PER_MINUTE"},
		{"rescue before the job's timeout", map[string]string{"RIVER_RESCUE_AFTER": "30s"}, "RIVER_RESCUE_AFTER"},
		{"zero job timeout", map[string]string{"RIVER_JOB_TIMEOUT": "0s"}, "RIVER_JOB_TIMEOUT"},
		{"negative burst", map[string]string{"AUTH_RATE_BURST": "-1"}, "AUTH_RATE_BURST"},
		{"zero login failures", map[string]string{"AUTH_FAILURE_BURST": "0"}, "AUTH_FAILURE_BURST"},
		{"zero invitations per recipient", map[string]string{"LIMIT_INVITATIONS_PER_RECIPIENT_HOUR": "0"}, "LIMIT_INVITATIONS_PER_RECIPIENT_HOUR"},
		{"negative offers per account", map[string]string{"LIMIT_OFFERS_PER_ACCOUNT_HOUR": "-5"}, "LIMIT_OFFERS_PER_ACCOUNT_HOUR"},
		{"zero messages per hour", map[string]string{"NOTIFY_MESSAGES_PER_HOUR": "0"}, "NOTIFY_MESSAGES_PER_HOUR"},
		{"non-number search rate", map[string]string{"LIMIT_SEARCH_PER_MINUTE": "lots"}, "LIMIT_SEARCH_PER_MINUTE"},
		{"unparsable database url", map[string]string{"DATABASE_URL": "postgres://%zz"}, "DATABASE_URL"},
		{"unparsable SMS provider url", map[string]string{"SMS_PROVIDER_URL": "http://%zz"}, "SMS_PROVIDER_URL"},
		{"SMS provider url without scheme", map[string]string{"SMS_PROVIDER_URL": "api.twilio.com"}, "SMS_PROVIDER_URL"},
		{"SMS provider url not http", map[string]string{"SMS_PROVIDER_URL": "ftp://api.twilio.com"}, "SMS_PROVIDER_URL"},
		{"SMS provider url without host", map[string]string{"SMS_PROVIDER_URL": "https:///sms"}, "SMS_PROVIDER_URL"},
		{"SMS from without plus", map[string]string{"SMS_FROM": "15550100000"}, "SMS_FROM"},
		{"SMS from with spaces", map[string]string{"SMS_FROM": "+1 555 010 0000"}, "SMS_FROM"},
		{"SMS from too short", map[string]string{"SMS_FROM": "+1555010"}, "SMS_FROM"},
		{"SMS from too long", map[string]string{"SMS_FROM": "+1555010000012345"}, "SMS_FROM"},
		{"SMS from with country code 0", map[string]string{"SMS_FROM": "+05550100000"}, "SMS_FROM"},
		{"SMS from with letters", map[string]string{"SMS_FROM": "+1555CALLNOW"}, "SMS_FROM"},
		{"unparsable dunning reminders", map[string]string{"DUNNING_REMINDERS": "3 days"}, "DUNNING_REMINDERS"},
		{"dunning reminders out of order", map[string]string{"DUNNING_REMINDERS": "168h,72h"}, "DUNNING_REMINDERS"},
		{"dunning reminder after the grace", map[string]string{"DUNNING_REMINDERS": "72h,400h"}, "DUNNING_REMINDERS"},
		{"zero dunning grace", map[string]string{"DUNNING_GRACE": "0s"}, "DUNNING_GRACE"},
		{"dunning grace over 90 days", map[string]string{"DUNNING_GRACE": "2200h"}, "DUNNING_GRACE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(envFrom(tt.env))
			require.Error(t, err)
			require.ErrorContains(t, err, tt.want)
			require.Zero(t, c, "a failed load returns no config")
		})
	}
}

func TestLoad_DunningScheduleDefaultsToDays3_7_12AndGrace14(t *testing.T) {
	t.Parallel()
	c, err := load(envFrom(nil))
	require.NoError(t, err)
	day := 24 * time.Hour
	require.Equal(t, []time.Duration{3 * day, 7 * day, 12 * day}, c.Billing.Reminders)
	require.Equal(t, 14*day, c.Billing.Grace)

	c, err = load(envFrom(map[string]string{"DUNNING_REMINDERS": "none", "DUNNING_GRACE": "48h"}))
	require.NoError(t, err)
	require.Empty(t, c.Billing.Reminders)
	require.Equal(t, 2*day, c.Billing.Grace)
}

func TestLoad_ReportsEveryBadVariable(t *testing.T) {
	t.Parallel()
	_, err := load(envFrom(map[string]string{
		"HTTP_MAX_BODY_BYTES": "big",
		"AUTH_ACCESS_TTL":     "soon",
	}))
	require.ErrorContains(t, err, "HTTP_MAX_BODY_BYTES")
	require.ErrorContains(t, err, "AUTH_ACCESS_TTL")
}

func TestLoad_TrustedProxiesAcceptAddressesAndCIDRs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want []netip.Prefix
	}{
		{"single IPv4 is a /32", "192.168.1.10", []netip.Prefix{netip.MustParsePrefix("192.168.1.10/32")}},
		{"single IPv6 is a /128", "::1", []netip.Prefix{netip.MustParsePrefix("::1/128")}},
		{"CIDR kept", "172.16.0.0/12", []netip.Prefix{netip.MustParsePrefix("172.16.0.0/12")}},
		{"CIDR host bits masked", "10.1.2.3/8", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
		{"IPv6 CIDR", "fd00::/8", []netip.Prefix{netip.MustParsePrefix("fd00::/8")}},
		{
			"comma list with spaces",
			" 10.0.0.1 , 10.0.0.0/24,,",
			[]netip.Prefix{netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/24")},
		},
		{"empty means none", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(envFrom(map[string]string{"TRUSTED_PROXIES": tt.raw}))
			require.NoError(t, err)
			require.Equal(t, tt.want, c.HTTP.TrustedProxies)
		})
	}
}

func TestDatabase_AppRoleIsTheUserOfDatabaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"user only", "postgres://reptidex_app@127.0.0.1:5432/reptidex", "reptidex_app"},
		{"user and password", "postgres://api_role:s3cret@db/reptidex?sslmode=require", "api_role"},
		{"no user", "postgres://127.0.0.1:5432/reptidex", ""},
		{"unparsable", "postgres://%zz", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Database{URL: tt.url}.AppRole())
		})
	}
}

func TestLoad_DevGenerateKeyDefaultDependsOnEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env      string
		override string
		want     bool
	}{
		{"development", "", true},
		{"test", "", true},
		{"production", "", false},
		{"production", "true", true},
		{"development", "false", false},
	}
	for _, tt := range tests {
		t.Run(tt.env+"/"+tt.override, func(t *testing.T) {
			t.Parallel()
			c, err := load(envFrom(map[string]string{"REPTIDEX_ENV": tt.env, "AUTH_DEV_GENERATE_KEY": tt.override,
				"NOTIFY_LINK_SECRET": "a-production-link-secret"}))
			require.NoError(t, err)
			require.Equal(t, tt.want, c.Auth.DevGenerateKeys)
		})
	}
}

func TestLoad_SMSProviderDefaultsToTheMailSink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"development sink", nil, "http://127.0.0.1:8025/sms"},
		{"follows the sink's HTTP address", map[string]string{"DEV_MAIL_HTTP_ADDR": "127.0.0.1:18025"}, "http://127.0.0.1:18025/sms"},
		{
			"explicit provider wins",
			map[string]string{"DEV_MAIL_HTTP_ADDR": "127.0.0.1:18025", "SMS_PROVIDER_URL": "https://api.twilio.com"},
			"https://api.twilio.com",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(envFrom(tt.env))
			require.NoError(t, err)
			require.Equal(t, tt.want, c.SMS.ProviderURL)
		})
	}
}

func TestLoad_SMSCredentialsAndSender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want SMS
	}{
		{
			"defaults are the sink's development values",
			nil,
			SMS{ProviderURL: "http://127.0.0.1:8025/sms", AccountSID: "ACdev", AuthToken: "dev", From: "+15550100000"},
		},
		{
			"overrides are read and trimmed",
			map[string]string{
				"SMS_PROVIDER_URL": "https://api.twilio.com",
				"SMS_ACCOUNT_SID":  " AC0123456789abcdef0123456789abcdef ",
				"SMS_AUTH_TOKEN":   "s3cret",
				"SMS_FROM":         "+447700900123",
			},
			SMS{ProviderURL: "https://api.twilio.com", AccountSID: "AC0123456789abcdef0123456789abcdef", AuthToken: "s3cret", From: "+447700900123"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(envFrom(tt.env))
			require.NoError(t, err)
			require.Equal(t, tt.want, c.SMS)
		})
	}
}

func TestLoad_ProductionNeedsItsOwnLinkSecret(t *testing.T) {
	t.Parallel()
	_, err := load(envFrom(map[string]string{"REPTIDEX_ENV": "production"}))
	require.ErrorContains(t, err, "NOTIFY_LINK_SECRET: must be set in production")
	_, err = load(envFrom(map[string]string{"NOTIFY_LINK_SECRET": "short"}))
	require.ErrorContains(t, err, "NOTIFY_LINK_SECRET: must be at least 16 characters")
	c, err := load(envFrom(map[string]string{"NOTIFY_EMAIL_AFTER": "5m", "NOTIFY_SMS_AFTER": "2h"}))
	require.NoError(t, err)
	require.Equal(t, 5*time.Minute, c.Notify.EmailAfter)
	require.Equal(t, 2*time.Hour, c.Notify.SMSAfter)
}
