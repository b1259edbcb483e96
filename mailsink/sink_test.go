package mailsink_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailsink"
)

const (
	altHTML = "<p>Caf\u00e9 <b>gecko</b> clutch</p>"
	// altMessage is multipart/alternative with quoted-printable text and base64 HTML.
	altBoundary = "=_reptidex_42"
)

var altMessage = crlf(
	"From: ReptiDex <noreply@reptidex.test>",
	"To: Keeper <keeper@example.com>",
	"Subject: Your clutch report",
	"MIME-Version: 1.0",
	`Content-Type: multipart/alternative; boundary="`+altBoundary+`"`,
	"",
	"This is a multi-part message in MIME format.",
	"--"+altBoundary,
	"Content-Type: text/plain; charset=utf-8",
	"Content-Transfer-Encoding: quoted-printable",
	"",
	"Caf=C3=A9 gecko clutch: 4 eggs at 28=C2=B0C. This line is long enough that i=",
	"t needs a soft line break.",
	"Second line =3D fine.",
	"--"+altBoundary,
	"Content-Type: text/html; charset=utf-8",
	"Content-Transfer-Encoding: base64",
	"",
	base64Lines(altHTML),
	"--"+altBoundary+"--",
	"",
)

// nestedMessage is multipart/mixed holding an attachment (ignored) and a
// multipart/alternative part.
var nestedMessage = crlf(
	"From: noreply@reptidex.test",
	"To: keeper@example.com",
	"Subject: Invoice",
	"MIME-Version: 1.0",
	`Content-Type: multipart/mixed; boundary="outer"`,
	"",
	"--outer",
	"Content-Type: text/plain; charset=utf-8",
	`Content-Disposition: attachment; filename="notes.txt"`,
	"Content-Transfer-Encoding: base64",
	"",
	base64Lines("attachment, not the body"),
	"--outer",
	`Content-Type: multipart/alternative; boundary="inner"`,
	"",
	"--inner",
	"Content-Type: text/plain",
	"",
	"Invoice text",
	"--inner",
	"Content-Type: text/html; charset=iso-8859-1",
	"Content-Transfer-Encoding: quoted-printable",
	"",
	"<p>Terrarium f=FCr Geckos</p>",
	"--inner--",
	"--outer--",
	"",
)

