// Package devstack starts the real components ReptiDex talks to on a developer's machine
// and in integration tests: the Temporal dev server, stripe-mock and an S3 server (pinned
// tools built into bin/), and the SMTP sink, in-process. It stops what it started.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/objstore"
)

// Stack is the set of running components.
type Stack struct {
	cfg   config.Config
	log   *slog.Logger
	procs []*process
	sink  *mailsink.Sink
}

type process struct {
	name string
	cmd  *exec.Cmd
	done chan error
}

// Start brings every component up and waits until each answers. On error, whatever had
// started is stopped again.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *Stack, err error) {
	s := &Stack{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	if err := s.checkPostgres(ctx); err != nil {
		return nil, err
	}
	logDir := filepath.Join(cfg.DataDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("create log directory: %w", err)
	}

	if err := s.startTemporal(ctx, logDir); err != nil {
		return nil, err
	}
	if err := s.startStripeMock(ctx, logDir); err != nil {
		return nil, err
	}
	if err := s.startS3(ctx, logDir); err != nil {
		return nil, err
	}
	if err := s.startMailSink(); err != nil {
		return nil, err
	}
	if err := s.waitTemporal(ctx); err != nil {
		return nil, err
	}
	bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := objstore.EnsureBucket(bctx, objstore.New(cfg.S3), cfg.S3.Bucket); err != nil {
		return nil, err
	}
	return s, nil
}

// MailSink is the in-process SMTP sink.
func (s *Stack) MailSink() *mailsink.Sink { return s.sink }

// Stop stops every component, politely first (SIGTERM, 10 s), then by force.
func (s *Stack) Stop() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		p := s.procs[i]
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.done:
			s.log.Debug("component stopped", "component", p.name, "exit", err)
		case <-time.After(10 * time.Second):
			s.log.Warn("component did not stop in time; killing it", "component", p.name)
			_ = p.cmd.Process.Kill()
			s.log.Debug("component killed", "component", p.name, "exit", <-p.done)
		}
	}
	s.procs = nil
	if s.sink != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.sink.Shutdown(ctx)
		s.sink = nil
	}
}

// checkPostgres fails early, with the fix, when Postgres is not listening.
func (s *Stack) checkPostgres(ctx context.Context) error {
	u, err := url.Parse(s.cfg.Database.AdminURL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_ADMIN_URL: %w", err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5432")
	}
	if err := waitPort(ctx, host, 5*time.Second); err != nil {
		return fmt.Errorf("postgres is not reachable at %s (make dev and make test start the local cluster): %w", host, err)
	}
	return nil
}

func (s *Stack) tool(name string) (string, error) {
	path := filepath.Join(s.cfg.Dev.BinDir, name)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s is not built (run make tools): %w", path, err)
	}
	return path, nil
}

func (s *Stack) spawn(name, logDir, bin string, args ...string) error {
	logFile, err := os.OpenFile(filepath.Join(logDir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open %s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Children get their own process group, so a terminal's Ctrl-C reaches only us and we
	// stop them in order; Pdeathsig stops them if we die without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close() // the start error is the one to report
		return fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan error, 1)}
	go func() {
		p.done <- cmd.Wait()
		_ = logFile.Close() // the child wrote to the file itself: nothing of ours to flush
		close(p.done)
	}()
	s.procs = append(s.procs, p)
	s.log.Info("started component", "component", name, "pid", cmd.Process.Pid, "log", logFile.Name())
	return nil
}

// waitReady waits until addr accepts connections, failing early if the process exits.
func (s *Stack) waitReady(ctx context.Context, name, addr string) error {
	p := s.procs[len(s.procs)-1]
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			return fmt.Errorf("%s exited during start-up (%v); see %s", name, err, filepath.Join(s.cfg.DataDir, "logs", name+".log"))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if err := waitPort(ctx, addr, 200*time.Millisecond); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not listen on %s within 60 s", name, addr)
}

