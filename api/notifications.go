package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
)

type deliveryView struct {
	Channel string `json:"channel" jsonschema:"enum=in_app,enum=email,enum=sms"`
	// pending until sent; failed for good (a rejected address or number), with the error; skipped
	// (not chosen, unsubscribed, no verified phone, or read before an escalation reached this
	// channel), with the reason.
	Status   string `json:"status" jsonschema:"enum=pending,enum=sent,enum=failed,enum=skipped"`
	Attempts int    `json:"attempts"`
	// The last error, or why the channel was skipped.
	Error     string     `json:"error,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

type notificationView struct {
	ID string `json:"id"`
	// The notification type, e.g. organization.message, transfer.offered.
	Type  string `json:"type"`
	Title string `json:"title"`
	Body  string `json:"body"`
	// What the notification is about.
	Link        string `json:"link,omitempty" jsonschema:"format=uri"`
	ActionLabel string `json:"action_label,omitempty"`
	// It asks for an action and escalates to email and SMS until the action happens.
	NeedsAction bool           `json:"needs_action"`
	Read        bool           `json:"read"`
	ReadAt      *time.Time     `json:"read_at,omitempty"`
	ActionedAt  *time.Time     `json:"actioned_at,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
	Deliveries  []deliveryView `json:"deliveries"`
}

func (s *Server) viewNotification(n store.Notification, ds []store.Delivery) notificationView {
	v := notificationView{ID: n.PublicID, Type: n.Type, Title: n.Title, Body: n.Body, ActionLabel: n.ActionLabel,
		NeedsAction: n.NeedsAction, Read: n.ReadAt != nil, ReadAt: n.ReadAt, ActionedAt: n.ActionedAt, CreatedAt: n.CreatedAt,
		Deliveries: make([]deliveryView, 0, len(ds))}
	if n.Link != "" {
		v.Link = s.links.URL(n.Link)
	}
	for _, d := range ds {
		v.Deliveries = append(v.Deliveries, deliveryView{Channel: d.Channel, Status: d.Status, Attempts: d.Attempts,
			Error: d.LastError, UpdatedAt: d.UpdatedAt, SentAt: d.SentAt})
	}
	return v
}

