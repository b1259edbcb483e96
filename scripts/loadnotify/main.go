// Command loadnotify measures notification delivery: how fast River delivers email through
// the local SMTP sink, compared with a no-op River job on the same machine in the same run,
// and how soon a recorded notification appears in its recipient's in-app inbox.
//
// It works in its own database (-database-admin-url, dropped, re-created and migrated at
// start; the name must contain "loadnotify") as the application role (-database-url, under
// row-level security like the API and worker), with its own in-process mail sink on free
// loopback ports storing each message as a file in a temporary directory (as `make dev`'s
// sink does; -sink-files=false keeps them in memory). It never touches `make dev` or the
// test stack. Then, with one organization and its owner:
//
//  1. no-op baseline: inserts -jobs no-op jobs with InsertMany, starts a River client
//     (-workers, -fetch-cooldown) and times from Start until every job has completed;
//  2. email run: records -jobs `organization.message` notifications, each to its own address
//     without an account (exactly one email delivery each), in transactions of -batch with
//     no River client working; then starts a client with notify.DeliveryWorker sending to
//     the sink, times from Start until every delivery job has settled, and checks that every
//     delivery is sent and the sink received exactly one message per address;
//  3. in-app delay: -inbox times in turn, records a notification for the owner in its own
//     transaction (notify.Notifier.Record) while another goroutine polls the owner's inbox
//     (store.Inbox) on its own connection, and measures from the call until the first poll
//     that sees it.
//
// It prints one line per figure and exits with status 1 when an email was lost, duplicated
// or not delivered (or a no-op job did not complete in time), 2 on any other failure:
//
//	go run ./scripts/loadnotify -jobs 10000 -inbox 1000 -workers 100 -fetch-cooldown 1ms
//
// Only loopback databases are accepted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/scripts/population/benchdb"
	"github.com/reptidex/reptidex/store"
)

type config struct {
	adminURL, appURL string
	appRole          string
	jobs             int
	batch            int
	inbox            int
	workers          int
	fetchCooldown    time.Duration
	maxConns         int
	pollEvery        time.Duration
	sinkFiles        bool
	timeout          time.Duration
	database         string // named by both URLs; set by validate
}

func main() {
	var c config
	flag.StringVar(&c.adminURL, "database-admin-url", "postgres://postgres@127.0.0.1:5432/reptidex_loadnotify?sslmode=disable",
		"owner (superuser) URL of the benchmark's database, dropped and re-created at start (loopback only, name must contain \"loadnotify\")")
	flag.StringVar(&c.appURL, "database-url", "postgres://reptidex_app@127.0.0.1:5432/reptidex_loadnotify?sslmode=disable",
		"application role URL of the same database (row-level security applies)")
	flag.StringVar(&c.appRole, "app-role", "reptidex_app", "application role the migrations grant privileges to")
	flag.IntVar(&c.jobs, "jobs", 10_000, "no-op jobs, and emails, to deliver")
	flag.IntVar(&c.batch, "batch", 500, "notifications recorded per transaction in the email run")
	flag.IntVar(&c.inbox, "inbox", 1_000, "notifications whose in-app delay is measured, one after another")
	flag.IntVar(&c.workers, "workers", 100, "River MaxWorkers of the queue")
	flag.DurationVar(&c.fetchCooldown, "fetch-cooldown", time.Millisecond, "River FetchCooldown (at least 1ms, at most 1s)")
	flag.IntVar(&c.maxConns, "max-conns", 12, "application pool size (DATABASE_MAX_CONNS; the River client and its workers share it)")
	flag.DurationVar(&c.pollEvery, "poll-every", 200*time.Microsecond, "start an inbox poll this often (a poll that takes longer is followed at once)")
	flag.BoolVar(&c.sinkFiles, "sink-files", true, "the mail sink stores each message as a file (fsynced), as in development; false: in memory")
	flag.DurationVar(&c.timeout, "timeout", 5*time.Minute, "give up a River run that has not finished after this long")
	flag.Parse()

	ok, err := run(c, os.Stdout)
	loadgen.Exit("loadnotify", ok, err)
}

