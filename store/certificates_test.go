package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// certificateFixture is an organization with an animal and certificates of it.
type certificateFixture struct {
	db     *store.DB
	user   store.User
	org    store.Organization
	animal uuid.UUID
}

func newCertificateFixture(t *testing.T, prefix string) certificateFixture {
	t.Helper()
	db := testkit.DB(t)
	u, o := account(t, db, prefix)
	f := certificateFixture{db: db, user: u, org: o, animal: uuid.New()}
	require.NoError(t, f.inTenant(func(tx pgx.Tx) error {
		return store.InsertAnimal(context.Background(), tx, store.Animal{ID: f.animal, PublicID: store.NewPublicID(),
			SpeciesKey: "ball-python", Sex: genetics.Female, Status: "active", Visibility: "organization", GeneticsText: "Pastel"})
	}))
	return f
}

func (f certificateFixture) inTenant(fn func(pgx.Tx) error) error {
	return f.db.InTenant(context.Background(), store.Tenant{OrgID: f.org.ID, UserID: f.user.ID}, fn)
}

// request records a certificate as issuing; issue also marks it issued.
func (f certificateFixture) request(t *testing.T) store.Certificate {
	t.Helper()
	serial, err := certs.NewSerial()
	require.NoError(t, err)
	c := store.Certificate{ID: uuid.New(), Serial: serial.String(), OrgID: f.org.ID, AnimalID: f.animal, RequestedBy: f.user.ID}
	require.NoError(t, f.inTenant(func(tx pgx.Tx) error { return store.InsertCertificate(context.Background(), tx, c) }))
	return c
}

func (f certificateFixture) issue(t *testing.T) store.Certificate {
	t.Helper()
	c := f.request(t)
	canonical, pdf := sha256.Sum256([]byte(`{"serial":"`+c.Serial+`"}`)), sha256.Sum256([]byte("%PDF-"))
	require.NoError(t, f.inTenant(func(tx pgx.Tx) error {
		marked, err := store.MarkCertificateIssued(context.Background(), tx, store.IssuedCertificate{ID: c.ID,
			Snapshot: []byte(`{"serial":"` + c.Serial + `"}`), CanonicalSHA256: canonical[:], Signature: "sig", KeyID: "key1",
			PDFKey: "certificates/" + c.Serial + ".pdf", PDFSHA256: pdf[:]})
		require.True(t, marked)
		return err
	}))
	return c
}

