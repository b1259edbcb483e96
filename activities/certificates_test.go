package activities_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/activities"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/certificate"
	"github.com/reptidex/reptidex/workflows/process"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// certificateBundle is a breeder with an animal and a certificate of it being issued, and the
// certificate activities on the test stack.
type certificateBundle struct {
	acts *activities.Certificates
	in   certificate.Input
	db   *store.DB
}

func setupCertificate(t *testing.T) certificateBundle {
	t.Helper()
	cfg, db, ctx := testkit.Config(t), testkit.DB(t), context.Background()
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	u, o, err := accounts.Register(ctx, db, rc, accounts.NewAccount{Email: testkit.UniqueEmail("cert"),
		Password: "correct horse battery", DisplayName: "Ada", OrganizationName: "Ada's Reptiles"}, nil)
	require.NoError(t, err)
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
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	ring, err := certs.NewKeyring(key)
	require.NoError(t, err)
	acts := &activities.Certificates{Database: &activities.Database{DB: db, River: rc},
		Graph: pedigree.New(db.Pool, testkit.Logger(t), pedigree.Options{}), Keys: ring,
		S3: objstore.New(cfg.S3), Bucket: cfg.S3.Bucket, PublicBaseURL: "https://reptidex.example"}
	return certificateBundle{acts: acts, in: in, db: db}
}

func (b certificateBundle) status(t *testing.T) string {
	t.Helper()
	var c store.Certificate
	require.NoError(t, b.db.InTenant(context.Background(), store.Tenant{OrgID: b.in.OrgID}, func(tx pgx.Tx) (err error) {
		c, err = store.CertificateByID(context.Background(), tx, b.in.CertificateID)
		return err
	}))
	return c.Status
}

// The steps issue the certificate once: issuing it again changes nothing, even once it has
// been superseded, and a failure reported after it was issued leaves it issued.
func TestCertificates_IssueOnceAndStayIssued(t *testing.T) {
	t.Parallel()
	b := setupCertificate(t)
	ctx := context.Background()
	snap, err := b.acts.Snapshot(ctx, b.in)
	require.NoError(t, err)
	require.Equal(t, "Noodle", snap.Pedigree[0].Name)
	signed, err := b.acts.Sign(ctx, snap)
	require.NoError(t, err)
	stored, err := b.acts.Store(ctx, b.in, signed)
	require.NoError(t, err)
	require.Equal(t, certificate.PDFKey(b.in.OrgID, b.in.Serial), stored.PDFKey)
	require.Equal(t, "issuing", b.status(t), "stored is not issued")

	issue := certificate.Issue{Input: b.in, Signed: signed, Stored: stored}
	require.NoError(t, b.acts.Issue(ctx, issue))
	require.Equal(t, "issued", b.status(t))
	require.NoError(t, b.acts.Issue(ctx, issue), "issued again: nothing changes")
	require.NoError(t, b.acts.Fail(ctx, b.in))
	require.Equal(t, "issued", b.status(t), "an issued certificate never fails")

	// Superseded since (its animal changed hands), a late retry still finds it issued.
	admin, successor := testkit.AdminPool(t), uuid.New()
	_, err = admin.Exec(ctx, `INSERT INTO certificates (id, serial, org_id, animal_id, requested_by)
		SELECT $2, $3, org_id, animal_id, requested_by FROM certificates WHERE id = $1`, b.in.CertificateID, successor, "TEST-"+successor.String())
	require.NoError(t, err)
	_, err = admin.Exec(ctx, `UPDATE certificates SET status = 'superseded', superseded_by = $2, ended_at = now() WHERE id = $1`,
		b.in.CertificateID, successor)
	require.NoError(t, err)
	require.NoError(t, b.acts.Issue(ctx, issue), "issued, then superseded: nothing to do")
	require.Equal(t, "superseded", b.status(t))
}

