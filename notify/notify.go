// Package notify tells people about things: it records a notification in the caller's
// transaction together with the jobs that deliver it on each channel the person chose, so a
// notification is never lost and, recorded twice under one key, is delivered once.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/store"
)

// Request is a notification to record.
type Request struct {
	// DedupKey identifies the notification: recording the same key again (a retried
	// activity, a duplicated event) returns the first and delivers nothing more.
	DedupKey string `json:"dedup_key"`
	Type     string `json:"type"`
	// OrgID is the organization the notification is sent for; required when there is no
	// UserID.
	OrgID uuid.UUID `json:"org_id"`
	// UserID is the recipient with an account; Email the recipient without one.
	UserID uuid.UUID `json:"user_id"`
	Email  string    `json:"email,omitempty"`
	// Phone is where the phone-verification code goes (that type only): the number is not
	// verified yet, so it is not on the account.
	Phone       string         `json:"phone,omitempty"`
	Title       string         `json:"title"`
	Body        string         `json:"body"`
	Link        string         `json:"link,omitempty"` // a path under the public base URL, e.g. /api/v1/transfers/x
	ActionLabel string         `json:"action_label,omitempty"`
	Data        map[string]any `json:"data,omitempty"`
}

// InvalidError is a request that cannot be recorded, naming the field at fault.
type InvalidError struct {
	Field, Reason string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Reason }

// The longest title and body a notification may have, in characters (runes), as the
// notifications table's checks count them.
const (
	MaxTitleRunes = 200
	MaxBodyRunes  = 5000
)

func (r Request) validate() (Type, error) {
	t, ok := LookupType(r.Type)
	switch {
	case !ok:
		return Type{}, &InvalidError{"type", fmt.Sprintf("unknown notification type %q", r.Type)}
	case strings.TrimSpace(r.DedupKey) == "":
		return Type{}, &InvalidError{"dedup_key", "is required"}
	case strings.TrimSpace(r.Title) == "" || utf8.RuneCountInString(r.Title) > MaxTitleRunes:
		return Type{}, &InvalidError{"title", "must be 1 to 200 characters"}
	case utf8.RuneCountInString(r.Body) > MaxBodyRunes:
		return Type{}, &InvalidError{"body", "must be at most 5,000 characters"}
	case r.UserID == uuid.Nil && r.Email == "":
		return Type{}, &InvalidError{"user_id", "a recipient (user or email) is required"}
	case r.UserID == uuid.Nil && r.OrgID == uuid.Nil:
		return Type{}, &InvalidError{"org_id", "is required for a recipient without an account"}
	case r.Link != "" && !strings.HasPrefix(r.Link, "/"):
		return Type{}, &InvalidError{"link", "must be a path starting with /"}
	case r.Phone != "" && r.Type != "account.phone_code":
		return Type{}, &InvalidError{"phone", "is only for the phone verification code"}
	}
	if r.Email != "" {
		if _, err := mail.ParseAddress(r.Email); err != nil {
			return Type{}, &InvalidError{"email", "is not an email address"}
		}
	}
	return t, nil
}

// Notifier records notifications and enqueues their deliveries.
type Notifier struct {
	River *river.Client[pgx.Tx] // insert-only is enough
}

// route is where one channel of a notification goes, or why it does not.
type route struct {
	channel Channel
	address string
	skip    string // non-empty: not delivered on this channel, and why
}

// Record stores the notification in tx (whose tenant must be the recipient or the
// organization it is sent for) and enqueues its deliveries in the same transaction: every
// channel the person chose, or for a type that needs an action, only the first channel
// that reaches them — the escalation workflow climbs to the others. Recording a key again
// returns the notification already stored and enqueues nothing.
func (nt *Notifier) Record(ctx context.Context, tx pgx.Tx, r Request) (store.Notification, error) {
	t, err := r.validate()
	if err != nil {
		return store.Notification{}, err
	}
	data, err := json.Marshal(r.Data)
	if err != nil {
		return store.Notification{}, fmt.Errorf("encode notification data: %w", err)
	}
	n := store.Notification{ID: uuid.New(), PublicID: store.NewPublicID(), DedupKey: r.DedupKey, Email: r.Email,
		Type: r.Type, Title: r.Title, Body: r.Body, Link: r.Link, ActionLabel: r.ActionLabel, NeedsAction: t.NeedsAction, Data: data}
	// Account security messages (codes, verification links) belong to their person alone,
	// not to the organization the request came through.
	if r.OrgID != uuid.Nil && !t.Required {
		n.OrgID = &r.OrgID
	}
	if r.UserID != uuid.Nil {
		n.UserID = &r.UserID
	}
	stored, created, err := store.InsertNotification(ctx, tx, n)
	if err != nil || !created {
		return stored, err
	}
	routes, err := nt.routes(ctx, tx, t, stored, r.Phone)
	if err != nil {
		return store.Notification{}, err
	}
	first := true
	for _, rt := range routes {
		if t.NeedsAction && (!first || rt.skip != "") {
			continue
		}
		if err := nt.deliver(ctx, tx, stored, rt, true); err != nil {
			return store.Notification{}, err
		}
		first = false
	}
	return stored, nil
}

// Escalation is what became of one escalation step.
type Escalation struct {
	Delivered bool   // a delivery on the channel is under way (or was already)
	Reason    string // why not, when not
}

