package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// testKeys are generated once per test binary; RSA generation is slow.
type testKeys struct {
	signing  *rsa.PrivateKey // current signing key
	old      *rsa.PrivateKey // previous key, verification-only after rotation
	attacker *rsa.PrivateKey // unrelated key an attacker controls
	small    *rsa.PrivateKey // 1024-bit, must be refused
}

var getTestKeys = sync.OnceValue(func() testKeys {
	gen := func(bits int) *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			panic(err)
		}
		return k
	}
	return testKeys{signing: gen(2048), old: gen(2048), attacker: gen(2048), small: gen(1024)}
})

func pkcs1PrivPEM(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

func pkcs8PrivPEM(t *testing.T, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func pkixPubPEM(t *testing.T, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func pkcs1PubPEM(k *rsa.PublicKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(k)})
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

func expectedKID(t *testing.T, pub *rsa.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])[:16]
}

func TestKeyID(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	kid, err := KeyID(&keys.signing.PublicKey)
	require.NoError(t, err)
	require.Len(t, kid, 16)
	require.Equal(t, expectedKID(t, &keys.signing.PublicKey), kid)
	other, err := KeyID(&keys.old.PublicKey)
	require.NoError(t, err)
	require.NotEqual(t, kid, other)
}

func TestLoadKeySet(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	tests := []struct {
		name       string
		signingPEM func(t *testing.T) []byte
		verifyPEMs func(t *testing.T) [][]byte
		wantKIDs   []*rsa.PublicKey // verification keys expected, signing first
	}{
		{
			name:       "PKCS#1 signing key only",
			signingPEM: func(*testing.T) []byte { return pkcs1PrivPEM(keys.signing) },
			wantKIDs:   []*rsa.PublicKey{&keys.signing.PublicKey},
		},
		{
			name:       "PKCS#8 signing key only",
			signingPEM: func(t *testing.T) []byte { return pkcs8PrivPEM(t, keys.signing) },
			wantKIDs:   []*rsa.PublicKey{&keys.signing.PublicKey},
		},
		{
			name:       "PKCS#8 signing key with PKIX verify key",
			signingPEM: func(t *testing.T) []byte { return pkcs8PrivPEM(t, keys.signing) },
			verifyPEMs: func(t *testing.T) [][]byte { return [][]byte{pkixPubPEM(t, &keys.old.PublicKey)} },
			wantKIDs:   []*rsa.PublicKey{&keys.signing.PublicKey, &keys.old.PublicKey},
		},
		{
			name:       "PKCS#1 signing key with PKCS#1 verify key and duplicate of signing key",
			signingPEM: func(*testing.T) []byte { return pkcs1PrivPEM(keys.signing) },
			verifyPEMs: func(t *testing.T) [][]byte {
				return [][]byte{pkcs1PubPEM(&keys.old.PublicKey), pkixPubPEM(t, &keys.signing.PublicKey)}
			},
			wantKIDs: []*rsa.PublicKey{&keys.signing.PublicKey, &keys.old.PublicKey},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			signing := writeFile(t, dir, "signing.pem", tc.signingPEM(t))
			var verify []string
			if tc.verifyPEMs != nil {
				for i, data := range tc.verifyPEMs(t) {
					verify = append(verify, writeFile(t, dir, "verify"+string(rune('a'+i))+".pem", data))
				}
			}
			ks, err := LoadKeySet(signing, verify)
			require.NoError(t, err)
			require.Equal(t, expectedKID(t, &keys.signing.PublicKey), ks.SigningKID())
			require.True(t, ks.signing.Equal(keys.signing))

			var wantKIDs []string
			for _, pub := range tc.wantKIDs {
				kid := expectedKID(t, pub)
				wantKIDs = append(wantKIDs, kid)
				got, ok := ks.publicKey(kid)
				require.True(t, ok, "kid %s missing", kid)
				require.True(t, got.Equal(pub))
			}
			require.Equal(t, wantKIDs, ks.kids)
		})
	}
}

