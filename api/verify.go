package api

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/reptidex/reptidex/certificates"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/certificate"
)

// The verdicts of a certificate check, as reptidex verify-certificate reads them.
const (
	verdictValid      = certs.VerdictValid
	verdictSuperseded = certs.VerdictSuperseded
	verdictRevoked    = certs.VerdictRevoked
	verdictInvalid    = certs.VerdictInvalid
)

// verifyCacheAge is how long a check may be cached: short, since a certificate may be
// superseded or revoked at any time.
const verifyCacheAge = "public, max-age=60"

type verifyAnswer struct {
	// valid: genuine and current. superseded: genuine, but replaced by a newer certificate
	// (for a new owner). revoked: withdrawn by ReptiDex, for the reason given. invalid: the
	// stored record fails the server's own check of its signature; do not trust it.
	Verdict string `json:"verdict" jsonschema:"enum=valid,enum=superseded,enum=revoked,enum=invalid"`
	Serial  string `json:"serial"`
	// When it was issued (signed).
	IssuedAt time.Time `json:"issued_at"`
	// When this server made the check: the verdict is how the certificate stood then.
	CheckedAt time.Time `json:"checked_at"`
	// Whether the record's signature holds under the published key it names, and the
	// snapshot's SHA-256 is the one recorded at issue, as this server checked it.
	SignatureValid bool `json:"signature_valid"`
	// The certificate that superseded this one, when one did.
	SupersededBy *supersessionView `json:"superseded_by,omitempty"`
	// Why and when the certificate was revoked, when it was.
	Revoked *revocationView `json:"revoked,omitempty"`
	// What the certificate certifies, read from its signed snapshot.
	Certificate certifiedView `json:"certificate"`
	// The key that signed it, one of GET /api/v1/certificates/keys.
	KeyID string `json:"key_id"`
	// SHA-256 of the snapshot's canonical JSON (RFC 8785), in hexadecimal, as printed on the PDF.
	SnapshotSHA256 string `json:"snapshot_sha256"`
	// SHA-256 of the certificate's PDF, in hexadecimal.
	PDFSHA256 string `json:"pdf_sha256"`
	// The certificate record: save this answer (or this member) and check it offline with
	// `reptidex verify-certificate --key keys.json answer.json`.
	Record certs.Record `json:"record"`
	// Where the public keys are published.
	KeysURL string `json:"keys_url"`
	// The page for people who scan the certificate's QR code.
	PageURL string `json:"page_url"`
}

type supersessionView struct {
	// The serial of the newer certificate.
	Serial string `json:"serial"`
	// How the newer certificate stands. issuing: not issued yet, so it cannot be checked
	// yet. issued: the animal's current certificate. failed: it could not be issued, so the
	// new owner has no current certificate from this re-issue (they may request one).
	// superseded: replaced in its turn, the animal having changed hands again. revoked:
	// withdrawn by ReptiDex.
	Status string `json:"status" jsonschema:"enum=issuing,enum=issued,enum=failed,enum=superseded,enum=revoked"`
	// When this certificate was superseded.
	At *time.Time `json:"at,omitempty"`
}

