// Package loadgen holds what the load generators under scripts share: the loopback-only
// HTTP client, the access-token fetch, the common flags and their limits, the per-client
// latency recording and the summary of a run, and, for the generators that drive whole
// business processes through the API (loadtransfer, loadsale), the JSON API client and its
// set-up calls.
//
// A program that measures GETs registers the common flags with Options.Register, checks
// them with Options.CheckClients and Options.CheckDurations, fetches a token with
// AccessToken, builds one loop a client that calls Stats.Measure until the Window ends,
// hands the loops to Run and prints the Summary with Report.
//
// A program that drives a process builds an API with NewAPI, sets up untimed with Expect
// and the calls built on it (Register, Verify, CreateAnimal), spreading the set-up over
// concurrent clients with ForEach, and times its own steps with Call.
package loadgen

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

const (
	// MaxDuration caps the measured duration, so a run always stops by itself.
	MaxDuration = 5 * time.Minute
	// MaxWarmup caps the unmeasured warm-up.
	MaxWarmup = time.Minute
	// MaxClients is the largest number of concurrent clients accepted.
	MaxClients = 4096
	// FailLimit is the fraction of measured requests that may fail before a run is not OK
	// (and the program exits with status 1).
	FailLimit = 0.01
)

// Options are the flags every load generator has.
type Options struct {
	Clients  int           // concurrent clients
	Duration time.Duration // measured duration
	Warmup   time.Duration // unmeasured warm-up before the measured period
	Timeout  time.Duration // per-request timeout
	JSON     bool          // print the result as JSON
}

// Register defines the common flags (-clients, -duration, -warmup, -timeout, -json) on fs.
func (o *Options) Register(fs *flag.FlagSet) {
	fs.IntVar(&o.Clients, "clients", 32, "concurrent clients")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "measured duration (capped at 5m)")
	fs.DurationVar(&o.Warmup, "warmup", 3*time.Second, "unmeasured warm-up before the measured period (capped at 1m)")
	fs.DurationVar(&o.Timeout, "timeout", 5*time.Second, "per-request timeout")
	fs.BoolVar(&o.JSON, "json", false, "print the result as JSON")
}

// CheckClients reports an error unless -clients is between 1 and MaxClients.
func (o *Options) CheckClients() error {
	if o.Clients < 1 || o.Clients > MaxClients {
		return fmt.Errorf("-clients must be between 1 and %d", MaxClients)
	}
	return nil
}

// CheckDurations reports an error unless -duration and -timeout are positive and -warmup
// is not negative, and caps -duration at MaxDuration and -warmup at MaxWarmup, saying so on
// stderr after the program name prog.
func (o *Options) CheckDurations(prog string) error {
	if o.Duration <= 0 || o.Warmup < 0 || o.Timeout <= 0 {
		return errors.New("-duration and -timeout must be positive and -warmup not negative")
	}
	if o.Duration > MaxDuration {
		fmt.Fprintf(os.Stderr, "%s: -duration %s capped at %s\n", prog, o.Duration, MaxDuration)
		o.Duration = MaxDuration
	}
	if o.Warmup > MaxWarmup {
		fmt.Fprintf(os.Stderr, "%s: -warmup %s capped at %s\n", prog, o.Warmup, MaxWarmup)
		o.Warmup = MaxWarmup
	}
	return nil
}

// Exit ends the program prog after a run: with status 2 and the error on stderr when err
// is not nil, with status 1 when the run was not ok, and otherwise returns.
func Exit(prog string, ok bool, err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, prog+":", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}