func TestReceiveAndRead(t *testing.T) {
	t.Parallel()

	snake := "K\u00f6nigspython \U0001F40D geschl\u00fcpft"
	tests := []struct {
		name        string
		auth        bool
		from        string
		to          []string
		raw         string
		wantSubject string
		wantText    string
		wantHTML    string
	}{
		{
			name:        "plain text",
			from:        "noreply@reptidex.test",
			to:          []string{"keeper@example.com"},
			raw:         simpleMessage("noreply@reptidex.test", "keeper@example.com", "Welcome to ReptiDex", "Hello breeder,\r\nyour account is ready.\r\n"),
			wantSubject: "Welcome to ReptiDex",
			wantText:    "Hello breeder,\nyour account is ready.\n",
		},
		{
			name:        "multipart alternative with quoted-printable and base64",
			from:        "noreply@reptidex.test",
			to:          []string{"keeper@example.com", "second@example.com"},
			raw:         altMessage,
			wantSubject: "Your clutch report",
			wantText:    "Caf\u00e9 gecko clutch: 4 eggs at 28\u00b0C. This line is long enough that it needs a soft line break.\nSecond line = fine.",
			wantHTML:    altHTML,
		},
		{
			name: "RFC 2047 encoded subject",
			from: "noreply@reptidex.test",
			to:   []string{"keeper@example.com"},
			raw: simpleMessage("noreply@reptidex.test", "keeper@example.com",
				"=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(snake))+"?= =?UTF-8?Q?_/_Caf=C3=A9?=", "Body"),
			wantSubject: snake + " / Caf\u00e9",
			wantText:    "Body\n",
		},
		{
			name:        "latin1 subject and nested multipart with attachment",
			from:        "billing@reptidex.test",
			to:          []string{"keeper@example.com"},
			raw:         strings.Replace(nestedMessage, "Subject: Invoice", "Subject: =?ISO-8859-1?Q?Rechnung_f=FCr_Geckos?=", 1),
			wantSubject: "Rechnung f\u00fcr Geckos",
			wantText:    "Invoice text",
			wantHTML:    "<p>Terrarium f\u00fcr Geckos</p>",
		},
		{
			name:        "AUTH PLAIN with any credentials",
			auth:        true,
			from:        "app@reptidex.test",
			to:          []string{"keeper@example.com"},
			raw:         simpleMessage("app@reptidex.test", "keeper@example.com", "Authenticated", "hi"),
			wantSubject: "Authenticated",
			wantText:    "hi\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := startSink(t, "")

			before := time.Now()
			require.NoError(t, send(s, tc.auth, tc.from, tc.to, tc.raw))
			after := time.Now()

			msgs, err := c.List(ctx(t), "")
			require.NoError(t, err)
			require.Len(t, msgs, 1)
			m := msgs[0]
			require.NotEmpty(t, m.ID)
			require.Equal(t, tc.from, m.From)
			require.Equal(t, tc.to, m.To)
			require.Equal(t, tc.wantSubject, m.Subject)
			require.Equal(t, len(tc.raw), m.Size)
			require.WithinRange(t, m.ReceivedAt, before.Add(-time.Second), after.Add(time.Second))

			d, err := c.Get(ctx(t), m.ID)
			require.NoError(t, err)
			require.Equal(t, m.ID, d.ID)
			require.Equal(t, tc.wantSubject, d.Subject)
			require.Equal(t, tc.to, d.To)
			require.Equal(t, tc.wantText, d.Text)
			require.Equal(t, tc.wantHTML, d.HTML)

			raw, err := c.Raw(ctx(t), m.ID)
			require.NoError(t, err)
			require.Equal(t, tc.raw, string(raw))
		})
	}
}

func TestListFilterByRecipient(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")

	mustSend(t, s, "a@reptidex.test", []string{"alice@example.com"}, simpleMessage("a@reptidex.test", "alice@example.com", "first", "1"))
	mustSend(t, s, "a@reptidex.test", []string{"bob@example.com", "Alice@Example.com"}, simpleMessage("a@reptidex.test", "bob@example.com", "second", "2"))
	mustSend(t, s, "a@reptidex.test", []string{"bob@example.com"}, simpleMessage("a@reptidex.test", "bob@example.com", "third", "3"))

	subjects := func(msgs []mailsink.Message) []string {
		out := make([]string, 0, len(msgs))
		for _, m := range msgs {
			out = append(out, m.Subject)
		}
		return out
	}
	tests := []struct {
		to   string
		want []string
	}{
		{to: "", want: []string{"first", "second", "third"}},
		{to: "alice@example.com", want: []string{"first", "second"}},
		{to: "ALICE@EXAMPLE.COM", want: []string{"first", "second"}},
		{to: "bob@example.com", want: []string{"second", "third"}},
		{to: "nobody@example.com", want: []string{}},
		{to: "example.com", want: []string{}}, // whole-address match, not substring
	}
	for _, tc := range tests {
		t.Run("to="+tc.to, func(t *testing.T) {
			t.Parallel()
			msgs, err := c.List(ctx(t), tc.to)
			require.NoError(t, err)
			require.NotNil(t, msgs, "empty list must be [] not null")
			require.Equal(t, tc.want, subjects(msgs))
		})
	}
}

func TestPersistenceAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	s1, c1 := startSink(t, dir)
	mustSend(t, s1, "noreply@reptidex.test", []string{"keeper@example.com", "hidden-bcc@example.com"}, altMessage)
	mustSend(t, s1, "noreply@reptidex.test", []string{"other@example.com"}, simpleMessage("noreply@reptidex.test", "other@example.com", "=?UTF-8?Q?Caf=C3=A9?=", "second"))
	before, err := c1.List(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, before, 2)
	shutdown(t, s1)

	files, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	require.Len(t, files, 2, "one .eml per message and no temp files: %v", files)
	for _, f := range files {
		require.True(t, strings.HasSuffix(f, ".eml"), f)
	}

	// A file dropped into the directory by hand is loaded from its headers.
	foreign := simpleMessage("Vet <vet@example.org>", "Keeper <keeper@example.com>, zoo@example.org", "=?UTF-8?Q?Hand_=C3=A9dited?=", "manual")
	manualPath := filepath.Join(dir, "manual.eml")
	require.NoError(t, os.WriteFile(manualPath, []byte(foreign), 0o600))
	// Its received time is the file's mtime; pin it after the other two, as
	// coarse filesystem timestamps can lag the clock by a few milliseconds.
	mtime := before[1].ReceivedAt.Add(time.Second)
	require.NoError(t, os.Chtimes(manualPath, mtime, mtime))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ignored.txt"), []byte("not mail"), 0o600))

	s2, c2 := startSink(t, dir)
	after, err := c2.List(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, after, 3)
	for i, want := range before {
		got := after[i]
		require.Equal(t, want.ID, got.ID)
		require.Equal(t, want.From, got.From)
		require.Equal(t, want.To, got.To, "envelope recipients, including Bcc, survive a restart")
		require.Equal(t, want.Subject, got.Subject)
		require.Equal(t, want.Size, got.Size)
		require.True(t, want.ReceivedAt.Equal(got.ReceivedAt), "received_at %v != %v", want.ReceivedAt, got.ReceivedAt)
	}
	require.Equal(t, "Caf\u00e9", after[1].Subject)

	manual := after[2]
	require.Equal(t, "vet@example.org", manual.From)
	require.Equal(t, []string{"keeper@example.com", "zoo@example.org"}, manual.To)
	require.Equal(t, "Hand \u00e9dited", manual.Subject)
	require.Equal(t, len(foreign), manual.Size)
	require.True(t, mtime.Equal(manual.ReceivedAt), "received_at %v, want mtime %v", manual.ReceivedAt, mtime)

	d, err := c2.Get(ctx(t), before[0].ID)
	require.NoError(t, err)
	require.Equal(t, altHTML, d.HTML)
	raw, err := c2.Raw(ctx(t), before[0].ID)
	require.NoError(t, err)
	require.Equal(t, altMessage, string(raw), "raw bytes survive a restart unchanged")

	hidden, err := c2.List(ctx(t), "hidden-bcc@example.com")
	require.NoError(t, err)
	require.Len(t, hidden, 1)

	// New mail after the restart is listed last.
	mustSend(t, s2, "noreply@reptidex.test", []string{"keeper@example.com"}, simpleMessage("noreply@reptidex.test", "keeper@example.com", "newest", "x"))
	all, err := c2.List(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, all, 4)
	require.Equal(t, "newest", all[3].Subject)
}

func TestDeleteClearsMessagesAndFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, c := startSink(t, dir)

	mustSend(t, s, "a@reptidex.test", []string{"keeper@example.com"}, simpleMessage("a@reptidex.test", "keeper@example.com", "one", "1"))
	mustSend(t, s, "a@reptidex.test", []string{"keeper@example.com"}, simpleMessage("a@reptidex.test", "keeper@example.com", "two", "2"))
	msgs, err := c.List(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	require.NoError(t, err)
	require.Len(t, files, 2)

	require.NoError(t, c.Clear(ctx(t)))

	msgs, err = c.List(ctx(t), "")
	require.NoError(t, err)
	require.Empty(t, msgs)
	_, err = c.Get(ctx(t), msgs0ID(t, files))
	require.ErrorIs(t, err, mailsink.ErrNotFound)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)

	// A restart does not bring cleared mail back.
	shutdown(t, s)
	_, c2 := startSink(t, dir)
	msgs, err = c2.List(ctx(t), "")
	require.NoError(t, err)
	require.Empty(t, msgs)
}

