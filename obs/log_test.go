package obs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/obs"
)

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines(t *testing.T) []string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := strings.Split(strings.TrimRight(s.b.String(), "\n"), "\n")
	if len(out) == 1 && out[0] == "" {
		return nil
	}
	return out
}

// jsonLines decodes every logged line as a JSON object.
func jsonLines(t *testing.T, buf *syncBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range buf.lines(t) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "line %q", l)
		out = append(out, m)
	}
	return out
}

func TestNewLogger_FormatIsJSONByDefaultAndTextWhenAsked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format   string
		wantJSON bool
	}{
		{"", true},
		{"json", true},
		{"anything-else", true},
		{"text", false},
		{"TEXT", false},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			var buf syncBuffer
			obs.NewLogger(&buf, tt.format, "info").Info("hatched", "clutch", 7)
			lines := buf.lines(t)
			require.Len(t, lines, 1)
			if tt.wantJSON {
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(lines[0]), &m))
				require.Equal(t, "hatched", m["msg"])
				require.Equal(t, "INFO", m["level"])
				require.EqualValues(t, 7, m["clutch"])
				return
			}
			require.False(t, json.Valid([]byte(lines[0])), "text output is not JSON: %q", lines[0])
			require.Contains(t, lines[0], "level=INFO")
			require.Contains(t, lines[0], "msg=hatched")
			require.Contains(t, lines[0], "clutch=7")
		})
	}
}

func TestNewLogger_RespectsLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		level string
		want  []string // messages that get through, of debug/info/warn/error
	}{
		{"debug", []string{"d", "i", "w", "e"}},
		{"info", []string{"i", "w", "e"}},
		{"INFO", []string{"i", "w", "e"}},
		{"warn", []string{"w", "e"}},
		{"error", []string{"e"}},
		{"", []string{"i", "w", "e"}},
		{"loud", []string{"i", "w", "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			t.Parallel()
			var buf syncBuffer
			l := obs.NewLogger(&buf, "json", tt.level)
			l.Debug("d")
			l.Info("i")
			l.Warn("w")
			l.Error("e")
			var got []string
			for _, m := range jsonLines(t, &buf) {
				got = append(got, m["msg"].(string))
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestLogger_AddsContextAttrsAddedAfterWithLogFields(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	l := obs.NewLogger(&buf, "json", "info")

	ctx := obs.WithLogFields(context.Background())
	l.InfoContext(ctx, "before")
	obs.AddLogAttrs(ctx, slog.String("request_id", "req-1"))
	l.InfoContext(ctx, "after request id")

	// Middleware later in the chain adds to a derived context; the attributes show up on
	// lines logged with the original context (the access log).
	type k struct{}
	derived := context.WithValue(ctx, k{}, "x")
	obs.AddLogAttrs(derived, slog.String("org_id", "org-1"), slog.String("user_id", "u-1"))
	l.InfoContext(ctx, "after derived")
	l.InfoContext(derived, "derived line")

	// Replacing a key keeps one value, the latest.
	obs.AddLogAttrs(derived, slog.String("org_id", "org-2"))
	l.InfoContext(ctx, "after replace")

	lines := jsonLines(t, &buf)
	require.Len(t, lines, 5)

	require.NotContains(t, lines[0], "request_id")
	require.Equal(t, "req-1", lines[1]["request_id"])
	require.NotContains(t, lines[1], "org_id")
	for _, i := range []int{2, 3} {
		require.Equal(t, "req-1", lines[i]["request_id"], lines[i]["msg"])
		require.Equal(t, "org-1", lines[i]["org_id"], lines[i]["msg"])
		require.Equal(t, "u-1", lines[i]["user_id"], lines[i]["msg"])
	}
	require.Equal(t, "org-2", lines[4]["org_id"])
	raw := buf.lines(t)[4]
	require.Equal(t, 1, strings.Count(raw, `"org_id"`), "replaced key is not duplicated: %s", raw)
}

func TestLogger_ContextAttrsSurviveLoggerWith(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	l := obs.NewLogger(&buf, "json", "info").With("component", "api")
	ctx := obs.WithLogFields(context.Background())
	obs.AddLogAttrs(ctx, slog.String("request_id", "req-9"))
	l.InfoContext(ctx, "hello")
	lines := jsonLines(t, &buf)
	require.Len(t, lines, 1)
	require.Equal(t, "api", lines[0]["component"])
	require.Equal(t, "req-9", lines[0]["request_id"])
}

func TestAddLogAttrs_WithoutWithLogFieldsDoesNothing(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	l := obs.NewLogger(&buf, "json", "info")
	ctx := context.Background()
	require.NotPanics(t, func() { obs.AddLogAttrs(ctx, slog.String("org_id", "o")) })
	l.InfoContext(ctx, "plain")
	lines := jsonLines(t, &buf)
	require.Len(t, lines, 1)
	require.NotContains(t, lines[0], "org_id")
}

func TestWithLogFields_SeparatesRequests(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	l := obs.NewLogger(&buf, "json", "info")
	a := obs.WithLogFields(context.Background())
	b := obs.WithLogFields(context.Background())
	obs.AddLogAttrs(a, slog.String("request_id", "a"))
	l.InfoContext(b, "b line")
	lines := jsonLines(t, &buf)
	require.Len(t, lines, 1)
	require.NotContains(t, lines[0], "request_id")
}

func TestLogger_ConcurrentAddAndLogIsSafe(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	l := obs.NewLogger(&buf, "json", "info")
	ctx := obs.WithLogFields(context.Background())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				obs.AddLogAttrs(ctx, slog.Int("n", i*100+j))
				l.InfoContext(ctx, "tick")
			}
		})
	}
	wg.Wait()
	lines := jsonLines(t, &buf)
	require.Len(t, lines, 400)
	for _, m := range lines {
		require.Contains(t, m, "n")
	}
}
