package worker_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process"
)

// withVerifiedPhone gives the user a verified number and SMS for transfer offers.
func withVerifiedPhone(t *testing.T, db *store.DB, u store.User, o store.Organization) string {
	t.Helper()
	phone := fmt.Sprintf("+447700%06d", rand.IntN(1_000_000))
	ctx := context.Background()
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		if err := store.SetPhone(ctx, tx, phone, nil, time.Now()); err != nil {
			return err
		}
		if err := store.VerifyPhone(ctx, tx); err != nil {
			return err
		}
		return store.SetChannelPreference(ctx, tx, "transfer.offered", []string{"in_app", "email", "sms"})
	}))
	return phone
}

func offerTo(u store.User, o store.Organization, title string) notify.Request {
	return notify.Request{DedupKey: "offer/" + uuid.NewString(), Type: "transfer.offered", OrgID: o.ID, UserID: u.ID,
		Title: title, Body: "Open the offer to accept or decline it.", Link: "/api/v1/transfers/example"}
}

func notificationState(t *testing.T, db *store.DB, u store.User, id uuid.UUID) store.Notification {
	t.Helper()
	var n store.Notification
	require.NoError(t, db.InTenant(context.Background(), store.Tenant{UserID: u.ID}, func(tx pgx.Tx) (err error) {
		n, err = store.NotificationByID(context.Background(), tx, id)
		return err
	}))
	return n
}

// On the real dev server: in-app at once, email after its delay, SMS after the next.
func TestEscalation_ClimbsFromInAppToEmailToSMS(t *testing.T) {
	t.Parallel()
	_, db := setup(t)
	u, o := organizationWithoutOnboarding(t, db)
	registered.GrantPlan(t, db, o.ID, "pro") // Free sends no text messages
	phone := withVerifiedPhone(t, db, u, o)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in := escalation.Input{Notification: offerTo(u, o, "Noodle is offered to you"), EmailAfter: 500 * time.Millisecond, SMSAfter: 500 * time.Millisecond}
	run, err := escalation.Start(ctx, testkit.Temporal(t), testkit.Config(t).Temporal.TaskQueue, in)
	require.NoError(t, err)
	require.Equal(t, escalation.WorkflowID(in.Notification.DedupKey), run.GetID())

	var res escalation.Result
	require.NoError(t, run.Get(ctx, &res))
	require.False(t, res.Actioned)
	require.Equal(t, []escalation.Step{{Channel: notify.Email, Delivered: true}, {Channel: notify.SMS, Delivered: true}}, res.Steps)

	mail, err := testkit.Mail(t).WaitFor(ctx, u.Email, func(m mailsink.MessageDetail) bool { return m.Subject == "Noodle is offered to you" })
	require.NoError(t, err)
	require.Contains(t, mail.Text, "/api/v1/transfers/example")
	text, err := testkit.Mail(t).WaitForSMS(ctx, phone, func(m mailsink.SMS) bool { return strings.Contains(m.Body, "Noodle is offered to you") })
	require.NoError(t, err)
	require.NotEmpty(t, text.ID)
	require.Nil(t, notificationState(t, db, u, res.NotificationID).ActionedAt)
}

// Told the action happened, the escalation stops before the email and marks the
// notification actioned.
func TestEscalation_StopsWhenTheActionHappens(t *testing.T) {
	t.Parallel()
	_, db := setup(t)
	u, o := organizationWithoutOnboarding(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in := escalation.Input{Notification: offerTo(u, o, "Pretzel is offered to you"), EmailAfter: time.Hour, SMSAfter: time.Hour}
	tc := testkit.Temporal(t)
	run, err := escalation.Start(ctx, tc, testkit.Config(t).Temporal.TaskQueue, in)
	require.NoError(t, err)

	// Started again, the escalation hands back its run; another notification under the
	// same dedup key is refused.
	again, err := escalation.Start(ctx, tc, testkit.Config(t).Temporal.TaskQueue, in)
	require.NoError(t, err)
	require.Equal(t, run.GetRunID(), again.GetRunID())
	other := in
	other.Notification.Title = "Another animal is offered to you"
	_, err = escalation.Start(ctx, tc, testkit.Config(t).Temporal.TaskQueue, other)
	require.ErrorIs(t, err, process.ErrStartedOtherwise)

	// The in-app notification is there at once.
	require.Eventually(t, func() bool {
		var unread int
		_ = db.InTenant(ctx, store.Tenant{UserID: u.ID}, func(tx pgx.Tx) (err error) {
			unread, err = store.UnreadCount(ctx, tx)
			return err
		})
		return unread == 1
	}, 20*time.Second, 20*time.Millisecond)

	require.NoError(t, escalation.Actioned(ctx, tc, in.Notification.DedupKey))
	var res escalation.Result
	require.NoError(t, run.Get(ctx, &res))
	require.True(t, res.Actioned)
	require.Empty(t, res.Steps)
	require.NotNil(t, notificationState(t, db, u, res.NotificationID).ActionedAt)
	msgs, err := testkit.Mail(t).List(ctx, u.Email)
	require.NoError(t, err)
	require.Empty(t, msgs, "no email after the action")

	// Telling an escalation that has ended is harmless, and starting it again hands back
	// the finished run rather than a second one.
	require.NoError(t, escalation.Actioned(ctx, tc, in.Notification.DedupKey))
	finished, err := escalation.Start(ctx, tc, testkit.Config(t).Temporal.TaskQueue, in)
	require.NoError(t, err)
	require.Equal(t, run.GetRunID(), finished.GetRunID())
	var rerun escalation.Result
	require.NoError(t, finished.Get(ctx, &rerun))
	require.Equal(t, res, rerun)
}
