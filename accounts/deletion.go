package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/deletion"
)

// ErrDeletionScheduled means the account is already to be deleted.
var ErrDeletionScheduled = errors.New("the account is already to be deleted")

// PaidClosingError refuses a deletion that would close an organization paying a
// subscription: it must be cancelled first, or another member made an owner.
type PaidClosingError struct{ OrgName string }

func (e *PaidClosingError) Error() string {
	return e.OrgName + " pays a subscription and would be closed"
}

// RequestDeletion schedules the account of tx's user (userID, publicID) to be erased after
// the grace, and enqueues the start of the deletion's process in tx, so that both commit
// together. The caller has checked the password.
func RequestDeletion(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], userID uuid.UUID, publicID string) error {
	heirs, err := store.HeirsOfUser(ctx, tx)
	if err != nil {
		return err
	}
	for _, h := range heirs {
		if h.HeirID == nil && h.Paid {
			return &PaidClosingError{OrgName: h.OrgName}
		}
	}
	in := deletion.InputAt(userID, publicID, time.Now())
	scheduled, err := store.ScheduleDeletion(ctx, tx, in.EraseAt)
	if err != nil {
		return err
	}
	if !scheduled {
		return ErrDeletionScheduled
	}
	if _, err := queue.InsertTx(ctx, tx, jobs.StartDeletionArgs{UserID: userID, PublicID: publicID,
		RequestedAt: in.RequestedAt}, nil); err != nil {
		return fmt.Errorf("enqueue the start of the deletion of %s: %w", publicID, err)
	}
	return nil
}
