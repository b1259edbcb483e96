package mailsink_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailsink"
)

func TestClientWaitFor(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")

	// Mail for another recipient and a non-matching message must be skipped.
	mustSend(t, s, "a@reptidex.test", []string{"other@example.com"}, simpleMessage("a@reptidex.test", "other@example.com", "Reset your password", "wrong recipient"))

	type result struct {
		d   mailsink.MessageDetail
		err error
	}
	done := make(chan result, 1)
	go func() {
		d, err := c.WaitFor(ctx(t), "keeper@example.com", func(d mailsink.MessageDetail) bool {
			return strings.Contains(d.Text, "token=")
		})
		done <- result{d, err}
	}()

	time.Sleep(120 * time.Millisecond) // let WaitFor poll at least once first
	mustSend(t, s, "a@reptidex.test", []string{"keeper@example.com"}, simpleMessage("a@reptidex.test", "keeper@example.com", "Welcome", "no token here"))
	mustSend(t, s, "a@reptidex.test", []string{"keeper@example.com"}, simpleMessage("a@reptidex.test", "keeper@example.com", "Reset your password", "https://reptidex.test/reset?token=abc123"))

	select {
	case r := <-done:
		require.NoError(t, r.err)
		require.Equal(t, "Reset your password", r.d.Subject)
		require.Equal(t, []string{"keeper@example.com"}, r.d.To)
		require.Contains(t, r.d.Text, "token=abc123")
	case <-time.After(10 * time.Second):
		t.Fatal("WaitFor did not return")
	}
}

func TestClientWaitForNilMatchReturnsExistingMail(t *testing.T) {
	t.Parallel()
	s, c := startSink(t, "")
	mustSend(t, s, "a@reptidex.test", []string{"keeper@example.com"}, simpleMessage("a@reptidex.test", "keeper@example.com", "Hello", "x"))

	d, err := c.WaitFor(ctx(t), "KEEPER@example.com", nil)
	require.NoError(t, err)
	require.Equal(t, "Hello", d.Subject)
}

func TestClientWaitForTimesOut(t *testing.T) {
	t.Parallel()
	_, c := startSink(t, "")

	wctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.WaitFor(wctx, "nobody@example.com", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestClientWaitForReportsLastError(t *testing.T) {
	t.Parallel()
	// Nothing listens here once the sink is stopped.
	s, _ := startSink(t, "")
	c := &mailsink.Client{BaseURL: s.URL()}
	shutdown(t, s)

	wctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := c.WaitFor(wctx, "", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "last error")
}

func TestClientGetUnknownID(t *testing.T) {
	t.Parallel()
	_, c := startSink(t, "")

	_, err := c.Get(ctx(t), "0123456789abcdef")
	require.ErrorIs(t, err, mailsink.ErrNotFound)
	_, err = c.Raw(ctx(t), "0123456789abcdef")
	require.ErrorIs(t, err, mailsink.ErrNotFound)
}
