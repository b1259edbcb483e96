package jobs

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/export"
)

// StartExportArgs starts the process that builds an export. It is enqueued in the
// transaction that records the export as running, so an export never waits without its
// process even when Temporal is unreachable at the moment of the request.
type StartExportArgs struct {
	ExportID    uuid.UUID `json:"export_id"`
	PublicID    string    `json:"public_id"`
	OrgID       uuid.UUID `json:"org_id"`
	RequestedBy uuid.UUID `json:"requested_by"`
}

// Kind names the job.
func (StartExportArgs) Kind() string { return "start_export" }

// InsertOpts bounds the job's tries (cancelIfPermanent) and makes it unique per export.
func (StartExportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// StartExportWorker starts the export process through its client; a process already started
// for the export counts as done, and an export no longer running is not started.
type StartExportWorker struct {
	river.WorkerDefaults[StartExportArgs]
	DB        *store.DB
	Temporal  client.Client
	TaskQueue string
}

// Work starts the workflow.
func (w *StartExportWorker) Work(ctx context.Context, job *river.Job[StartExportArgs]) error {
	a := job.Args
	var e store.Export
	err := w.DB.InTenant(ctx, store.Tenant{OrgID: a.OrgID}, func(tx pgx.Tx) (err error) {
		e, err = store.ExportByID(ctx, tx, a.ExportID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) || err == nil && e.Status != "running" {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = export.Start(ctx, w.Temporal, w.TaskQueue, export.Input{ExportID: a.ExportID, PublicID: a.PublicID,
		OrgID: a.OrgID, RequestedBy: a.RequestedBy})
	return cancelIfPermanent(err)
}
