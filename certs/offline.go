package certs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Answer is what an offline check takes from a saved answer of GET /api/v1/verify/{serial}:
// the certificate record it carries, the SHA-256 sums it states for the canonical snapshot and
// for the PDF, and how the server said the certificate stood when it answered. The record is
// checked; the verdict is reported as the answer's word, since nothing signs it.
type Answer struct {
	Record json.RawMessage `json:"record"`
	// SnapshotSHA256 and PDFSHA256 are hexadecimal.
	SnapshotSHA256 string `json:"snapshot_sha256"`
	PDFSHA256      string `json:"pdf_sha256"`
	// Verdict is valid, superseded, revoked or invalid.
	Verdict string `json:"verdict"`
	// CheckedAt is when the server made the check; nil in an answer that does not say.
	CheckedAt    *time.Time          `json:"checked_at"`
	Revoked      *AnswerRevocation   `json:"revoked"`
	SupersededBy *AnswerSupersession `json:"superseded_by"`
}

// The verdicts a verify answer may give.
const (
	VerdictValid      = "valid"
	VerdictSuperseded = "superseded"
	VerdictRevoked    = "revoked"
	VerdictInvalid    = "invalid"
)

// AnswerRevocation is why and when a verify answer says the certificate was revoked.
type AnswerRevocation struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// AnswerSupersession is the newer certificate a verify answer says replaced the certificate,
// and how that one stood: issuing, issued, failed, superseded or revoked.
type AnswerSupersession struct {
	Serial string     `json:"serial"`
	Status string     `json:"status"`
	At     *time.Time `json:"at"`
}

// InvalidError is a certificate that does not check out: a document that is not a record, a
// signature that does not hold, a hash that does not match.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }

// Unwrap gives the reason.
func (e *InvalidError) Unwrap() error { return e.Err }

// OfflineCheck is what a successful offline check found.
type OfflineCheck struct {
	KeyID string
	// SnapshotSHA256 is the SHA-256 of the snapshot's canonical form, in hexadecimal.
	SnapshotSHA256 string
	// PDFChecked says whether a PDF was checked against the answer's PDF SHA-256.
	PDFChecked bool
	// Answer is the saved verify answer the record came from; nil for a bare record.
	Answer *Answer
}

// CheckOffline checks a certificate without asking ReptiDex. doc is a certificate record
// (Record) or a saved answer of GET /api/v1/verify/{serial} (Answer), whose record is
// checked and whose stated snapshot hash must match the record; pdf, when not nil, is the
// certificate's PDF, whose SHA-256 must be the one the answer states (a bare record states
// none, so a PDF cannot be checked against it). An *InvalidError means the certificate does
// not check out; any other error means the check could not be made.
func (v *Verifier) CheckOffline(doc, pdf []byte) (OfflineCheck, error) {
	raw, answer, err := readDocument(doc)
	if err != nil {
		return OfflineCheck{}, &InvalidError{err}
	}
	if pdf != nil && answer == nil {
		return OfflineCheck{}, errors.New("certs: a certificate record states no PDF hash: check a PDF against a saved verify answer")
	}
	rec, err := ParseRecord(raw)
	if err != nil {
		return OfflineCheck{}, &InvalidError{err}
	}
	_, sum, err := v.VerifySnapshot(rec.Snapshot, rec.Signature, rec.KeyID)
	if err != nil {
		return OfflineCheck{}, &InvalidError{err}
	}
	out := OfflineCheck{KeyID: rec.KeyID, SnapshotSHA256: hex.EncodeToString(sum[:]), Answer: answer}
	if answer != nil && answer.SnapshotSHA256 != out.SnapshotSHA256 {
		return OfflineCheck{}, &InvalidError{fmt.Errorf("certs: the answer states snapshot SHA-256 %q, the snapshot's is %s",
			answer.SnapshotSHA256, out.SnapshotSHA256)}
	}
	if pdf != nil {
		pdfSum := sha256.Sum256(pdf)
		if got := hex.EncodeToString(pdfSum[:]); got != answer.PDFSHA256 {
			return OfflineCheck{}, &InvalidError{fmt.Errorf("certs: the PDF's SHA-256 is %s, the answer states %q", got, answer.PDFSHA256)}
		}
		out.PDFChecked = true
	}
	return out, nil
}

// readDocument tells a verify answer (an object with a record member) from a bare record, and
// answers the record's bytes, with the answer when it is one.
func readDocument(doc []byte) (json.RawMessage, *Answer, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(doc, &members); err != nil {
		return nil, nil, fmt.Errorf("certs: read certificate record: %w", err)
	}
	if _, ok := members["record"]; !ok {
		return doc, nil, nil
	}
	var a Answer
	if err := json.NewDecoder(bytes.NewReader(doc)).Decode(&a); err != nil {
		return nil, nil, fmt.Errorf("certs: read verify answer: %w", err)
	}
	return a.Record, &a, nil
}
