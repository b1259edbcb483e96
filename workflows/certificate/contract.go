// Package certificate is the process that issues a pedigree certificate: it takes a snapshot
// of the animal and its pedigree, signs the snapshot's canonical JSON (RFC 8785) with the
// certificate key, renders the PDF, stores the PDF and the signed record in object storage,
// and only then marks the certificate issued with its hash, signature and key, in one
// transaction; the requester is told either way. A certificate that cannot be issued ends
// failed, and nothing of it is shown as issued.
//
// Its parts, one file each: the contract (this file), the workflow (workflow.go), the client
// the jobs reach it by (client.go), the messages it sends (messages.go), and the activities
// it needs (activities.go).
package certificate

import (
	"time"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/render"
)

// WorkflowName is the registered name of the certificate workflow.
const WorkflowName = "certificate"

// Registered names of the certificate's activities.
const (
	SnapshotActivity = "certificate.snapshot"
	SignActivity     = "certificate.sign"
	StoreActivity    = "certificate.store"
	IssueActivity    = "certificate.issue"
	FailActivity     = "certificate.fail"
)

// Generations is how many generations of ancestors a certificate holds.
const Generations = 4

// Input names the certificate to issue, recorded as issuing by whoever asked for it.
type Input struct {
	CertificateID uuid.UUID
	Serial        string
	OrgID         uuid.UUID
	AnimalID      uuid.UUID
	// AnimalPublicID is the animal's public ID, by which its pedigree is read.
	AnimalPublicID string
	RequestedBy    uuid.UUID
}

// same reports whether in and o are the same certificate.
func (in Input) same(o Input) bool { return in == o }

// Result says how the certificate ended: its PDF's key and the signing key when issued.
type Result struct {
	PDFKey string
	KeyID  string
}

// WorkflowID derives the workflow ID from the certificate, so one certificate is issued once.
func WorkflowID(certificateID uuid.UUID) string { return "certificate/" + certificateID.String() }

// Snapshot is what a certificate certifies, as signed: its canonical JSON is the signed
// bytes, and it is all the PDF prints.
type Snapshot struct {
	Serial   string    `json:"serial"`
	IssuedAt time.Time `json:"issued_at"`
	// COI is the animal's inbreeding coefficient over its known pedigree; nil when it could
	// not be computed.
	COI *float64 `json:"coi"`
	// Generations of ancestors in Pedigree.
	Generations int `json:"generations"`
	// Pedigree is the animal (first) and its ancestors in ahnentafel order (the sire and dam
	// of position k at 2k+1 and 2k+2), null where unknown; another breeder's animal that is
	// not public shows its species only.
	Pedigree []*render.Animal `json:"pedigree"`
	// Photo is the public ID of the animal's primary photo, printed on the certificate; empty
	// when it has none.
	Photo string `json:"photo,omitempty"`
}

// Signed is a snapshot as signed and recorded.
type Signed struct {
	// Canonical is the snapshot's canonical JSON, the signed bytes.
	Canonical []byte
	// SHA256 is Canonical's SHA-256, in hexadecimal.
	SHA256    string
	Signature string
	KeyID     string
}

// Stored is where the certificate's PDF and signed record were put.
type Stored struct {
	PDFKey    string
	RecordKey string
	// PDFSHA256 is the PDF's SHA-256, in hexadecimal.
	PDFSHA256 string
}

// Issue is what marking a certificate issued records.
type Issue struct {
	Input  Input
	Signed Signed
	Stored Stored
}

// ErrTypeNotFound is the application error type of an activity that found no certificate
// being issued, or no animal to certify.
const ErrTypeNotFound = "CertificateNotFound"

// ErrTypeNotCertifiable is the application error type of a snapshot of an animal that can no
// longer be certified: archived, or no longer the organization's, since it was requested.
const ErrTypeNotCertifiable = "AnimalNotCertifiable"

// PDFKey is where a certificate's PDF is stored.
func PDFKey(orgID uuid.UUID, serial string) string {
	return "certificates/" + orgID.String() + "/" + serial + ".pdf"
}

// RecordKey is where a certificate's signed record (certs.Record) is stored.
func RecordKey(orgID uuid.UUID, serial string) string {
	return "certificates/" + orgID.String() + "/" + serial + ".json"
}
