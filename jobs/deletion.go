package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/deletion"
	"github.com/reptidex/reptidex/workflows/process"
)

// StartDeletionArgs starts the deletion of an account just asked for. It is enqueued in the
// transaction that records the request, so a deletion always gets its process.
type StartDeletionArgs struct {
	UserID      uuid.UUID `json:"user_id"`
	PublicID    string    `json:"public_id"`
	RequestedAt time.Time `json:"requested_at"`
}

// Kind names the job.
func (StartDeletionArgs) Kind() string { return "start_deletion" }

// InsertOpts bounds the job's tries and makes it unique per request.
func (StartDeletionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// StartDeletionWorker starts a deletion's process; one already started counts as done, and
// a deletion no longer asked for is not started.
type StartDeletionWorker struct {
	river.WorkerDefaults[StartDeletionArgs]
	DB        *store.DB
	Temporal  client.Client
	TaskQueue string
}

// Work starts the workflow.
func (w *StartDeletionWorker) Work(ctx context.Context, job *river.Job[StartDeletionArgs]) error {
	a := job.Args
	in := deletion.InputAt(a.UserID, a.PublicID, a.RequestedAt)
	var d store.Deletion
	err := w.DB.InTenant(ctx, store.Tenant{UserID: a.UserID}, func(tx pgx.Tx) (err error) {
		d, err = store.DeletionOfUser(ctx, tx)
		return err
	})
	if errors.Is(err, store.ErrNotFound) || err == nil && (d.EraseAt == nil || !d.EraseAt.Equal(in.EraseAt)) {
		return nil // cancelled meanwhile, or another request's
	}
	if err != nil {
		return err
	}
	_, err = deletion.Start(ctx, w.Temporal, w.TaskQueue, in)
	if errors.Is(err, process.ErrStartedOtherwise) {
		// The person's deletion cancelled just before is still ending; start once it has.
		return river.JobSnooze(10 * time.Second)
	}
	return cancelIfPermanent(err)
}