type notificationList struct {
	Items      []notificationView `json:"items"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

// listNotifications is the caller's inbox, newest first; ?unread=true for unread only.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	unread := false
	switch v := r.URL.Query().Get("unread"); v {
	case "", "false":
	case "true":
		unread = true
	default:
		return badParam("unread", "must be true or false")
	}
	out := notificationList{Items: []notificationView{}}
	err = s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		ns, err := store.Inbox(r.Context(), tx, store.InboxFilter{UnreadOnly: unread, After: after, Limit: limit + 1})
		if err != nil {
			return err
		}
		if len(ns) > limit {
			ns = ns[:limit]
			out.NextCursor = cursorOf(ns[limit-1].PublicID)
		}
		ids := make([]uuid.UUID, len(ns))
		for i, n := range ns {
			ids[i] = n.ID
		}
		ds, err := store.DeliveriesOf(r.Context(), tx, ids)
		if err != nil {
			return err
		}
		for _, n := range ns {
			out.Items = append(out.Items, s.viewNotification(n, ds[n.ID]))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// unreadCount answers how many notifications are unread.
type unreadCount struct {
	Unread int `json:"unread"`
}

// markedRead answers how many notifications were marked read.
type markedRead struct {
	Marked int64 `json:"marked"`
}

// unreadNotifications counts the caller's unread notifications.
func (s *Server) unreadNotifications(w http.ResponseWriter, r *http.Request) error {
	var n int
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		var err error
		n, err = store.UnreadCount(r.Context(), tx)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, unreadCount{Unread: n})
}

// getNotification shows one of the caller's notifications with the state of each channel.
func (s *Server) getNotification(w http.ResponseWriter, r *http.Request) error {
	return s.withNotification(w, r, false)
}

// readNotification marks one of the caller's notifications read.
func (s *Server) readNotification(w http.ResponseWriter, r *http.Request) error {
	return s.withNotification(w, r, true)
}

func (s *Server) withNotification(w http.ResponseWriter, r *http.Request, markRead bool) error {
	var v notificationView
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		ctx := r.Context()
		n, err := store.UserNotification(ctx, tx, chi.URLParam(r, "notificationID"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("notification")
		}
		if err != nil {
			return err
		}
		if markRead && n.ReadAt == nil {
			if err := store.MarkRead(ctx, tx, n.ID); err != nil {
				return err
			}
			if n, err = store.UserNotification(ctx, tx, n.PublicID); err != nil {
				return err
			}
		}
		ds, err := store.DeliveriesOf(ctx, tx, []uuid.UUID{n.ID})
		if err != nil {
			return err
		}
		v = s.viewNotification(n, ds[n.ID])
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// readAllNotifications marks every unread notification of the caller read.
func (s *Server) readAllNotifications(w http.ResponseWriter, r *http.Request) error {
	var marked int64
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		var err error
		marked, err = store.MarkAllRead(r.Context(), tx)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, markedRead{Marked: marked})
}

type messageInput struct {
	Title string `json:"title" jsonschema:"required,minLength=1,maxLength=200"`
	Body  string `json:"body" text:"multiline,max=5000" jsonschema:"required,minLength=1"`
	// Only members with these roles; omit for everyone.
	Roles []string `json:"roles" schema:"Role"`
}

type messageResult struct {
	Recipients int `json:"recipients"`
}

// sendMessage lets an organization's owners and admins notify its members (all, or those
// with the given roles), a limited number of times per hour. An Idempotency-Key makes a
// retried request send nothing more (idempotent).
func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) error {
	var in messageInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	var errs []FieldError
	if in.Title == "" || len(in.Title) > 200 {
		errs = append(errs, FieldError{"title", "must be 1 to 200 characters"})
	}
	// The body's text tag bounds its length, in characters as the database counts them.
	if in.Body == "" {
		errs = append(errs, FieldError{"body", "must be 1 to 5,000 characters"})
	}
	if len(in.Roles) > len(membership.Roles) {
		return invalid(FieldError{"roles", fmt.Sprintf("lists at most the %d roles", len(membership.Roles))})
	}
	roles := make([]string, 0, len(in.Roles))
	for _, name := range in.Roles {
		role, err := membership.ParseRole(name)
		if err != nil {
			errs = append(errs, FieldError{"roles", err.Error()})
			continue
		}
		roles = append(roles, string(role))
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	in.Roles = roles
	op := idempotentOp{Name: "organization.message", Request: in}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) { return s.message(r, k, in) })
}

// message records the message for each member, its event and its answer in one
// transaction: a retry finds the answer, or nothing of the message.
func (s *Server) message(r *http.Request, k *keyed, in messageInput) (response, error) {
	batch := uuid.NewString()
	var resp response
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		if !a.Role.CanManageMembers() {
			return newProblem(kindForbidden, "Only owners and admins send messages to the organization.")
		}
		if err := hourlyLimit(ctx, tx, a, s.messages(), recipient{}); err != nil {
			return err
		}
		members, err := store.MemberIDs(ctx, tx, in.Roles)
		if err != nil {
			return err
		}
		for _, uid := range members {
			_, err := s.notifier.Record(ctx, tx, notify.Request{
				DedupKey: "organization.message/" + a.OrgID.String() + "/" + batch + "/" + uid.String(), Type: "organization.message",
				OrgID: a.OrgID, UserID: uid, Title: in.Title, Body: in.Body,
				Data: map[string]any{"from_user_id": a.UserID.String()},
			})
			if err != nil {
				return err
			}
		}
		err = store.AppendEvent(ctx, tx, "organization.message_sent", "organization", a.OrgPublicID,
			map[string]any{"title": in.Title, "recipients": len(members), "roles": in.Roles})
		if err != nil {
			return err
		}
		resp = response{Status: http.StatusAccepted, Body: messageResult{Recipients: len(members)}}
		return k.save(ctx, tx, resp)
	})
	return resp, err
}
