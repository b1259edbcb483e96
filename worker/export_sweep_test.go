package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/export"
)

// exportOf records an export of a new organization, requested age ago, with no workflow; a
// ready one expires expiresIn from now, with its ZIP stored. Each has a written file left
// under its prefix.
func exportOf(t *testing.T, db *store.DB, c *s3.Client, bucket string, status string, age, expiresIn time.Duration) export.Input {
	t.Helper()
	ctx := context.Background()
	u, o := organizationWithoutOnboarding(t, db)
	in := export.Input{ExportID: uuid.New(), PublicID: store.NewPublicID(), OrgID: o.ID, RequestedBy: u.ID}
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		return store.InsertExport(ctx, tx, store.Export{ID: in.ExportID, PublicID: in.PublicID, OrgID: o.ID, RequestedBy: u.ID})
	}))
	_, err := testkit.AdminPool(t).Exec(ctx, `UPDATE exports SET created_at = now() - make_interval(secs => $2) WHERE id = $1`,
		in.ExportID, age.Seconds())
	require.NoError(t, err)
	require.NoError(t, objstore.Put(ctx, c, bucket, export.PartsPrefix(o.ID, in.ExportID)+"animals.csv", "text/csv", []byte("id\n")))
	if status == "ready" {
		key := export.ObjectKey(o.ID, in.ExportID)
		require.NoError(t, objstore.Put(ctx, c, bucket, key, "application/zip", []byte("PK")))
		_, err := testkit.AdminPool(t).Exec(ctx, `UPDATE exports SET status = 'ready', object_key = $2, bytes = 2,
			finished_at = now() - interval '1 hour', expires_at = now() + make_interval(secs => $3) WHERE id = $1`,
			in.ExportID, key, expiresIn.Seconds())
		require.NoError(t, err)
	}
	return in
}

// The sweep deletes the ZIP of an export past its expiry and marks it expired, and marks
// failed an export left running without a workflow, deleting what it wrote and telling its
// requester once; a ready export not yet expired, one running since recently, and one whose
// workflow still runs are left alone.
func TestSweepExports_ExpiresOldExportsAndFailsAbandonedOnes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testkit.DB(t)
	tc := testkit.Temporal(t)
	cfg := testkit.Config(t)
	c := objstore.New(cfg.S3)
	bucket := cfg.S3.Bucket
	expired := exportOf(t, db, c, bucket, "ready", 8*24*time.Hour, -time.Minute)
	fresh := exportOf(t, db, c, bucket, "ready", 2*time.Hour, 6*24*time.Hour)
	abandoned := exportOf(t, db, c, bucket, "running", export.AbandonedAfter+time.Minute, 0)
	recent := exportOf(t, db, c, bucket, "running", export.AbandonedAfter-10*time.Minute, 0)
	running := exportOf(t, db, c, bucket, "running", export.AbandonedAfter+time.Minute, 0)
	// A workflow on a task queue no worker polls: it runs, waiting, until the test ends it.
	run, err := export.Start(ctx, tc, "export-sweep-"+uuid.NewString(), running)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tc.TerminateWorkflow(context.Background(), run.GetID(), run.GetRunID(), "test over") })

	queue, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	w := &jobs.SweepExportsWorker{DB: db, Temporal: tc, S3: c, Bucket: bucket, River: queue}
	require.NoError(t, w.Work(ctx, &river.Job[jobs.SweepExportsArgs]{}))
	require.NoError(t, w.Work(ctx, &river.Job[jobs.SweepExportsArgs]{}), "sweeping again changes nothing")

	admin := testkit.AdminPool(t)
	status := func(in export.Input) (s string, problem *string) {
		require.NoError(t, admin.QueryRow(ctx, `SELECT status::text, problem FROM exports WHERE id = $1`, in.ExportID).Scan(&s, &problem))
		return s, problem
	}
	told := func(in export.Input) (n int) {
		require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE dedup_key = $1 AND user_id = $2`,
			export.FailedMessage(in, "").DedupKey, in.RequestedBy).Scan(&n))
		return n
	}
	stored := func(key string) bool {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		return err == nil
	}
	s, _ := status(expired)
	require.Equal(t, "expired", s)
	require.False(t, stored(export.ObjectKey(expired.OrgID, expired.ExportID)), "an expired export's ZIP is deleted")
	s, _ = status(fresh)
	require.Equal(t, "ready", s)
	require.True(t, stored(export.ObjectKey(fresh.OrgID, fresh.ExportID)))

	s, problem := status(abandoned)
	require.Equal(t, "failed", s)
	require.Equal(t, export.Interrupted, *problem)
	require.Equal(t, 1, told(abandoned), "the requester is told once")
	require.False(t, stored(export.PartsPrefix(abandoned.OrgID, abandoned.ExportID)+"animals.csv"), "what it wrote is deleted")
	for _, in := range []export.Input{recent, running} {
		s, _ := status(in)
		require.Equal(t, "running", s)
		require.Zero(t, told(in))
		require.True(t, stored(export.PartsPrefix(in.OrgID, in.ExportID)+"animals.csv"))
	}
}

// The sweep deletes the document of a personal export past its expiry and marks it expired;
// one not yet expired is left.
func TestSweepExports_ExpiresPersonalExports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testkit.DB(t)
	cfg := testkit.Config(t)
	c := objstore.New(cfg.S3)
	admin := testkit.AdminPool(t)
	personal := func(expiresIn time.Duration) (uuid.UUID, string) {
		u, _ := organizationWithoutOnboarding(t, db)
		id := uuid.New()
		key := jobs.PersonalExportKey(u.ID, id)
		require.NoError(t, objstore.Put(ctx, c, cfg.S3.Bucket, key, "application/json", []byte("{}")))
		_, err := admin.Exec(ctx, `INSERT INTO personal_exports (id, public_id, user_id, status, object_key, bytes, finished_at, expires_at)
			VALUES ($1, $2, $3, 'ready', $4, 2, now() - interval '1 hour', now() + make_interval(secs => $5))`,
			id, store.NewPublicID(), u.ID, key, expiresIn.Seconds())
		require.NoError(t, err)
		return id, key
	}
	old, oldKey := personal(-time.Minute)
	fresh, freshKey := personal(time.Hour)
	w := &jobs.SweepExportsWorker{DB: db, Temporal: testkit.Temporal(t), S3: c, Bucket: cfg.S3.Bucket}
	queue, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	w.River = queue
	require.NoError(t, w.Work(ctx, &river.Job[jobs.SweepExportsArgs]{}))
	for id, want := range map[uuid.UUID]string{old: "expired", fresh: "ready"} {
		var status string
		require.NoError(t, admin.QueryRow(ctx, `SELECT status::text FROM personal_exports WHERE id = $1`, id).Scan(&status))
		require.Equal(t, want, status)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(cfg.S3.Bucket), Key: aws.String(oldKey)})
	require.Error(t, err, "the expired document is deleted")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(cfg.S3.Bucket), Key: aws.String(freshKey)})
	require.NoError(t, err)
}
