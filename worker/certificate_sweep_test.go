package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/certificate"
)

// issuingCertificate records a certificate of a new animal as issuing, requested age ago,
// with no workflow.
func issuingCertificate(t *testing.T, db *store.DB, u store.User, o store.Organization, age time.Duration) certificate.Input {
	t.Helper()
	ctx := context.Background()
	animal := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: "ball-python", Sex: genetics.Female,
		Name: "Noodle", Status: "active", Visibility: "organization", GeneticsText: "Normal"}
	serial, err := certs.NewSerial()
	require.NoError(t, err)
	in := certificate.Input{CertificateID: uuid.New(), Serial: serial.String(), OrgID: o.ID, AnimalID: animal.ID,
		AnimalPublicID: animal.PublicID, RequestedBy: u.ID}
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		if err := store.InsertAnimal(ctx, tx, animal); err != nil {
			return err
		}
		return store.InsertCertificate(ctx, tx, store.Certificate{ID: in.CertificateID, Serial: in.Serial, OrgID: o.ID,
			AnimalID: animal.ID, RequestedBy: u.ID})
	}))
	_, err = testkit.AdminPool(t).Exec(ctx, `UPDATE certificates SET created_at = now() - make_interval(secs => $2) WHERE id = $1`,
		in.CertificateID, age.Seconds())
	require.NoError(t, err)
	return in
}

// A certificate left issuing well past the time its workflow gives up, whose workflow is gone
// (its last step failed, or it never started), is marked failed by the sweep and its
// requester told once; one requested recently, or whose workflow still runs, is left alone.
func TestSweepCertificates_FailsCertificatesLeftIssuingWithoutAWorkflow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testkit.DB(t)
	tc := testkit.Temporal(t)
	u, o := organizationWithoutOnboarding(t, db)
	abandoned := issuingCertificate(t, db, u, o, certificate.AbandonedAfter+time.Minute)
	recent := issuingCertificate(t, db, u, o, certificate.AbandonedAfter-10*time.Minute)
	running := issuingCertificate(t, db, u, o, certificate.AbandonedAfter+time.Minute)
	// A workflow on a task queue no worker polls: it runs, waiting, until the test ends it.
	run, err := certificate.Start(ctx, tc, "certificate-sweep-"+uuid.NewString(), running)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = tc.TerminateWorkflow(context.Background(), run.GetID(), run.GetRunID(), "test over")
	})

	queue, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	w := &jobs.SweepCertificatesWorker{DB: db, Temporal: tc, River: queue}
	require.NoError(t, w.Work(ctx, &river.Job[jobs.SweepCertificatesArgs]{}))
	require.NoError(t, w.Work(ctx, &river.Job[jobs.SweepCertificatesArgs]{}), "sweeping again changes nothing")

	admin := testkit.AdminPool(t)
	status := func(in certificate.Input) string {
		var s string
		require.NoError(t, admin.QueryRow(ctx, `SELECT status::text FROM certificates WHERE id = $1`, in.CertificateID).Scan(&s))
		return s
	}
	told := func(in certificate.Input) (n int) {
		require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE dedup_key = $1 AND user_id = $2`,
			certificate.FailedMessage(in).DedupKey, u.ID).Scan(&n))
		return n
	}
	require.Equal(t, "failed", status(abandoned))
	require.Equal(t, 1, told(abandoned), "the requester is told once")
	require.Equal(t, "issuing", status(recent))
	require.Zero(t, told(recent))
	require.Equal(t, "issuing", status(running), "a running workflow ends its certificate itself")
	require.Zero(t, told(running))
	var ended *time.Time
	require.NoError(t, admin.QueryRow(ctx, `SELECT ended_at FROM certificates WHERE id = $1`, abandoned.CertificateID).Scan(&ended))
	require.NotNil(t, ended)

	desc, err := tc.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, desc.GetWorkflowExecutionInfo().GetStatus(), "the sweep leaves the workflow running")
}

// The start job of a certificate the sweep ended meanwhile starts no workflow; one still
// issuing is started.
func TestStartCertificate_StartsOnlyACertificateStillIssuing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testkit.DB(t)
	tc := testkit.Temporal(t)
	u, o := organizationWithoutOnboarding(t, db)
	ended := issuingCertificate(t, db, u, o, time.Minute)
	issuing := issuingCertificate(t, db, u, o, time.Minute)
	_, err := testkit.AdminPool(t).Exec(ctx, `UPDATE certificates SET status = 'failed', ended_at = now() WHERE id = $1`,
		ended.CertificateID)
	require.NoError(t, err)

	// A task queue no worker polls: a started workflow waits until the test ends it.
	w := &jobs.StartCertificateWorker{DB: db, Temporal: tc, TaskQueue: "certificate-start-" + uuid.NewString()}
	for _, in := range []certificate.Input{ended, issuing} {
		require.NoError(t, w.Work(ctx, &river.Job[jobs.StartCertificateArgs]{Args: jobs.StartCertificateArgs{
			CertificateID: in.CertificateID, Serial: in.Serial, OrgID: in.OrgID, AnimalID: in.AnimalID,
			AnimalPublicID: in.AnimalPublicID, RequestedBy: in.RequestedBy}}))
	}
	_, err = tc.DescribeWorkflowExecution(ctx, certificate.WorkflowID(ended.CertificateID), "")
	require.Error(t, err, "no workflow for a certificate no longer issuing")
	d, err := tc.DescribeWorkflowExecution(ctx, certificate.WorkflowID(issuing.CertificateID), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = tc.TerminateWorkflow(context.Background(), certificate.WorkflowID(issuing.CertificateID), "", "test over")
	})
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.WorkflowExecutionInfo.Status)
}
