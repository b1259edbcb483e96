package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/certificate"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// issuedCertificate asks for a certificate of the animal over HTTP as its owner and waits
// until it is issued; it answers its serial.
func issuedCertificate(t *testing.T, s *system, owner person, animal string) string {
	t.Helper()
	serial := s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/animals/"+animal+"/certificates", owner.Token, nil,
		"Idempotency-Key", uuid.NewString())["serial"].(string)
	waitCertificate(t, s, owner, serial, "issued")
	return serial
}

// waitCertificate polls a certificate as its owner reads it until it has the status.
func waitCertificate(t *testing.T, s *system, owner person, serial, status string) map[string]any {
	t.Helper()
	var got map[string]any
	require.Eventually(t, func() bool {
		got = s.must(t, http.StatusOK, http.MethodGet, "/api/v1/certificates/"+serial, owner.Token, nil)
		return got["status"] == status
	}, 30*time.Second, 50*time.Millisecond, "certificate %s never became %s", serial, status)
	return got
}

// requireReissued checks that the animal's certificate old, its previous owner's, was
// superseded by one certificate for its new owner, requested by the person who received it,
// issued with its PDF and signed record stored, the record naming the new owner; and that
// the previous owner was told. It answers the new certificate's serial.
func requireReissued(t *testing.T, s *system, old string, previous, received person, animal string) string {
	t.Helper()
	list := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/animals/"+animal+"/certificates", received.Token, nil)
	require.Len(t, list["items"], 1, "one certificate for the new owner")
	serial := list["items"].([]any)[0].(map[string]any)["serial"].(string)
	waitCertificate(t, s, received, serial, "issued")

	ctx := context.Background()
	var oldID, newID, newOrg uuid.UUID
	var status, supersededBy, org, requester, animalOf string
	var endedAt *time.Time
	admin := testkit.AdminPool(t)
	require.NoError(t, admin.QueryRow(ctx, `SELECT o.id, o.status, n.serial, o.ended_at
		FROM certificates o JOIN certificates n ON n.id = o.superseded_by WHERE o.serial = $1`, old).
		Scan(&oldID, &status, &supersededBy, &endedAt))
	require.Equal(t, "superseded", status)
	require.Equal(t, serial, supersededBy, "superseded by the new owner's certificate")
	require.NotNil(t, endedAt)
	require.NoError(t, admin.QueryRow(ctx, `SELECT c.id, c.org_id, o.public_id, u.public_id, a.public_id
		FROM certificates c JOIN organizations o ON o.id = c.org_id JOIN users u ON u.id = c.requested_by
		JOIN animals a ON a.id = c.animal_id WHERE c.serial = $1`, serial).Scan(&newID, &newOrg, &org, &requester, &animalOf))
	require.Equal(t, received.OrgID, org)
	require.Equal(t, received.UserID, requester)
	require.Equal(t, animal, animalOf)
	require.Equal(t, "superseded", s.must(t, http.StatusOK, http.MethodGet, "/api/v1/certificates/"+old, previous.Token, nil)["status"],
		"the previous owner still reads its certificate, superseded")
	check := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/verify/"+old, "", nil)
	require.Equal(t, "superseded", check["verdict"])
	successor := check["superseded_by"].(map[string]any)
	require.Equal(t, serial, successor["serial"], "anyone checking the old certificate is sent to the new one")
	require.Equal(t, "issued", successor["status"])
	at, err := time.Parse(time.RFC3339Nano, successor["at"].(string))
	require.NoError(t, err)
	require.True(t, endedAt.Equal(at), "superseded when the animal moved: %s, %s", endedAt, at)
	require.Equal(t, http.StatusNotFound, s.do(t, http.MethodGet, "/api/v1/certificates/"+old, received.Token, nil).Status,
		"the new owner does not read the previous owner's certificate")

	bucket := objstore.New(s.Cfg.S3)
	require.Equal(t, "%PDF-", string(object(t, bucket, s.Cfg.S3.Bucket, certificate.PDFKey(newOrg, serial))[:5]))
	rec, err := certs.ParseRecord(object(t, bucket, s.Cfg.S3.Bucket, certificate.RecordKey(newOrg, serial)))
	require.NoError(t, err)
	published, err := json.Marshal(s.CertKeys.Published())
	require.NoError(t, err)
	verifier, err := certs.ParsePublishedKeys(published)
	require.NoError(t, err)
	require.NoError(t, verifier.VerifyRecord(rec))
	var snap certificate.Snapshot
	require.NoError(t, json.Unmarshal(rec.Snapshot, &snap))
	require.Equal(t, serial, snap.Serial)
	require.Equal(t, animal, snap.Pedigree[0].ID)
	var ownerName string
	require.NoError(t, admin.QueryRow(ctx, `SELECT name FROM organizations WHERE public_id = $1`, received.OrgID).Scan(&ownerName))
	require.Equal(t, ownerName, snap.Pedigree[0].Owner, "the signed snapshot names the new owner")

	require.Equal(t, 1, count(t, `SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.public_id = $1 AND n.dedup_key = $2`, previous.UserID, "certificate/"+oldID.String()+"/superseded"),
		"the previous owner is told")
	s.waitMail(t, previous.Email, "Pedigree certificate "+old+" was superseded")
	return serial
}

