package activities

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/escalation"
)

// RecordNotification records a notification and its first deliveries. Run again with the
// same dedup key, it returns the notification already recorded.
func (a *Database) RecordNotification(ctx context.Context, r notify.Request) (uuid.UUID, error) {
	var id uuid.UUID
	err := a.inTenant(ctx, store.Tenant{OrgID: r.OrgID, UserID: r.UserID}, func(tx pgx.Tx) error {
		n, err := (&notify.Notifier{River: a.River}).Record(ctx, tx, r)
		if ie, ok := notify.IsInvalid(err); ok {
			return temporal.NewNonRetryableApplicationError(ie.Error(), escalation.ErrTypeInvalid, err)
		}
		id = n.ID
		return err
	})
	return id, err
}

// EscalateNotification delivers a notification on one more channel unless it was read or
// acted on; escalating a channel twice delivers once.
func (a *Database) EscalateNotification(ctx context.Context, t escalation.Target) (notify.Escalation, error) {
	var e notify.Escalation
	err := a.inTenant(ctx, store.Tenant{OrgID: t.OrgID, UserID: t.UserID}, func(tx pgx.Tx) error {
		var err error
		e, err = (&notify.Notifier{River: a.River}).Escalate(ctx, tx, t.NotificationID, t.Channel)
		return err
	})
	return e, err
}

// MarkNotificationActioned records that the action a notification asked for happened.
func (a *Database) MarkNotificationActioned(ctx context.Context, t escalation.Target) error {
	return a.inTenant(ctx, store.Tenant{OrgID: t.OrgID, UserID: t.UserID}, func(tx pgx.Tx) error {
		return notify.MarkActioned(ctx, tx, t.NotificationID)
	})
}
