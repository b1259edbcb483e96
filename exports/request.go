package exports

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
)

// Request records an export of the organization's data, asked for by the caller, as
// running, and enqueues the start of its process in tx, so that the export and its process
// commit together. While another export of the organization runs it is
// store.ErrExportRunning.
func Request(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], a store.Access) (store.Export, error) {
	e := store.Export{ID: uuid.New(), PublicID: store.NewPublicID(), OrgID: a.OrgID, RequestedBy: a.UserID}
	if err := store.InsertExport(ctx, tx, e); err != nil {
		return store.Export{}, err
	}
	if _, err := queue.InsertTx(ctx, tx, jobs.StartExportArgs{ExportID: e.ID, PublicID: e.PublicID, OrgID: e.OrgID,
		RequestedBy: e.RequestedBy}, nil); err != nil {
		return store.Export{}, fmt.Errorf("enqueue the start of export %s: %w", e.PublicID, err)
	}
	return store.ExportByID(ctx, tx, e.ID)
}