// A breeder's issued certificate of an animal they transfer is superseded, when the
// recipient accepts, by a certificate issued for the recipient's organization.
func TestCertificate_SupersededAndReissuedWhenTheAnimalIsTransferred(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)
	sire := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Atlas"})
	dam := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Vega"})
	noodle := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Noodle",
		"sire_id": sire, "dam_id": dam})
	old := issuedCertificate(t, s, ada, noodle)

	id := offerTo(t, s, ada, map[string]any{"animal_id": noodle, "recipient_organization_id": bob.OrgID})
	s.must(t, http.StatusOK, http.MethodPost, "/api/v1/transfers/"+id+"/accept", bob.Token, map[string]any{"organization_id": bob.OrgID})
	s.waitStatus(t, bob.Token, id, "accepted")
	requireReissued(t, s, old, ada, bob, noodle)
}

// The move of an accepted transfer, retried as Temporal retries an activity, moves the animal
// and re-issues its certificate once: one certificate for the new owner, one job starting
// its process, one notification to the previous owner.
func TestMoveOwnership_RetriedReissuesTheCertificateOnce(t *testing.T) {
	t.Parallel()
	o := offerWithoutWorker(t)
	ctx := context.Background()
	admin := testkit.AdminPool(t)
	var animal uuid.UUID
	require.NoError(t, admin.QueryRow(ctx, `SELECT animal_id FROM transfers WHERE id = $1`, o.transferID).Scan(&animal))
	serial, err := certs.NewSerial()
	require.NoError(t, err)
	old := uuid.New()
	_, err = admin.Exec(ctx, `INSERT INTO certificates (id, serial, org_id, animal_id, requested_by) VALUES ($1, $2, $3, $4, $5)`,
		old, serial.String(), o.fromOrg, animal, o.offeredBy)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, `UPDATE certificates SET status = 'issued', snapshot = '{}', canonical_sha256 = sha256('x'),
		signature = 'sig', key_id = 'k1', pdf_key = 'certificates/x.pdf', pdf_sha256 = sha256('x'), issued_at = now()
		WHERE id = $1`, old)
	require.NoError(t, err)

	move := transfer.MoveInput{TransferID: o.transferID, AnimalID: animal, FromOrgID: o.fromOrg, ToOrgID: o.bobOrg, UserID: o.bob}
	for range 3 {
		require.NoError(t, o.act.MoveOwnership(ctx, move))
	}
	var reissued uuid.UUID
	var status string
	require.NoError(t, admin.QueryRow(ctx, `SELECT n.id, n.status FROM certificates n
		WHERE n.animal_id = $1 AND n.org_id = $2 AND n.requested_by = $3`, animal, o.bobOrg, o.bob).Scan(&reissued, &status))
	require.Equal(t, "issuing", status)
	require.Equal(t, 1, count(t, `SELECT count(*) FROM certificates WHERE id = $1 AND status = 'superseded' AND superseded_by = $2`,
		old, reissued))
	require.Equal(t, 2, count(t, `SELECT count(*) FROM certificates WHERE animal_id = $1`, animal),
		"the previous owner's and one re-issued")
	require.Equal(t, 1, count(t, `SELECT count(*) FROM river_job WHERE kind = 'start_certificate' AND args->>'certificate_id' = $1`,
		reissued.String()))
	require.Equal(t, 1, count(t, `SELECT count(*) FROM notifications WHERE user_id = $1 AND type = 'certificate.outcome'`, o.offeredBy))
}
