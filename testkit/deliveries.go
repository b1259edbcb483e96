package testkit

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/sms"
	"github.com/reptidex/reptidex/store"
)

// DeliverNotifications works the notification deliveries of db until the test ends, as the
// worker does: email through smtpAddr (the configured sink when empty), SMS to the
// configured endpoint, retrying after 100 ms. Its client can also record notifications.
func DeliverNotifications(t testing.TB, db *store.DB, cfg config.Config, smtpAddr string) *river.Client[pgx.Tx] {
	t.Helper()
	if smtpAddr == "" {
		smtpAddr = cfg.SMTP.Addr
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &notify.DeliveryWorker{DB: db, Mail: &mailer.Sender{Addr: smtpAddr, From: cfg.SMTP.From, Timeout: 2 * time.Second},
		SMS: sms.New(cfg.SMS), Links: notify.LinksFrom(cfg), RetryBase: 100 * time.Millisecond})
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{
		Logger:        Logger(t),
		Queues:        map[string]river.QueueConfig{notify.Queue: {MaxWorkers: 10}},
		FetchCooldown: 10 * time.Millisecond,
		Workers:       workers,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, rc.Start(ctx))
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = rc.Stop(stop)
		cancel()
	})
	return rc
}
