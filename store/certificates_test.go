package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

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

// Only the organization the animal has moved to, by one of its members, re-issues its
// certificate: not a third organization, not the previous owner, not someone outside the new
// owner, not without a person, and not for an animal that never moved.
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
		{"someone outside the new owner", store.Tenant{OrgID: b.orgB.ID, UserID: b.userC.ID}, b.animal},
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
