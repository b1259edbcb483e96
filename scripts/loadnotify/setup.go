package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/migrations"
	"github.com/reptidex/reptidex/scripts/population/benchdb"
	"github.com/reptidex/reptidex/store"
)

// resetDatabase drops the benchmark database and creates it again with every migration.
func resetDatabase(ctx context.Context, c config, log *slog.Logger) error {
	if !strings.Contains(c.database, "loadnotify") { // checked by validate too; never drop anything else
		return fmt.Errorf("refusing to drop %q", c.database)
	}
	u, err := benchdb.WithDatabase(c.adminURL, "postgres")
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return fmt.Errorf("connect to the postgres database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{c.database}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", c.database, err)
	}
	return migrations.Apply(ctx, c.adminURL, migrations.Options{AppRole: c.appRole}, log)
}

// clearJobs empties River's job table as its owner, so that the email run's fetches do not
// wade through the baseline's completed jobs.
func clearJobs(ctx context.Context, adminURL string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect as owner: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "TRUNCATE river_job"); err != nil {
		return fmt.Errorf("clear river_job: %w", err)
	}
	return nil
}

// sink is the benchmark's own mail sink on free loopback ports.
type sink struct {
	*mailsink.Sink
	dir string // where messages are stored; empty in memory
}

// startSink starts a sink that stores messages as files in a fresh temporary directory, or
// in memory only.
func startSink(files bool, log *slog.Logger) (*sink, error) {
	s := &sink{}
	if files {
		dir, err := os.MkdirTemp("", "loadnotify-mail-")
		if err != nil {
			return nil, fmt.Errorf("mail sink directory: %w", err)
		}
		s.dir = dir
	}
	s.Sink = mailsink.New(mailsink.Config{SMTPAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Dir: s.dir}, log)
	if err := s.Start(); err != nil {
		return nil, errors.Join(err, s.removeDir())
	}
	return s, nil
}

// close stops the sink and removes its messages.
func (s *sink) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := errors.Join(s.Shutdown(ctx), s.removeDir()); err != nil {
		fmt.Fprintln(os.Stderr, "loadnotify: stop mail sink:", err)
	}
}

func (s *sink) removeDir() error {
	if s.dir == "" {
		return nil
	}
	return os.RemoveAll(s.dir)
}

// owner is the one account of the run: a user who owns an organization.
type owner struct {
	user store.User
	org  store.Organization
}

// tenant is the owner acting in their organization.
func (o owner) tenant() store.Tenant { return store.Tenant{OrgID: o.org.ID, UserID: o.user.ID} }

// createOwner creates a user, an organization and the user's owner membership.
func createOwner(ctx context.Context, db *store.DB) (owner, error) {
	u := store.User{ID: uuid.New(), PublicID: store.NewPublicID(), Email: "owner@loadnotify.reptidex.local",
		DisplayName: "Load Owner", PasswordHash: "x"}
	o := owner{user: u, org: store.Organization{ID: uuid.New(), PublicID: store.NewPublicID(), Name: "Load Reptiles", CreatedBy: u.ID}}
	err := db.InTenant(ctx, o.tenant(), func(tx pgx.Tx) error {
		if err := store.InsertUser(ctx, tx, o.user); err != nil {
			return err
		}
		if err := store.InsertOrganization(ctx, tx, o.org); err != nil {
			return err
		}
		return store.InsertMember(ctx, tx, u.ID, membership.Owner)
	})
	if err != nil {
		return owner{}, fmt.Errorf("create the owner: %w", err)
	}
	return o, nil
}
