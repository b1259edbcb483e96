package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
		require.Contains(t, out, "a record alone does not say whether the certificate is still current")
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

// writeAnswer writes, beside the fixture, a saved answer of GET /api/v1/verify/{serial} for
// its record, stating the SHA-256 of pdf, and the PDF itself; it answers the two paths. The
// answer says valid, unless members (its verdict, revocation, supersession) say otherwise;
// a member set to nil is left out.
func (f verifyFixture) writeAnswer(t *testing.T, pdf []byte, members ...map[string]any) (string, string) {
	t.Helper()
	pdfSum := sha256.Sum256(pdf)
	answer := map[string]any{
		"verdict": "valid", "serial": "7KQ2-M9XD-4HTP-R", "signature_valid": true, "checked_at": "2026-12-05T15:04:05Z",
		"certificate":     map[string]any{"name": "Nyx"},
		"key_id":          f.signed.KeyID,
		"snapshot_sha256": f.signed.SHA256,
		"pdf_sha256":      hex.EncodeToString(pdfSum[:]),
		"record":          f.signed.Record(),
	}
	for _, m := range members {
		for k, v := range m {
			if v == nil {
				delete(answer, k)
				continue
			}
			answer[k] = v
		}
	}
	raw, err := json.MarshalIndent(answer, "", "  ")
	require.NoError(t, err)
	answerPath, pdfPath := filepath.Join(f.dir, "answer.json"), filepath.Join(f.dir, "certificate.pdf")
	require.NoError(t, os.WriteFile(answerPath, raw, 0o600))
	require.NoError(t, os.WriteFile(pdfPath, pdf, 0o600))
	return answerPath, pdfPath
}

// The saved answer of the verify endpoint checks like the record it carries, and with --pdf
// the PDF must be the one whose SHA-256 it states.
func TestVerifyCertificate_TakesTheVerifyAnswerAndChecksThePDF(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	pdf := []byte("%PDF-1.3\n% a certificate of Nyx\n%%EOF\n")
	answer, pdfPath := f.writeAnswer(t, pdf)

	code, out, errOut := verify("--key", f.keysJSON, answer)
	require.Equal(t, 0, code, "%s %s", out, errOut)
	require.Equal(t, "valid: the signature holds (signed with key "+f.signed.KeyID+"; snapshot SHA-256 "+f.signed.SHA256+
		"); the server's answer of 2026-12-05T15:04:05Z says: valid, genuine and current\n", out)

	code, out, errOut = verify("--key", f.keysJSON, "--pdf", pdfPath, answer)
	require.Equal(t, 0, code, "%s %s", out, errOut)
	require.Contains(t, out, "the PDF is the one the answer names")

	// Any one byte of the PDF changed fails.
	for _, i := range []int{0, len(pdf) / 2, len(pdf) - 1} {
		tampered := append([]byte(nil), pdf...)
		tampered[i] ^= 0x01
		path := filepath.Join(f.dir, "tampered.pdf")
		require.NoError(t, os.WriteFile(path, tampered, 0o600))
		code, out, _ = verify("--key", f.keysJSON, "--pdf", path, answer)
		require.Equal(t, 1, code, "byte %d: %s", i, out)
		require.Contains(t, out, "invalid: certs: the PDF's SHA-256")
	}
}

// A byte of the snapshot changed inside a saved answer fails, as in a bare record; so does an
// answer whose stated snapshot hash is not the snapshot's.
func TestVerifyCertificate_TamperedAnswerIsInvalid(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	answer, pdfPath := f.writeAnswer(t, []byte("%PDF-1.3\n"))
	raw, err := os.ReadFile(answer)
	require.NoError(t, err)
	at := bytes.Index(raw, []byte("Kim's Geckos"))
	require.Positive(t, at)
	tampered := append([]byte(nil), raw...)
	tampered[at] ^= 0x01
	path := filepath.Join(f.dir, "tampered-answer.json")
	require.NoError(t, os.WriteFile(path, tampered, 0o600))
	code, out, _ := verify("--key", f.keysJSON, "--pdf", pdfPath, path)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "invalid: certs: signature does not match")

	wrongSum := bytes.Replace(raw, []byte(f.signed.SHA256), []byte(strings.Repeat("0", 64)), 1)
	require.NoError(t, os.WriteFile(path, wrongSum, 0o600))
	code, out, _ = verify("--key", f.keysJSON, path)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "invalid: certs: the answer states snapshot SHA-256")
}

// A PDF cannot be checked against a bare record, which states no PDF hash, nor a PDF that
// cannot be read: the check cannot be made.
func TestVerifyCertificate_PDFCheckNeedsTheAnswer(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	answer, pdfPath := f.writeAnswer(t, []byte("%PDF-1.3\n"))
	code, out, errOut := verify("--key", f.keysJSON, "--pdf", pdfPath, f.record)
	require.Equal(t, 2, code, out)
	require.Contains(t, errOut, "states no PDF hash")
	require.NotContains(t, out, "valid")
	code, out, _ = verify("--key", f.keysJSON, "--pdf", filepath.Join(f.dir, "nope.pdf"), answer)
	require.Equal(t, 2, code, out)
}