// exec runs one statement on the certificate acting for its organization.
func (f certificateFixture) exec(sql string, args ...any) error {
	return f.inTenant(func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
}

// requireFrozen checks that the database refused a change of a certificate that must not change.
func requireFrozen(t *testing.T, err error, what string) {
	t.Helper()
	var pgErr *pgconn.PgError
	require.Truef(t, errors.As(err, &pgErr), "%s: refused, not %v", what, err)
	require.Containsf(t, []string{"55000", "23514"}, pgErr.Code, "%s: %s", what, pgErr.Message)
}

func TestCertificate_AnIssuedCertificateNeverChanges(t *testing.T) {
	t.Parallel()
	f := newCertificateFixture(t, "cert-frozen")
	c := f.issue(t)
	other := f.issue(t)
	for what, change := range map[string]string{
		"snapshot":           `UPDATE certificates SET snapshot = '{"serial":"forged"}' WHERE id = $1`,
		"serial":             `UPDATE certificates SET serial = serial || 'X' WHERE id = $1`,
		"animal":             `UPDATE certificates SET animal_id = (SELECT id FROM animals WHERE id <> animal_id LIMIT 1) WHERE id = $1`,
		"snapshot hash":      `UPDATE certificates SET canonical_sha256 = sha256('forged') WHERE id = $1`,
		"PDF hash":           `UPDATE certificates SET pdf_sha256 = sha256('forged') WHERE id = $1`,
		"signature":          `UPDATE certificates SET signature = 'forged' WHERE id = $1`,
		"key":                `UPDATE certificates SET key_id = 'key2' WHERE id = $1`,
		"PDF":                `UPDATE certificates SET pdf_key = 'elsewhere.pdf' WHERE id = $1`,
		"issue time":         `UPDATE certificates SET issued_at = issued_at - interval '1 year' WHERE id = $1`,
		"back to issuing":    `UPDATE certificates SET status = 'issuing' WHERE id = $1`,
		"to failed":          `UPDATE certificates SET status = 'failed' WHERE id = $1`,
		"superseded by none": `UPDATE certificates SET status = 'superseded', ended_at = now() WHERE id = $1`,
		"revoked without a reason": `UPDATE certificates SET status = 'revoked', revoked_at = now(), ended_at = now()
			WHERE id = $1`,
		"revoked with a blank reason": `UPDATE certificates SET status = 'revoked', revoked_reason = ' ', revoked_at = now(),
			ended_at = now() WHERE id = $1`,
		"a reason while current":  `UPDATE certificates SET revoked_reason = 'just because' WHERE id = $1`,
		"superseded by itself":    `UPDATE certificates SET status = 'superseded', superseded_by = id, ended_at = now() WHERE id = $1`,
		"moved to another holder": `UPDATE certificates SET requested_by = (SELECT id FROM users WHERE id <> requested_by LIMIT 1) WHERE id = $1`,
	} {
		requireFrozen(t, f.exec(change, c.ID), what)
	}
	// Not even the schema's owner, whom no policy binds, deletes it.
	_, err := testkit.AdminPool(t).Exec(context.Background(), `DELETE FROM certificates WHERE id = $1`, c.ID)
	requireFrozen(t, err, "deleted")
	// Unchanged, it may be written again (an activity run twice).
	require.NoError(t, f.exec(`UPDATE certificates SET status = status WHERE id = $1`, c.ID))
	var snapshot string
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT snapshot::text FROM certificates WHERE id = $1`,
		c.ID).Scan(&snapshot))
	require.JSONEq(t, `{"serial":"`+c.Serial+`"}`, snapshot)
	require.NotEqual(t, c.ID, other.ID)
}

// A change of owner supersedes the old certificate as the transfer and the sale do; it may
// then be revoked, and a revoked certificate is final.
func TestCertificate_SupersededThenRevokedIsFinal(t *testing.T) {
	t.Parallel()
	f := newCertificateFixture(t, "cert-ends")
	old, successor := f.issue(t), f.request(t)
	require.NoError(t, f.exec(`UPDATE certificates SET status = 'superseded', superseded_by = $2, ended_at = now()
		WHERE id = $1`, old.ID, successor.ID), "superseded as a change of owner does it")

	third := f.issue(t)
	requireFrozen(t, f.exec(`UPDATE certificates SET superseded_by = $2 WHERE id = $1`, old.ID, third.ID), "another successor")
	requireFrozen(t, f.exec(`UPDATE certificates SET status = 'issued', superseded_by = NULL, ended_at = NULL WHERE id = $1`,
		old.ID), "current again")
	requireFrozen(t, f.exec(`UPDATE certificates SET ended_at = now() + interval '1 day' WHERE id = $1`, old.ID), "another end")

	admin := f.user.ID
	require.NoError(t, f.inTenant(func(tx pgx.Tx) error {
		revoked, err := store.RevokeCertificate(context.Background(), tx, old.ID, "forged parents", admin)
		require.True(t, revoked)
		return err
	}))
	_, err := testkit.AdminPool(t).Exec(context.Background(), `DELETE FROM certificates WHERE id = $1`, old.ID)
	requireFrozen(t, err, "deleted")
	for what, change := range map[string]string{
		"un-revoked":        `UPDATE certificates SET status = 'superseded', revoked_reason = NULL, revoked_at = NULL WHERE id = $1`,
		"issued again":      `UPDATE certificates SET status = 'issued', revoked_reason = NULL, revoked_at = NULL, superseded_by = NULL WHERE id = $1`,
		"another reason":    `UPDATE certificates SET revoked_reason = 'something else' WHERE id = $1`,
		"revoked later":     `UPDATE certificates SET revoked_at = now() + interval '1 day' WHERE id = $1`,
		"successor removed": `UPDATE certificates SET superseded_by = NULL WHERE id = $1`,
	} {
		requireFrozen(t, f.exec(change, old.ID), what)
	}
	require.NoError(t, f.inTenant(func(tx pgx.Tx) error {
		revoked, err := store.RevokeCertificate(context.Background(), tx, old.ID, "again", admin)
		require.False(t, revoked, "revoked once")
		return err
	}))

	// A failed certificate is final too; one issuing may still fail.
	failed := f.request(t)
	require.NoError(t, f.inTenant(func(tx pgx.Tx) error { return store.MarkCertificateFailed(context.Background(), tx, failed.ID) }))
	requireFrozen(t, f.exec(`UPDATE certificates SET status = 'issuing', ended_at = NULL WHERE id = $1`, failed.ID), "failed revived")
	_, err = testkit.AdminPool(t).Exec(context.Background(), `DELETE FROM certificates WHERE id = $1`, failed.ID)
	require.NoError(t, err, "what was never issued may go")
}

// Anyone reads an issued certificate by serial, without a tenant; one issuing answers nothing.
func TestCertificateForVerification_AnswersOnlyIssuedCertificates(t *testing.T) {
	t.Parallel()
	f := newCertificateFixture(t, "cert-verify")
	ctx := context.Background()
	issuing := f.request(t)
	_, err := store.CertificateForVerification(ctx, f.db.Pool, issuing.Serial)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = store.CertificateForVerification(ctx, f.db.Pool, "NO-SUCH")
	require.ErrorIs(t, err, store.ErrNotFound)

	old := f.issue(t)
	got, err := store.CertificateForVerification(ctx, f.db.Pool, old.Serial)
	require.NoError(t, err)
	require.Equal(t, "issued", got.Status)
	require.Equal(t, "key1", got.KeyID)
	require.JSONEq(t, `{"serial":"`+old.Serial+`"}`, string(got.Snapshot))
	require.Len(t, got.PDFSHA256, 32)
	require.Empty(t, got.SupersededBy)

	require.NoError(t, f.exec(`UPDATE certificates SET status = 'superseded', superseded_by = $2, ended_at = now()
		WHERE id = $1`, old.ID, issuing.ID))
	got, err = store.CertificateForVerification(ctx, f.db.Pool, old.Serial)
	require.NoError(t, err)
	require.Equal(t, "superseded", got.Status)
	require.Equal(t, issuing.Serial, got.SupersededBy)
	require.Equal(t, "issuing", got.SupersededByStatus)
	require.NotNil(t, got.EndedAt)
}

// Only a platform admin finds another organization's certificate by serial.
func TestCertificateForAdmin_AnswersPlatformAdminsOnly(t *testing.T) {
	t.Parallel()
	f := newCertificateFixture(t, "cert-owner")
	c := f.issue(t)
	ctx := context.Background()
	u, _ := account(t, f.db, "cert-admin")
	find := func() (store.CertificateRef, error) {
		var ref store.CertificateRef
		err := f.db.InTenant(ctx, store.Tenant{UserID: u.ID}, func(tx pgx.Tx) (err error) {
			ref, err = store.CertificateForAdmin(ctx, tx, c.Serial)
			return err
		})
		return ref, err
	}
	_, err := find()
	require.ErrorIs(t, err, store.ErrNotFound, "not an admin yet")
	_, err = testkit.AdminPool(t).Exec(ctx, `UPDATE users SET platform_admin = true WHERE id = $1`, u.ID)
	require.NoError(t, err)
	ref, err := find()
	require.NoError(t, err)
	require.Equal(t, store.CertificateRef{ID: c.ID, OrgID: f.org.ID, Status: "issued"}, ref)
}
