package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Notification is one message to one person: an account holder, or an email address
// without an account.
type Notification struct {
	ID          uuid.UUID
	PublicID    string
	DedupKey    string
	OrgID       *uuid.UUID
	UserID      *uuid.UUID
	Email       string // the address of a recipient without an account
	Type        string
	Title       string
	Body        string
	Link        string
	ActionLabel string
	NeedsAction bool
	Data        json.RawMessage
	ReadAt      *time.Time
	ActionedAt  *time.Time
	CreatedAt   time.Time
}

// Delivery is the state of one channel of a notification.
type Delivery struct {
	NotificationID uuid.UUID
	Channel        string
	Address        string
	Status         string // pending, sent, failed, skipped
	Attempts       int
	LastError      string
	ProviderID     string
	UpdatedAt      time.Time
	SentAt         *time.Time
}

const notificationColumns = `n.id, n.public_id, n.dedup_key, n.org_id, n.user_id, coalesce(n.email, ''), n.type, n.title, n.body,
	coalesce(n.link, ''), coalesce(n.action_label, ''), n.needs_action, n.data, n.read_at, n.actioned_at, n.created_at`

func scanNotification(row pgx.Row) (Notification, error) {
	var n Notification
	err := row.Scan(&n.ID, &n.PublicID, &n.DedupKey, &n.OrgID, &n.UserID, &n.Email, &n.Type, &n.Title, &n.Body,
		&n.Link, &n.ActionLabel, &n.NeedsAction, &n.Data, &n.ReadAt, &n.ActionedAt, &n.CreatedAt)
	return n, notFound(err)
}

// InsertNotification records n unless a notification with its dedup key exists; it reports
// whether n was new, and returns the stored notification either way.
func InsertNotification(ctx context.Context, tx pgx.Tx, n Notification) (Notification, bool, error) {
	data := n.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	stored, err := scanNotification(tx.QueryRow(ctx, `INSERT INTO notifications AS n
			(id, public_id, dedup_key, org_id, user_id, email, type, title, body, link, action_label, needs_action, data)
		VALUES ($1, $2, $3, $4, $5, nullif($6, ''), $7, $8, $9, nullif($10, ''), nullif($11, ''), $12, $13)
		ON CONFLICT (dedup_key) DO NOTHING
		RETURNING `+notificationColumns,
		n.ID, n.PublicID, n.DedupKey, n.OrgID, n.UserID, n.Email, n.Type, n.Title, n.Body, n.Link, n.ActionLabel, n.NeedsAction, data))
	if err == nil {
		return stored, true, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return Notification{}, false, fmt.Errorf("insert notification: %w", err)
	}
	stored, err = scanNotification(tx.QueryRow(ctx, `SELECT `+notificationColumns+` FROM notifications n WHERE n.dedup_key = $1`, n.DedupKey))
	if err != nil {
		return Notification{}, false, fmt.Errorf("read notification %s: %w", n.DedupKey, err)
	}
	return stored, false, nil
}

// NotificationByID reads a notification the tenant may see.
func NotificationByID(ctx context.Context, q Querier, id uuid.UUID) (Notification, error) {
	return scanNotification(q.QueryRow(ctx, `SELECT `+notificationColumns+` FROM notifications n WHERE n.id = $1`, id))
}

// inInbox limits a query of notifications n to those delivered in-app.
const inInbox = ` AND EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.notification_id = n.id AND d.channel = 'in_app')`

// UserNotification reads one of the notifications in the acting user's inbox by public ID.
func UserNotification(ctx context.Context, q Querier, publicID string) (Notification, error) {
	return scanNotification(q.QueryRow(ctx, `SELECT `+notificationColumns+`
		FROM notifications n WHERE n.public_id = $1 AND n.user_id = app_user_id()`+inInbox, publicID))
}

// InboxFilter selects a page of the acting user's notifications, newest first.
type InboxFilter struct {
	UnreadOnly bool
	After      string // public ID of the last notification of the previous page
	Limit      int
}

