// Package store is the Postgres data access of ReptiDex: the connection pool, tenant-scoped
// transactions under row-level security, and one file of queries per subject.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when a row does not exist or is not visible to the tenant.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write collides with a uniqueness rule.
var ErrConflict = errors.New("conflict")

// DB is the application's pool, connected as the application role (subject to RLS).
type DB struct {
	Pool *pgxpool.Pool
}

// Open connects to Postgres with the application role.
func Open(ctx context.Context, url string, maxConns int32) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// Close releases every connection.
func (db *DB) Close() { db.Pool.Close() }

// Tenant names the organization a transaction acts for and the user acting. Either may be
// zero: no organization sees no tenant rows; no user records no actor.
type Tenant struct {
	OrgID  uuid.UUID
	UserID uuid.UUID
}

// InTenant runs fn in one transaction with the tenant set for row-level security. The
// settings are transaction-local, so a pooled connection never carries them further.
func (db *DB) InTenant(ctx context.Context, t Tenant, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := SetTenant(ctx, tx, t); err != nil {
			return err
		}
		return fn(tx)
	})
}

// ReadBatch sends a batch of reads in one round trip. Postgres runs the statements of one
// pipelined batch (a single Sync) as one implicit transaction, so the tenant that a
// QueueAuthorize at its head sets holds for the reads after it and vanishes at its end,
// exactly as in InTenant, without the two extra round trips of BEGIN and COMMIT.
func (db *DB) ReadBatch(ctx context.Context, batch *pgx.Batch) error {
	return db.Pool.SendBatch(ctx, batch).Close()
}

// InTx runs fn in one transaction with no tenant: only tables without tenant data are usable.
func (db *DB) InTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.Pool, fn)
}

// SetTenant sets the tenant on an open transaction.
func SetTenant(ctx context.Context, tx pgx.Tx, t Tenant) error {
	_, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)",
		uuidText(t.OrgID), uuidText(t.UserID))
	if err != nil {
		return fmt.Errorf("set tenant: %w", err)
	}
	return nil
}

// TransactionTime is the time the transaction started, Postgres' now(): what every column
// it writes with a default of now() records, such as a transfer's created_at.
func TransactionTime(ctx context.Context, tx pgx.Tx) (time.Time, error) {
	var now time.Time
	if err := tx.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
		return time.Time{}, fmt.Errorf("read the transaction time: %w", err)
	}
	return now, nil
}

func uuidText(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// isUniqueViolation reports whether err is Postgres refusing a duplicate key.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// notFound turns pgx's no-rows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
