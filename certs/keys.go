package certs

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/reptidex/reptidex/keyfile"
)

// Algorithm names the signature algorithm of every certificate key.
const Algorithm = "Ed25519"

// ErrUnknownKey is returned when a signature names a key that is not among the published ones.
var ErrUnknownKey = errors.New("certs: unknown key ID")

// ErrBadSignature is returned when a signature does not match the canonical bytes under the
// key it names: the snapshot or the signature was changed, or it was never ours.
var ErrBadSignature = errors.New("certs: signature does not match")

// KeyID identifies pub: the first 16 hexadecimal digits of the SHA-256 of its 32 bytes. It
// depends on nothing but the key, so anyone can recompute it from a published key.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])[:16]
}

// Verifier holds the public keys certificates are verified with, by key ID. The server's
// Keyring is one; reptidex verify-certificate builds one from a published key. A Verifier is
// immutable and safe for concurrent use.
type Verifier struct {
	keys map[string]ed25519.PublicKey
	ids  []string // in the order given
}

// NewVerifier builds a Verifier of pubs; a key listed twice counts once.
func NewVerifier(pubs ...ed25519.PublicKey) (*Verifier, error) {
	v := &Verifier{keys: map[string]ed25519.PublicKey{}}
	for i, pub := range pubs {
		if len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("certs: public key %d is %d bytes, not %d", i, len(pub), ed25519.PublicKeySize)
		}
		id := KeyID(pub)
		if _, dup := v.keys[id]; dup {
			continue
		}
		v.keys[id] = pub
		v.ids = append(v.ids, id)
	}
	return v, nil
}

// Verify checks that signature (base64url, unpadded) is the Ed25519 signature of canonical
// under the key keyID. It returns ErrUnknownKey or ErrBadSignature (wrapped) when not.
func (v *Verifier) Verify(canonical []byte, signature, keyID string) error {
	pub, ok := v.keys[keyID]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownKey, keyID)
	}
	// Only the one spelling of the signature is accepted (the decoder would also skip line
	// breaks and ignore the last symbol's spare bits), so that any changed character fails.
	sig, err := base64.RawURLEncoding.DecodeString(signature)
	if err != nil || len(sig) != ed25519.SignatureSize || base64.RawURLEncoding.EncodeToString(sig) != signature {
		return fmt.Errorf("%w: the signature is not %d bytes of unpadded base64url", ErrBadSignature, ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, canonical, sig) {
		return fmt.Errorf("%w under key %s", ErrBadSignature, keyID)
	}
	return nil
}

// Keyring signs certificate snapshots with the current signing key and verifies them with
// it and with the older keys kept for verification, so that certificates signed before a
// key rotation stay verifiable. A Keyring is immutable and safe for concurrent use.
type Keyring struct {
	*Verifier
	signing   ed25519.PrivateKey
	signingID string
}

// NewKeyring builds a Keyring that signs with signing and verifies with its public half and
// with verify, the verification-only keys.
func NewKeyring(signing ed25519.PrivateKey, verify ...ed25519.PublicKey) (*Keyring, error) {
	if len(signing) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("certs: signing key is %d bytes, not %d", len(signing), ed25519.PrivateKeySize)
	}
	pub, _ := signing.Public().(ed25519.PublicKey)
	v, err := NewVerifier(append([]ed25519.PublicKey{pub}, verify...)...)
	if err != nil {
		return nil, err
	}
	return &Keyring{Verifier: v, signing: signing, signingID: KeyID(pub)}, nil
}

// SigningKeyID is the key ID of the key new certificates are signed with.
func (k *Keyring) SigningKeyID() string { return k.signingID }

// Signed is a snapshot as signed: its canonical bytes, their SHA-256, the signature over
// them and the ID of the key that made it.
type Signed struct {
	Canonical []byte
	// SHA256 is the hexadecimal SHA-256 of Canonical, recorded beside the certificate.
	SHA256 string
	// Signature is the Ed25519 signature of Canonical, base64url without padding.
	Signature string
	KeyID     string
}

// Record is the certificate record of what was signed, to be stored and handed out.
func (s Signed) Record() Record {
	return Record{Snapshot: json.RawMessage(s.Canonical), KeyID: s.KeyID, Signature: s.Signature}
}

// Sign canonicalizes snapshot (RFC 8785) and signs the canonical bytes with the signing key.
func (k *Keyring) Sign(snapshot any) (Signed, error) {
	canonical, err := Canonical(snapshot)
	if err != nil {
		return Signed{}, fmt.Errorf("certs: sign: %w", err)
	}
	sum := sha256.Sum256(canonical)
	return Signed{
		Canonical: canonical,
		SHA256:    hex.EncodeToString(sum[:]),
		Signature: base64.RawURLEncoding.EncodeToString(ed25519.Sign(k.signing, canonical)),
		KeyID:     k.signingID,
	}, nil
}

