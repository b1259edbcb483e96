package notify_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/sms"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// workerBundle is a delivery worker called directly, without River: its deliveries are
// recorded without a job, so no other test's client works them.
type workerBundle struct {
	*bundle
	worker *notify.DeliveryWorker
}

func setupWorker(t *testing.T) *workerBundle {
	t.Helper()
	cfg := testkit.Config(t)
	b := &bundle{db: testkit.DB(t), mail: testkit.Mail(t), links: notify.LinksFrom(cfg)}
	w := &notify.DeliveryWorker{DB: b.db, Mail: &mailer.Sender{Addr: cfg.SMTP.Addr, From: cfg.SMTP.From, Timeout: 5 * time.Second},
		SMS: sms.New(cfg.SMS), Links: b.links}
	return &workerBundle{bundle: b, worker: w}
}

// pending records a notification to p with one pending delivery on channel to address, as
// Notifier.Record does but without enqueueing its job.
func (b *workerBundle) pending(t *testing.T, p person, channel notify.Channel, address string) notify.DeliverArgs {
	t.Helper()
	ctx := context.Background()
	n := store.Notification{ID: uuid.New(), PublicID: store.NewPublicID(), DedupKey: "msg/" + uuid.NewString(),
		OrgID: &p.org.ID, UserID: &p.user.ID, Type: "organization.message", Title: "Feeding day moved", Body: "Thursday this week."}
	require.NoError(t, b.db.InTenant(ctx, p.tenant(), func(tx pgx.Tx) error {
		if _, _, err := store.InsertNotification(ctx, tx, n); err != nil {
			return err
		}
		_, err := store.InsertDelivery(ctx, tx, n, string(channel), address, "pending", "", true)
		return err
	}))
	return notify.DeliverArgs{NotificationID: n.ID, Channel: channel, UserID: p.user.ID, OrgID: p.org.ID}
}

// work runs one attempt of the job, as River would.
func (b *workerBundle) work(ctx context.Context, args notify.DeliverArgs) error {
	return b.worker.Work(ctx, &river.Job[notify.DeliverArgs]{Args: args})
}

// received lists what the test stack's sinks received at address: the Message-ID of each
// email, or the body of each text.
func (b *workerBundle) received(t *testing.T, channel notify.Channel, address string) []string {
	t.Helper()
	ctx := t.Context()
	var out []string
	if channel == notify.SMS {
		texts, err := b.mail.ListSMS(ctx, address)
		require.NoError(t, err)
		for _, m := range texts {
			out = append(out, m.Body)
		}
		return out
	}
	msgs, err := b.mail.List(ctx, address)
	require.NoError(t, err)
	header := regexp.MustCompile(`(?m)^Message-ID: (.*)\r$`)
	for _, m := range msgs {
		raw, err := b.mail.Raw(ctx, m.ID)
		require.NoError(t, err)
		id := header.FindStringSubmatch(string(raw))
		require.NotNil(t, id, "no Message-ID in %s", raw)
		out = append(out, id[1])
	}
	return out
}

