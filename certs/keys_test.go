package certs_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/certs"
)

// snapshot is a small certificate snapshot, as the certificate workflow will take one.
var snapshot = map[string]any{
	"serial": "7KQ2-M9XD-4HTP-R",
	"animal": map[string]any{"name": "Nyx", "species": "Eublepharis macularius", "coi": 0.0625,
		"genetics": []string{"het tremper albino", "mack snow"}},
	"owner": "Kim's Geckos", "issued_at": "2026-12-05T12:00:00Z",
}

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return pub, priv
}

func TestKeyring_SignsWhatItVerifies(t *testing.T) {
	t.Parallel()
	pub, priv := newKey(t)
	ring, err := certs.NewKeyring(priv)
	require.NoError(t, err)
	signed, err := ring.Sign(snapshot)
	require.NoError(t, err)

	canonical, err := certs.Canonical(snapshot)
	require.NoError(t, err)
	require.Equal(t, canonical, signed.Canonical)
	sum := sha256.Sum256(canonical)
	require.Equal(t, hex.EncodeToString(sum[:]), signed.SHA256)
	require.Equal(t, certs.KeyID(pub), signed.KeyID)
	require.Equal(t, ring.SigningKeyID(), signed.KeyID)
	require.Len(t, signed.KeyID, 16)
	require.NoError(t, ring.Verify(signed.Canonical, signed.Signature, signed.KeyID))

	// Anyone with only the public key verifies it too.
	v, err := certs.NewVerifier(pub)
	require.NoError(t, err)
	require.NoError(t, v.Verify(signed.Canonical, signed.Signature, signed.KeyID))
}

func TestKeyring_TamperingAnyByteFails(t *testing.T) {
	t.Parallel()
	_, priv := newKey(t)
	ring, err := certs.NewKeyring(priv)
	require.NoError(t, err)
	signed, err := ring.Sign(snapshot)
	require.NoError(t, err)
	for i := range signed.Canonical {
		tampered := append([]byte(nil), signed.Canonical...)
		tampered[i] ^= 0x01
		require.ErrorIs(t, ring.Verify(tampered, signed.Signature, signed.KeyID), certs.ErrBadSignature, "byte %d", i)
	}
	sig, err := base64.RawURLEncoding.DecodeString(signed.Signature)
	require.NoError(t, err)
	for i := range sig {
		tampered := append([]byte(nil), sig...)
		tampered[i] ^= 0x80
		err := ring.Verify(signed.Canonical, base64.RawURLEncoding.EncodeToString(tampered), signed.KeyID)
		require.ErrorIs(t, err, certs.ErrBadSignature, "signature byte %d", i)
	}
	// Every character of the signature, changed to any other base64url symbol, fails too.
	const symbols64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range signed.Signature {
		for _, c := range symbols64 {
			if byte(c) == signed.Signature[i] {
				continue
			}
			changed := signed.Signature[:i] + string(c) + signed.Signature[i+1:]
			require.ErrorIs(t, ring.Verify(signed.Canonical, changed, signed.KeyID), certs.ErrBadSignature, "%s", changed)
		}
	}
	wrapped := signed.Signature[:40] + "\n" + signed.Signature[40:]
	require.ErrorIs(t, ring.Verify(signed.Canonical, wrapped, signed.KeyID), certs.ErrBadSignature)
	require.ErrorIs(t, ring.Verify(signed.Canonical, signed.Signature+"==", signed.KeyID), certs.ErrBadSignature)
	require.ErrorIs(t, ring.Verify(signed.Canonical, "not base64!", signed.KeyID), certs.ErrBadSignature)
	require.ErrorIs(t, ring.Verify(signed.Canonical, signed.Signature, "0000000000000000"), certs.ErrUnknownKey)
}

// TestKeyring_OldKeysStillVerify: after a rotation, certificates signed with the old key
// verify with the old key kept for verification, and the keys are published with the
// current one first.
func TestKeyring_OldKeysStillVerify(t *testing.T) {
	t.Parallel()
	oldPub, oldPriv := newKey(t)
	old, err := certs.NewKeyring(oldPriv)
	require.NoError(t, err)
	signed, err := old.Sign(snapshot)
	require.NoError(t, err)

	newPub, newPriv := newKey(t)
	ring, err := certs.NewKeyring(newPriv, oldPub, oldPub, newPub)
	require.NoError(t, err)
	require.NoError(t, ring.Verify(signed.Canonical, signed.Signature, signed.KeyID))
	require.Equal(t, certs.PublishedKeys{Keys: []certs.PublishedKey{
		{KeyID: certs.KeyID(newPub), Algorithm: "Ed25519", PublicKey: base64.RawURLEncoding.EncodeToString(newPub), Current: true},
		{KeyID: certs.KeyID(oldPub), Algorithm: "Ed25519", PublicKey: base64.RawURLEncoding.EncodeToString(oldPub)},
	}}, ring.Published())

	// The published keys, read back, verify the old certificate.
	raw, err := json.Marshal(ring.Published())
	require.NoError(t, err)
	v, err := certs.ParsePublishedKeys(raw)
	require.NoError(t, err)
	require.NoError(t, v.VerifyRecord(signed.Record()))
}