// PublishedKeys is the list of certificate keys as GET /api/v1/certificates/keys serves it,
// and as reptidex verify-certificate reads it back from a file.
type PublishedKeys struct {
	// The current signing key first, then the older keys kept for verification.
	Keys []PublishedKey `json:"keys"`
}

// PublishedKey is one public key certificates may be verified with.
type PublishedKey struct {
	// Names the key in certificate records: the first 16 hexadecimal digits of the
	// SHA-256 of the 32-byte public key.
	KeyID string `json:"key_id"`
	// Always Ed25519.
	Algorithm string `json:"algorithm" jsonschema:"enum=Ed25519"`
	// The 32-byte Ed25519 public key, base64url without padding.
	PublicKey string `json:"public_key"`
	// Whether new certificates are signed with this key; the others are kept
	// so that older certificates stay verifiable.
	Current bool `json:"current"`
}

// Published lists the keys, the current signing key first.
func (k *Keyring) Published() PublishedKeys {
	out := PublishedKeys{Keys: make([]PublishedKey, 0, len(k.ids))}
	for _, id := range k.ids {
		out.Keys = append(out.Keys, PublishedKey{
			KeyID: id, Algorithm: Algorithm, Current: id == k.signingID,
			PublicKey: base64.RawURLEncoding.EncodeToString(k.keys[id]),
		})
	}
	return out
}

// ParsePublishedKeys reads the keys JSON served by GET /api/v1/certificates/keys into a
// Verifier. A key whose ID does not match the key itself is refused.
func ParsePublishedKeys(data []byte) (*Verifier, error) {
	var pk PublishedKeys
	if err := json.Unmarshal(data, &pk); err != nil {
		return nil, fmt.Errorf("certs: read published keys: %w", err)
	}
	if len(pk.Keys) == 0 {
		return nil, errors.New("certs: read published keys: no keys")
	}
	pubs := make([]ed25519.PublicKey, 0, len(pk.Keys))
	for i, k := range pk.Keys {
		if k.Algorithm != Algorithm {
			return nil, fmt.Errorf("certs: published key %d: algorithm %q, not %s", i, k.Algorithm, Algorithm)
		}
		raw, err := base64.RawURLEncoding.DecodeString(k.PublicKey)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("certs: published key %d: not %d bytes of unpadded base64url", i, ed25519.PublicKeySize)
		}
		if id := KeyID(raw); id != k.KeyID {
			return nil, fmt.Errorf("certs: published key %d: key ID %q, but the key's ID is %q", i, k.KeyID, id)
		}
		pubs = append(pubs, raw)
	}
	return NewVerifier(pubs...)
}

// LoadKeyring reads the PEM signing key (PKCS#8 "PRIVATE KEY") and the verification-only
// PEM public keys (PKIX "PUBLIC KEY"), as CERT_SIGNING_KEY_FILE and CERT_VERIFY_KEY_FILES
// name them.
func LoadKeyring(signingKeyFile string, verifyKeyFiles []string) (*Keyring, error) {
	data, err := os.ReadFile(signingKeyFile)
	if err != nil {
		return nil, fmt.Errorf("certs: read signing key: %w", err)
	}
	priv, err := ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("certs: signing key %s: %w", signingKeyFile, err)
	}
	pubs := make([]ed25519.PublicKey, 0, len(verifyKeyFiles))
	for _, f := range verifyKeyFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("certs: read verification key: %w", err)
		}
		pub, err := ParsePublicKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("certs: verification key %s: %w", f, err)
		}
		pubs = append(pubs, pub)
	}
	return NewKeyring(priv, pubs...)
}

// ParsePrivateKeyPEM reads an Ed25519 private key from a PKCS#8 "PRIVATE KEY" PEM block.
func ParsePrivateKeyPEM(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("PEM block is %q, not PRIVATE KEY (PKCS#8)", block.Type)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse PKCS#8 key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("PKCS#8 key is %T, not Ed25519", k)
	}
	return priv, nil
}

// ParsePublicKeyPEM reads an Ed25519 public key from a PKIX "PUBLIC KEY" PEM block.
func ParsePublicKeyPEM(data []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	if block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("PEM block is %q, not PUBLIC KEY (PKIX)", block.Type)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse PKIX public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key is %T, not Ed25519", k)
	}
	return pub, nil
}

// PublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block, the form CERT_VERIFY_KEY_FILES
// and reptidex verify-certificate read.
func PublicKeyPEM(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("certs: marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// EnsureDevSigningKey writes a new Ed25519 private key (PKCS#8 PEM, mode 0600, parent
// directories created 0700) to path unless the file already exists, in which case it is left
// untouched; development and test generate their key once this way. It reports whether a
// key was created.
func EnsureDevSigningKey(path string) (created bool, err error) {
	created, err = keyfile.EnsureGenerated(path, func() (crypto.PrivateKey, error) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	})
	if err != nil {
		return false, fmt.Errorf("certs: dev key: %w", err)
	}
	return created, nil
}