// A send the provider accepted is recorded as sent even when recording it fails for a while
// or the job is cancelled meanwhile, so the job's next run sends nothing. Only when every
// write fails does the message go out again, and an email then carries the same Message-ID.
func TestDeliveryWorker_RecordsASentMessageDespiteFailedWritesAndSendsItOnce(t *testing.T) {
	t.Parallel()
	errDown := errors.New("database unreachable")
	tests := []struct {
		name        string
		channel     notify.Channel
		failTries   []int // the tries at the outcome write that fail
		cancelJob   bool  // the job's context ends right after the send
		wantErr     string
		wantSent    int // copies received after the run and a second run of the job
		wantAttempt int
	}{
		{name: "email, write fails once", channel: notify.Email, failTries: []int{1}, wantSent: 1, wantAttempt: 1},
		{name: "sms, write fails once", channel: notify.SMS, failTries: []int{1}, wantSent: 1, wantAttempt: 1},
		{name: "email, write fails three times", channel: notify.Email, failTries: []int{1, 2, 3}, wantSent: 1, wantAttempt: 1},
		{name: "email, job cancelled after the send", channel: notify.Email, cancelJob: true, wantSent: 1, wantAttempt: 1},
		{name: "sms, job cancelled after the send", channel: notify.SMS, cancelJob: true, wantSent: 1, wantAttempt: 1},
		{name: "email, every write fails", channel: notify.Email, failTries: []int{1, 2, 3, 4},
			wantErr: "went out but could not be recorded as sent", wantSent: 2, wantAttempt: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setupWorker(t)
			ada := b.person(t, "Ada")
			address := ada.user.Email
			if tt.channel == notify.SMS {
				address = fmt.Sprintf("+1555%07d", 1_000_000+rand.IntN(9_000_000)) // outside the refused +1555000 range
			}
			args := b.pending(t, ada, tt.channel, address)

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var (
				mu    sync.Mutex
				tries []int
			)
			b.worker.SetBeforeRecord(func(wctx context.Context, try int) error {
				mu.Lock()
				defer mu.Unlock()
				tries = append(tries, try)
				if tt.cancelJob {
					cancel()
				}
				if slices.Contains(tt.failTries, try) {
					return errDown
				}
				return wctx.Err()
			})
			err := b.work(ctx, args)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.ErrorIs(t, err, errDown)
				require.Equal(t, "pending", b.deliveries(t, ada.tenant(), args.NotificationID)[string(tt.channel)].Status)
			} else {
				require.NoError(t, err)
			}
			wantTries := min(len(tt.failTries)+1, 4)
			require.Equal(t, wantTries, len(tries), "tries at the outcome write: %v", tries)

			// River runs the job again after an error; a job that succeeded may still be run
			// again by a rescue. Either way the second run must not send a recorded message.
			b.worker.SetBeforeRecord(nil)
			require.NoError(t, b.work(t.Context(), args))
			d := b.deliveries(t, ada.tenant(), args.NotificationID)[string(tt.channel)]
			require.Equal(t, "sent", d.Status, "%+v", d)
			require.Equal(t, tt.wantAttempt, d.Attempts, "%+v", d)
			require.NotNil(t, d.SentAt)

			got := b.received(t, tt.channel, address)
			require.Len(t, got, tt.wantSent, "copies received: %q", got)
			if tt.channel == notify.Email {
				for _, id := range got {
					require.Regexp(t, "^<"+regexp.QuoteMeta(args.NotificationID.String())+`\.email@[a-z0-9.-]+>$`, id)
					require.Equal(t, got[0], id, "every copy has the same Message-ID")
				}
			}
		})
	}
}

// Two runs that read the same pending delivery both try to claim its next attempt: one wins,
// the other, waiting on the first's row lock, finds the attempts moved on and claims nothing.
func TestClaimDelivery_OnlyOneOfTwoRunsThatReadTheSameStateClaims(t *testing.T) {
	t.Parallel()
	b := setupWorker(t)
	ada := b.person(t, "Ada")
	args := b.pending(t, ada, notify.Email, ada.user.Email)
	ctx := t.Context()
	claim := func(tx pgx.Tx, attempts int) bool {
		claimed, err := store.ClaimDelivery(ctx, tx, args.NotificationID, string(args.Channel), attempts)
		require.NoError(t, err)
		return claimed
	}

	first, err := b.db.Pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = first.Rollback(context.Background()) }()
	require.NoError(t, store.SetTenant(ctx, first, ada.tenant()))
	require.True(t, claim(first, 0), "the first run claims attempt 1")

	second := make(chan bool, 1)
	go func() {
		var claimed bool
		err := b.db.InTenant(ctx, ada.tenant(), func(tx pgx.Tx) error {
			var err error
			claimed, err = store.ClaimDelivery(ctx, tx, args.NotificationID, string(args.Channel), 0)
			return err
		})
		if err != nil {
			t.Errorf("second claim: %v", err)
		}
		second <- claimed
	}()
	select {
	case <-second:
		t.Fatal("the second claim did not wait for the first run's transaction")
	case <-time.After(200 * time.Millisecond):
	}
	require.NoError(t, first.Commit(ctx))
	require.False(t, <-second, "the second run claims nothing once the first committed")

	d := b.deliveries(t, ada.tenant(), args.NotificationID)["email"]
	require.Equal(t, 1, d.Attempts)
	require.Equal(t, "pending", d.Status)

	require.NoError(t, b.db.InTenant(ctx, ada.tenant(), func(tx pgx.Tx) error {
		require.True(t, claim(tx, 1), "the next attempt is claimed from the attempts now read")
		return store.SettleDelivery(ctx, tx, args.NotificationID, string(args.Channel), store.DeliveryOutcome{Status: "sent"})
	}))
	require.NoError(t, b.db.InTenant(ctx, ada.tenant(), func(tx pgx.Tx) error {
		require.False(t, claim(tx, 2), "a settled delivery is not claimed")
		return nil
	}))
	require.Equal(t, 2, b.deliveries(t, ada.tenant(), args.NotificationID)["email"].Attempts)
}
