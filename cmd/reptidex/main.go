// Command reptidex is the one ReptiDex binary: the API, the worker, migrations, seeding, and
// the whole local stack for development.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/obs"
)

const usage = `reptidex: the ReptiDex system of record for reptile breeders.

Usage: reptidex <command> [arguments]

Commands:
  api        serve the HTTP API
  worker     run the Temporal worker and River jobs
  migrate    apply the database migrations (River's included)
  seed       create the demo organization and user
  dev        run everything locally: components, migrations, seed, API and worker
  stack      start the local components, run a command against them, stop them
             (reptidex stack [--fresh-db] -- go test ./...)
  mailsink   run the local SMTP sink on its own
  stripe-event
             post to the local API the webhook event Stripe would send about an order or
             a seller (reptidex stripe-event authorized --order <id>; -h lists the events)
  verify-certificate
             check a certificate offline, with a published key: a certificate record or a
             saved answer of GET /api/v1/verify/{serial}, and with --pdf its PDF
             (reptidex verify-certificate --key keys.json [--pdf c.pdf] answer.json; -h for more)

Configuration is read from the environment; see README.md.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if os.Args[1] == "verify-certificate" { // offline: needs no configuration
		os.Exit(runVerifyCertificate(os.Args[2:], os.Stdout, os.Stderr))
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		os.Exit(2)
	}
	log := obs.NewLogger(os.Stderr, cfg.LogFormat, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd, args := os.Args[1], os.Args[2:]
	a := &app{cfg: cfg, log: log}
	switch cmd {
	case "api":
		err = a.runAPI(ctx)
	case "worker":
		err = a.runWorker(ctx)
	case "migrate":
		err = a.migrate(ctx)
	case "seed":
		err = a.runSeed(ctx)
	case "dev":
		err = a.runDev(ctx)
	case "stack":
		var code int
		code, err = a.runStack(ctx, args)
		if err == nil && code != 0 {
			stop()
			os.Exit(code)
		}
	case "mailsink":
		err = a.runMailSink(ctx)
	case "stripe-event":
		err = a.runStripeEvent(ctx, args, os.Stdout, os.Stderr)
		if errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, err)
			stop()
			os.Exit(2)
		}
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("reptidex "+cmd+" failed", "error", err)
		stop()
		os.Exit(1)
	}
}
