// Package mailer sends email over SMTP: plain text with an HTML alternative, with a timeout
// on every connection. Email renders ReptiDex's branded layout into a Message; a failed Send
// tells permanent refusals (ErrPermanent) from failures worth retrying.
package mailer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/reptidex/reptidex/config"
)

// Message is one email to send.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string // optional
	// ListUnsubscribe is an optional absolute http(s) URL that unsubscribes the recipient with
	// a POST and no login; it becomes the List-Unsubscribe header with one-click unsubscribe
	// (RFC 8058), which mail providers expect to be https in production.
	ListUnsubscribe string
	// MessageID is an optional Message-ID without its angle brackets, e.g.
	// "key@reptidex.example". A caller that may send the same message again gives every copy
	// the same one, so mail systems and clients can recognise a copy; unset, it is random.
	MessageID string
}

// Sender delivers messages through one SMTP server.
type Sender struct {
	Addr     string
	From     string
	Username string
	Password string
	Timeout  time.Duration
}

// New is the sender of the configured SMTP relay.
func New(c config.SMTP) *Sender {
	return &Sender{Addr: c.Addr, From: c.From, Username: c.Username, Password: c.Password}
}

// Send delivers m, failing after the sender's timeout (10 s when unset) or when ctx ends. An
// error for which errors.Is(err, ErrPermanent) holds means this message will never be
// accepted (a recipient that does not parse, an invalid message, or a 5xx reply to MAIL FROM,
// RCPT TO or DATA) and must not be retried; any other error may succeed on a later attempt.
func (s *Sender) Send(ctx context.Context, m Message) error {
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("parse SMTP_FROM: %w", err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return permanent(fmt.Errorf("parse recipient: %w", err))
	}
	body, err := compose(from, to, m)
	if err != nil {
		return permanent(err)
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("connect to SMTP server: %w", err)
	}
	dl, _ := ctx.Deadline()
	_ = conn.SetDeadline(dl)
	// The deadline covers the timeout; closing the connection covers a cancelled ctx.
	defer context.AfterFunc(ctx, func() { _ = conn.Close() })()
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		_ = conn.Close() // the greeting's error is the one to report
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	defer func() { _ = c.Close() }() // best effort: Quit has ended the conversation, or an earlier error is reported
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("SMTP EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(nil); err != nil {
			return fmt.Errorf("SMTP STARTTLS: %w", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("SMTP auth: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return classify(fmt.Errorf("SMTP MAIL FROM: %w", err))
	}
	if err := c.Rcpt(to.Address); err != nil {
		return classify(fmt.Errorf("SMTP RCPT TO: %w", err))
	}
	w, err := c.Data()
	if err != nil {
		return classify(fmt.Errorf("SMTP DATA: %w", err))
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("SMTP write: %w", err)
	}
	if err := w.Close(); err != nil {
		return classify(fmt.Errorf("SMTP end of data: %w", err))
	}
	// The server has accepted the message: a failed QUIT must not make the caller send it again.
	_ = c.Quit()
	return nil
}

// compose renders m as an RFC 5322 message: text/plain, or multipart/alternative with HTML.
func compose(from, to *mail.Address, m Message) ([]byte, error) {
	if m.Text == "" {
		return nil, errors.New("message has no text body")
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("subject contains a line break")
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	messageID := m.MessageID
	if messageID == "" {
		messageID = hex.EncodeToString(id) + "@" + from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	} else if err := checkMessageID(messageID); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n",
		from.String(), to.String(), mime.QEncoding.Encode("utf-8", m.Subject),
		time.Now().UTC().Format(time.RFC1123Z), messageID)
	if m.ListUnsubscribe != "" {
		if err := checkURL(m.ListUnsubscribe); err != nil {
			return nil, fmt.Errorf("list-unsubscribe URL: %w", err)
		}
		fmt.Fprintf(&b, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", m.ListUnsubscribe)
	}
	if m.HTML == "" {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	boundary := "rdx-" + hex.EncodeToString(id)
	fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n", boundary)
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, part.typ)
		if err := writeQP(&b, part.body); err != nil {
			return nil, err
		}
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes(), nil
}

// checkMessageID accepts a Message-ID without its angle brackets in the common form of RFC 5322
// section 3.6.4: dot-atoms on either side of one "@". Nothing else can break out of the header.
func checkMessageID(id string) error {
	left, right, ok := strings.Cut(id, "@")
	if !ok || !isDotAtom(left) || !isDotAtom(right) {
		return fmt.Errorf("message ID %.100q is not of the form left@right with letters, digits, dots and !#$%%&'*+-/=?^_`{|}~", id)
	}
	return nil
}

// isDotAtom reports whether s is an RFC 5322 dot-atom-text: atoms of atext joined by single dots.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, c := range []byte(s) {
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && strings.IndexByte(".!#$%&'*+-/=?^_`{|}~", c) < 0 {
			return false
		}
	}
	return true
}

func writeQP(b *bytes.Buffer, s string) error {
	w := quotedprintable.NewWriter(b)
	if _, err := w.Write([]byte(strings.ReplaceAll(s, "\n", "\r\n"))); err != nil {
		return fmt.Errorf("encode body: %w", err)
	}
	return w.Close()
}
