package mailer_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/testkit"
)

const from = "ReptiDex <no-reply@reptidex.local>"

// startSink starts an in-process SMTP sink on free loopback ports, shut down when the test ends.
func startSink(t *testing.T) (*mailsink.Sink, *mailsink.Client) {
	t.Helper()
	sink := mailsink.New(mailsink.Config{SMTPAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"}, nil)
	require.NoError(t, sink.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, sink.Shutdown(ctx))
	})
	return sink, &mailsink.Client{BaseURL: sink.URL()}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// normalize turns CRLF into LF and drops trailing line breaks, so bodies compare regardless
// of how the transport ended lines.
func normalize(s string) string {
	return strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

func TestSender_DeliversToSinkWithDecodedParts(t *testing.T) {
	t.Parallel()
	longLine := strings.Repeat("Morph notes: Bumblebee × Pastel — 25 % het Pied. ", 4)
	tests := []struct {
		name string
		msg  mailer.Message
	}{
		{
			name: "text only",
			msg: mailer.Message{
				To:      "Kéeper <keeper@example.com>",
				Subject: "Bumblebee × Pastel — 25 %",
				Text:    "Clutch of 6: Bumblebee × Pastel — 25 % chance each.\nIncubate at 31.5 °C = fine.",
			},
		},
		{
			name: "text and html",
			msg: mailer.Message{
				To:      "breeder@example.com",
				Subject: "Pairing report: Bumblebee × Pastel — 25 % (Ω)",
				Text:    "Pairing: Bumblebee × Pastel — 25 %\n" + longLine,
				HTML:    `<p style="color:#333">Pairing: <b>Bumblebee × Pastel</b> — 25 %</p>`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink, client := startSink(t)
			s := mailer.Sender{Addr: sink.SMTPAddr(), From: from, Timeout: 5 * time.Second}
			require.NoError(t, s.Send(testCtx(t), tt.msg))

			msgs, err := client.List(testCtx(t), "")
			require.NoError(t, err)
			require.Len(t, msgs, 1)
			got, err := client.Get(testCtx(t), msgs[0].ID)
			require.NoError(t, err)

			require.Equal(t, tt.msg.Subject, got.Subject, "subject is RFC 2047 decoded")
			require.Equal(t, "no-reply@reptidex.local", got.From)
			rcpt := tt.msg.To
			if i := strings.IndexByte(rcpt, '<'); i >= 0 {
				rcpt = strings.TrimSuffix(rcpt[i+1:], ">")
			}
			require.Contains(t, got.To, rcpt)
			require.Equal(t, normalize(tt.msg.Text), normalize(got.Text), "text part")
			require.Equal(t, normalize(tt.msg.HTML), normalize(got.HTML), "html part")

			raw, err := client.Raw(testCtx(t), msgs[0].ID)
			require.NoError(t, err)
			require.Contains(t, string(raw), "MIME-Version: 1.0\r\n")
			require.Regexp(t, `(?m)^Message-ID: <[0-9a-f]{24}@reptidex\.local>\r$`, string(raw))
			for _, line := range strings.Split(string(raw), "\r\n") {
				require.LessOrEqual(t, len(line), 998, "SMTP line length limit")
				for _, r := range line {
					require.Less(t, r, rune(0x80), "raw message must be 7-bit clean: %q", line)
				}
			}
		})
	}
}

// Bad input is refused before anything is sent; a message that can never be sent is a
// permanent failure, a misconfigured sender is not (its operator fixes it, then the same
// message goes out).
func TestSender_RefusesBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		from      string
		msg       mailer.Message
		wantErr   string
		permanent bool
	}{
		{"invalid recipient", from, mailer.Message{To: "not an address", Subject: "s", Text: "t"}, "recipient", true},
		{"empty recipient", from, mailer.Message{To: "", Subject: "s", Text: "t"}, "recipient", true},
		{"empty text", from, mailer.Message{To: "keeper@example.com", Subject: "s", HTML: "<p>only html</p>"}, "no text body", true},
		{"subject with CRLF", from, mailer.Message{To: "keeper@example.com", Subject: "s\r\nBcc: all@example.com", Text: "t"}, "subject contains a line break", true},
		{"list-unsubscribe with CRLF", from, mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t", ListUnsubscribe: "https://app.reptidex.test/u\r\nBcc: all@example.com"}, "list-unsubscribe URL", true},
		{"relative list-unsubscribe", from, mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t", ListUnsubscribe: "/unsubscribe"}, "list-unsubscribe URL", true},
		{"message ID with CRLF", from, mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t", MessageID: "a@b\r\nBcc: all@example.com"}, "message ID", true},
		{"message ID in angle brackets", from, mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t", MessageID: "<a@b>"}, "message ID", true},
		{"message ID without @", from, mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t", MessageID: "notification-1"}, "message ID", true},
		{"message ID with a space", from, mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t", MessageID: "a b@c"}, "message ID", true},
		{"message ID with an empty atom", from, mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t", MessageID: "a..b@c"}, "message ID", true},
		{"invalid sender", "no-reply", mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t"}, "SMTP_FROM", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink, client := startSink(t)
			s := mailer.Sender{Addr: sink.SMTPAddr(), From: tt.from, Timeout: 5 * time.Second}
			err := s.Send(testCtx(t), tt.msg)
			require.ErrorContains(t, err, tt.wantErr)
			require.Equal(t, tt.permanent, errors.Is(err, mailer.ErrPermanent), "permanent: %v", err)

			msgs, err := client.List(testCtx(t), "")
			require.NoError(t, err)
			require.Empty(t, msgs, "nothing is delivered")
		})
	}
}

// A message sent again with the Message-ID of its first copy carries that same header, so mail
// systems can recognise the copy; without one, every message gets a fresh random ID.
func TestSender_MessageIDIsTheGivenOneOnEveryCopy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		messageID string
		want      string // regexp of the header's value
		sameTwice bool
	}{
		{"given", "0f8fad5b-d9cb-469f-a165-70867728950e.email@reptidex.local", `<0f8fad5b-d9cb-469f-a165-70867728950e\.email@reptidex\.local>`, true},
		{"given with atext", "a+b/c=d_e@mail.reptidex.example", `<a\+b/c=d_e@mail\.reptidex\.example>`, true},
		{"random when unset", "", `<[0-9a-f]{24}@reptidex\.local>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink, client := startSink(t)
			s := mailer.Sender{Addr: sink.SMTPAddr(), From: from, Timeout: 5 * time.Second}
			m := mailer.Message{To: "keeper@example.com", Subject: "Clutch due", Text: "t", HTML: "<p>t</p>", MessageID: tt.messageID}
			require.NoError(t, s.Send(testCtx(t), m))
			require.NoError(t, s.Send(testCtx(t), m))

			msgs, err := client.List(testCtx(t), "")
			require.NoError(t, err)
			require.Len(t, msgs, 2)
			var ids []string
			for _, msg := range msgs {
				raw, err := client.Raw(testCtx(t), msg.ID)
				require.NoError(t, err)
				header := regexp.MustCompile(`(?m)^Message-ID: (.*)\r$`).FindAllStringSubmatch(string(raw), -1)
				require.Len(t, header, 1, "exactly one Message-ID header")
				require.Regexp(t, "^"+tt.want+"$", header[0][1])
				ids = append(ids, header[0][1])
			}
			require.Equal(t, tt.sameTwice, ids[0] == ids[1], "Message-IDs %q", ids)
		})
	}
}

func TestSender_ClosedPortFailsWithinTimeout(t *testing.T) {
	t.Parallel()
	s := mailer.Sender{Addr: testkit.ClosedAddr(t), From: from, Timeout: 2 * time.Second}
	start := time.Now()
	err := s.Send(testCtx(t), mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t"})
	require.ErrorContains(t, err, "connect to SMTP server")
	require.Less(t, time.Since(start), 2*time.Second+500*time.Millisecond)
}

func TestSender_SilentServerFailsAtTimeout(t *testing.T) {
	t.Parallel()
	s := mailer.Sender{Addr: testkit.SilentServer(t), From: from, Timeout: 300 * time.Millisecond}
	start := time.Now()
	err := s.Send(testCtx(t), mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t"})
	elapsed := time.Since(start)
	require.ErrorContains(t, err, "SMTP greeting")
	require.GreaterOrEqual(t, elapsed, 250*time.Millisecond)
	require.Less(t, elapsed, 5*time.Second)
}

func TestSender_CancelledContextFails(t *testing.T) {
	t.Parallel()
	sink, client := startSink(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := mailer.Sender{Addr: sink.SMTPAddr(), From: from}
	require.Error(t, s.Send(ctx, mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t"}))
	msgs, err := client.List(testCtx(t), "")
	require.NoError(t, err)
	require.Empty(t, msgs)
}

func TestSender_ContextCancelledMidConversationStopsAtOnce(t *testing.T) {
	t.Parallel()
	s := mailer.Sender{Addr: testkit.SilentServer(t), From: from, Timeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := s.Send(ctx, mailer.Message{To: "keeper@example.com", Subject: "s", Text: "t"})
	require.ErrorContains(t, err, "SMTP greeting")
	require.NotErrorIs(t, err, mailer.ErrPermanent)
	require.Less(t, time.Since(start), 2*time.Second, "the cancelled ctx, not the 10 s timeout, ends the wait")
}