func (s *Stack) startTemporal(ctx context.Context, logDir string) error {
	bin, err := s.tool("temporal")
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(s.cfg.Temporal.Address)
	if err != nil {
		return fmt.Errorf("TEMPORAL_ADDRESS: %w", err)
	}
	args := []string{"server", "start-dev", "--ip", host, "--port", port,
		"--namespace", s.cfg.Temporal.Namespace, "--log-level", "warn",
		// The dev server's one history shard picks up queued tasks at most 20 times a second
		// by default, which puts ~45 ms between the steps of every workflow; a transfer's
		// accept takes ten such steps in a row.
		"--dynamic-config-value", "history.transferProcessorMaxPollRPS=1000",
		"--dynamic-config-value", "history.timerProcessorMaxPollRPS=1000",
		"--dynamic-config-value", "history.outboundProcessorMaxPollRPS=1000"}
	if s.cfg.Dev.TemporalHeadless {
		args = append(args, "--headless")
	} else {
		args = append(args, "--ui-port", strconv.Itoa(s.cfg.Temporal.UIPort))
	}
	if f := s.cfg.Dev.TemporalDBFile; f != "" {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return fmt.Errorf("create Temporal state directory: %w", err)
		}
		// WAL and synchronous=normal triple the dev server's throughput on SQLite.
		args = append(args, "--db-filename", f,
			"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal")
	}
	if err := s.spawn("temporal", logDir, bin, args...); err != nil {
		return err
	}
	return s.waitReady(ctx, "temporal", s.cfg.Temporal.Address)
}

// waitTemporal waits until the frontend serves and the namespace exists.
func (s *Stack) waitTemporal(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		c, err := client.Dial(client.Options{HostPort: s.cfg.Temporal.Address, Namespace: s.cfg.Temporal.Namespace, Logger: quietLogger{}})
		if err == nil {
			_, err = c.WorkflowService().DescribeNamespace(ctx, describeNamespace(s.cfg.Temporal.Namespace))
			c.Close()
			if err == nil {
				return nil
			}
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("temporal did not become ready: %w", errors.Join(last, ctx.Err()))
}

func (s *Stack) startStripeMock(ctx context.Context, logDir string) error {
	bin, err := s.tool("stripe-mock")
	if err != nil {
		return err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.cfg.Dev.StripeMockPort))
	// stripe-mock always serves HTTPS too; it goes on the next port, never the default
	// 12112, so two stacks (dev and test) run side by side.
	tlsAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.cfg.Dev.StripeMockPort+1))
	if err := s.spawn("stripe-mock", logDir, bin, "-http-addr", addr, "-https-addr", tlsAddr); err != nil {
		return err
	}
	return s.waitReady(ctx, "stripe-mock", addr)
}

func (s *Stack) startS3(ctx context.Context, logDir string) error {
	bin, err := s.tool("versitygw")
	if err != nil {
		return err
	}
	root := filepath.Join(s.cfg.DataDir, "s3")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("create S3 directory: %w", err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.cfg.Dev.S3Port))
	err = s.spawn("s3", logDir, bin, "--access", s.cfg.S3.AccessKey, "--secret", s.cfg.S3.SecretKey,
		"--region", s.cfg.S3.Region, "--port", addr, "--quiet", "posix", root)
	if err != nil {
		return err
	}
	return s.waitReady(ctx, "s3", addr)
}

func (s *Stack) startMailSink() error {
	s.sink = mailsink.New(mailsink.Config{
		SMTPAddr: s.cfg.SMTP.Addr,
		HTTPAddr: s.cfg.Dev.MailHTTPAddr,
		Dir:      filepath.Join(s.cfg.DataDir, "mail"),
	}, s.log.With("component", "mailsink"))
	if err := s.sink.Start(); err != nil {
		s.sink = nil
		return fmt.Errorf("start SMTP sink: %w", err)
	}
	s.log.Info("started component", "component", "mailsink", "smtp", s.sink.SMTPAddr(), "http", s.sink.HTTPAddr())
	return nil
}

// waitPort dials addr once within timeout.
func waitPort(ctx context.Context, addr string, timeout time.Duration) error {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return conn.Close()
}
