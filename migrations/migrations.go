// Package migrations holds the forward-only SQL migrations of the ReptiDex schema, embedded
// in the binary, and applies them together with River's own.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed *.sql
var files embed.FS

// lockKey serializes concurrent migrators through a Postgres advisory lock.
const lockKey = 7_402_331_981

// Migration is one embedded SQL file.
type Migration struct {
	Version string // the file name without .sql, e.g. 0001_foundation
	SQL     string
}

// All returns the embedded migrations in the order they apply.
func All() ([]Migration, error) {
	entries, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(entries)
	out := make([]Migration, 0, len(entries))
	for _, name := range entries {
		body, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		out = append(out, Migration{Version: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	return out, nil
}

// Options tell Apply which role the application connects as.
type Options struct {
	// AppRole is created if missing (LOGIN, no superuser, no BYPASSRLS) and granted what the
	// API and worker need after the migrations have run.
	AppRole string
}

// Apply brings the database at adminURL up to date: it creates the database if it does not
// exist, runs River's migrations and ours in order, each in its own transaction, and grants
// the application role its privileges. It is safe to run concurrently and repeatedly.
func Apply(ctx context.Context, adminURL string, opts Options, log *slog.Logger) error {
	if err := ensureDatabase(ctx, adminURL, log); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect as migrator: %w", err)
	}
	defer pool.Close()

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire migrator connection: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey)
	}()

	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		log.Info("applied river migration", "version", v.Version)
	}

	if err := applyOwn(ctx, conn.Conn(), log); err != nil {
		return err
	}
	if opts.AppRole != "" {
		if err := grantApp(ctx, conn.Conn(), opts.AppRole); err != nil {
			return err
		}
	}
	return nil
}

func applyOwn(ctx context.Context, conn *pgx.Conn, log *slog.Logger) error {
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    text PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	all, err := All()
	if err != nil {
		return err
	}
	for _, m := range all {
		var done bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", m.Version).Scan(&done); err != nil {
			return fmt.Errorf("check migration %s: %w", m.Version, err)
		}
		if done {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", m.Version)
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.Version, err)
		}
		log.Info("applied migration", "version", m.Version)
	}
	return nil
}

// grantApp gives the application role exactly what it needs: data access on every table,
// except that the audit log is read-only, the event store and the ledger are insert-only,
// and Stripe's events are never deleted.
func grantApp(ctx context.Context, conn *pgx.Conn, role string) error {
	r := pgx.Identifier{role}.Sanitize()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
		return fmt.Errorf("look up role %s: %w", role, err)
	}
	stmts := []string{}
	if !exists {
		stmts = append(stmts, "CREATE ROLE "+r+" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
	}
	stmts = append(stmts,
		"GRANT USAGE ON SCHEMA public TO "+r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "+r,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "+r,
		// Functions are the application's alone: several run as the schema owner.
		"REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC",
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO "+r,
		"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_log FROM "+r,
		"REVOKE UPDATE, DELETE, TRUNCATE ON events FROM "+r,
		"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON pedigree FROM "+r,
		// Money movements are only ever added; Stripe's events are kept for audit.
		"REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entries FROM "+r,
		"REVOKE DELETE, TRUNCATE ON stripe_events FROM "+r,
		// Views read across organizations as their owner: never write through them.
		"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON animal_card, visible_animal, pedigree_graph, organization_name, pedigree_card FROM "+r,
		"REVOKE ALL ON schema_migrations FROM "+r,
		"GRANT SELECT ON schema_migrations TO "+r,
	)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			var pgErr *pgconn.PgError
			// Two migrators racing to create the role: the loser finds it there.
			if errors.As(err, &pgErr) && pgErr.Code == "42710" {
				continue
			}
			return fmt.Errorf("grant application role: %s: %w", s, err)
		}
	}
	return nil
}

// ensureDatabase creates the database named in adminURL when it does not exist yet.
func ensureDatabase(ctx context.Context, adminURL string, log *slog.Logger) error {
	u, err := url.Parse(adminURL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_ADMIN_URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || name == "postgres" {
		return nil
	}
	u.Path = "/postgres"
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return fmt.Errorf("connect to the postgres database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created concurrently
			return nil
		}
		return fmt.Errorf("create database %s: %w", name, err)
	}
	log.Info("created database", "database", name)
	return nil
}