// Inbox lists the acting user's notifications delivered in-app, newest first.
func Inbox(ctx context.Context, q Querier, f InboxFilter) ([]Notification, error) {
	args := []any{f.UnreadOnly, f.Limit}
	where := ""
	if f.After != "" {
		where = " AND (n.created_at, n.id) < (SELECT p.created_at, p.id FROM notifications p WHERE p.public_id = $3)"
		args = append(args, f.After)
	}
	rows, err := q.Query(ctx, `SELECT `+notificationColumns+` FROM notifications n
		WHERE n.user_id = app_user_id() AND (NOT $1 OR n.read_at IS NULL)`+inInbox+where+`
		ORDER BY n.created_at DESC, n.id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) { return scanNotification(r) })
}

// UnreadCount counts the acting user's unread notifications in the inbox.
func UnreadCount(ctx context.Context, q Querier) (int, error) {
	var count int
	err := q.QueryRow(ctx, `SELECT count(*) FROM notifications n WHERE n.user_id = app_user_id() AND n.read_at IS NULL`+inInbox).Scan(&count)
	if err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return count, nil
}

// MarkRead marks one of the acting user's notifications read (once: the first time stays).
func MarkRead(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = app_user_id()`, id)
	if err != nil {
		return fmt.Errorf("mark notification read: %w", err)
	}
	return nil
}

// MarkAllRead marks every unread notification in the acting user's inbox read and says how
// many.
func MarkAllRead(ctx context.Context, tx pgx.Tx) (int64, error) {
	tag, err := tx.Exec(ctx, `UPDATE notifications n SET read_at = now() WHERE n.user_id = app_user_id() AND n.read_at IS NULL`+inInbox)
	if err != nil {
		return 0, fmt.Errorf("mark notifications read: %w", err)
	}
	return tag.RowsAffected(), nil
}

// MarkActioned records that the action a notification asked for has happened.
func MarkActioned(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE notifications SET actioned_at = coalesce(actioned_at, now()) WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("mark notification actioned: %w", err)
	}
	return nil
}

// InsertDelivery records a channel of a notification in the given state; it reports false
// when that channel was recorded before (and leaves it as it was). fresh says the
// notification was recorded in this transaction, so none of its channels exist yet: the
// sender may then record channels it may not read back (another person's address).
func InsertDelivery(ctx context.Context, tx pgx.Tx, n Notification, channel, address, status, reason string, fresh bool) (bool, error) {
	onConflict := ` ON CONFLICT (notification_id, channel) DO NOTHING`
	if fresh {
		onConflict = ""
	}
	tag, err := tx.Exec(ctx, `INSERT INTO notification_deliveries
			(notification_id, channel, user_id, org_id, address, status, last_error, sent_at)
		VALUES ($1, $2, $3, $4, $5, $6, nullif($7, ''), CASE WHEN $6 = 'sent' THEN now() END)`+onConflict,
		n.ID, channel, n.UserID, n.OrgID, address, status, reason)
	if err != nil {
		return false, fmt.Errorf("record %s delivery: %w", channel, err)
	}
	return tag.RowsAffected() == 1, nil
}

// DeliveryOf reads one channel of a notification.
func DeliveryOf(ctx context.Context, q Querier, notificationID uuid.UUID, channel string) (Delivery, error) {
	var d Delivery
	err := q.QueryRow(ctx, `SELECT notification_id, channel, address, status, attempts, coalesce(last_error, ''),
			coalesce(provider_id, ''), updated_at, sent_at
		FROM notification_deliveries WHERE notification_id = $1 AND channel = $2`, notificationID, channel).
		Scan(&d.NotificationID, &d.Channel, &d.Address, &d.Status, &d.Attempts, &d.LastError, &d.ProviderID, &d.UpdatedAt, &d.SentAt)
	return d, notFound(err)
}

