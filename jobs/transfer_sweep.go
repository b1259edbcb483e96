package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// SweepTransfersArgs ends open transfers whose workflow can no longer end them. It runs
// periodically.
type SweepTransfersArgs struct{}

// Kind names the job kind.
func (SweepTransfersArgs) Kind() string { return "sweep_transfers" }

// InsertOpts keeps one sweep at a time, tried three times: the next period sweeps again.
func (SweepTransfersArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: 5 * time.Minute}}
}

// SweepGrace is how long past its expiry a transfer may stay open before the sweep looks
// at its workflow: a running workflow expires it itself once its worker is back.
const SweepGrace = 15 * time.Minute

// SweepTransfersWorker ends, as expired, the open transfers past their expiry whose
// workflow has closed or never started, and releases their animals.
type SweepTransfersWorker struct {
	river.WorkerDefaults[SweepTransfersArgs]
	DB       *store.DB
	Temporal client.Client
}

// Work sweeps.
func (w *SweepTransfersWorker) Work(ctx context.Context, _ *river.Job[SweepTransfersArgs]) error {
	overdue, err := store.OverdueTransfers(ctx, w.DB, SweepGrace)
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range overdue {
		if err := w.sweep(ctx, t.ID, t.OrgID); err != nil {
			errs = append(errs, fmt.Errorf("transfer %s: %w", t.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (w *SweepTransfersWorker) sweep(ctx context.Context, id, orgID uuid.UUID) error {
	running, err := transfer.Running(ctx, w.Temporal, id)
	if err != nil {
		return err
	}
	if running {
		return nil // its worker will expire it
	}
	err = w.DB.InTenant(ctx, store.Tenant{OrgID: orgID}, func(tx pgx.Tx) error {
		return store.EndTransfer(ctx, tx, store.Ending{TransferID: id, Status: "expired", By: "sweep"})
	})
	var otherwise *store.EndedOtherwiseError
	if errors.As(err, &otherwise) {
		return nil // it ended otherwise meanwhile, and that ending released the animal
	}
	return err
}
