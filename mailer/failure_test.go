package mailer_test

import (
	"errors"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/testkit"
)

// scriptedServer is an SMTP server that answers each command verb with the reply its script
// gives ("greeting" for the banner, "." for the end of the message data) and with success
// otherwise, and records the verbs it received.
type scriptedServer struct {
	addr   string
	script map[string]string

	mu    sync.Mutex
	verbs []string
}

// defaultReplies are the successful answers a scripted server gives unless told otherwise.
var defaultReplies = map[string]string{
	"greeting": "220 scripted ESMTP",
	"EHLO":     "250 scripted",
	"MAIL":     "250 2.1.0 OK",
	"RCPT":     "250 2.1.5 OK",
	"DATA":     "354 go ahead",
	".":        "250 2.0.0 queued",
	"QUIT":     "221 2.0.0 bye",
	"RSET":     "250 2.0.0 OK",
}

// startScripted starts a scripted server on a free loopback port, stopped when the test ends.
func startScripted(t *testing.T, script map[string]string) *scriptedServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	s := &scriptedServer{addr: ln.Addr().String(), script: script}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
			go s.serve(textproto.NewConn(c))
		}
	}()
	return s
}

// serve runs one SMTP conversation until the client leaves or a reply closes it (421).
func (s *scriptedServer) serve(c *textproto.Conn) {
	defer func() { _ = c.Close() }()
	if !s.reply(c, "greeting") {
		return
	}
	for {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.mu.Lock()
		s.verbs = append(s.verbs, verb)
		s.mu.Unlock()
		if !s.reply(c, verb) {
			return
		}
		if verb == "DATA" && strings.HasPrefix(s.answer(verb), "354") {
			if _, err := c.ReadDotBytes(); err != nil {
				return
			}
			if !s.reply(c, ".") {
				return
			}
		}
	}
}

// answer is the scripted or default reply to verb.
func (s *scriptedServer) answer(verb string) string {
	if r, ok := s.script[verb]; ok {
		return r
	}
	if r, ok := defaultReplies[verb]; ok {
		return r
	}
	return "502 5.5.2 not implemented"
}

// reply writes the answer to verb and reports whether the conversation goes on.
func (s *scriptedServer) reply(c *textproto.Conn, verb string) bool {
	r := s.answer(verb)
	if r == "" { // no answer at all: hang up
		return false
	}
	return c.PrintfLine("%s", r) == nil && !strings.HasPrefix(r, "421") && verb != "QUIT"
}

// received returns the command verbs the server has read so far.
func (s *scriptedServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.verbs...)
}

var plainMessage = mailer.Message{To: "keeper@example.com", Subject: "Hatch day", Text: "Clutch 12 is hatching."}

func TestSender_ClassifiesServerRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		script    map[string]string
		permanent bool
		wantCode  int
		wantErr   string
	}{
		{"mailbox unavailable at RCPT TO", map[string]string{"RCPT": "550 5.1.1 mailbox unavailable"}, true, 550, "SMTP RCPT TO"},
		{"no such user at RCPT TO", map[string]string{"RCPT": "551 5.1.6 user not local"}, true, 551, "SMTP RCPT TO"},
		{"sender refused at MAIL FROM", map[string]string{"MAIL": "553 5.7.1 sender not allowed"}, true, 553, "SMTP MAIL FROM"},
		{"transaction refused at DATA", map[string]string{"DATA": "554 5.5.1 no valid recipients"}, true, 554, "SMTP DATA"},
		{"message refused after data", map[string]string{".": "552 5.3.4 message too big"}, true, 552, "SMTP end of data"},
		{"mailbox busy at RCPT TO", map[string]string{"RCPT": "450 4.2.1 mailbox busy"}, false, 450, "SMTP RCPT TO"},
		{"greylisted at RCPT TO", map[string]string{"RCPT": "451 4.7.1 greylisted, try again later"}, false, 451, "SMTP RCPT TO"},
		{"shutting down at MAIL FROM", map[string]string{"MAIL": "421 4.3.2 shutting down"}, false, 421, "SMTP MAIL FROM"},
		{"storage full after data", map[string]string{".": "452 4.3.1 insufficient storage"}, false, 452, "SMTP end of data"},
		{"no service at greeting", map[string]string{"greeting": "554 5.3.2 no service here"}, false, 554, "SMTP greeting"},
		{"hang-up after RCPT TO", map[string]string{"RCPT": ""}, false, 0, "SMTP RCPT TO"},
		{"hang-up after data", map[string]string{".": ""}, false, 0, "SMTP end of data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startScripted(t, tt.script)
			s := mailer.Sender{Addr: srv.addr, From: from, Timeout: 5 * time.Second}
			err := s.Send(testCtx(t), plainMessage)
			require.ErrorContains(t, err, tt.wantErr)
			require.Equal(t, tt.permanent, errors.Is(err, mailer.ErrPermanent), "permanent: %v", err)
			var reply *textproto.Error
			if tt.wantCode == 0 {
				require.False(t, errors.As(err, &reply), "no reply was received: %v", err)
				return
			}
			require.True(t, errors.As(err, &reply), "the server's reply stays in the chain: %v", err)
			require.Equal(t, tt.wantCode, reply.Code)
		})
	}
}

