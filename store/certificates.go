package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Certificate is a pedigree certificate: issuing until its snapshot is signed and its PDF
// stored, then issued; or failed, superseded or revoked.
type Certificate struct {
	ID       uuid.UUID
	Serial   string
	OrgID    uuid.UUID
	AnimalID uuid.UUID
	// AnimalPublicID is the animal's public ID, read with the certificate.
	AnimalPublicID string
	RequestedBy    uuid.UUID
	Status         string
	KeyID          string
	PDFKey         string
	CreatedAt      time.Time
	IssuedAt       *time.Time
}

// InsertCertificate records a certificate being issued for the transaction's organization.
func InsertCertificate(ctx context.Context, tx pgx.Tx, c Certificate) error {
	_, err := tx.Exec(ctx, `INSERT INTO certificates (id, serial, org_id, animal_id, requested_by)
		VALUES ($1, $2, $3, $4, $5)`, c.ID, c.Serial, c.OrgID, c.AnimalID, c.RequestedBy)
	if err != nil {
		return fmt.Errorf("insert certificate %s: %w", c.Serial, err)
	}
	return nil
}

const certificateSelect = `SELECT c.id, c.serial, c.org_id, c.animal_id,
	coalesce((SELECT public_id FROM animal_ref(c.animal_id)), ''), c.requested_by, c.status, coalesce(c.key_id, ''),
	coalesce(c.pdf_key, ''), c.created_at, c.issued_at FROM certificates c`

func scanCertificate(row pgx.Row) (Certificate, error) {
	var c Certificate
	err := row.Scan(&c.ID, &c.Serial, &c.OrgID, &c.AnimalID, &c.AnimalPublicID, &c.RequestedBy, &c.Status, &c.KeyID,
		&c.PDFKey, &c.CreatedAt, &c.IssuedAt)
	return c, err
}

