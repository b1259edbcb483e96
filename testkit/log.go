package testkit

import (
	"log/slog"

	tlog "go.temporal.io/sdk/log"
)

func slogAdapter(l *slog.Logger) tlog.Logger { return tlog.NewStructuredLogger(l) }
