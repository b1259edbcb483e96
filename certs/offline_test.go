package certs_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/certs"
)

// VerifySnapshot answers the canonical bytes and their SHA-256 of a reformatted snapshot,
// the ones signed, and still answers them when the signature fails, so that a caller can
// show what was stored; a snapshot that cannot be canonicalized answers none.
func TestVerifySnapshot_AnswersTheCanonicalBytesAndTheirSum(t *testing.T) {
	t.Parallel()
	pub, priv := newKey(t)
	ring, err := certs.NewKeyring(priv)
	require.NoError(t, err)
	signed, err := ring.Sign(snapshot)
	require.NoError(t, err)
	v, err := certs.NewVerifier(pub)
	require.NoError(t, err)
	indented, err := json.MarshalIndent(snapshot, "", "  ")
	require.NoError(t, err)

	canonical, sum, err := v.VerifySnapshot(indented, signed.Signature, signed.KeyID)
	require.NoError(t, err)
	require.Equal(t, signed.Canonical, canonical)
	require.Equal(t, signed.SHA256, hex.EncodeToString(sum[:]))

	other, otherPriv := newKey(t)
	otherRing, err := certs.NewKeyring(otherPriv)
	require.NoError(t, err)
	forged, err := otherRing.Sign(snapshot)
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		signature, keyID string
		want             error
	}{
		"another key's signature": {forged.Signature, signed.KeyID, certs.ErrBadSignature},
		"a key not published":     {forged.Signature, certs.KeyID(other), certs.ErrUnknownKey},
		"a mangled signature":     {signed.Signature[1:], signed.KeyID, certs.ErrBadSignature},
	} {
		canonical, sum, err := v.VerifySnapshot(indented, tc.signature, tc.keyID)
		require.ErrorIs(t, err, tc.want, name)
		require.Equal(t, signed.Canonical, canonical, name)
		require.Equal(t, sha256.Sum256(signed.Canonical), sum, name)
	}

	canonical, sum, err = v.VerifySnapshot([]byte(`{"owner":"A","owner":"B"}`), signed.Signature, signed.KeyID)
	require.ErrorContains(t, err, "duplicate member")
	require.Nil(t, canonical)
	require.Equal(t, [sha256.Size]byte{}, sum)
}

// CheckOffline reads, beside the record it checks, how a saved verify answer says the
// certificate stood; a bare record carries no answer.
func TestCheckOffline_ReadsTheAnswersVerdict(t *testing.T) {
	t.Parallel()
	pub, priv := newKey(t)
	ring, err := certs.NewKeyring(priv)
	require.NoError(t, err)
	signed, err := ring.Sign(snapshot)
	require.NoError(t, err)
	v, err := certs.NewVerifier(pub)
	require.NoError(t, err)
	answer, err := json.Marshal(map[string]any{
		"verdict": "superseded", "serial": "7KQ2-M9XD-4HTP-R", "checked_at": "2026-12-05T15:04:05Z",
		"superseded_by":   map[string]any{"serial": "4HTP-7KQ2-M9XD-R", "status": "failed", "at": "2026-12-04T10:00:00Z"},
		"snapshot_sha256": signed.SHA256, "pdf_sha256": "", "record": signed.Record(),
	})
	require.NoError(t, err)

	check, err := v.CheckOffline(answer, nil)
	require.NoError(t, err)
	require.NotNil(t, check.Answer)
	require.Equal(t, certs.VerdictSuperseded, check.Answer.Verdict)
	require.Equal(t, time.Date(2026, 12, 5, 15, 4, 5, 0, time.UTC), check.Answer.CheckedAt.UTC())
	require.Equal(t, "4HTP-7KQ2-M9XD-R", check.Answer.SupersededBy.Serial)
	require.Equal(t, "failed", check.Answer.SupersededBy.Status)
	require.Nil(t, check.Answer.Revoked)
	require.Equal(t, signed.SHA256, check.SnapshotSHA256)

	rec, err := json.Marshal(signed.Record())
	require.NoError(t, err)
	check, err = v.CheckOffline(rec, nil)
	require.NoError(t, err)
	require.Nil(t, check.Answer, "a bare record is no answer")
}
