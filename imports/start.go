package imports

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/importing"
)

// Start records an import of a file of size bytes, uploading, for tx's organization (orgID)
// as asked by userID, and enqueues the start of its process in tx, so that the import and
// its process commit together; the process expires it when nothing else happens.
func Start(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], orgID, userID uuid.UUID, fileName string,
	size int64) (store.Import, error) {
	im := store.Import{ID: uuid.New(), PublicID: store.NewPublicID(), CreatedBy: userID, FileName: fileName, Bytes: size,
		ExpiresAt: time.Now().Add(importing.Expiry).UTC().Truncate(time.Second)}
	im.ObjectKey = importing.ObjectKey(orgID, im.ID)
	if err := store.InsertImport(ctx, tx, im); err != nil {
		return store.Import{}, err
	}
	if _, err := queue.InsertTx(ctx, tx, jobs.StartImportArgs{ImportID: im.ID, OrgID: orgID}, nil); err != nil {
		return store.Import{}, fmt.Errorf("enqueue the start of import %s: %w", im.PublicID, err)
	}
	return store.ImportByID(ctx, tx, im.ID)
}
