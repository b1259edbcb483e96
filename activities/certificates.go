package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/render"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/certificate"
)

// Certificates holds the activities of the certificate process: the database, the pedigree
// graph the snapshot is read from, the key that signs, and the bucket the PDFs go to.
type Certificates struct {
	*Database
	// Graph reads pedigrees; one the worker does not follow reads them from the database.
	Graph  *pedigree.Graph
	Keys   *certs.Keyring
	S3     *s3.Client
	Bucket string
	// PublicBaseURL is where the public verify page lives, which the QR code points to.
	PublicBaseURL string
}

// coiGenerations is how far back a certificate's pedigree completeness is read with its
// inbreeding; only the coefficient is printed.
const coiGenerations = 5

// Snapshot reads the animal and its pedigree as the requesting organization sees them: its
// own animals in full, other breeders' only as they make them public. A certificate no
// longer issuing, or an animal archived or gone from the organization since the request, is
// final.
func (a *Certificates) Snapshot(ctx context.Context, in certificate.Input) (certificate.Snapshot, error) {
	var photo string
	err := a.inTenant(ctx, store.Tenant{OrgID: in.OrgID}, func(tx pgx.Tx) error {
		c, err := store.CertificateByID(ctx, tx, in.CertificateID)
		if errors.Is(err, store.ErrNotFound) || err == nil && c.Status != "issuing" {
			return temporal.NewNonRetryableApplicationError("certificate "+in.Serial+" is not being issued", certificate.ErrTypeNotFound, err)
		}
		if err != nil {
			return err
		}
		animal, err := store.AnimalByPublicID(ctx, tx, in.AnimalPublicID)
		if errors.Is(err, store.ErrNotFound) || err == nil && (animal.OrgID != in.OrgID || animal.ArchivedAt != nil || animal.IsReference) {
			return temporal.NewNonRetryableApplicationError("animal "+in.AnimalPublicID+" can no longer be certified by its organization",
				certificate.ErrTypeNotCertifiable, err)
		}
		if err != nil {
			return err
		}
		m, err := store.PrimaryMedia(ctx, tx, in.AnimalID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		photo = m.PublicID
		return err
	})
	if err != nil {
		return certificate.Snapshot{}, err
	}
	authorize := func(b *pgx.Batch) func() error { return store.QueueTenant(b, store.Tenant{OrgID: in.OrgID}) }
	chart, err := a.Graph.Chart(ctx, a.DB, authorize, in.AnimalPublicID, certificate.Generations)
	if errors.Is(err, pedigree.ErrNotFound) {
		return certificate.Snapshot{}, temporal.NewNonRetryableApplicationError("animal "+in.AnimalPublicID+" is gone", certificate.ErrTypeNotFound, err)
	}
	if err != nil {
		return certificate.Snapshot{}, Classify(fmt.Errorf("read the pedigree of %s: %w", in.AnimalPublicID, err))
	}
	inb, err := a.Graph.Inbreeding(ctx, a.DB, authorize, in.AnimalPublicID, coiGenerations)
	if err != nil {
		return certificate.Snapshot{}, Classify(fmt.Errorf("read the inbreeding of %s: %w", in.AnimalPublicID, err))
	}
	now := time.Now().UTC().Truncate(time.Second)
	return certificate.Snapshot{Serial: in.Serial, IssuedAt: now, COI: &inb.F, Generations: certificate.Generations,
		Pedigree: render.FromChart(chart, certificate.Generations, now).Slots, Photo: photo}, nil
}

// Sign signs the snapshot's canonical JSON with the current certificate key.
func (a *Certificates) Sign(_ context.Context, s certificate.Snapshot) (certificate.Signed, error) {
	signed, err := a.Keys.Sign(s)
	if err != nil {
		return certificate.Signed{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidData, err)
	}
	return certificate.Signed{Canonical: signed.Canonical, SHA256: signed.SHA256, Signature: signed.Signature, KeyID: signed.KeyID}, nil
}

// Store renders the signed snapshot (what was signed, read back) as the certificate PDF, and
// stores the PDF and the signed record under the certificate's keys. Run again, it writes
// the same objects.
func (a *Certificates) Store(ctx context.Context, in certificate.Input, s certificate.Signed) (certificate.Stored, error) {
	var snap certificate.Snapshot
	if err := json.Unmarshal(s.Canonical, &snap); err != nil {
		return certificate.Stored{}, temporal.NewNonRetryableApplicationError("read the signed snapshot back", ErrTypeInvalidData, err)
	}
	photo, err := a.photo(ctx, in, snap.Photo)
	if err != nil {
		return certificate.Stored{}, err
	}
	pdf, err := render.CertificatePDF(render.Certificate{Serial: in.Serial, Photo: photo,
		VerifyURL: strings.TrimRight(a.PublicBaseURL, "/") + "/verify/" + in.Serial,
		IssuedAt:  snap.IssuedAt, COI: snap.COI, KeyID: s.KeyID, SHA256: s.SHA256,
		Chart: render.Chart{Generations: snap.Generations, Date: snap.IssuedAt, Slots: snap.Pedigree}})
	if err != nil {
		return certificate.Stored{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidData, err)
	}
	record, err := json.MarshalIndent(certs.Record{Snapshot: s.Canonical, KeyID: s.KeyID, Signature: s.Signature}, "", "  ")
	if err != nil {
		return certificate.Stored{}, fmt.Errorf("write the record of %s: %w", in.Serial, err)
	}
	st := certificate.Stored{PDFKey: certificate.PDFKey(in.OrgID, in.Serial), RecordKey: certificate.RecordKey(in.OrgID, in.Serial)}
	if err := a.put(ctx, st.PDFKey, "application/pdf", pdf); err != nil {
		return certificate.Stored{}, err
	}
	if err := a.put(ctx, st.RecordKey, "application/json", record); err != nil {
		return certificate.Stored{}, err
	}
	sum := sha256.Sum256(pdf)
	st.PDFSHA256 = hex.EncodeToString(sum[:])
	return st, nil
}

// photo reads the thumbnail of the photo the snapshot names, to print; none when it names
// none, or when the photo was deleted since the snapshot.
func (a *Certificates) photo(ctx context.Context, in certificate.Input, publicID string) ([]byte, error) {
	if publicID == "" {
		return nil, nil
	}
	var m store.Media
	err := a.inTenant(ctx, store.Tenant{OrgID: in.OrgID}, func(tx pgx.Tx) (err error) {
		m, err = store.MediaByPublicID(ctx, tx, publicID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil || m.Status != "ready" || m.ThumbnailKey == "" {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, objectTimeout)
	defer cancel()
	b, err := objstore.Get(ctx, a.S3, a.Bucket, m.ThumbnailKey, maxPhotoBytes)
	if errors.Is(err, objstore.ErrTooLarge) {
		return nil, temporal.NewNonRetryableApplicationError("the photo "+publicID+" is too large to print", ErrTypeInvalidData, err)
	}
	if err != nil {
		return nil, fmt.Errorf("read the photo %s: %w", publicID, err)
	}
	return b, nil
}

// objectTimeout bounds one read or write of an object.
const objectTimeout = 20 * time.Second

// maxPhotoBytes bounds the photo a certificate prints: a thumbnail, far smaller.
const maxPhotoBytes = 2 << 20

// put stores one object, within objectTimeout.
func (a *Certificates) put(ctx context.Context, key, contentType string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, objectTimeout)
	defer cancel()
	return objstore.Put(ctx, a.S3, a.Bucket, key, contentType, body)
}

// Issue marks the certificate issued with the signed snapshot, its hash, signature and key
// and the stored PDF, in one transaction. Run again once issued, it changes nothing (the
// certificate may have been superseded or revoked since); a certificate that failed meanwhile
// is final, and so is one whose animal changed hands since its snapshot: it was never
// current, and the new owner's certificates are theirs to ask for.
func (a *Certificates) Issue(ctx context.Context, i certificate.Issue) error {
	canonicalSum, err := hex.DecodeString(i.Signed.SHA256)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("the snapshot's hash is not hexadecimal", ErrTypeInvalidData, err)
	}
	pdfSum, err := hex.DecodeString(i.Stored.PDFSHA256)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("the PDF's hash is not hexadecimal", ErrTypeInvalidData, err)
	}
	return a.inTenant(ctx, store.Tenant{OrgID: i.Input.OrgID}, func(tx pgx.Tx) error {
		marked, err := store.MarkCertificateIssued(ctx, tx, store.IssuedCertificate{ID: i.Input.CertificateID,
			Snapshot: i.Signed.Canonical, CanonicalSHA256: canonicalSum, Signature: i.Signed.Signature,
			KeyID: i.Signed.KeyID, PDFKey: i.Stored.PDFKey, PDFSHA256: pdfSum})
		if err != nil || marked {
			return err
		}
		c, err := store.CertificateByID(ctx, tx, i.Input.CertificateID)
		switch {
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err // the database failing, not the certificate: tried again
		case err == nil && c.Status == "issuing":
			return temporal.NewNonRetryableApplicationError("animal "+i.Input.AnimalPublicID+" is no longer the organization's",
				certificate.ErrTypeNotCertifiable, nil)
		case err == nil && c.Status != "failed":
			return nil // issued, and perhaps superseded or revoked since
		}
		return temporal.NewNonRetryableApplicationError("certificate "+i.Input.Serial+" is not being issued", certificate.ErrTypeNotFound, err)
	})
}

// Fail marks a certificate still issuing as failed.
func (a *Certificates) Fail(ctx context.Context, in certificate.Input) error {
	return a.inTenant(ctx, store.Tenant{OrgID: in.OrgID}, func(tx pgx.Tx) error {
		_, err := store.MarkCertificateFailed(ctx, tx, in.CertificateID)
		return err
	})
}