// A failed certificate is final: no snapshot is taken of it and it cannot be issued.
func TestCertificates_AFailedCertificateIsFinal(t *testing.T) {
	t.Parallel()
	b := setupCertificate(t)
	ctx := context.Background()
	signed := b.sign(t, b.in)
	require.NoError(t, b.acts.Fail(ctx, b.in))
	require.Equal(t, "failed", b.status(t))

	_, err := b.acts.Snapshot(ctx, b.in)
	require.True(t, process.IsErrorType(err, certificate.ErrTypeNotFound), "%v", err)
	err = b.acts.Issue(ctx, certificate.Issue{Input: b.in, Signed: signed,
		Stored: certificate.Stored{PDFKey: "k", RecordKey: "r", PDFSHA256: signed.SHA256}})
	require.True(t, process.IsErrorType(err, certificate.ErrTypeNotFound), "%v", err)
	require.Equal(t, "failed", b.status(t))
}

// A certificate still issuing when its animal changes hands is never issued: the snapshot
// refuses the animal once it has moved, and so does the last step when the snapshot was
// taken before the move. Either way the certificate ends failed.
func TestCertificates_AnAnimalThatChangedHandsIsNotCertifiedForItsFormerOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, snapshotFirst := range []bool{true, false} {
		b := setupCertificate(t)
		rc, err := river.NewClient(riverpgxv5.New(b.db.Pool), &river.Config{})
		require.NoError(t, err)
		_, other, err := accounts.Register(ctx, b.db, rc, accounts.NewAccount{Email: testkit.UniqueEmail("cert-buyer"),
			Password: "correct horse battery", DisplayName: "Bob", OrganizationName: "Bob's Balls"}, nil)
		require.NoError(t, err)
		var signed certificate.Signed
		if snapshotFirst {
			snap, err := b.acts.Snapshot(ctx, b.in)
			require.NoError(t, err)
			signed, err = b.acts.Sign(ctx, snap)
			require.NoError(t, err)
		}
		_, err = testkit.AdminPool(t).Exec(ctx, `UPDATE animals SET org_id = $2 WHERE id = $1`, b.in.AnimalID, other.ID)
		require.NoError(t, err)

		if snapshotFirst {
			stored, err := b.acts.Store(ctx, b.in, signed)
			require.NoError(t, err)
			err = b.acts.Issue(ctx, certificate.Issue{Input: b.in, Signed: signed, Stored: stored})
			require.True(t, process.IsErrorType(err, certificate.ErrTypeNotCertifiable), "%v", err)
		} else {
			_, err := b.acts.Snapshot(ctx, b.in)
			require.True(t, process.IsErrorType(err, certificate.ErrTypeNotCertifiable), "%v", err)
		}
		require.Equal(t, "issuing", b.status(t))
		require.NoError(t, b.acts.Fail(ctx, b.in))
		require.Equal(t, "failed", b.status(t))
	}
}

