package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/certs"
)

// verifyFixture is a signed certificate record and the key files that check it, written to
// a test directory.
type verifyFixture struct {
	dir, record, keysJSON, keyPEM, otherPEM string
	signed                                  certs.Signed
}

func newVerifyFixture(t *testing.T) verifyFixture {
	t.Helper()
	dir := t.TempDir()
	oldPub, oldPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, newPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	otherPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)

	// Signed with the old key; published after a rotation, beside the new one.
	old, err := certs.NewKeyring(oldPriv)
	require.NoError(t, err)
	signed, err := old.Sign(map[string]any{
		"serial": "7KQ2-M9XD-4HTP-R", "owner": "Kim's Geckos", "issued_at": "2026-12-05T12:00:00Z",
		"animal": map[string]any{"name": "Nyx", "species": "Eublepharis macularius", "coi": 0.0625},
	})
	require.NoError(t, err)
	ring, err := certs.NewKeyring(newPriv, oldPub)
	require.NoError(t, err)

	f := verifyFixture{dir: dir, signed: signed,
		record: filepath.Join(dir, "certificate.json"), keysJSON: filepath.Join(dir, "keys.json"),
		keyPEM: filepath.Join(dir, "key.pem"), otherPEM: filepath.Join(dir, "other.pem")}
	rec, err := json.MarshalIndent(signed.Record(), "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f.record, rec, 0o600))
	keys, err := json.Marshal(ring.Published())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f.keysJSON, keys, 0o600))
	pemKey, err := certs.PublicKeyPEM(oldPub)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f.keyPEM, pemKey, 0o600))
	pemOther, err := certs.PublicKeyPEM(otherPub)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f.otherPEM, pemOther, 0o600))
	return f
}

// verify runs the command and returns its exit status and output.
func verify(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := runVerifyCertificate(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVerifyCertificate_ValidWithPublishedKeysOrPEM(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	for _, key := range []string{f.keysJSON, f.keyPEM} {
		code, out, errOut := verify("--key", key, f.record)
		require.Equal(t, 0, code, "%s %s", out, errOut)
		require.True(t, strings.HasPrefix(out, "valid: signed with key "+f.signed.KeyID), out)
		require.Contains(t, out, f.signed.SHA256)
	}
}

// TestVerifyCertificate_TamperedByteIsInvalid: changing any one byte of the snapshot's data
// (here every character of the owner's name, one at a time) makes the record invalid.
func TestVerifyCertificate_TamperedByteIsInvalid(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	raw, err := os.ReadFile(f.record)
	require.NoError(t, err)
	at := bytes.Index(raw, []byte("Kim's Geckos"))
	require.Positive(t, at)
	for i := at; i < at+len("Kim's Geckos"); i++ {
		tampered := append([]byte(nil), raw...)
		tampered[i] ^= 0x01
		path := filepath.Join(f.dir, "tampered.json")
		require.NoError(t, os.WriteFile(path, tampered, 0o600))
		code, out, _ := verify("--key", f.keysJSON, path)
		require.Equal(t, 1, code, "byte %d: %s", i, out)
		require.Contains(t, out, "invalid: certs: signature does not match")
	}
}

func TestVerifyCertificate_InvalidSaysWhy(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	write := func(name, content string) string {
		path := filepath.Join(f.dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	snapshot := string(f.signed.Canonical)
	for _, tc := range []struct {
		name, key, record, why string
	}{
		{"another key", f.otherPEM, f.record, "unknown key ID"},
		{"signature of something else", f.keysJSON,
			write("resigned.json", `{"snapshot":`+snapshot+`,"key_id":"`+f.signed.KeyID+`","signature":"`+strings.Repeat("A", 86)+`"}`),
			"signature does not match"},
		{"not a record", f.keysJSON, write("garbage.json", `{"hello":"world"}`), "read certificate record"},
		{"duplicate member", f.keysJSON,
			write("dup.json", `{"snapshot":{"owner":"A","owner":"B"},"key_id":"`+f.signed.KeyID+`","signature":"`+f.signed.Signature+`"}`),
			"duplicate member"},
	} {
		code, out, _ := verify("--key", tc.key, tc.record)
		require.Equal(t, 1, code, "%s: %s", tc.name, out)
		require.Contains(t, out, "invalid:", tc.name)
		require.Contains(t, out, tc.why, tc.name)
	}
}

func TestVerifyCertificate_CannotCheckExitsTwo(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	for name, args := range map[string][]string{
		"no key":            {f.record},
		"no record":         {"--key", f.keysJSON},
		"two records":       {"--key", f.keysJSON, f.record, f.record},
		"missing key file":  {"--key", filepath.Join(f.dir, "nope.json"), f.record},
		"missing record":    {"--key", f.keysJSON, filepath.Join(f.dir, "nope.json")},
		"key file not keys": {"--key", f.record, f.record},
		"unknown flag":      {"--nope", "--key", f.keysJSON, f.record},
	} {
		code, out, _ := verify(args...)
		require.Equal(t, 2, code, "%s: %s", name, out)
		require.NotContains(t, out, "valid", name)
	}
}
