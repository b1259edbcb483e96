package mailsink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"

	"github.com/emersion/go-smtp"
)

// Default listen addresses, used when the Config leaves them empty.
const (
	DefaultSMTPAddr = "127.0.0.1:1025"
	DefaultHTTPAddr = "127.0.0.1:8025"
)

// Config configures a Sink.
type Config struct {
	// SMTPAddr is the SMTP listen address; DefaultSMTPAddr if empty, port 0 picks a free port.
	SMTPAddr string
	// HTTPAddr is the HTTP API listen address; DefaultHTTPAddr if empty, port 0 picks a free port.
	HTTPAddr string
	// Dir is where messages are stored as .eml files (created if missing), and
	// text messages as JSON files in its sms folder; empty keeps both in memory only.
	Dir string
}

// Sink is a local SMTP server that keeps every message it receives and serves
// them over an HTTP API. It is safe for concurrent use.
type Sink struct {
	cfg     Config
	logger  *slog.Logger
	store   *store
	sms     *smsStore
	backend *backend

	mu       sync.Mutex
	started  bool
	stopped  bool
	smtpSrv  *smtp.Server
	smtpLn   net.Listener
	httpSrv  *http.Server
	smtpAddr string
	httpAddr string
	wg       sync.WaitGroup
}

// New returns an unstarted Sink; a nil logger discards log output.
func New(cfg Config, logger *slog.Logger) *Sink {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SMTPAddr == "" {
		cfg.SMTPAddr = DefaultSMTPAddr
	}
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = DefaultHTTPAddr
	}
	st := newStore(cfg.Dir, logger)
	var smsDir string
	if cfg.Dir != "" {
		smsDir = filepath.Join(cfg.Dir, "sms")
	}
	return &Sink{cfg: cfg, logger: logger, store: st, sms: newSMSStore(smsDir, logger), backend: newBackend(st, logger)}
}

// Start loads stored messages and text messages, binds the SMTP and HTTP listeners and serves
// them in background goroutines. It fails if either address cannot be bound;
// a Sink can be started only once.
func (s *Sink) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("mailsink: sink already started")
	}
	if err := s.store.load(); err != nil {
		return err
	}
	if err := s.sms.load(); err != nil {
		return err
	}
	smtpLn, err := net.Listen("tcp", s.cfg.SMTPAddr)
	if err != nil {
		return fmt.Errorf("mailsink: listen smtp on %s: %w", s.cfg.SMTPAddr, err)
	}
	httpLn, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		_ = smtpLn.Close()
		return fmt.Errorf("mailsink: listen http on %s: %w", s.cfg.HTTPAddr, err)
	}
	s.started = true
	s.smtpAddr = smtpLn.Addr().String()
	s.httpAddr = httpLn.Addr().String()
	s.smtpLn = smtpLn
	s.smtpSrv = newSMTPServer(s.backend, s.logger)
	s.httpSrv = newHTTPServer(s.store, s.sms, s.logger)

	smtpSrv, httpSrv := s.smtpSrv, s.httpSrv
	s.wg.Go(func() {
		if err := smtpSrv.Serve(smtpLn); err != nil && !errors.Is(err, net.ErrClosed) {
			s.logger.Error("mailsink: smtp server stopped", "err", err)
		}
	})
	s.wg.Go(func() {
		if err := httpSrv.Serve(httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("mailsink: http server stopped", "err", err)
		}
	})
	s.logger.Info("mailsink: started", "smtp_addr", s.smtpAddr, "http_addr", s.httpAddr, "dir", s.cfg.Dir)
	return nil
}

// Shutdown stops accepting connections and waits for open ones to finish
// until ctx ends, after which they are closed forcibly. Stored messages are
// kept. Calling it on an unstarted or already stopped Sink is a no-op.
func (s *Sink) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.started || s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	smtpSrv, smtpLn, httpSrv := s.smtpSrv, s.smtpLn, s.httpSrv
	s.mu.Unlock()

	var errs []error
	if err := httpSrv.Shutdown(ctx); err != nil {
		_ = httpSrv.Close()
		errs = append(errs, fmt.Errorf("mailsink: shutdown http: %w", err))
	}
	if err := smtpSrv.Shutdown(ctx); err != nil {
		// go-smtp's Close is a no-op after Shutdown, so close connections ourselves.
		s.backend.closeConns()
		errs = append(errs, fmt.Errorf("mailsink: shutdown smtp: %w", err))
	}
	// go-smtp only closes listeners that Serve has already registered, which
	// misses a Serve goroutine that had not started yet; close it here too.
	_ = smtpLn.Close()
	s.wg.Wait()
	s.logger.Info("mailsink: stopped", "smtp_addr", s.smtpAddr, "http_addr", s.httpAddr)
	return errors.Join(errs...)
}

// SMTPAddr returns the address the SMTP server is bound to, or the configured
// address before Start.
func (s *Sink) SMTPAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.smtpAddr != "" {
		return s.smtpAddr
	}
	return s.cfg.SMTPAddr
}

// HTTPAddr returns the address the HTTP API is bound to, or the configured
// address before Start.
func (s *Sink) HTTPAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.httpAddr != "" {
		return s.httpAddr
	}
	return s.cfg.HTTPAddr
}

// URL returns the base URL of the HTTP API, suitable for Client.BaseURL.
func (s *Sink) URL() string {
	return "http://" + s.HTTPAddr()
}
