package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// CertificateCheck is a certificate as anyone may check it by its serial: how it stands,
// what was signed, and the certificate that superseded it.
type CertificateCheck struct {
	// Status is issued, superseded or revoked.
	Status         string
	Serial         string
	AnimalPublicID string
	IssuedAt       time.Time
	// EndedAt is when it stopped being current (superseded, or revoked while current).
	EndedAt *time.Time
	// SupersededBy and SupersededByStatus name the certificate that superseded it; empty
	// when none did.
	SupersededBy       string
	SupersededByStatus string
	RevokedReason      string
	RevokedAt          *time.Time
	// Snapshot is the signed snapshot as stored (JSON); its canonical form is what was signed.
	Snapshot        []byte
	Signature       string
	KeyID           string
	CanonicalSHA256 []byte
	PDFSHA256       []byte
}

// CertificateForVerification reads a certificate that has been issued by its serial, for
// anyone (no tenant is needed); one never issued, or none, is ErrNotFound.
func CertificateForVerification(ctx context.Context, q Querier, serial string) (CertificateCheck, error) {
	var c CertificateCheck
	var supersededBy, supersededByStatus, reason *string
	err := q.QueryRow(ctx, `SELECT status, serial, animal_public_id, issued_at, ended_at, superseded_by_serial,
			superseded_by_status, revoked_reason, revoked_at, snapshot, signature, key_id, canonical_sha256, pdf_sha256
		FROM certificate_for_verification($1)`, serial).Scan(&c.Status, &c.Serial, &c.AnimalPublicID, &c.IssuedAt,
		&c.EndedAt, &supersededBy, &supersededByStatus, &reason, &c.RevokedAt, &c.Snapshot, &c.Signature, &c.KeyID,
		&c.CanonicalSHA256, &c.PDFSHA256)
	if err != nil {
		return CertificateCheck{}, fmt.Errorf("read certificate %s for verification: %w", serial, notFound(err))
	}
	c.SupersededBy, c.SupersededByStatus, c.RevokedReason = deref(supersededBy), deref(supersededByStatus), deref(reason)
	return c, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// CertificateRef is a certificate's ID, organization and status.
type CertificateRef struct {
	ID     uuid.UUID
	OrgID  uuid.UUID
	Status string
}

// CertificateForAdmin finds any organization's certificate by its serial for a platform
// admin, the transaction's acting user; for anyone else, or no certificate, ErrNotFound.
func CertificateForAdmin(ctx context.Context, q Querier, serial string) (CertificateRef, error) {
	var c CertificateRef
	err := q.QueryRow(ctx, `SELECT id, org_id, status FROM certificate_for_admin($1)`, serial).Scan(&c.ID, &c.OrgID, &c.Status)
	if err != nil {
		return CertificateRef{}, fmt.Errorf("find certificate %s for a platform admin: %w", serial, notFound(err))
	}
	return c, nil
}

// RevokeCertificate revokes one of the transaction's organization's certificates, issued or
// superseded, with the reason and the person revoking it; it reports false when the
// certificate is neither (never issued, or revoked already).
func RevokeCertificate(ctx context.Context, tx pgx.Tx, id uuid.UUID, reason string, by uuid.UUID) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE certificates SET status = 'revoked', revoked_reason = $2, revoked_at = now(),
			revoked_by = $3, ended_at = coalesce(ended_at, now())
		WHERE id = $1 AND status IN ('issued', 'superseded')`, id, reason, by)
	if err != nil {
		return false, fmt.Errorf("revoke certificate %s: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}
