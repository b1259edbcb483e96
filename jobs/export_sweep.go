package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/export"
)

// SweepExportsArgs expires the exports past their expiry, and the personal exports, and
// ends, failed, the exports left running by a process that is gone. It runs periodically.
type SweepExportsArgs struct{}

// Kind names the job.
func (SweepExportsArgs) Kind() string { return "sweep_exports" }

// InsertOpts keeps one sweep at a time, tried three times: the next period sweeps again.
func (SweepExportsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: 15 * time.Minute}}
}

// SweepExportsWorker deletes the ZIP of each export past its expiry and then marks it
// expired; and marks failed each export running for longer than export.AbandonedAfter whose
// workflow is not running, deleting whatever of it was written and telling the requester,
// as the workflow would have. An export whose workflow still runs is left to it.
type SweepExportsWorker struct {
	river.WorkerDefaults[SweepExportsArgs]
	DB       *store.DB
	Temporal client.Client
	S3       *s3.Client
	Bucket   string
	// River enqueues the notifications' deliveries; nil: the client working the job.
	River *river.Client[pgx.Tx]
}

// Work sweeps.
func (w *SweepExportsWorker) Work(ctx context.Context, _ *river.Job[SweepExportsArgs]) error {
	queue := w.River
	if queue == nil {
		var err error
		if queue, err = river.ClientFromContextSafely[pgx.Tx](ctx); err != nil {
			return fmt.Errorf("sweep exports: %w", err)
		}
	}
	swept, err := store.ExportsToSweep(ctx, w.DB, export.AbandonedAfter)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range swept {
		if e.Status == "ready" {
			err = w.expire(ctx, e)
		} else {
			err = w.abandon(ctx, &notify.Notifier{River: queue}, e)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("export %s: %w", e.ID, err))
		}
	}
	personal, err := store.PersonalExportsToSweep(ctx, w.DB)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, e := range personal {
		if err := w.expirePersonal(ctx, e); err != nil {
			errs = append(errs, fmt.Errorf("personal export %s: %w", e.ID, err))
		}
	}
	return errors.Join(errs...)
}

// expirePersonal deletes a personal export's document past its expiry, then marks it
// expired.
func (w *SweepExportsWorker) expirePersonal(ctx context.Context, e store.SweptPersonalExport) error {
	if err := objstore.Delete(ctx, w.S3, w.Bucket, e.ObjectKey); err != nil {
		return err
	}
	return w.DB.InTenant(ctx, store.Tenant{UserID: e.UserID}, func(tx pgx.Tx) error {
		return store.MarkPersonalExportExpired(ctx, tx, e.ID)
	})
}

// expire deletes the export's ZIP, then marks it expired: a failed delete leaves it ready,
// for the next sweep.
func (w *SweepExportsWorker) expire(ctx context.Context, e store.SweptExport) error {
	if err := w.deleteObjects(ctx, e); err != nil {
		return err
	}
	return w.DB.InTenant(ctx, store.Tenant{OrgID: e.OrgID}, func(tx pgx.Tx) error {
		_, err := store.MarkExportExpired(ctx, tx, e.ID)
		return err
	})
}

// abandon marks failed an export whose workflow is gone, tells its requester, and deletes
// what of it was written.
func (w *SweepExportsWorker) abandon(ctx context.Context, n *notify.Notifier, o store.SweptExport) error {
	running, err := export.Running(ctx, w.Temporal, o.ID)
	if err != nil || running {
		return err // a running workflow ends the export itself
	}
	err = w.DB.InTenant(ctx, store.Tenant{OrgID: o.OrgID}, func(tx pgx.Tx) error {
		e, err := store.ExportByID(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		failed, err := store.MarkExportFailed(ctx, tx, e.ID, export.Interrupted)
		if err != nil || !failed {
			return err // ready or failed meanwhile
		}
		_, err = n.Record(ctx, tx, export.FailedMessage(export.Input{ExportID: e.ID, PublicID: e.PublicID, OrgID: e.OrgID,
			RequestedBy: e.RequestedBy}, export.Interrupted))
		return err
	})
	if err != nil {
		return err
	}
	return w.deleteObjects(ctx, o)
}

// deleteObjects deletes an export's ZIP, its written files and any upload of them left
// unfinished.
func (w *SweepExportsWorker) deleteObjects(ctx context.Context, e store.SweptExport) error {
	key := export.ObjectKey(e.OrgID, e.ID)
	return errors.Join(objstore.Delete(ctx, w.S3, w.Bucket, key), objstore.AbortUploads(ctx, w.S3, w.Bucket, key),
		objstore.DeletePrefix(ctx, w.S3, w.Bucket, export.PartsPrefix(e.OrgID, e.ID)))
}
