package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
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
	require.NoError(t, f.inTenant(func(tx pgx.Tx) error {
		marked, err := store.MarkCertificateFailed(context.Background(), tx, failed.ID)
		require.True(t, marked, "an issuing certificate fails")
		return err
	}))
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

// reissueBundle is an animal of A's that moved to B, with A's certificates of it, and a third
// organization C that has nothing to do with it.
type reissueBundle struct {
	db                    *store.DB
	admin                 *pgxpool.Pool
	userA, userB, userC   store.User
	orgA, orgB, orgC      store.Organization
	animal                uuid.UUID
	issued, issuing, fail uuid.UUID // A's certificates of the animal
}

func setupReissue(t *testing.T) reissueBundle {
	t.Helper()
	b := reissueBundle{db: testkit.DB(t), admin: testkit.AdminPool(t)}
	b.userA, b.orgA = account(t, b.db, "reissue-a")
	b.userB, b.orgB = account(t, b.db, "reissue-b")
	b.userC, b.orgC = account(t, b.db, "reissue-c")
	ctx := context.Background()
	require.NoError(t, b.admin.QueryRow(ctx, `SELECT id FROM animals WHERE org_id = $1 LIMIT 1`, b.orgA.ID).Scan(&b.animal))
	b.issued = certificateOf(t, b.admin, b.orgA.ID, b.animal, b.userA.ID, "issued")
	b.issuing = certificateOf(t, b.admin, b.orgA.ID, b.animal, b.userA.ID, "issuing")
	b.fail = certificateOf(t, b.admin, b.orgA.ID, b.animal, b.userA.ID, "failed")
	moveAnimal(t, b.admin, b.animal, b.orgA.ID, b.userA.ID, b.orgB.ID, b.userB.ID)
	return b
}

// certificateOf records, as the schema owner, a certificate of the animal with the status:
// issuing, failed, or issued with what issuing records.
func certificateOf(t *testing.T, admin *pgxpool.Pool, orgID, animalID, userID uuid.UUID, status string) uuid.UUID {
	t.Helper()
	ctx, id := context.Background(), uuid.New()
	_, err := admin.Exec(ctx, `INSERT INTO certificates (id, serial, org_id, animal_id, requested_by)
		VALUES ($1, $2, $3, $4, $5)`, id, "TEST-"+id.String(), orgID, animalID, userID)
	require.NoError(t, err)
	switch status {
	case "issued":
		_, err = admin.Exec(ctx, `UPDATE certificates SET status = 'issued', snapshot = '{}', canonical_sha256 = sha256('x'),
			signature = 'sig', key_id = 'k1', pdf_key = 'certificates/x.pdf', pdf_sha256 = sha256('x'), issued_at = now()
			WHERE id = $1`, id)
	case "failed":
		_, err = admin.Exec(ctx, `UPDATE certificates SET status = 'failed', ended_at = now() WHERE id = $1`, id)
	}
	require.NoError(t, err)
	return id
}

// moveAnimal moves the animal from one organization to another as an accepted transfer
// does, as the schema owner.
func moveAnimal(t *testing.T, admin *pgxpool.Pool, animalID, from, fromUser, to, toUser uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
		transfer, publicID := uuid.New(), store.NewPublicID()
		if _, err := tx.Exec(ctx, `INSERT INTO transfers (id, public_id, org_id, animal_id, animal_public_id, species_key,
				offered_by, recipient_org_id, status, to_org_id, ended_by, expires_at, ended_at)
			SELECT $1, $2, $3, a.id, a.public_id, a.species_key, $4, $5, 'accepted', $5, $6, now() + interval '1 day', now()
			FROM animals a WHERE a.id = $7`, transfer, publicID, from, fromUser, to, toUser, animalID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ownership_history (animal_id, from_org_id, to_org_id, transfer_id, transfer_public_id)
			VALUES ($1, $2, $3, $4, $5)`, animalID, from, to, transfer, publicID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE animals SET org_id = $2 WHERE id = $1`, animalID, to)
		return err
	}))
}

// reissue runs the re-issue in a tenant, with a new certificate.
func (b reissueBundle) reissue(t *testing.T, tenant store.Tenant, animalID uuid.UUID) (store.Certificate, []store.SupersededCertificate, error) {
	t.Helper()
	c := store.Certificate{ID: uuid.New(), Serial: "TEST-" + uuid.NewString(), OrgID: tenant.OrgID, AnimalID: animalID,
		RequestedBy: tenant.UserID}
	var old []store.SupersededCertificate
	err := b.db.InTenant(context.Background(), tenant, func(tx pgx.Tx) (err error) {
		old, err = store.ReissueCertificate(context.Background(), tx, c)
		return err
	})
	return c, old, err
}

// certificateRow is a certificate as the schema owner reads it.
type certificateRow struct {
	OrgID, RequestedBy uuid.UUID
	Status             string
	SupersededBy       *uuid.UUID
	EndedAt            *time.Time
}

func (b reissueBundle) row(t *testing.T, id uuid.UUID) certificateRow {
	t.Helper()
	var r certificateRow
	require.NoError(t, b.admin.QueryRow(context.Background(), `SELECT org_id, requested_by, status, superseded_by, ended_at
		FROM certificates WHERE id = $1`, id).Scan(&r.OrgID, &r.RequestedBy, &r.Status, &r.SupersededBy, &r.EndedAt))
	return r
}

func (b reissueBundle) certificatesOf(t *testing.T, animalID, orgID uuid.UUID) int {
	t.Helper()
	var n int
	require.NoError(t, b.admin.QueryRow(context.Background(), `SELECT count(*) FROM certificates WHERE animal_id = $1 AND org_id = $2`,
		animalID, orgID).Scan(&n))
	return n
}