func TestLoadKeySetErrors(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)

	tests := []struct {
		name       string
		signingPEM func(t *testing.T) []byte // nil: file does not exist
		verifyPEM  func(t *testing.T) []byte // nil: no verify file
		wantErr    string
	}{
		{name: "small PKCS#1 signing key", signingPEM: func(*testing.T) []byte { return pkcs1PrivPEM(keys.small) }, wantErr: "1024 bits"},
		{name: "small PKCS#8 signing key", signingPEM: func(t *testing.T) []byte { return pkcs8PrivPEM(t, keys.small) }, wantErr: "1024 bits"},
		{
			name:       "small verify key",
			signingPEM: func(t *testing.T) []byte { return pkcs8PrivPEM(t, keys.signing) },
			verifyPEM:  func(t *testing.T) []byte { return pkixPubPEM(t, &keys.small.PublicKey) },
			wantErr:    "1024 bits",
		},
		{name: "missing signing file", wantErr: "read signing key"},
		{name: "not PEM", signingPEM: func(*testing.T) []byte { return []byte("hello") }, wantErr: "no PEM block"},
		{name: "public key as signing key", signingPEM: func(t *testing.T) []byte { return pkixPubPEM(t, &keys.signing.PublicKey) }, wantErr: "unsupported PEM block type"},
		{name: "EC signing key", signingPEM: func(t *testing.T) []byte { return pkcs8PrivPEM(t, ecKey) }, wantErr: "not RSA"},
		{
			name: "corrupt PKCS#1 body",
			signingPEM: func(*testing.T) []byte {
				return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("junk")})
			},
			wantErr: "parse PKCS#1 key",
		},
		{
			name:       "EC verify key",
			signingPEM: func(t *testing.T) []byte { return pkcs8PrivPEM(t, keys.signing) },
			verifyPEM:  func(t *testing.T) []byte { return pkixPubPEM(t, &ecKey.PublicKey) },
			wantErr:    "not RSA",
		},
		{
			name:       "private key as verify key",
			signingPEM: func(t *testing.T) []byte { return pkcs8PrivPEM(t, keys.signing) },
			verifyPEM:  func(t *testing.T) []byte { return pkcs8PrivPEM(t, keys.old) },
			wantErr:    "unsupported PEM block type",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			signing := filepath.Join(dir, "missing.pem")
			if tc.signingPEM != nil {
				signing = writeFile(t, dir, "signing.pem", tc.signingPEM(t))
			}
			var verify []string
			if tc.verifyPEM != nil {
				verify = []string{writeFile(t, dir, "verify.pem", tc.verifyPEM(t))}
			}
			ks, err := LoadKeySet(signing, verify)
			require.ErrorContains(t, err, tc.wantErr)
			require.Nil(t, ks)
		})
	}
}

func TestNewKeySetErrors(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	tests := []struct {
		name    string
		signing *rsa.PrivateKey
		verify  []*rsa.PublicKey
		wantErr string
	}{
		{name: "nil signing key", wantErr: "nil signing key"},
		{name: "small signing key", signing: keys.small, wantErr: "1024 bits"},
		{name: "small verify key", signing: keys.signing, verify: []*rsa.PublicKey{&keys.small.PublicKey}, wantErr: "1024 bits"},
		{name: "nil verify key", signing: keys.signing, verify: []*rsa.PublicKey{nil}, wantErr: "is nil"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ks, err := NewKeySet(tc.signing, tc.verify...)
			require.ErrorContains(t, err, tc.wantErr)
			require.Nil(t, ks)
		})
	}
}

func TestEnsureDevSigningKey(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), ".devdata", "keys")
	path := filepath.Join(dir, "jwt-signing.pem")

	created, err := EnsureDevSigningKey(path)
	require.NoError(t, err)
	require.True(t, created)

	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	di, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), di.Mode().Perm())

	first, err := os.ReadFile(path)
	require.NoError(t, err)
	ks, err := LoadKeySet(path, nil)
	require.NoError(t, err)
	require.Equal(t, 2048, ks.signing.N.BitLen())

	created, err = EnsureDevSigningKey(path)
	require.NoError(t, err)
	require.False(t, created)
	second, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, first, second, "existing key must not be overwritten")
}

func TestEnsureDevSigningKeyKeepsExistingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(path, []byte("operator's key"), 0o600))
	created, err := EnsureDevSigningKey(path)
	require.NoError(t, err)
	require.False(t, created)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "operator's key", string(data))
}

func TestPublicJWKS(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	ks, err := NewKeySet(keys.signing, &keys.old.PublicKey)
	require.NoError(t, err)

	raw, err := ks.PublicJWKS()
	require.NoError(t, err)
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(raw, &set))
	require.Len(t, set.Keys, 2)

	for i, pub := range []*rsa.PublicKey{&keys.signing.PublicKey, &keys.old.PublicKey} {
		k := set.Keys[i]
		require.Len(t, k, 6, "only public members: %v", k)
		require.Equal(t, "RSA", k["kty"])
		require.Equal(t, "sig", k["use"])
		require.Equal(t, "RS256", k["alg"])
		require.Equal(t, expectedKID(t, pub), k["kid"])
		require.Equal(t, "AQAB", k["e"])
		n, err := base64.RawURLEncoding.Strict().DecodeString(k["n"])
		require.NoError(t, err)
		require.Zero(t, new(big.Int).SetBytes(n).Cmp(pub.N))
	}
	require.Equal(t, ks.SigningKID(), set.Keys[0]["kid"])
}