// DeliveriesOf lists the channels of the given notifications, by notification.
func DeliveriesOf(ctx context.Context, q Querier, ids []uuid.UUID) (map[uuid.UUID][]Delivery, error) {
	rows, err := q.Query(ctx, `SELECT notification_id, channel, address, status, attempts, coalesce(last_error, ''),
			coalesce(provider_id, ''), updated_at, sent_at
		FROM notification_deliveries WHERE notification_id = ANY($1) ORDER BY notification_id, channel`, ids)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	out := make(map[uuid.UUID][]Delivery, len(ids))
	var d Delivery
	_, err = pgx.ForEachRow(rows, []any{&d.NotificationID, &d.Channel, &d.Address, &d.Status, &d.Attempts, &d.LastError,
		&d.ProviderID, &d.UpdatedAt, &d.SentAt}, func() error {
		out[d.NotificationID] = append(out[d.NotificationID], d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return out, nil
}

// DeliveryOutcome is what one attempt at a channel came to.
type DeliveryOutcome struct {
	Status     string // sent, failed (for good), or pending (to be retried)
	ProviderID string
	Error      string
}

// ChannelPreference reads the channels a person chose for a notification type; ok is false
// when they have not chosen.
func ChannelPreference(ctx context.Context, q Querier, userID uuid.UUID, typ string) (channels []string, ok bool, err error) {
	err = q.QueryRow(ctx, `SELECT notification_channels($1, $2)::text[]`, userID, typ).Scan(&channels)
	if err != nil {
		return nil, false, fmt.Errorf("read notification preference: %w", err)
	}
	return channels, channels != nil, nil
}

// ChannelPreferences reads every choice the acting user made, by type.
func ChannelPreferences(ctx context.Context, q Querier) (map[string][]string, error) {
	rows, err := q.Query(ctx, `SELECT type, channels::text[] FROM notification_preferences WHERE user_id = app_user_id()`)
	if err != nil {
		return nil, fmt.Errorf("read notification preferences: %w", err)
	}
	out := map[string][]string{}
	var (
		typ      string
		channels []string
	)
	_, err = pgx.ForEachRow(rows, []any{&typ, &channels}, func() error {
		out[typ] = channels
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read notification preferences: %w", err)
	}
	return out, nil
}

// SetChannelPreference stores the acting user's channels for a notification type.
func SetChannelPreference(ctx context.Context, tx pgx.Tx, typ string, channels []string) error {
	_, err := tx.Exec(ctx, `INSERT INTO notification_preferences (user_id, type, channels)
		VALUES (app_user_id(), $1, $2::text[]::notification_channel[])
		ON CONFLICT (user_id, type) DO UPDATE SET channels = excluded.channels, updated_at = now()`, typ, channels)
	if err != nil {
		return fmt.Errorf("store notification preference: %w", err)
	}
	return nil
}

// EmailUnsubscribed reports whether an address without an account asked for no more email
// of a type.
func EmailUnsubscribed(ctx context.Context, q Querier, email, typ string) (bool, error) {
	var yes bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM email_unsubscribes WHERE email = lower($1) AND type = $2)`, email, typ).Scan(&yes)
	if err != nil {
		return false, fmt.Errorf("read unsubscribes: %w", err)
	}
	return yes, nil
}

// UnsubscribeEmail records that an address without an account wants no more email of a type.
func UnsubscribeEmail(ctx context.Context, tx pgx.Tx, email, typ string) error {
	_, err := tx.Exec(ctx, `INSERT INTO email_unsubscribes (email, type) VALUES (lower($1), $2) ON CONFLICT DO NOTHING`, email, typ)
	if err != nil {
		return fmt.Errorf("record unsubscribe: %w", err)
	}
	return nil
}

// ClaimDelivery counts the next attempt at a pending delivery before it is sent. It is a
// compare-and-set on attempts: it succeeds only while the delivery is still pending with the
// attempts the caller read, so of two runs that read the same state only one claims the
// attempt; claimed is false for the other, and for a delivery settled in between.
func ClaimDelivery(ctx context.Context, tx pgx.Tx, notificationID uuid.UUID, channel string, attempts int) (claimed bool, err error) {
	tag, err := tx.Exec(ctx, `UPDATE notification_deliveries SET attempts = attempts + 1, updated_at = now()
		WHERE notification_id = $1 AND channel = $2 AND status = 'pending' AND attempts = $3`,
		notificationID, channel, attempts)
	if err != nil {
		return false, fmt.Errorf("claim %s delivery: %w", channel, err)
	}
	return tag.RowsAffected() == 1, nil
}

// SettleDelivery stores the outcome of an attempt ClaimDelivery counted, without counting it
// again. A delivery that is no longer pending is left as it is: the first final outcome stands.
func SettleDelivery(ctx context.Context, tx pgx.Tx, notificationID uuid.UUID, channel string, o DeliveryOutcome) error {
	_, err := tx.Exec(ctx, `UPDATE notification_deliveries
		SET status = $3, last_error = nullif($4, ''), provider_id = coalesce(nullif($5, ''), provider_id),
			sent_at = CASE WHEN $3 = 'sent' THEN now() END, updated_at = now()
		WHERE notification_id = $1 AND channel = $2 AND status = 'pending'`,
		notificationID, channel, o.Status, o.Error, o.ProviderID)
	if err != nil {
		return fmt.Errorf("record %s delivery outcome: %w", channel, err)
	}
	return nil
}
