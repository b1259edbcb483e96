package mailsink

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const (
	// MaxMessageBytes is the largest message the SMTP server accepts (10 MiB).
	MaxMessageBytes = 10 << 20
	// smtpTimeout bounds each SMTP read and write.
	smtpTimeout = 60 * time.Second
	// maxRecipients bounds RCPT TO commands per message.
	maxRecipients = 1000
)

// newSMTPServer configures a go-smtp server that stores mail in st.
func newSMTPServer(be *backend, logger *slog.Logger) *smtp.Server {
	srv := smtp.NewServer(be)
	srv.Domain = "mailsink.localhost"
	srv.MaxMessageBytes = MaxMessageBytes
	srv.MaxRecipients = maxRecipients
	srv.ReadTimeout = smtpTimeout
	srv.WriteTimeout = smtpTimeout
	srv.AllowInsecureAuth = true // any credentials are accepted anyway
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = slogAdapter{logger}
	return srv
}

// backend creates SMTP sessions and tracks open connections so a shutdown
// that runs out of time can close them.
type backend struct {
	store  *store
	logger *slog.Logger
	now    func() time.Time

	mu    sync.Mutex
	conns map[*smtp.Conn]struct{}
}

// newBackend returns a backend storing messages in st.
func newBackend(st *store, logger *slog.Logger) *backend {
	return &backend{store: st, logger: logger, now: time.Now, conns: make(map[*smtp.Conn]struct{})}
}

// NewSession implements smtp.Backend.
func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.mu.Lock()
	b.conns[c] = struct{}{}
	b.mu.Unlock()
	return &session{backend: b, conn: c, remote: c.Conn().RemoteAddr().String()}, nil
}

// closeConns forcibly closes every open SMTP connection.
func (b *backend) closeConns() {
	b.mu.Lock()
	conns := make([]*smtp.Conn, 0, len(b.conns))
	for c := range b.conns {
		conns = append(conns, c)
	}
	b.mu.Unlock()
	for _, c := range conns {
		_ = c.Conn().Close()
	}
}

// session is one SMTP connection's transaction state.
type session struct {
	backend *backend
	conn    *smtp.Conn
	remote  string
	from    string
	to      []string
}

var _ smtp.AuthSession = (*session)(nil)

// AuthMechanisms implements smtp.AuthSession: only PLAIN is offered.
func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth implements smtp.AuthSession by accepting any PLAIN credentials.
func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, username, _ string) error {
		s.backend.logger.Debug("mailsink: smtp auth accepted", "remote", s.remote, "username", username)
		return nil
	}), nil
}

// Mail implements smtp.Session; every sender is accepted.
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// RejectedDomain is the reserved domain (RFC 2606) whose recipients the sink refuses with
// a permanent "550 5.1.1 mailbox unavailable", so tests can exercise a permanent failure.
const RejectedDomain = "rejected.invalid"

// Rcpt implements smtp.Session; every recipient is accepted but those on RejectedDomain.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if i := strings.LastIndexByte(to, '@'); i >= 0 && strings.EqualFold(to[i+1:], RejectedDomain) {
		s.backend.logger.Info("mailsink: recipient rejected", "remote", s.remote, "to", to)
		return &smtp.SMTPError{
			Code:         550,
			EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message:      "mailbox unavailable",
		}
	}
	s.to = append(s.to, to)
	return nil
}

// Data implements smtp.Session by storing the message.
func (s *session) Data(r io.Reader) error {
	logger := s.backend.logger
	raw, err := io.ReadAll(r)
	if err != nil {
		// go-smtp maps only an unwrapped *SMTPError to its reply code.
		var smtpErr *smtp.SMTPError
		if errors.As(err, &smtpErr) {
			logger.Warn("mailsink: message rejected", "remote", s.remote, "from", s.from, "err", smtpErr)
			return smtpErr
		}
		return fmt.Errorf("mailsink: read message data: %w", err)
	}
	msg, err := s.backend.store.add(s.from, s.to, raw, s.backend.now())
	if err != nil {
		logger.Error("mailsink: storing message failed", "remote", s.remote, "from", s.from, "err", err)
		return &smtp.SMTPError{
			Code:         451,
			EnhancedCode: smtp.EnhancedCode{4, 3, 0},
			Message:      "Could not store message",
		}
	}
	logger.Info("mailsink: message received",
		"id", msg.ID, "from", msg.From, "to", msg.To, "subject", msg.Subject, "size", msg.Size)
	return nil
}

// Reset implements smtp.Session by discarding the current transaction.
func (s *session) Reset() {
	s.from = ""
	s.to = nil
}

// Logout implements smtp.Session and forgets the connection.
func (s *session) Logout() error {
	s.backend.mu.Lock()
	delete(s.backend.conns, s.conn)
	s.backend.mu.Unlock()
	return nil
}

// slogAdapter routes go-smtp's internal error log to slog.
type slogAdapter struct{ logger *slog.Logger }

// Printf implements smtp.Logger.
func (a slogAdapter) Printf(format string, v ...any) {
	a.logger.Warn("mailsink: smtp server", "detail", fmt.Sprintf(format, v...))
}

// Println implements smtp.Logger.
func (a slogAdapter) Println(v ...any) {
	a.logger.Warn("mailsink: smtp server", "detail", fmt.Sprint(v...))
}