func TestParsePublishedKeys_RefusesAKeyUnderAnotherID(t *testing.T) {
	t.Parallel()
	pub, _ := newKey(t)
	other, _ := newKey(t)
	for name, k := range map[string]certs.PublishedKey{
		"wrong id":        {KeyID: certs.KeyID(other), Algorithm: "Ed25519", PublicKey: base64.RawURLEncoding.EncodeToString(pub)},
		"wrong algorithm": {KeyID: certs.KeyID(pub), Algorithm: "RS256", PublicKey: base64.RawURLEncoding.EncodeToString(pub)},
		"short key":       {KeyID: certs.KeyID(pub), Algorithm: "Ed25519", PublicKey: base64.RawURLEncoding.EncodeToString(pub[:31])},
	} {
		raw, err := json.Marshal(certs.PublishedKeys{Keys: []certs.PublishedKey{k}})
		require.NoError(t, err)
		_, err = certs.ParsePublishedKeys(raw)
		require.Error(t, err, name)
	}
	_, err := certs.ParsePublishedKeys([]byte(`{"keys":[]}`))
	require.Error(t, err)
}

// TestEnsureDevSigningKey_GeneratesOnce: the development key is written once, as PKCS#8 PEM
// readable only by its owner, and loaded with the old public keys from PKIX PEM files.
func TestEnsureDevSigningKey_GeneratesOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "cert-signing-key.pem")
	created, err := certs.EnsureDevSigningKey(path)
	require.NoError(t, err)
	require.True(t, created)
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	first, err := os.ReadFile(path)
	require.NoError(t, err)
	created, err = certs.EnsureDevSigningKey(path)
	require.NoError(t, err)
	require.False(t, created)
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, first, again)

	oldPub, _ := newKey(t)
	oldPEM, err := certs.PublicKeyPEM(oldPub)
	require.NoError(t, err)
	oldFile := filepath.Join(dir, "old.pem")
	require.NoError(t, os.WriteFile(oldFile, oldPEM, 0o600))
	ring, err := certs.LoadKeyring(path, []string{oldFile})
	require.NoError(t, err)
	require.Len(t, ring.Published().Keys, 2)
	require.Equal(t, certs.KeyID(oldPub), ring.Published().Keys[1].KeyID)

	_, err = certs.LoadKeyring(oldFile, nil)
	require.Error(t, err, "a public key is not a signing key")
	_, err = certs.LoadKeyring(path, []string{path})
	require.Error(t, err, "a private key is not a verification key")
	_, err = certs.LoadKeyring(filepath.Join(dir, "missing.pem"), nil)
	require.Error(t, err)
}

func TestVerifyRecord_SurvivesReformattingButNotChanges(t *testing.T) {
	t.Parallel()
	pub, priv := newKey(t)
	ring, err := certs.NewKeyring(priv)
	require.NoError(t, err)
	signed, err := ring.Sign(snapshot)
	require.NoError(t, err)
	v, err := certs.NewVerifier(pub)
	require.NoError(t, err)

	indented, err := json.MarshalIndent(map[string]any{
		"signature": signed.Signature, "key_id": signed.KeyID, "snapshot": snapshot,
	}, "", "    ")
	require.NoError(t, err)
	rec, err := certs.ParseRecord(indented)
	require.NoError(t, err)
	require.NoError(t, v.VerifyRecord(rec))

	changed := map[string]any{}
	for k, val := range snapshot {
		changed[k] = val
	}
	changed["owner"] = "Someone Else"
	raw, err := json.Marshal(changed)
	require.NoError(t, err)
	rec.Snapshot = raw
	require.ErrorIs(t, v.VerifyRecord(rec), certs.ErrBadSignature)

	for name, bad := range map[string]string{
		"unknown member": `{"snapshot":{},"key_id":"a","signature":"b","extra":1}`,
		"snapshot array": `{"snapshot":[],"key_id":"a","signature":"b"}`,
		"no key id":      `{"snapshot":{},"signature":"b"}`,
		"no signature":   `{"snapshot":{},"key_id":"a"}`,
		"not a record":   `[1]`,
		"two records":    `{"snapshot":{},"key_id":"a","signature":"b"} {"snapshot":{}}`,
	} {
		_, err := certs.ParseRecord([]byte(bad))
		require.Error(t, err, name)
	}
}
