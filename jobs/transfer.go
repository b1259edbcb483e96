package jobs

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// StartTransferArgs starts the workflow of a transfer just offered. It is enqueued in the
// offer's transaction, so an offer always gets its workflow even when Temporal is down at
// that moment.
type StartTransferArgs struct {
	TransferID uuid.UUID `json:"transfer_id"`
	OrgID      uuid.UUID `json:"org_id"`
}

// Kind names the job kind.
func (StartTransferArgs) Kind() string { return "start_transfer" }

// InsertOpts makes the job unique per transfer, tried at most maxAttempts times.
func (StartTransferArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// StartTransferWorker starts a transfer's workflow; one already started counts as done.
type StartTransferWorker struct {
	river.WorkerDefaults[StartTransferArgs]
	DB        *store.DB
	Temporal  client.Client
	TaskQueue string
	Notify    config.Notify
}

// Work starts the workflow.
func (w *StartTransferWorker) Work(ctx context.Context, job *river.Job[StartTransferArgs]) error {
	return cancelIfPermanent(StartTransfer(ctx, w.DB, w.Temporal, w.TaskQueue, w.Notify, job.Args))
}

// StartTransfer starts the workflow of a transfer from what the offer recorded; starting
// it again finds the one already running.
func StartTransfer(ctx context.Context, db *store.DB, c client.Client, taskQueue string, n config.Notify, a StartTransferArgs) error {
	var in transfer.Input
	err := db.InTenant(ctx, store.Tenant{OrgID: a.OrgID}, func(tx pgx.Tx) error {
		t, err := store.TransferByID(ctx, tx, a.TransferID)
		if err != nil {
			return err
		}
		in = transfer.InputOf(t, n)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load transfer %s: %w", a.TransferID, err)
	}
	_, err = transfer.Start(ctx, c, taskQueue, in)
	return err
}
