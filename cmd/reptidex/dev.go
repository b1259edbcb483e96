package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/devstack"
	"github.com/reptidex/reptidex/mailsink"
)

// runDev runs the whole system in one process tree: the components, migrations, the demo
// account, the worker and the API. Ctrl-C stops everything it started.
func (a *app) runDev(ctx context.Context) error {
	stack, err := devstack.Start(ctx, a.cfg, a.log)
	if err != nil {
		return err
	}
	defer stack.Stop()
	if err := a.migrate(ctx); err != nil {
		return err
	}
	d, err := a.connect(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	demo, err := a.seed(ctx, d.db)
	if err != nil {
		return err
	}
	// The worker has connections of its own, as it has in its own process in production:
	// a burst of its jobs never takes the connections the API's requests need. (Its pool's
	// metrics are not exported here; the API's are.)
	workerDB, err := a.openDB(ctx, nil)
	if err != nil {
		return err
	}
	defer workerDB.Close()
	wd := *d
	wd.db = workerDB
	stop, err := a.startWorker(ctx, &wd)
	if err != nil {
		return err
	}
	defer func() {
		if err := stop(); err != nil {
			a.log.Error("stop worker", "error", err)
		}
	}()
	srv, err := a.apiServer(ctx, d)
	if err != nil {
		return err
	}
	base := strings.TrimRight(a.cfg.HTTP.PublicBaseURL, "/")
	fmt.Fprintf(os.Stderr, `
ReptiDex is starting.
  API          %s/api/v1   (docs %s/docs, health %s/api/v1/health/deep)
  Operations   http://%s/metrics, http://%s/health/deep (API and worker)
  Temporal UI  http://localhost:%d
  Mail         http://%s
  %s
Ctrl-C stops everything.

`, base, base, base, a.cfg.HTTP.OpsAddr, a.cfg.HTTP.OpsAddr, a.cfg.Temporal.UIPort, a.cfg.Dev.MailHTTPAddr, demo)
	return a.serveAPI(ctx, srv)
}

// runStack starts the components, migrates the database, runs a command with them up and
// stops them again, answering with the command's exit code.
func (a *app) runStack(ctx context.Context, args []string) (int, error) {
	fresh := false
	for len(args) > 0 && args[0] != "--" {
		switch args[0] {
		case "--fresh-db":
			fresh = true
		default:
			return 2, fmt.Errorf("stack: unknown flag %q", args[0])
		}
		args = args[1:]
	}
	if len(args) < 2 {
		return 2, errors.New("stack: give the command to run after -- (reptidex stack -- go test ./...)")
	}
	args = args[1:]
	if fresh {
		if err := dropDatabase(ctx, a.cfg.Database.AdminURL); err != nil {
			return 1, err
		}
	}
	stack, err := devstack.Start(ctx, a.cfg, a.log)
	if err != nil {
		return 1, err
	}
	defer stack.Stop()
	if err := a.migrate(ctx); err != nil {
		return 1, err
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "REPTIDEX_STACK=1", "MAILSINK_URL=http://"+stack.MailSink().HTTPAddr())
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 1, fmt.Errorf("run %s: %w", args[0], err)
	}
	return 0, nil
}

// dropDatabase removes the database named in adminURL, for a test run that starts clean.
func dropDatabase(ctx context.Context, adminURL string) error {
	u, err := url.Parse(adminURL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_ADMIN_URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return fmt.Errorf("connect to the postgres database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// runMailSink runs the SMTP sink alone (docker-compose runs it this way).
func (a *app) runMailSink(ctx context.Context) error {
	sink := mailsink.New(mailsink.Config{SMTPAddr: a.cfg.SMTP.Addr, HTTPAddr: a.cfg.Dev.MailHTTPAddr, Dir: a.cfg.DataDir + "/mail"}, a.log)
	if err := sink.Start(); err != nil {
		return err
	}
	a.log.Info("SMTP sink listening", "smtp", sink.SMTPAddr(), "http", sink.HTTPAddr())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return sink.Shutdown(sctx)
}
