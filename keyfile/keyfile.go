// Package keyfile writes the private keys that development and test generate for themselves
// (the access-token key, the certificate key) once, as PKCS#8 PEM files only their owner can
// read. Production configures its keys and never generates one.
package keyfile

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// EnsureGenerated writes a key made by generate to path, as a PKCS#8 "PRIVATE KEY" PEM block
// (mode 0600, parent directories created 0700), unless the file already exists, in which case
// it is left untouched and generate is not called. It reports whether it wrote a key. Two
// processes creating the key at once keep the first one written.
func EnsureGenerated(path string, generate func() (crypto.PrivateKey, error)) (created bool, err error) {
	if _, err := os.Lstat(path); err == nil {
		return false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("stat key file %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("create the directory of key file %s: %w", path, err)
	}
	key, err := generate()
	if err != nil {
		return false, fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return false, fmt.Errorf("marshal key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})

	// The key is written whole to a file of its own, then linked into place, which fails if
	// the path exists: a concurrent creator wins and its key is kept, and no reader ever sees
	// the file empty or half written.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return false, fmt.Errorf("create key file %s: %w", path, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return false, fmt.Errorf("create key file %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return false, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return false, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("create key file %s: %w", path, err)
	}
	return true, nil
}