// A saved answer's verdict is reported beside the signature's result, and sets the exit
// status: the signature of a revoked, superseded or invalid certificate still holds, but it
// must not pass for valid.
func TestVerifyCertificate_ReportsTheAnswersVerdict(t *testing.T) {
	t.Parallel()
	signature := func(f verifyFixture) string {
		return "the signature holds (signed with key " + f.signed.KeyID + "; snapshot SHA-256 " + f.signed.SHA256 + "); "
	}
	for _, tc := range []struct {
		name    string
		members map[string]any
		code    int
		says    string
	}{
		{"revoked", map[string]any{"verdict": "revoked",
			"revoked": map[string]any{"reason": "Issued for the wrong animal.", "at": "2026-12-05T14:00:00Z"}},
			3, "revoked: %sthe server's answer of 2026-12-05T15:04:05Z says: revoked — Issued for the wrong animal. " +
				"(revoked 2026-12-05T14:00:00Z)\n"},
		{"revoked, the reason made printable", map[string]any{"verdict": "revoked",
			"revoked": map[string]any{"reason": "Forged\npedigree\x1b[2J", "at": "2026-12-05T14:00:00Z"}},
			3, "revoked: %sthe server's answer of 2026-12-05T15:04:05Z says: revoked — Forged pedigree [2J " +
				"(revoked 2026-12-05T14:00:00Z)\n"},
		{"superseded by one issued", map[string]any{"verdict": "superseded",
			"superseded_by": map[string]any{"serial": "4HTP-7KQ2-M9XD-R", "status": "issued", "at": "2026-12-04T10:00:00Z"}},
			4, "superseded: %sthe server's answer of 2026-12-05T15:04:05Z says: superseded by 4HTP-7KQ2-M9XD-R on " +
				"2026-12-04T10:00:00Z, which is the animal's current certificate\n"},
		{"superseded by one that failed", map[string]any{"verdict": "superseded",
			"superseded_by": map[string]any{"serial": "4HTP-7KQ2-M9XD-R", "status": "failed", "at": "2026-12-04T10:00:00Z"}},
			4, "superseded: %sthe server's answer of 2026-12-05T15:04:05Z says: superseded by 4HTP-7KQ2-M9XD-R on " +
				"2026-12-04T10:00:00Z, which could not be issued: the new owner has no current certificate from this re-issue\n"},
		{"invalid on the server", map[string]any{"verdict": "invalid", "signature_valid": false},
			1, "invalid: %sthe server's answer of 2026-12-05T15:04:05Z says: invalid — the server's own check of its " +
				"stored record failed; do not rely on it\n"},
		{"valid, undated", map[string]any{"checked_at": nil},
			0, "valid: %sthe server's answer (undated) says: valid, genuine and current\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newVerifyFixture(t)
			answer, pdfPath := f.writeAnswer(t, []byte("%PDF-1.3\n"), tc.members)
			code, out, errOut := verify("--key", f.keysJSON, answer)
			require.Equal(t, tc.code, code, "%s %s", out, errOut)
			require.Equal(t, fmt.Sprintf(tc.says, signature(f)), out)

			// The PDF checked too, the verdict still decides.
			code, out, errOut = verify("--key", f.keysJSON, "--pdf", pdfPath, answer)
			require.Equal(t, tc.code, code, "%s %s", out, errOut)
			require.Contains(t, out, "the PDF is the one the answer names")
		})
	}
}

// An answer whose verdict is missing or not one the program knows cannot be reported: the
// check cannot be made, whatever the signature.
func TestVerifyCertificate_AnswerWithoutAKnownVerdictCannotBeChecked(t *testing.T) {
	t.Parallel()
	for name, verdict := range map[string]any{"missing": nil, "empty": "", "unknown": "genuine"} {
		f := newVerifyFixture(t)
		answer, _ := f.writeAnswer(t, []byte("%PDF-1.3\n"), map[string]any{"verdict": verdict})
		if verdict == nil {
			raw, err := os.ReadFile(answer)
			require.NoError(t, err)
			require.NotContains(t, string(raw), `"verdict"`, name)
		}
		code, out, errOut := verify("--key", f.keysJSON, answer)
		require.Equal(t, 2, code, "%s: %s %s", name, out, errOut)
		require.NotContains(t, out, "valid", name)
		require.Contains(t, errOut, "cannot verify:", name)
	}
}

// A tampered answer is invalid whatever verdict it states.
func TestVerifyCertificate_TamperedRevokedAnswerIsInvalid(t *testing.T) {
	t.Parallel()
	f := newVerifyFixture(t)
	answer, _ := f.writeAnswer(t, []byte("%PDF-1.3\n"), map[string]any{"verdict": "revoked",
		"revoked": map[string]any{"reason": "Forged.", "at": "2026-12-05T14:00:00Z"}})
	raw, err := os.ReadFile(answer)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(answer, bytes.Replace(raw, []byte("Kim's Geckos"), []byte("Kim's Gecko5"), 1), 0o600))
	code, out, _ := verify("--key", f.keysJSON, answer)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "invalid: certs: signature does not match")
}
