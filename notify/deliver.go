package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/sms"
	"github.com/reptidex/reptidex/store"
)

// DeliverArgs delivers one channel of one notification. The job is unique per notification
// and channel; the recipient and organization let the worker act as them under RLS.
type DeliverArgs struct {
	NotificationID uuid.UUID `json:"notification_id"`
	Channel        Channel   `json:"channel"`
	UserID         uuid.UUID `json:"user_id"`
	OrgID          uuid.UUID `json:"org_id"`
}

// Kind names the job kind.
func (DeliverArgs) Kind() string { return "notification_delivery" }

// Queue is the River queue of deliveries, kept apart so a burst of notifications does not
// hold up other jobs.
const Queue = "notifications"

// InsertOpts makes the job unique per notification and channel, retried with backoff for
// about two days (with the default base of 5 s) before it is given up.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 20, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// DeliveryWorker sends email and SMS deliveries. A delivery is attempted only while it is
// pending; a refusal that cannot change (a rejected address or number) marks it failed and
// is not retried; anything else is retried with exponential backoff.
type DeliveryWorker struct {
	river.WorkerDefaults[DeliverArgs]
	DB    *store.DB
	Mail  *mailer.Sender
	SMS   sms.Sender
	Links Links
	// RetryBase is the first retry's delay; each further one doubles, up to six hours.
	RetryBase time.Duration
}

// NextRetry doubles the delay after each failed attempt.
func (w *DeliveryWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	base := w.RetryBase
	if base <= 0 {
		base = 5 * time.Second
	}
	delay := base << min(job.Attempt-1, 20)
	if limit := 6 * time.Hour; delay <= 0 || delay > limit {
		delay = limit
	}
	return time.Now().Add(delay)
}

// Work sends the delivery and records the outcome.
func (w *DeliveryWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	a := job.Args
	tenant := store.Tenant{OrgID: a.OrgID, UserID: a.UserID}
	var (
		n         store.Notification
		d         store.Delivery
		recipient store.User
	)
	err := w.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		if n, err = store.NotificationByID(ctx, tx, a.NotificationID); err != nil {
			return err
		}
		if d, err = store.DeliveryOf(ctx, tx, a.NotificationID, string(a.Channel)); err != nil {
			return err
		}
		if n.UserID != nil {
			recipient, err = store.UserByID(ctx, tx, *n.UserID)
		}
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("notification %s has no %s delivery", a.NotificationID, a.Channel))
	}
	if err != nil {
		return fmt.Errorf("load delivery: %w", err)
	}
	if d.Status != "pending" {
		return nil // delivered or settled by an earlier run
	}

	outcome := store.DeliveryOutcome{Status: "sent"}
	var sendErr error
	switch a.Channel {
	case Email:
		sendErr = w.sendEmail(ctx, n, recipient, d.Address)
	case SMS:
		var receipt sms.Receipt
		receipt, sendErr = w.SMS.Send(ctx, sms.Message{To: d.Address, Body: smsText(n, w.Links)})
		outcome.ProviderID = receipt.ProviderID
	default:
		return river.JobCancel(fmt.Errorf("channel %q is not delivered by a job", a.Channel))
	}
	permanent := errors.Is(sendErr, mailer.ErrPermanent) || errors.Is(sendErr, sms.ErrPermanent)
	switch {
	case sendErr == nil:
	case permanent:
		outcome = store.DeliveryOutcome{Status: "failed", Error: sendErr.Error()}
	default:
		outcome = store.DeliveryOutcome{Status: "pending", Error: sendErr.Error()}
	}
	err = w.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return store.RecordAttempt(ctx, tx, n.ID, string(a.Channel), outcome)
	})
	if err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	if permanent {
		return river.JobCancel(sendErr)
	}
	return sendErr
}

func (w *DeliveryWorker) sendEmail(ctx context.Context, n store.Notification, recipient store.User, address string) error {
	t, _ := LookupType(n.Type)
	e := mailer.Email{To: address, Subject: n.Title, Title: n.Title, Paragraphs: paragraphs(n.Body), Reason: t.Reason}
	if recipient.DisplayName != "" {
		e.Greeting = "Hello " + recipient.DisplayName + ","
	}
	if n.Link != "" {
		e.ActionURL = w.Links.URL(n.Link)
		e.ActionLabel = n.ActionLabel
		if e.ActionLabel == "" {
			e.ActionLabel = "Open in ReptiDex"
		}
	}
	if !t.Required {
		u := Unsubscribe{Type: n.Type, Email: n.Email}
		if n.UserID != nil {
			u = Unsubscribe{Type: n.Type, UserID: *n.UserID}
		}
		e.UnsubscribeURL = w.Links.UnsubscribeURL(u)
	}
	m, err := e.Message()
	if err != nil {
		return fmt.Errorf("%w: render email: %w", mailer.ErrPermanent, err)
	}
	return w.Mail.Send(ctx, m)
}

// paragraphs splits a body at blank lines.
func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// smsText is a notification as one short text: title, body and link, at most 480 characters.
func smsText(n store.Notification, l Links) string {
	parts := []string{"ReptiDex: " + n.Title}
	if n.Body != "" {
		parts = append(parts, n.Body)
	}
	if n.Link != "" {
		parts = append(parts, l.URL(n.Link))
	}
	text := strings.Join(parts, "\n")
	if r := []rune(text); len(r) > 480 {
		text = string(r[:479]) + "…"
	}
	return text
}