// validate refuses anything but two loopback URLs of one benchmark database, and flags out
// of range; it sets c.database.
func validate(c *config) error {
	var names []string
	for _, u := range []string{c.adminURL, c.appURL} {
		if err := benchdb.CheckLoopbackDB(u); err != nil {
			return err
		}
		name, err := benchdb.DatabaseName(u)
		if err != nil {
			return err
		}
		names = append(names, name)
	}
	switch {
	case names[0] != names[1]:
		return fmt.Errorf("-database-admin-url names %q and -database-url %q: they must be the same database", names[0], names[1])
	case !strings.Contains(names[0], "loadnotify"):
		return fmt.Errorf("refusing database %q: it is dropped at start, so its name must contain \"loadnotify\"", names[0])
	case c.jobs < 1 || c.batch < 1 || c.inbox < 1 || c.workers < 1 || c.maxConns < 2:
		return errors.New("-jobs, -batch, -inbox and -workers must be positive and -max-conns at least 2")
	case c.fetchCooldown < river.FetchCooldownMin || c.fetchCooldown > river.FetchPollIntervalDefault:
		return fmt.Errorf("-fetch-cooldown must be between %s and %s", river.FetchCooldownMin, river.FetchPollIntervalDefault)
	case c.pollEvery < 0 || c.timeout <= 0:
		return errors.New("-poll-every must not be negative and -timeout must be positive")
	}
	c.database = names[0]
	return nil
}

// run does the three measurements and prints them; ok is false when an email was lost,
// duplicated or not delivered, or a no-op job did not complete.
func run(c config, w io.Writer) (ok bool, err error) {
	if err := validate(&c); err != nil {
		return false, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	t0 := time.Now()
	if err := resetDatabase(ctx, c, log); err != nil {
		return false, err
	}
	db, err := store.Open(ctx, c.appURL, int32(c.maxConns))
	if err != nil {
		return false, err
	}
	defer db.Close()
	sink, err := startSink(c.sinkFiles, log)
	if err != nil {
		return false, err
	}
	defer sink.close()
	owner, err := createOwner(ctx, db)
	if err != nil {
		return false, err
	}
	b, err := newBench(c, db, sink, log)
	if err != nil {
		return false, err
	}
	storage := "in memory"
	if c.sinkFiles {
		storage = "as fsynced files in " + sink.dir
	}
	fmt.Fprintf(w, "setup            database %s migrated, sink on %s storing %s (%.1fs)\n",
		c.database, sink.SMTPAddr(), storage, time.Since(t0).Seconds())
	fmt.Fprintf(w, "river            queue %q, MaxWorkers %d, FetchCooldown %s, pool of %d connections\n",
		queue, c.workers, c.fetchCooldown, c.maxConns)

	noop, err := b.noopRun(ctx)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(w, "no-op jobs       %s\n", noop)
	if err := clearJobs(ctx, c.adminURL); err != nil {
		return false, err
	}

	email, err := b.emailRun(ctx, owner)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(w, "record emails    %d notifications in transactions of %d: %.2fs = %.0f/s\n",
		c.jobs, c.batch, email.record.Seconds(), rate(c.jobs, email.record))
	fmt.Fprintf(w, "email jobs       %s\n", email.jobs)
	fmt.Fprintf(w, "ratio            %.3f (email jobs/s ÷ no-op jobs/s)\n", email.jobs.rate()/noop.rate())
	fmt.Fprintf(w, "deliveries       %s\n", email.deliveries)
	fmt.Fprintf(w, "sink received    %s\n", email.mail)

	delay, err := b.inboxDelay(ctx, owner)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(w, "in-app delay     %s over %d notifications (poll every %s)\n", delay.visible, c.inbox, c.pollEvery)
	fmt.Fprintf(w, "record tx        %s\n", delay.record)
	fmt.Fprintln(w, "                 Record commits before the inbox can see it: the delay is the recording transaction plus one or two polls (one in flight at commit misses it)")
	fmt.Fprintf(w, "inbox poll       %s (%d polls)\n", delay.poll, delay.polls)

	var failed []string
	if noop.completed != c.jobs {
		failed = append(failed, "not every no-op job completed")
	}
	if !email.deliveries.ok(c.jobs) {
		failed = append(failed, "not every email delivery was sent")
	}
	if !email.mail.ok() {
		failed = append(failed, "the sink did not receive exactly one email per address")
	}
	if len(failed) > 0 {
		fmt.Fprintln(w, "FAILED           "+strings.Join(failed, "; "))
	}
	return len(failed) == 0, nil
}

// rate is n per second of d.
func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
