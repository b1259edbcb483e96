package keyfile_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/keyfile"
)

func ed25519Key() (crypto.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	return priv, err
}

// A key is written once, as PKCS#8 PEM readable by its owner only, in a directory only its
// owner can enter; asked again, the file is kept and no key is generated.
func TestEnsureGenerated_WritesTheKeyOnce(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	path := filepath.Join(dir, "signing.pem")
	created, err := keyfile.EnsureGenerated(path, ed25519Key)
	require.NoError(t, err)
	require.True(t, created)

	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	dirInfo, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), dirInfo.Mode().Perm())
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	block, _ := pem.Decode(raw)
	require.NotNil(t, block)
	require.Equal(t, "PRIVATE KEY", block.Type)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	require.IsType(t, ed25519.PrivateKey{}, key)

	created, err = keyfile.EnsureGenerated(path, func() (crypto.PrivateKey, error) {
		t.Fatal("a key is generated although the file exists")
		return nil, nil
	})
	require.NoError(t, err)
	require.False(t, created)
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, raw, again)
}

// A file already there, whatever it holds, is the operator's: it is never overwritten.
func TestEnsureGenerated_KeepsAFileAlreadyThere(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(path, []byte("operator's key"), 0o600))
	created, err := keyfile.EnsureGenerated(path, ed25519Key)
	require.NoError(t, err)
	require.False(t, created)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "operator's key", string(data))
}

// A key that cannot be generated or marshalled writes no file.
func TestEnsureGenerated_WritesNothingWhenTheKeyFails(t *testing.T) {
	t.Parallel()
	for name, generate := range map[string]func() (crypto.PrivateKey, error){
		"generation fails":  func() (crypto.PrivateKey, error) { return nil, errors.New("no entropy") },
		"not a private key": func() (crypto.PrivateKey, error) { return "not a key", nil },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "key.pem")
			_, err := keyfile.EnsureGenerated(path, generate)
			require.Error(t, err)
			require.NoFileExists(t, path)
		})
	}
}
