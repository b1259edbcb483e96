// Package obs is observability: structured logging that carries request and tenant context,
// and the Prometheus metrics every process exposes.
package obs

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// NewLogger builds the process logger: JSON (or text) to w at the named level, adding the
// attributes stored in each record's context.
func NewLogger(w io.Writer, format, level string) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler
	if strings.EqualFold(format, "text") {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(contextHandler{h})
}

// logFields is the mutable set of attributes for one request or job, so that middleware
// running later (authentication) can add the tenant to lines logged by code running earlier
// in the chain (the access log).
type logFields struct {
	mu    sync.Mutex
	attrs []slog.Attr
}

type fieldsKey struct{}

// WithLogFields returns a context that carries a fresh attribute set for logging.
func WithLogFields(ctx context.Context) context.Context {
	return context.WithValue(ctx, fieldsKey{}, &logFields{})
}

// AddLogAttrs adds attributes to every later log line made with ctx (or a context derived
// from it). Without WithLogFields upstream it does nothing.
func AddLogAttrs(ctx context.Context, attrs ...slog.Attr) {
	f, ok := ctx.Value(fieldsKey{}).(*logFields)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range attrs {
		replaced := false
		for i := range f.attrs {
			if f.attrs[i].Key == a.Key {
				f.attrs[i] = a
				replaced = true
			}
		}
		if !replaced {
			f.attrs = append(f.attrs, a)
		}
	}
}

type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if f, ok := ctx.Value(fieldsKey{}).(*logFields); ok {
		f.mu.Lock()
		r.AddAttrs(f.attrs...)
		f.mu.Unlock()
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
