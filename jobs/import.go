package jobs

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/importing"
)

// StartImportArgs starts the process of an import just recorded. It is enqueued in the
// transaction that records it, so an import always gets its process, which expires it when
// nothing else happens, even when Temporal is unreachable at the moment of the upload.
type StartImportArgs struct {
	ImportID uuid.UUID `json:"import_id"`
	OrgID    uuid.UUID `json:"org_id"`
}

// Kind names the job.
func (StartImportArgs) Kind() string { return "start_import" }

// InsertOpts bounds the job's tries (cancelIfPermanent) and makes it unique per import.
func (StartImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// StartImportWorker starts an import's process from what was recorded; a process already
// started for the import counts as done, and an import gone is not started.
type StartImportWorker struct {
	river.WorkerDefaults[StartImportArgs]
	DB        *store.DB
	Temporal  client.Client
	TaskQueue string
}

// Work starts the workflow.
func (w *StartImportWorker) Work(ctx context.Context, job *river.Job[StartImportArgs]) error {
	var im store.Import
	err := w.DB.InTenant(ctx, store.Tenant{OrgID: job.Args.OrgID}, func(tx pgx.Tx) (err error) {
		im, err = store.ImportByID(ctx, tx, job.Args.ImportID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = importing.Start(ctx, w.Temporal, w.TaskQueue, importing.InputOf(im))
	return cancelIfPermanent(err)
}