// Escalate delivers a notification that needs an action on one more channel, unless the
// person has read it or acted, or did not choose that channel. Escalating a channel twice
// delivers once.
func (nt *Notifier) Escalate(ctx context.Context, tx pgx.Tx, notificationID uuid.UUID, channel Channel) (Escalation, error) {
	n, err := store.NotificationByID(ctx, tx, notificationID)
	if err != nil {
		return Escalation{}, fmt.Errorf("read notification %s: %w", notificationID, err)
	}
	t, ok := LookupType(n.Type)
	if !ok {
		return Escalation{}, fmt.Errorf("notification %s has unknown type %q", n.PublicID, n.Type)
	}
	var reason string
	switch {
	case n.ActionedAt != nil:
		reason = "acted on before this channel was due"
	case n.ReadAt != nil:
		reason = "read before this channel was due"
	}
	if reason != "" {
		_, err := store.InsertDelivery(ctx, tx, n, string(channel), "", "skipped", reason, false)
		return Escalation{Reason: reason}, err
	}
	routes, err := nt.routes(ctx, tx, t, n, "")
	if err != nil {
		return Escalation{}, err
	}
	i := slices.IndexFunc(routes, func(r route) bool { return r.channel == channel })
	if i < 0 {
		return Escalation{Reason: "not a channel the recipient chose"}, nil
	}
	if routes[i].skip != "" {
		_, err := store.InsertDelivery(ctx, tx, n, string(channel), "", "skipped", routes[i].skip, false)
		return Escalation{Reason: routes[i].skip}, err
	}
	return Escalation{Delivered: true}, nt.deliver(ctx, tx, n, routes[i], false)
}

// routes resolves the channels a notification goes to, in escalation order.
func (nt *Notifier) routes(ctx context.Context, tx pgx.Tx, t Type, n store.Notification, phone string) ([]route, error) {
	if n.UserID == nil {
		if !t.Allows(Email) {
			return nil, nil
		}
		if !t.Required {
			off, err := store.EmailUnsubscribed(ctx, tx, n.Email, t.Name)
			if err != nil {
				return nil, err
			}
			if off {
				return []route{{channel: Email, skip: "the address unsubscribed from this type"}}, nil
			}
		}
		return []route{{channel: Email, address: n.Email}}, nil
	}
	user, err := store.UserByID(ctx, tx, *n.UserID)
	if err != nil {
		return nil, fmt.Errorf("read recipient: %w", err)
	}
	chosen := t.Defaults
	if !t.Required {
		prefs, ok, err := store.ChannelPreference(ctx, tx, user.ID, t.Name)
		if err != nil {
			return nil, err
		}
		if ok {
			chosen = nil
			for _, p := range prefs {
				if c := Channel(p); t.Allows(c) {
					chosen = append(chosen, c)
				}
			}
		}
	}
	var out []route
	for _, c := range Channels {
		if !slices.Contains(chosen, c) {
			continue
		}
		rt := route{channel: c}
		switch c {
		case Email:
			rt.address = user.Email
			if n.Email != "" {
				rt.address = n.Email
			}
		case SMS:
			switch {
			case phone != "":
				rt.address = phone
			case user.PhoneVerifiedAt != nil && user.Phone != "":
				rt.address = user.Phone
			default:
				rt.skip = "no verified phone number"
			}
			if rt.skip == "" && n.OrgID != nil && !t.Required {
				skip, err := smsOverPlan(ctx, tx)
				if err != nil {
					return nil, err
				}
				rt.skip = skip
			}
		}
		out = append(out, rt)
	}
	return out, nil
}

// deliver records one channel's delivery and, for email and SMS, enqueues its job in the
// same transaction. In-app delivery is the notification row itself. fresh says the
// notification was recorded in this transaction.
func (nt *Notifier) deliver(ctx context.Context, tx pgx.Tx, n store.Notification, rt route, fresh bool) error {
	if rt.skip != "" {
		_, err := store.InsertDelivery(ctx, tx, n, string(rt.channel), "", "skipped", rt.skip, fresh)
		return err
	}
	if rt.channel == InApp {
		_, err := store.InsertDelivery(ctx, tx, n, string(InApp), "", "sent", "", fresh)
		return err
	}
	inserted, err := store.InsertDelivery(ctx, tx, n, string(rt.channel), rt.address, "pending", "", fresh)
	if err != nil || !inserted {
		return err
	}
	args := DeliverArgs{NotificationID: n.ID, Channel: rt.channel}
	if n.UserID != nil {
		args.UserID = *n.UserID
	}
	if n.OrgID != nil {
		args.OrgID = *n.OrgID
	}
	if _, err := nt.River.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("enqueue %s delivery: %w", rt.channel, err)
	}
	return nil
}

// MarkActioned records that the action a notification asked for happened; its escalation
// stops at the next step.
func MarkActioned(ctx context.Context, tx pgx.Tx, notificationID uuid.UUID) error {
	return store.MarkActioned(ctx, tx, notificationID)
}

// IsInvalid reports whether err is a request the caller got wrong.
func IsInvalid(err error) (*InvalidError, bool) {
	var ie *InvalidError
	ok := errors.As(err, &ie)
	return ie, ok
}

// smsOverPlan says why the organization's plan stops one more text message this calendar
// month (UTC), or nothing when it allows it: the message is then recorded as skipped, never
// sent or retried, while its other channels go. It counts, under the plan limit's lock, the
// organization's text messages sent or sending this month (store.PlanAllowance, as
// billing.Check does; notify cannot call billing, which tells owners through notify).
// Account security messages belong to their person, not to an organization, and are never
// counted.
func smsOverPlan(ctx context.Context, tx pgx.Tx) (string, error) {
	p, used, err := store.PlanAllowance(ctx, tx, store.LimitSMS, false)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil // recorded for the recipient alone: no organization's plan applies
	}
	if err != nil {
		return "", err
	}
	allowed := p.Limits.SMSPerMonth
	if allowed == nil || used < *allowed {
		return "", nil
	}
	return fmt.Sprintf("plan limit: sms_per_month (the %s plan allows %d text messages a month; %d used)", p.Name, *allowed, used), nil
}
