package certs

import (
	"bytes"
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
	canonical, err := CanonicalJSON(r.Snapshot)
	if err != nil {
		return fmt.Errorf("certs: snapshot: %w", err)
	}
	return v.Verify(canonical, r.Signature, r.KeyID)
}