// A change of owner under way while the certificate is being marked issued is waited for:
// once it commits, the certificate is not issued for its former owner.
func TestCertificates_AMoveUnderWayWhenTheCertificateIsIssuedIsWaitedFor(t *testing.T) {
	t.Parallel()
	b := setupCertificate(t)
	ctx := context.Background()
	signed, stored := b.store(t, b.in)
	rc, err := river.NewClient(riverpgxv5.New(b.db.Pool), &river.Config{})
	require.NoError(t, err)
	_, other, err := accounts.Register(ctx, b.db, rc, accounts.NewAccount{Email: testkit.UniqueEmail("cert-buyer"),
		Password: "correct horse battery", DisplayName: "Bob", OrganizationName: "Bob's Balls"}, nil)
	require.NoError(t, err)

	admin := testkit.AdminPool(t)
	move, err := admin.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = move.Rollback(ctx) }()
	_, err = move.Exec(ctx, `UPDATE animals SET org_id = $2 WHERE id = $1`, b.in.AnimalID, other.ID)
	require.NoError(t, err)
	issued := make(chan error, 1)
	go func() { issued <- b.acts.Issue(ctx, certificate.Issue{Input: b.in, Signed: signed, Stored: stored}) }()
	require.Eventually(t, func() bool {
		var waiting int
		require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
			AND query LIKE '%UPDATE certificates c SET status = ''issued''%'`).Scan(&waiting))
		return waiting > 0
	}, 10*time.Second, 10*time.Millisecond, "the issue waits for the move")
	require.NoError(t, move.Commit(ctx))
	err = <-issued
	require.True(t, process.IsErrorType(err, certificate.ErrTypeNotCertifiable), "%v", err)
	require.Equal(t, "issuing", b.status(t))
}

// Object storage unavailable while the certificate is stored: the step fails to be tried
// again, nothing is stored and the certificate stays issuing, showing no PDF; once storage
// is back the same step stores it and the certificate is issued.
func TestCertificates_StorageDownIsRetriedAndIssuesNothingMeanwhile(t *testing.T) {
	t.Parallel()
	b := setupCertificate(t)
	ctx := context.Background()
	signed := b.sign(t, b.in)

	up := b.acts.S3
	down := testkit.Config(t).S3
	down.Endpoint = "http://127.0.0.1:1" // nothing listens: every call is refused
	b.acts.S3 = objstore.New(down)
	_, err := b.acts.Store(ctx, b.in, signed)
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.False(t, errors.As(err, &appErr) && appErr.NonRetryable(), "storage down is tried again: %v", err)
	require.Equal(t, "issuing", b.status(t))
	_, err = up.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.acts.Bucket),
		Key: aws.String(certificate.PDFKey(b.in.OrgID, b.in.Serial))})
	require.Error(t, err, "no PDF is stored")
	require.NoError(t, b.db.InTenant(ctx, store.Tenant{OrgID: b.in.OrgID}, func(tx pgx.Tx) error {
		c, err := store.CertificateBySerial(ctx, tx, b.in.Serial)
		require.Empty(t, c.PDFKey, "an issuing certificate links to no PDF")
		return err
	}))

	b.acts.S3 = up
	stored, err := b.acts.Store(ctx, b.in, signed)
	require.NoError(t, err)
	require.NoError(t, b.acts.Issue(ctx, certificate.Issue{Input: b.in, Signed: signed, Stored: stored}))
	require.Equal(t, "issued", b.status(t))
}

// sign takes the certificate's snapshot and signs it.
func (b certificateBundle) sign(t *testing.T, in certificate.Input) certificate.Signed {
	t.Helper()
	snap, err := b.acts.Snapshot(context.Background(), in)
	require.NoError(t, err)
	signed, err := b.acts.Sign(context.Background(), snap)
	require.NoError(t, err)
	return signed
}

// store signs the certificate and stores its PDF and record.
func (b certificateBundle) store(t *testing.T, in certificate.Input) (certificate.Signed, certificate.Stored) {
	t.Helper()
	signed := b.sign(t, in)
	stored, err := b.acts.Store(context.Background(), in, signed)
	require.NoError(t, err)
	return signed, stored
}

// issueAll runs the certificate's steps to the end.
func (b certificateBundle) issueAll(t *testing.T, in certificate.Input) {
	t.Helper()
	signed, stored := b.store(t, in)
	require.NoError(t, b.acts.Issue(context.Background(), certificate.Issue{Input: in, Signed: signed, Stored: stored}))
}

// An animal has one current certificate: a newer one issued supersedes the one before it.
func TestCertificates_ANewerCertificateSupersedesTheOneBefore(t *testing.T) {
	t.Parallel()
	b := setupCertificate(t)
	ctx := context.Background()
	b.issueAll(t, b.in)

	serial, err := certs.NewSerial()
	require.NoError(t, err)
	newer := b.in
	newer.CertificateID, newer.Serial = uuid.New(), serial.String()
	require.NoError(t, b.db.InTenant(ctx, store.Tenant{OrgID: b.in.OrgID, UserID: b.in.RequestedBy}, func(tx pgx.Tx) error {
		return store.InsertCertificate(ctx, tx, store.Certificate{ID: newer.CertificateID, Serial: newer.Serial,
			OrgID: newer.OrgID, AnimalID: newer.AnimalID, RequestedBy: newer.RequestedBy})
	}))
	require.Equal(t, "issued", b.status(t), "a newer certificate being issued leaves the current one")
	b.issueAll(t, newer)
	require.Equal(t, "superseded", b.status(t))
	var by uuid.UUID
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT superseded_by FROM certificates WHERE id = $1`,
		b.in.CertificateID).Scan(&by))
	require.Equal(t, newer.CertificateID, by)
}
