package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
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

	// beforeRecord, set only by tests, runs before each try at recording an outcome; its
	// error stands for a failed write.
	beforeRecord func(ctx context.Context, try int) error
}

// The outcome of a send is recorded with up to recordTries writes of recordTimeout each,
// recordBackoff apart and doubling: at most about 13 s, well inside the worker's 30 s of
// graceful shutdown.
const (
	recordTries   = 4
	recordTimeout = 3 * time.Second
	recordBackoff = 100 * time.Millisecond
)

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

// Work claims the delivery, sends it and records the outcome: as close to exactly once as
// SMTP and the SMS API allow.
//
//   - The claim, in the transaction that reads the delivery, counts the attempt with a
//     compare-and-set on attempts: of two runs of the job that read the same pending delivery
//     (a run River rescued while the first is still going), only one sends.
//   - The outcome is written with a context the job's cancellation (its timeout, shutdown)
//     does not reach, and the write is retried a few times, so a message that went out is
//     recorded as sent unless the database stays unreachable throughout.
//   - What remains is the window between the provider accepting the message and the outcome
//     committing: if the process dies there or every write fails, the delivery stays pending
//     and the job's retry sends it again. Neither protocol lets us commit together with the
//     provider, so this window can be narrowed but not closed. Every copy of an email carries
//     the same Message-ID, so mail systems and clients can tell it is a copy; an SMS resent
//     this way arrives twice.
func (w *DeliveryWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	a := job.Args
	tenant := store.Tenant{OrgID: a.OrgID, UserID: a.UserID}
	var (
		n         store.Notification
		d         store.Delivery
		recipient store.User
		claimed   bool
	)
	err := w.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		if n, err = store.NotificationByID(ctx, tx, a.NotificationID); err != nil {
			return err
		}
		if d, err = store.DeliveryOf(ctx, tx, a.NotificationID, string(a.Channel)); err != nil {
			return err
		}
		if d.Status != "pending" {
			return nil
		}
		if n.UserID != nil {
			if recipient, err = store.UserByID(ctx, tx, *n.UserID); err != nil {
				return err
			}
		}
		claimed, err = store.ClaimDelivery(ctx, tx, a.NotificationID, string(a.Channel), d.Attempts)
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
	if !claimed {
		// Another run claimed this attempt or settled the delivery since it was read. Failing
		// (rather than completing the job) leaves that run's outcome to decide: the retry finds
		// the delivery settled, or still pending if that run failed, and sends it then.
		return fmt.Errorf("%s delivery of notification %s: attempt %d was claimed by another run", a.Channel, a.NotificationID, d.Attempts+1)
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
	if err := w.record(ctx, tenant, a, outcome); err != nil {
		if sendErr == nil {
			// The at-least-once window described on Work: the retry of this error sends again.
			return fmt.Errorf("%s of notification %s went out but could not be recorded as sent, so it will be sent again: %w",
				a.Channel, a.NotificationID, err)
		}
		return errors.Join(sendErr, err)
	}
	if permanent {
		return river.JobCancel(sendErr)
	}
	return sendErr
}

// record stores the outcome of the claimed attempt. It is detached from ctx's cancellation:
// a job cancelled after the provider took the message must still record that it did. Each
// try has its own timeout; the waits between them are short enough not to need cancelling.
func (w *DeliveryWorker) record(ctx context.Context, tenant store.Tenant, a DeliverArgs, o store.DeliveryOutcome) error {
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for try := 1; try <= recordTries; try++ {
		if try > 1 {
			time.Sleep(recordBackoff << (try - 2))
		}
		err := w.recordOnce(ctx, tenant, a, o, try)
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("try %d: %w", try, err))
	}
	return fmt.Errorf("record delivery: %w", errors.Join(errs...))
}

func (w *DeliveryWorker) recordOnce(ctx context.Context, tenant store.Tenant, a DeliverArgs, o store.DeliveryOutcome, try int) error {
	ctx, cancel := context.WithTimeout(ctx, recordTimeout)
	defer cancel()
	if w.beforeRecord != nil {
		if err := w.beforeRecord(ctx, try); err != nil {
			return err
		}
	}
	return w.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return store.SettleDelivery(ctx, tx, a.NotificationID, string(a.Channel), o)
	})
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
	m.MessageID = messageID(n.ID, Email, w.Mail.From)
	return w.Mail.Send(ctx, m)
}

// messageID is the Message-ID of one channel of a notification, under the sender's domain:
// the same for every copy sent. An unparsable sender leaves it empty; Send then reports the
// sender.
func messageID(notificationID uuid.UUID, c Channel, from string) string {
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return ""
	}
	return notificationID.String() + "." + string(c) + "@" + addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]
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
