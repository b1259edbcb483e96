// Package testkit is the one set-up helper for integration tests: it gives each test
// package its own copy of the migrated test database and its own Temporal task queue, on
// the real components that `reptidex stack` (make test) runs.
package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/store"
)

var (
	cfg      config.Config
	setupErr error
	dbName   string
	once     sync.Once
)

// Main runs a test package against its own database, cloned from the migrated test
// database, and drops the clone afterwards. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if dbName != "" {
		if err := dropClone(); err != nil {
			fmt.Fprintln(os.Stderr, "testkit: drop test database:", err)
		}
	}
	os.Exit(code)
}

func setup() {
	if os.Getenv("REPTIDEX_STACK") == "" {
		setupErr = fmt.Errorf("integration tests need the real components: run them with `make test`")
		return
	}
	base, err := config.Load()
	if err != nil {
		setupErr = err
		return
	}
	suffix := randomHex(5)
	dbName = fmt.Sprintf("%s_%s", databaseName(base.Database.AdminURL), suffix)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := exec(ctx, base.Database.AdminURL, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{dbName}.Sanitize(), pgx.Identifier{databaseName(base.Database.AdminURL)}.Sanitize())); err != nil {
		setupErr = fmt.Errorf("clone test database: %w", err)
		dbName = ""
		return
	}
	base.Database.URL = withDatabase(base.Database.URL, dbName)
	base.Database.AdminURL = withDatabase(base.Database.AdminURL, dbName)
	base.Temporal.TaskQueue = base.Temporal.TaskQueue + "-" + suffix
	cfg = base
}

// Config is the configuration of this test package's stack. It fails the test when the
// components are not running.
func Config(t testing.TB) config.Config {
	t.Helper()
	once.Do(setup)
	require.NoError(t, setupErr)
	return cfg
}

// DB is a pool connected as the application role, closed when the test ends.
func DB(t testing.TB) *store.DB {
	t.Helper()
	c := Config(t)
	db, err := store.Open(context.Background(), c.Database.URL, 10)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	return db
}

// AdminPool is a pool connected as the owner of the schema (not subject to RLS), for
// checking what the application role cannot see.
func AdminPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	c := Config(t)
	pool, err := pgxpool.New(context.Background(), c.Database.AdminURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// Temporal is a client of the test Temporal server, closed when the test ends.
func Temporal(t testing.TB) client.Client {
	t.Helper()
	c := Config(t)
	tc, err := client.Dial(client.Options{HostPort: c.Temporal.Address, Namespace: c.Temporal.Namespace,
		Logger: slogAdapter(slog.New(slog.DiscardHandler))})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	return tc
}

// Mail reads back what the test SMTP sink received.
func Mail(t testing.TB) *mailsink.Client {
	t.Helper()
	Config(t)
	u := os.Getenv("MAILSINK_URL")
	require.NotEmpty(t, u, "MAILSINK_URL is set by reptidex stack")
	return &mailsink.Client{BaseURL: u}
}

// UniqueEmail returns an address no other test uses.
func UniqueEmail(prefix string) string {
	return fmt.Sprintf("%s-%s@example.com", prefix, randomHex(6))
}

// Logger discards logs unless the test runs verbose.
func Logger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func databaseName(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

func withDatabase(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.Path = "/" + name
	return u.String()
}

func exec(ctx context.Context, adminURL, sql string) error {
	conn, err := pgx.Connect(ctx, withDatabase(adminURL, "postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func dropClone() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return exec(ctx, cfg.Database.AdminURL, "DROP DATABASE IF EXISTS "+pgx.Identifier{dbName}.Sanitize()+" WITH (FORCE)")
}
