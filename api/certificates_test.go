package api_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/api"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/testkit"
)

// TestCertificateKeys_PublishesKeysThatVerify: without an account, anyone reads the keys, and
// what the server signs verifies with what it publishes.
func TestCertificateKeys_PublishesKeysThatVerify(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.do(t, http.MethodGet, "/api/v1/certificates/keys", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, "public, max-age=300", r.Header.Get("Cache-Control"))
	keys, ok := r.Body["keys"].([]any)
	require.True(t, ok, "%s", r.Raw)
	require.Len(t, keys, 1)
	require.Equal(t, map[string]any{"key_id": b.CertKeys.SigningKeyID(), "algorithm": "Ed25519",
		"public_key": b.CertKeys.Published().Keys[0].PublicKey, "current": true}, keys[0])

	signed, err := b.CertKeys.Sign(map[string]any{"serial": "7KQ2-M9XD-4HTP-R", "animal": "Nyx"})
	require.NoError(t, err)
	v, err := certs.ParsePublishedKeys(r.Raw)
	require.NoError(t, err)
	require.NoError(t, v.VerifyRecord(signed.Record()))
}

// TestCertificateKeys_KeepsOldKeysAfterRotation: a server signing with a new key still
// publishes the old one, after the current one, so older certificates stay verifiable.
func TestCertificateKeys_KeepsOldKeysAfterRotation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	oldPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, newPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	ring, err := certs.NewKeyring(newPriv, oldPub)
	require.NoError(t, err)
	srv := serve(t, b.Cfg, api.Conns{DB: b.DB, Temporal: testkit.Temporal(t), Registry: prometheus.NewRegistry(),
		Logger: testkit.Logger(t), Keys: b.Keys, CertKeys: ring}, api.WithoutPedigree())
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	rotated := *b
	rotated.URL, rotated.Client = ts.URL, ts.Client()

	r := rotated.do(t, http.MethodGet, "/api/v1/certificates/keys", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	keys, ok := r.Body["keys"].([]any)
	require.True(t, ok, "%s", r.Raw)
	require.Len(t, keys, 2)
	require.Equal(t, ring.SigningKeyID(), keys[0].(map[string]any)["key_id"])
	require.Equal(t, true, keys[0].(map[string]any)["current"])
	require.Equal(t, certs.KeyID(oldPub), keys[1].(map[string]any)["key_id"])
	require.Equal(t, false, keys[1].(map[string]any)["current"])
}
