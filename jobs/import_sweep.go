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

	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/importing"
	"github.com/reptidex/reptidex/workflows/process"
)

// ImportGrace is how long past its expiry an import may stay not ended before the sweep
// looks at its process: its process ends it at its expiry, so one still not ended an hour
// later has a process that is gone (its start never came through, or its last step failed
// where it could not be marked).
const ImportGrace = time.Hour

// SweepImportsArgs ends the imports left by a process that is gone. It runs periodically.
type SweepImportsArgs struct{}

// Kind names the job.
func (SweepImportsArgs) Kind() string { return "sweep_imports" }

// InsertOpts keeps one sweep at a time, tried three times: the next period sweeps again.
func (SweepImportsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: 15 * time.Minute}}
}

// SweepImportsWorker deletes the file of each import not ended ImportGrace past its expiry
// whose process is not running, then marks it expired, as its process would have. An
// import whose process still runs is left to it.
type SweepImportsWorker struct {
	river.WorkerDefaults[SweepImportsArgs]
	DB       *store.DB
	Temporal client.Client
	S3       *s3.Client
	Bucket   string
}

// Work sweeps.
func (w *SweepImportsWorker) Work(ctx context.Context, _ *river.Job[SweepImportsArgs]) error {
	swept, err := store.ImportsToSweep(ctx, w.DB, ImportGrace)
	if err != nil {
		return err
	}
	var errs []error
	for _, im := range swept {
		if err := w.expire(ctx, im); err != nil {
			errs = append(errs, fmt.Errorf("import %s: %w", im.ID, err))
		}
	}
	return errors.Join(errs...)
}

// expire deletes the file of an import whose process is gone, then marks it expired: a
// failed delete leaves it as it was, for the next sweep.
func (w *SweepImportsWorker) expire(ctx context.Context, im store.SweptImport) error {
	running, err := process.Running(ctx, w.Temporal, importing.WorkflowID(im.ID))
	if err != nil || running {
		return err // a running process ends the import itself
	}
	if err := objstore.Delete(ctx, w.S3, w.Bucket, im.ObjectKey); err != nil {
		return err
	}
	return w.DB.InTenant(ctx, store.Tenant{OrgID: im.OrgID}, func(tx pgx.Tx) error {
		_, err := store.FinishImport(ctx, tx, im.ID, "expired", "")
		return err
	})
}