// The new owner's re-issue records its certificate and supersedes the previous owner's issued
// one by it, which the new owner still cannot read; the previous owner's certificates that
// were never issued are left to their process. A second re-issue finds nothing current of
// the previous owner's, and records nothing.
func TestReissueCertificate_SupersedesThePreviousOwnersIssuedCertificate(t *testing.T) {
	t.Parallel()
	b := setupReissue(t)
	ctx := context.Background()
	bob := store.Tenant{OrgID: b.orgB.ID, UserID: b.userB.ID}
	c, old, err := b.reissue(t, bob, b.animal)
	require.NoError(t, err)
	require.Equal(t, []store.SupersededCertificate{{ID: b.issued, Serial: "TEST-" + b.issued.String(), OrgID: b.orgA.ID,
		RequestedBy: b.userA.ID}}, old)

	superseded := b.row(t, b.issued)
	require.Equal(t, "superseded", superseded.Status)
	require.Equal(t, &c.ID, superseded.SupersededBy)
	require.NotNil(t, superseded.EndedAt)
	require.Equal(t, certificateRow{OrgID: b.orgB.ID, RequestedBy: b.userB.ID, Status: "issuing"}, b.row(t, c.ID))
	require.Equal(t, "issuing", b.row(t, b.issuing).Status, "a certificate never issued is not superseded")
	require.Equal(t, "failed", b.row(t, b.fail).Status)

	require.NoError(t, b.db.InTenant(ctx, bob, func(tx pgx.Tx) error {
		mine, err := store.CertificatesOfAnimal(ctx, tx, b.animal)
		require.Len(t, mine, 1, "the new owner sees its own certificate only")
		require.Equal(t, c.ID, mine[0].ID)
		return err
	}))

	again, old, err := b.reissue(t, bob, b.animal)
	require.NoError(t, err)
	require.Empty(t, old)
	require.Equal(t, 1, b.certificatesOf(t, b.animal, b.orgB.ID), "nothing recorded for %s", again.Serial)
}

// An animal whose previous owner holds no issued certificate of it (only one being issued,
// and one that failed) gets none.
func TestReissueCertificate_AnAnimalWithoutAnIssuedCertificateGetsNone(t *testing.T) {
	t.Parallel()
	b := setupReissue(t)
	var other uuid.UUID
	require.NoError(t, b.admin.QueryRow(context.Background(), `SELECT id FROM animals WHERE org_id = $1 LIMIT 1`, b.orgA.ID).Scan(&other))
	issuing := certificateOf(t, b.admin, b.orgA.ID, other, b.userA.ID, "issuing")
	certificateOf(t, b.admin, b.orgA.ID, other, b.userA.ID, "failed")
	moveAnimal(t, b.admin, other, b.orgA.ID, b.userA.ID, b.orgB.ID, b.userB.ID)

	_, old, err := b.reissue(t, store.Tenant{OrgID: b.orgB.ID, UserID: b.userB.ID}, other)
	require.NoError(t, err)
	require.Empty(t, old)
	require.Zero(t, b.certificatesOf(t, other, b.orgB.ID))
	require.Equal(t, "issuing", b.row(t, issuing).Status)
}

// Only the organization the animal has moved to, by the person who received it, re-issues
// its certificate: not a third organization, not the previous owner, not someone else, not
// without a person, and not for an animal that never moved.
func TestReissueCertificate_OnlyTheNewOwnerReissues(t *testing.T) {
	t.Parallel()
	b := setupReissue(t)
	var own uuid.UUID
	require.NoError(t, b.admin.QueryRow(context.Background(), `SELECT id FROM animals WHERE org_id = $1 AND id <> $2 LIMIT 1`,
		b.orgB.ID, b.animal).Scan(&own))
	for _, c := range []struct {
		name   string
		tenant store.Tenant
		animal uuid.UUID
	}{
		{"a third organization", store.Tenant{OrgID: b.orgC.ID, UserID: b.userC.ID}, b.animal},
		{"the previous owner", store.Tenant{OrgID: b.orgA.ID, UserID: b.userA.ID}, b.animal},
		{"someone who did not receive it", store.Tenant{OrgID: b.orgB.ID, UserID: b.userC.ID}, b.animal},
		{"the new owner without a person", store.Tenant{OrgID: b.orgB.ID}, b.animal},
		{"no tenant", store.Tenant{}, b.animal},
		{"an animal that never moved", store.Tenant{OrgID: b.orgB.ID, UserID: b.userB.ID}, own},
	} {
		_, _, err := b.reissue(t, c.tenant, c.animal)
		require.ErrorContains(t, err, "SQLSTATE 42501", c.name)
	}
	require.Equal(t, "issued", b.row(t, b.issued).Status)
	for _, org := range []uuid.UUID{b.orgB.ID, b.orgC.ID} {
		require.Zero(t, b.certificatesOf(t, b.animal, org))
	}
}

// The person who received the animal re-issues its certificate even after leaving the new
// owner: a buyer who left the organization since ordering does not stop the animal's move.
func TestReissueCertificate_TheReceiverWhoLeftStillReissues(t *testing.T) {
	t.Parallel()
	b := setupReissue(t)
	_, err := b.admin.Exec(context.Background(), `DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, b.orgB.ID, b.userB.ID)
	require.NoError(t, err)
	c, old, err := b.reissue(t, store.Tenant{OrgID: b.orgB.ID, UserID: b.userB.ID}, b.animal)
	require.NoError(t, err)
	require.Len(t, old, 1)
	require.Equal(t, b.issued, old[0].ID)
	require.Equal(t, "superseded", b.row(t, b.issued).Status)
	require.Equal(t, b.orgB.ID, c.OrgID)
}
