package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/importing"
)

// importOf records an import of a new organization, uploading, that expired ago (negative:
// expires in that long), with its file uploaded and no process.
func importOf(t *testing.T, db *store.DB, c *s3.Client, bucket string, ago time.Duration) importing.Input {
	t.Helper()
	ctx := context.Background()
	u, o := organizationWithoutOnboarding(t, db)
	in := importing.Input{ImportID: uuid.New(), PublicID: store.NewPublicID(), OrgID: o.ID, CreatedBy: u.ID,
		ExpiresAt: time.Now().Add(-ago).UTC().Truncate(time.Second)}
	in.ObjectKey = importing.ObjectKey(o.ID, in.ImportID)
	_, err := testkit.AdminPool(t).Exec(ctx, `INSERT INTO imports (id, public_id, org_id, created_by, bytes, object_key, expires_at)
		VALUES ($1, $2, $3, $4, 10, $5, $6)`, in.ImportID, in.PublicID, o.ID, u.ID, in.ObjectKey, in.ExpiresAt)
	require.NoError(t, err)
	require.NoError(t, objstore.Put(ctx, c, bucket, in.ObjectKey, "text/csv", []byte("breeder_id\n")))
	return in
}

// The sweep deletes the file of an import left past its expiry without a process and marks
// it expired; one not yet past its expiry and the grace, and one whose process still runs,
// are left alone.
func TestSweepImports_ExpiresThoseWhoseProcessIsGone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testkit.DB(t)
	tc := testkit.Temporal(t)
	cfg := testkit.Config(t)
	c := objstore.New(cfg.S3)
	bucket := cfg.S3.Bucket
	gone := importOf(t, db, c, bucket, jobs.ImportGrace+time.Minute)
	recent := importOf(t, db, c, bucket, jobs.ImportGrace-10*time.Minute)
	running := importOf(t, db, c, bucket, jobs.ImportGrace+time.Minute)
	// A process on a task queue no worker polls: it runs, waiting, until the test ends it.
	run, err := importing.Start(ctx, tc, "import-sweep-"+uuid.NewString(), running)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tc.TerminateWorkflow(context.Background(), run.GetID(), run.GetRunID(), "test over") })

	w := &jobs.SweepImportsWorker{DB: db, Temporal: tc, S3: c, Bucket: bucket}
	require.NoError(t, w.Work(ctx, &river.Job[jobs.SweepImportsArgs]{}))
	require.NoError(t, w.Work(ctx, &river.Job[jobs.SweepImportsArgs]{}), "sweeping again changes nothing")

	status := func(in importing.Input) (s string) {
		require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT status::text FROM imports WHERE id = $1`, in.ImportID).Scan(&s))
		return s
	}
	stored := func(in importing.Input) bool {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(in.ObjectKey)})
		return err == nil
	}
	require.Equal(t, "expired", status(gone))
	require.False(t, stored(gone), "its file is deleted")
	for _, in := range []importing.Input{recent, running} {
		require.Equal(t, "uploading", status(in))
		require.True(t, stored(in))
	}
}
