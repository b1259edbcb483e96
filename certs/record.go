package certs

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
)

// Record is a certificate record: a certificate's snapshot with the signature over its
// canonical bytes and the ID of the key that made it. It is the JSON document stored beside
// a certificate's PDF and given to anyone who wants to check the certificate offline:
//
//	{"snapshot": {...}, "key_id": "3f9c0a1b2c3d4e5f", "signature": "<base64url>"}
//
// snapshot is any JSON object; the signature (Ed25519, base64url without padding) is over
// the snapshot's canonical form (RFC 8785), so the record may be re-indented or its members
// reordered without breaking it, but not a character of its data changed. key_id names one
// of the keys published at GET /api/v1/certificates/keys.
type Record struct {
	Snapshot  json.RawMessage `json:"snapshot"`
	KeyID     string          `json:"key_id"`
	Signature string          `json:"signature"`
}

// ParseRecord reads a certificate record, refusing members it does not know and records
// without a snapshot object, a key ID or a signature.
func ParseRecord(data []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("certs: read certificate record: %w", err)
	}
	if dec.More() {
		return Record{}, errors.New("certs: read certificate record: data after the record")
	}
	switch {
	case len(r.Snapshot) == 0 || r.Snapshot[0] != '{':
		return Record{}, errors.New("certs: read certificate record: snapshot is not a JSON object")
	case r.KeyID == "":
		return Record{}, errors.New("certs: read certificate record: key_id is missing")
	case r.Signature == "":
		return Record{}, errors.New("certs: read certificate record: signature is missing")
	}
	return r, nil
}

// VerifyRecord recomputes the canonical bytes of the record's snapshot and checks its
// signature under the key it names.
func (v *Verifier) VerifyRecord(r Record) error {
	_, _, err := v.VerifySnapshot(r.Snapshot, r.Signature, r.KeyID)
	return err
}

// VerifySnapshot is the one check of a signed snapshot: it recomputes the snapshot's
// canonical bytes (RFC 8785), their SHA-256, and checks signature over them under the key
// keyID. The canonical bytes and their sum are answered whenever the snapshot could be
// canonicalized, so that a caller may also compare the sum with one recorded elsewhere or show
// the canonical snapshot of a certificate whose signature fails; when it could not be,
// canonical is nil.
func (v *Verifier) VerifySnapshot(snapshot []byte, signature, keyID string) (canonical []byte, sum [sha256.Size]byte, err error) {
	canonical, err = CanonicalJSON(snapshot)
	if err != nil {
		return nil, sum, fmt.Errorf("certs: snapshot: %w", err)
	}
	sum = sha256.Sum256(canonical)
	return canonical, sum, v.Verify(canonical, signature, keyID)
}
