package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
)

// TestCertKeys_GeneratedOnceOutsideProductionRequiredIn: development generates the
// certificate signing key once and signs with the same key afterwards; production without a
// key file does not start.
func TestCertKeys_GeneratedOnceOutsideProductionRequiredIn(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cert-signing-key.pem")
	a := &app{cfg: config.Config{Certs: config.Certs{SigningKeyFile: path, DevGenerateKey: true}}, log: slog.New(slog.DiscardHandler)}
	first, err := a.certKeys()
	require.NoError(t, err)
	require.FileExists(t, path)
	again, err := a.certKeys()
	require.NoError(t, err)
	require.Equal(t, first.SigningKeyID(), again.SigningKeyID())

	prod := &app{cfg: config.Config{Env: "production"}, log: slog.New(slog.DiscardHandler)}
	_, err = prod.certKeys()
	require.ErrorContains(t, err, "CERT_SIGNING_KEY_FILE")

	missing := filepath.Join(t.TempDir(), "absent.pem")
	given := &app{cfg: config.Config{Env: "production", Certs: config.Certs{SigningKeyFile: missing}}, log: slog.New(slog.DiscardHandler)}
	_, err = given.certKeys()
	require.Error(t, err, "a configured key is never generated in production")
	_, statErr := os.Stat(missing)
	require.ErrorIs(t, statErr, os.ErrNotExist)
}