// msgs0ID extracts the message ID from the first "<time>-<id>.eml" file name.
func msgs0ID(t *testing.T, files []string) string {
	t.Helper()
	_, id, ok := strings.Cut(strings.TrimSuffix(filepath.Base(files[0]), ".eml"), "-")
	require.True(t, ok, files[0])
	return id
}

func TestOversizedMessageRejected(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")

	line := strings.Repeat("x", 998)
	var b strings.Builder
	b.WriteString(simpleMessage("a@reptidex.test", "keeper@example.com", "huge", ""))
	for b.Len() <= mailsink.MaxMessageBytes+1024 {
		b.WriteString(line + "\r\n")
	}
	err := send(s, false, "a@reptidex.test", []string{"keeper@example.com"}, b.String())
	require.Error(t, err)
	var tpErr *textproto.Error
	require.ErrorAs(t, err, &tpErr)
	require.Equal(t, 552, tpErr.Code, tpErr.Msg)

	// A message just under the limit still goes through.
	var ok strings.Builder
	ok.WriteString(simpleMessage("a@reptidex.test", "keeper@example.com", "big", ""))
	for ok.Len() < mailsink.MaxMessageBytes-2048 {
		ok.WriteString(line + "\r\n")
	}
	mustSend(t, s, "a@reptidex.test", []string{"keeper@example.com"}, ok.String())

	msgs, err := c.List(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	require.Equal(t, "big", msgs[0].Subject)
	require.Equal(t, ok.Len(), msgs[0].Size)
}

func TestConcurrentDelivery(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, t.TempDir())

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			to := fmt.Sprintf("keeper%d@example.com", i)
			errs <- send(s, false, "a@reptidex.test", []string{to}, simpleMessage("a@reptidex.test", to, fmt.Sprintf("msg %d", i), "x"))
		})
	}
	// Read concurrently with delivery to exercise locking under -race.
	for range n {
		_, err := c.List(ctx(t), "")
		require.NoError(t, err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	msgs, err := c.List(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, msgs, n)
	ids := make(map[string]bool, n)
	for _, m := range msgs {
		require.False(t, ids[m.ID], "duplicate id %s", m.ID)
		ids[m.ID] = true
	}
}

func TestStartFailsWhenPortTaken(t *testing.T) {
	t.Parallel()

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = taken.Close() })

	tests := []struct {
		name string
		cfg  mailsink.Config
	}{
		{name: "smtp", cfg: mailsink.Config{SMTPAddr: taken.Addr().String(), HTTPAddr: "127.0.0.1:0"}},
		{name: "http", cfg: mailsink.Config{SMTPAddr: "127.0.0.1:0", HTTPAddr: taken.Addr().String()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := mailsink.New(tc.cfg, nil)
			err := s.Start()
			require.Error(t, err)
			require.ErrorContains(t, err, "listen "+tc.name)
			require.NoError(t, s.Shutdown(t.Context()), "shutdown of an unstarted sink is a no-op")
		})
	}
}

func TestStartTwiceFails(t *testing.T) {
	t.Parallel()
	s, _ := startSink(t, "")
	require.Error(t, s.Start())
}

func TestShutdownClosesIdleConnectionsWhenContextEnds(t *testing.T) {
	t.Parallel()
	s := mailsink.New(mailsink.Config{SMTPAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"}, nil)
	require.NoError(t, s.Start())

	conn, err := net.Dial("tcp", s.SMTPAddr())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	tc := textproto.NewConn(conn)
	_, _, err = tc.ReadResponse(220)
	require.NoError(t, err)
	_, err = tc.Cmd("EHLO test")
	require.NoError(t, err)
	_, _, err = tc.ReadResponse(250)
	require.NoError(t, err)

	sctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Shutdown(sctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 5*time.Second)

	// The server side of the idle connection has been closed.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = tc.ReadLine()
	require.Error(t, err)
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "connection should be closed, not time out: %v", err)
}