func TestSender_TemporaryWhenTheServerCannotBeReached(t *testing.T) {
	t.Parallel()
	hangUp := startScripted(t, map[string]string{"greeting": ""})
	tests := []struct {
		name    string
		addr    string
		timeout time.Duration
		wantErr string
	}{
		{"connection refused", testkit.ClosedAddr(t), 2 * time.Second, "connect to SMTP server"},
		{"hang-up before the greeting", hangUp.addr, 2 * time.Second, "SMTP greeting"},
		{"greeting never comes", testkit.SilentServer(t), 200 * time.Millisecond, "SMTP greeting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := mailer.Sender{Addr: tt.addr, From: from, Timeout: tt.timeout}
			err := s.Send(testCtx(t), plainMessage)
			require.ErrorContains(t, err, tt.wantErr)
			require.NotErrorIs(t, err, mailer.ErrPermanent)
		})
	}
}

// Once the server has accepted the data the message is delivered: a failed QUIT must not
// make the caller send it again.
func TestSender_AcceptedMessageSucceedsDespiteFailedQuit(t *testing.T) {
	t.Parallel()
	srv := startScripted(t, map[string]string{"QUIT": ""})
	s := mailer.Sender{Addr: srv.addr, From: from, Timeout: 5 * time.Second}
	require.NoError(t, s.Send(testCtx(t), plainMessage))
	require.Equal(t, []string{"EHLO", "MAIL", "RCPT", "DATA", "QUIT"}, srv.received())
}

// After a refused recipient nothing more is sent: no message data reaches the server.
func TestSender_StopsAtTheRefusedCommand(t *testing.T) {
	t.Parallel()
	srv := startScripted(t, map[string]string{"RCPT": "550 5.1.1 mailbox unavailable"})
	s := mailer.Sender{Addr: srv.addr, From: from, Timeout: 5 * time.Second}
	require.ErrorIs(t, s.Send(testCtx(t), plainMessage), mailer.ErrPermanent)
	require.NotContains(t, srv.received(), "DATA")
}

// The development sink refuses its reserved domain permanently, as a real server would an
// unknown mailbox.
func TestSender_SinkRejectedDomainIsPermanent(t *testing.T) {
	t.Parallel()
	sink, client := startSink(t)
	s := mailer.Sender{Addr: sink.SMTPAddr(), From: from, Timeout: 5 * time.Second}
	err := s.Send(testCtx(t), mailer.Message{To: "Gone <gone@" + mailsink.RejectedDomain + ">", Subject: "s", Text: "t"})
	require.ErrorIs(t, err, mailer.ErrPermanent)
	var reply *textproto.Error
	require.ErrorAs(t, err, &reply)
	require.Equal(t, 550, reply.Code)
	msgs, err := client.List(testCtx(t), "")
	require.NoError(t, err)
	require.Empty(t, msgs)
}