// CertificateByID reads one of the transaction's organization's certificates; another's, or
// none, is ErrNotFound.
func CertificateByID(ctx context.Context, q Querier, id uuid.UUID) (Certificate, error) {
	c, err := scanCertificate(q.QueryRow(ctx, certificateSelect+` WHERE c.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Certificate{}, ErrNotFound
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("read certificate %s: %w", id, err)
	}
	return c, nil
}

// CertificateBySerial reads one of the transaction's organization's certificates by its
// serial; another's, or none, is ErrNotFound.
func CertificateBySerial(ctx context.Context, q Querier, serial string) (Certificate, error) {
	c, err := scanCertificate(q.QueryRow(ctx, certificateSelect+` WHERE c.serial = $1`, serial))
	if errors.Is(err, pgx.ErrNoRows) {
		return Certificate{}, ErrNotFound
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("read certificate %s: %w", serial, err)
	}
	return c, nil
}

// CertificatesOfAnimal lists the transaction's organization's certificates of an animal,
// newest first, at most 100.
func CertificatesOfAnimal(ctx context.Context, q Querier, animalID uuid.UUID) ([]Certificate, error) {
	rows, err := q.Query(ctx, certificateSelect+` WHERE c.animal_id = $1 ORDER BY c.created_at DESC, c.id LIMIT 100`, animalID)
	if err != nil {
		return nil, fmt.Errorf("list certificates: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Certificate, error) { return scanCertificate(row) })
	if err != nil {
		return nil, fmt.Errorf("list certificates: %w", err)
	}
	return cs, nil
}

// SupersededCertificate is a previous owner's certificate that a re-issue superseded.
type SupersededCertificate struct {
	ID          uuid.UUID
	Serial      string
	OrgID       uuid.UUID
	RequestedBy uuid.UUID
}

// ReissueCertificate records c, issuing, for the transaction's organization and requested by
// its user, in place of the issued certificates the animal's previous owners hold, which it
// marks superseded by c and returns (reissue_certificate). The animal must have just moved to
// the organization. When no previous owner holds an issued certificate of it, nothing is
// recorded and none are returned.
func ReissueCertificate(ctx context.Context, tx pgx.Tx, c Certificate) ([]SupersededCertificate, error) {
	rows, err := tx.Query(ctx, `SELECT superseded, superseded_serial, superseded_org, superseded_requested_by
		FROM reissue_certificate($1, $2, $3)`, c.AnimalID, c.ID, c.Serial)
	if err != nil {
		return nil, fmt.Errorf("re-issue the certificate of animal %s: %w", c.AnimalID, err)
	}
	old, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SupersededCertificate, error) {
		var s SupersededCertificate
		err := row.Scan(&s.ID, &s.Serial, &s.OrgID, &s.RequestedBy)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("re-issue the certificate of animal %s: %w", c.AnimalID, err)
	}
	return old, nil
}

// IssuedCertificate is what marks a certificate issued: the signed snapshot, its hash, the
// signature and key, and the stored PDF with its hash.
type IssuedCertificate struct {
	ID              uuid.UUID
	Snapshot        []byte
	CanonicalSHA256 []byte
	Signature       string
	KeyID           string
	PDFKey          string
	PDFSHA256       []byte
}

// MarkCertificateIssued marks a certificate still issuing as issued with all of i at once,
// and reports whether it did: false when it is not issuing (already issued, or failed), or
// when its animal is no longer the organization's. The animal is held until the transaction
// ends, so that a change of owner either waits for the certificate to be issued (and then
// supersedes it) or moves the animal first (and then it is not issued). The organization's
// earlier certificates of the animal still issued are superseded by it: an animal has one
// current certificate, the latest.
func MarkCertificateIssued(ctx context.Context, tx pgx.Tx, i IssuedCertificate) (bool, error) {
	var animalID, orgID uuid.UUID
	err := tx.QueryRow(ctx, `UPDATE certificates c SET status = 'issued', snapshot = $2, canonical_sha256 = $3,
		signature = $4, key_id = $5, pdf_key = $6, pdf_sha256 = $7, issued_at = now()
		WHERE c.id = $1 AND c.status = 'issuing'
		  AND EXISTS (SELECT 1 FROM animals a WHERE a.id = c.animal_id AND a.org_id = c.org_id FOR SHARE)
		RETURNING c.animal_id, c.org_id`,
		i.ID, i.Snapshot, i.CanonicalSHA256, i.Signature, i.KeyID, i.PDFKey, i.PDFSHA256).Scan(&animalID, &orgID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark certificate %s issued: %w", i.ID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE certificates SET status = 'superseded', superseded_by = $1, ended_at = now()
		WHERE animal_id = $2 AND org_id = $3 AND status = 'issued' AND id <> $1`, i.ID, animalID, orgID); err != nil {
		return false, fmt.Errorf("supersede the earlier certificates of certificate %s: %w", i.ID, err)
	}
	return true, nil
}

// MarkCertificateFailed marks a certificate still issuing as failed, and reports whether it
// did: one that is not issuing is left as it is.
func MarkCertificateFailed(ctx context.Context, tx pgx.Tx, id uuid.UUID) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE certificates SET status = 'failed', ended_at = now()
		WHERE id = $1 AND status = 'issuing'`, id)
	if err != nil {
		return false, fmt.Errorf("mark certificate %s failed: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// OverdueCertificate is a certificate still issuing long after it was requested.
type OverdueCertificate struct {
	ID, OrgID uuid.UUID
}

// OverdueCertificates lists, across organizations, the certificates still issuing more than
// age after they were requested, oldest first, at most 500 at a time.
func OverdueCertificates(ctx context.Context, db *DB, age time.Duration) ([]OverdueCertificate, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, org_id FROM overdue_certificates(make_interval(secs => $1))`, age.Seconds())
	if err != nil {
		return nil, fmt.Errorf("list overdue certificates: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OverdueCertificate, error) {
		var c OverdueCertificate
		err := r.Scan(&c.ID, &c.OrgID)
		return c, err
	})
}

// QueueTenant sets the tenant on the batch's implicit transaction, ahead of the reads queued
// after it, for a reader acting for an organization without a person's session (a workflow's
// activity): it authorizes nothing, and its check passes.
func QueueTenant(batch *pgx.Batch, t Tenant) func() error {
	batch.Queue("SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)",
		uuidText(t.OrgID), uuidText(t.UserID))
	return func() error { return nil }
}
