package mailsink_test

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailsink"
)

// startSink starts a sink on free loopback ports and returns it with a client.
// It is shut down when the test ends.
func startSink(t *testing.T, dir string) (*mailsink.Sink, *mailsink.Client) {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := mailsink.New(mailsink.Config{SMTPAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Dir: dir}, logger)
	require.NoError(t, s.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, s.Shutdown(ctx))
	})
	return s, &mailsink.Client{BaseURL: s.URL()}
}

// shutdown stops a sink before the test ends (Shutdown is idempotent).
func shutdown(t *testing.T, s *mailsink.Sink) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, s.Shutdown(ctx))
}

// send delivers raw to the sink with net/smtp, optionally with AUTH PLAIN.
func send(s *mailsink.Sink, auth bool, from string, to []string, raw string) error {
	var a smtp.Auth
	if auth {
		a = smtp.PlainAuth("", "app@reptidex.test", "not-checked", "127.0.0.1")
	}
	return smtp.SendMail(s.SMTPAddr(), a, from, to, []byte(raw))
}

// mustSend is send that fails the test on error.
func mustSend(t *testing.T, s *mailsink.Sink, from string, to []string, raw string) {
	t.Helper()
	require.NoError(t, send(s, false, from, to, raw))
}

// crlf joins lines with CRLF, the SMTP line ending.
func crlf(lines ...string) string {
	return strings.Join(lines, "\r\n")
}

// simpleMessage returns a plain-text message with the given header fields.
// The body gets a final CRLF, as SMTP would add one anyway.
func simpleMessage(from, to, subject, body string) string {
	if !strings.HasSuffix(body, "\r\n") {
		body += "\r\n"
	}
	return crlf(
		"From: "+from,
		"To: "+to,
		"Subject: "+subject,
		"Date: Mon, 02 Mar 2026 10:00:00 +0000",
		"",
		body,
	)
}

// base64Lines encodes s as base64 wrapped at 76 columns.
func base64Lines(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var lines []string
	for len(enc) > 76 {
		lines = append(lines, enc[:76])
		enc = enc[76:]
	}
	return crlf(append(lines, enc)...)
}

// ctx returns a context bounded for a single test step.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}