type revocationView struct {
	// The reason ReptiDex gave.
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

type certifiedView struct {
	// Public ID of the animal.
	AnimalID string `json:"animal_id"`
	Name     string `json:"name"`
	Species  string `json:"species"`
	Sex      string `json:"sex"`
	// YYYY-MM-DD; empty when unknown.
	HatchDate string `json:"hatch_date"`
	// Genetics in trade names, such as "Pastel het Clown".
	Genetics string `json:"genetics"`
	// The breeder of record and the owner when the certificate was issued (organizations' names).
	Breeder string `json:"breeder"`
	Owner   string `json:"owner"`
	// Names of the sire and dam, when known and public.
	Sire string `json:"sire,omitempty"`
	Dam  string `json:"dam,omitempty"`
	// Inbreeding coefficient over the known pedigree; absent when it could not be computed.
	COI *float64 `json:"coi,omitempty"`
	// Generations of ancestors the certificate holds.
	Generations int `json:"generations"`
}

type revokeCertificateRequest struct {
	// Why the certificate is revoked; shown to anyone who checks it.
	Reason string `json:"reason" text:"multiline,max=500" jsonschema:"required,minLength=1"`
}

// errNoCertificate is a serial that names no issued certificate, or is no serial at all.
var errNoCertificate = errors.New("no issued certificate has this serial")

// checkCertificate reads an issued certificate by a serial as typed (certs.ParseSerial) and
// checks its signature and hash with the published keys.
func (s *Server) checkCertificate(ctx context.Context, typed string) (verifyAnswer, error) {
	serial, err := certs.ParseSerial(typed)
	if err != nil {
		return verifyAnswer{}, errNoCertificate
	}
	c, err := store.CertificateForVerification(ctx, s.db.Pool, serial.String())
	if errors.Is(err, store.ErrNotFound) {
		return verifyAnswer{}, errNoCertificate
	}
	if err != nil {
		return verifyAnswer{}, err
	}
	return s.answerOf(c), nil
}

// answerOf is the check of a certificate as read: its signature and hash checked with the
// published keys, its verdict, and what it certifies.
func (s *Server) answerOf(c store.CertificateCheck) verifyAnswer {
	a := verifyAnswer{Serial: c.Serial, IssuedAt: c.IssuedAt, CheckedAt: time.Now().UTC().Truncate(time.Second), KeyID: c.KeyID,
		SnapshotSHA256: hex.EncodeToString(c.CanonicalSHA256), PDFSHA256: hex.EncodeToString(c.PDFSHA256),
		Record:  certs.Record{Snapshot: c.Snapshot, KeyID: c.KeyID, Signature: c.Signature},
		KeysURL: "/api/v1/certificates/keys", PageURL: "/verify/" + c.Serial}
	canonical, sum, err := s.certKeys.VerifySnapshot(c.Snapshot, c.Signature, c.KeyID)
	if canonical != nil {
		a.Record.Snapshot = canonical
	}
	a.SignatureValid = err == nil && bytes.Equal(sum[:], c.CanonicalSHA256)
	switch {
	case !a.SignatureValid:
		a.Verdict = verdictInvalid
	case c.Status == "revoked":
		a.Verdict = verdictRevoked
	case c.Status == "superseded":
		a.Verdict = verdictSuperseded
	default:
		a.Verdict = verdictValid
	}
	if c.SupersededBy != "" {
		// A certificate is superseded only while current, and revoking it later keeps the
		// moment it ended: ended_at is when it was superseded.
		a.SupersededBy = &supersessionView{Serial: c.SupersededBy, Status: c.SupersededByStatus, At: c.EndedAt}
	}
	if c.Status == "revoked" && c.RevokedAt != nil {
		a.Revoked = &revocationView{Reason: c.RevokedReason, At: *c.RevokedAt}
	}
	var snap certificate.Snapshot
	if err := json.Unmarshal(a.Record.Snapshot, &snap); err == nil {
		a.Certificate = certifiedOf(snap, c.AnimalPublicID)
	}
	return a
}

// certifiedOf is what a snapshot certifies, in readable form.
func certifiedOf(snap certificate.Snapshot, animalID string) certifiedView {
	v := certifiedView{AnimalID: animalID, COI: snap.COI, Generations: snap.Generations}
	slot := func(i int) (name string, ok bool) {
		if i < len(snap.Pedigree) && snap.Pedigree[i] != nil && snap.Pedigree[i].Visible {
			return snap.Pedigree[i].Name, true
		}
		return "", false
	}
	if _, ok := slot(0); ok {
		a := snap.Pedigree[0]
		v.Name, v.Species, v.Sex, v.HatchDate, v.Genetics, v.Breeder, v.Owner = a.Name, a.Species, a.Sex, a.HatchDate,
			a.Genetics, a.Breeder, a.Owner
	}
	v.Sire, _ = slot(1)
	v.Dam, _ = slot(2)
	return v
}

// typedSerial is the serial of the request's path as typed, unescaped when the router
// matched the escaped path.
func typedSerial(r *http.Request) string {
	v := chi.URLParam(r, "serial")
	if strings.Contains(v, "%") {
		if u, err := url.PathUnescape(v); err == nil {
			return u
		}
	}
	return v
}

// verifyCertificate answers, to anyone, whether a certificate is genuine and current, what it
// certifies, and its record for checking it offline.
func (s *Server) verifyCertificate(w http.ResponseWriter, r *http.Request) error {
	a, err := s.checkCertificate(r.Context(), typedSerial(r))
	if errors.Is(err, errNoCertificate) {
		return newProblem(kindNotFound, "No issued certificate has this serial; check it against the certificate.")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", verifyCacheAge)
	return writeCheck(w, http.StatusOK, a)
}

// writeCheck answers a certificate's check with its record's snapshot as signed, character
// for character (no HTML escaping), so that a saved answer holds the very bytes signed.
func writeCheck(w http.ResponseWriter, status int, a verifyAnswer) error {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return fmt.Errorf("encode certificate check: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err := w.Write(body.Bytes())
	return err
}

// revokeCertificate: a platform admin revokes an issued or superseded certificate of any
// organization, with a reason that anyone who checks it reads from then on.
func (s *Server) revokeCertificate(w http.ResponseWriter, r *http.Request) error {
	adminID, err := s.requirePlatformAdmin(r, "Only platform admins revoke certificates.")
	if err != nil {
		return err
	}
	var in revokeCertificateRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return invalid(FieldError{"reason", "is required: why the certificate is revoked"})
	}
	serial, err := certs.ParseSerial(typedSerial(r))
	if err != nil {
		return notFound("certificate")
	}
	// The answer is the certificate as the revoking transaction left it, read before it
	// committed: once the revocation is committed there is nothing left to fail.
	revoked, err := certificates.Revoke(r.Context(), s.db, s.notifier, adminID, serial, in.Reason)
	switch {
	case errors.Is(err, certificates.ErrInvalidReason):
		return invalid(FieldError{"reason", "must be 1 to 500 characters"})
	case errors.Is(err, certificates.ErrCertificateNotFound):
		return notFound("certificate")
	case errors.Is(err, certificates.ErrNotIssued):
		return newProblem(kindConflict, "The certificate was never issued; there is nothing to revoke.")
	case errors.Is(err, certificates.ErrAlreadyRevoked):
		return newProblem(kindConflict, "The certificate is revoked already.")
	case err != nil:
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeCheck(w, http.StatusOK, s.answerOf(revoked))
}
