package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
	"github.com/reptidex/reptidex/workflows/importing"
)

// crashRows is how many rows the crash test imports: a dozen batches, so that the worker is
// killed with some applied and more to come.
const crashRows = 6_000

// The promise: a worker killed mid-import, and the import still ends applied, every
// row once: the batches applied before the worker died are not applied again by the
// restarted worker, which goes on after the last one recorded done once the heartbeat of
// the lost try is missed.
//
// Not parallel, deliberately: the worker under test must be the only one on its task queue,
// so that killing it really stops the import.
func TestImportCrash_AWorkerKilledMidImportResumesWithEveryRowOnce(t *testing.T) {
	bin := buildReptidex(t)
	cfg := crashConfig(t)
	s := serveAPI(t, cfg)
	ctx := context.Background()
	admin := testkit.AdminPool(t)
	tc := testkit.Temporal(t)

	ada := s.register(t, "Ada", false)
	in := importing.Input{ImportID: uuid.New(), PublicID: store.NewPublicID(), FileName: "big.csv",
		ExpiresAt: time.Now().Add(importing.Expiry).UTC().Truncate(time.Second)}
	require.NoError(t, admin.QueryRow(ctx, `SELECT o.id, u.id FROM organizations o, users u WHERE o.public_id = $1 AND u.public_id = $2`,
		ada.OrgID, ada.UserID).Scan(&in.OrgID, &in.CreatedBy))
	registered.GrantPlan(t, s.DB, in.OrgID, "business")
	in.ObjectKey = importing.ObjectKey(in.OrgID, in.ImportID)
	var file bytes.Buffer
	file.WriteString("breeder_id,species,sex,hatch_date,sire,dam\n")
	for i := range crashRows {
		sire, dam := "", ""
		if i >= 100 {
			sire, dam = fmt.Sprintf("BP-%d", i-100-i%2), fmt.Sprintf("BP-%d", i-99-i%2)
		}
		hatched := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 100*(i/100)).Format(time.DateOnly)
		fmt.Fprintf(&file, "BP-%d,ball-python,%s,%s,%s,%s\n", i, []string{"male", "female"}[i%2], hatched, sire, dam)
	}
	require.NoError(t, objstore.Put(ctx, objstore.New(cfg.S3), cfg.S3.Bucket, in.ObjectKey, "text/csv", file.Bytes()))
	_, err := admin.Exec(ctx, `INSERT INTO imports (id, public_id, org_id, created_by, file_name, bytes, object_key, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, in.ImportID, in.PublicID, in.OrgID, in.CreatedBy, in.FileName, file.Len(),
		in.ObjectKey, in.ExpiresAt)
	require.NoError(t, err)

	worker := startWorkerProcess(t, bin, cfg)
	run, err := importing.Start(ctx, tc, cfg.Temporal.TaskQueue, in)
	require.NoError(t, err)
	_, err = importing.Ask(ctx, tc, cfg.Temporal.TaskQueue, in, importing.CheckUpdate, importing.CheckRequest{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		p, err := importing.QueryProgress(ctx, tc, in.ImportID)
		return err == nil && p.Stage == importing.Checked
	}, time.Minute, 20*time.Millisecond, "the import is checked")
	_, err = importing.Ask(ctx, tc, cfg.Temporal.TaskQueue, in, importing.ApplyUpdate)
	require.NoError(t, err)
	batches := (crashRows + importing.BatchRows - 1) / importing.BatchRows
	require.Eventually(t, func() bool {
		var done int
		require.NoError(t, admin.QueryRow(ctx, `SELECT batches_done FROM imports WHERE id = $1`, in.ImportID).Scan(&done))
		return done >= 2
	}, time.Minute, 10*time.Millisecond, "some batches are applied")
	worker.kill(t)
	var doneAtKill int
	require.NoError(t, admin.QueryRow(ctx, `SELECT batches_done FROM imports WHERE id = $1`, in.ImportID).Scan(&doneAtKill))
	require.Less(t, doneAtKill, batches, "killed with batches to come")
	startWorkerProcess(t, bin, cfg)

	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var res importing.Result
	require.NoError(t, run.Get(wctx, &res))
	require.Equal(t, importing.Result{Stage: importing.Applied, Applied: importing.Totals{Created: crashRows}}, res)

	h := fetchHistory(t, tc, run.GetID(), run.GetRunID())
	var retried int
	for _, e := range h.Events {
		if a := e.GetActivityTaskStartedEventAttributes(); a != nil && a.GetAttempt() > 1 {
			require.Equal(t, enumspb.TIMEOUT_TYPE_HEARTBEAT, a.GetLastFailure().GetTimeoutFailureInfo().GetTimeoutType(),
				"the try before was lost with the worker: %v", a.GetLastFailure())
			retried++
		}
	}
	require.Equal(t, 1, retried, "the apply the worker was killed in was tried again, once")

	var animals, distinct, created, done int
	require.NoError(t, admin.QueryRow(ctx, `SELECT count(*), count(DISTINCT identifiers->>'breeder_id'),
			(SELECT count(*) FROM events e WHERE e.org_id = $1 AND e.type = 'animal.created')
		FROM animals WHERE org_id = $1`, in.OrgID).Scan(&animals, &distinct, &created))
	require.Equal(t, crashRows, animals, "every row once")
	require.Equal(t, crashRows, distinct)
	require.Equal(t, crashRows, created, "one animal.created event a row: none written twice")
	var status string
	require.NoError(t, admin.QueryRow(ctx, `SELECT status::text, batches_done FROM imports WHERE id = $1`, in.ImportID).Scan(&status, &done))
	require.Equal(t, "applied", status)
	require.Equal(t, batches, done)
	var parented int
	require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM animals WHERE org_id = $1 AND sire_id IS NOT NULL AND dam_id IS NOT NULL`,
		in.OrgID).Scan(&parented))
	require.Equal(t, crashRows-100, parented, "the parents of rows in later batches found by breeder ID")
}
