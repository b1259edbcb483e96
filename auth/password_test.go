package auth

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"
)

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		password string
		wrong    string
	}{
		{name: "ascii", password: "correct horse battery staple", wrong: "correct horse battery stapl"},
		{name: "empty", password: "", wrong: " "},
		{name: "unicode", password: "🦎 leopard gecko ñ", wrong: "🦎 leopard gecko n"},
		{name: "max length", password: strings.Repeat("a", MaxPasswordLength), wrong: strings.Repeat("a", MaxPasswordLength-1) + "b"},
		{name: "case differs", password: "Python", wrong: "python"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			encoded, err := HashPassword(tc.password)
			require.NoError(t, err)
			require.Regexp(t, phcPattern, encoded)

			ok, err := VerifyPassword(encoded, tc.password)
			require.NoError(t, err)
			require.True(t, ok, "correct password must verify")

			ok, err = VerifyPassword(encoded, tc.wrong)
			require.NoError(t, err)
			require.False(t, ok, "wrong password must not verify")
		})
	}
}

func TestHashPasswordUsesFreshSalt(t *testing.T) {
	t.Parallel()
	a, err := HashPassword("same password")
	require.NoError(t, err)
	b, err := HashPassword("same password")
	require.NoError(t, err)
	require.NotEqual(t, a, b)
}

func TestPasswordTooLong(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", MaxPasswordLength+1)
	_, err := HashPassword(long)
	require.ErrorIs(t, err, ErrPasswordTooLong)

	encoded, err := HashPassword("short")
	require.NoError(t, err)
	ok, err := VerifyPassword(encoded, long)
	require.NoError(t, err)
	require.False(t, ok)
}

func TestVerifyPasswordParsesParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    argonParams
	}{
		{name: "weaker", p: argonParams{memory: 8 * 1024, time: 1, threads: 1, saltLen: 16, keyLen: 32}},
		{name: "stronger", p: argonParams{memory: 64 * 1024, time: 3, threads: 4, saltLen: 16, keyLen: 32}},
		{name: "longer salt and key", p: argonParams{memory: 12 * 1024, time: 2, threads: 2, saltLen: 32, keyLen: 64}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			encoded, err := hashWithParams("s3cret", tc.p)
			require.NoError(t, err)
			require.Contains(t, encoded, fmt.Sprintf("$m=%d,t=%d,p=%d$", tc.p.memory, tc.p.time, tc.p.threads))

			p, salt, key, err := decodeHash(encoded)
			require.NoError(t, err)
			require.Equal(t, tc.p, p)
			require.Len(t, salt, tc.p.saltLen)
			require.Len(t, key, tc.p.keyLen)
			// The stored key must be argon2id under exactly these parameters.
			want := argon2.IDKey([]byte("s3cret"), salt, tc.p.time, tc.p.memory, tc.p.threads, uint32(tc.p.keyLen))
			require.Equal(t, 1, subtle.ConstantTimeCompare(want, key))

			ok, err := VerifyPassword(encoded, "s3cret")
			require.NoError(t, err)
			require.True(t, ok)
			ok, err = VerifyPassword(encoded, "s3cret!")
			require.NoError(t, err)
			require.False(t, ok)
		})
	}
}

func TestVerifyPasswordParamOrderIndependent(t *testing.T) {
	t.Parallel()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("pw"), salt, 1, 8*1024, 1, 32)
	encoded := fmt.Sprintf("$argon2id$v=19$p=1,t=1,m=8192$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	ok, err := VerifyPassword(encoded, "pw")
	require.NoError(t, err)
	require.True(t, ok)
}

func TestVerifyPasswordMalformed(t *testing.T) {
	t.Parallel()
	valid, err := HashPassword("pw")
	require.NoError(t, err)
	parts := strings.Split(valid, "$")
	salt, hash := parts[4], parts[5]
	build := func(alg, ver, params, salt, hash string) string {
		return "$" + alg + "$" + ver + "$" + params + "$" + salt + "$" + hash
	}

	tests := []struct {
		name    string
		encoded string
	}{
		{name: "empty", encoded: ""},
		{name: "garbage", encoded: "not a hash"},
		{name: "bcrypt", encoded: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{name: "too few fields", encoded: "$argon2id$v=19$m=19456,t=2,p=1$" + salt},
		{name: "too many fields", encoded: valid + "$extra"},
		{name: "no leading dollar", encoded: strings.TrimPrefix(valid, "$")},
		{name: "argon2i", encoded: build("argon2i", "v=19", "m=19456,t=2,p=1", salt, hash)},
		{name: "old version", encoded: build("argon2id", "v=16", "m=19456,t=2,p=1", salt, hash)},
		{name: "missing version", encoded: build("argon2id", "", "m=19456,t=2,p=1", salt, hash)},
		{name: "non-numeric memory", encoded: build("argon2id", "v=19", "m=abc,t=2,p=1", salt, hash)},
		{name: "negative time", encoded: build("argon2id", "v=19", "m=19456,t=-2,p=1", salt, hash)},
		{name: "zero time", encoded: build("argon2id", "v=19", "m=19456,t=0,p=1", salt, hash)},
		{name: "zero parallelism", encoded: build("argon2id", "v=19", "m=19456,t=2,p=0", salt, hash)},
		{name: "parallelism overflow", encoded: build("argon2id", "v=19", "m=19456,t=2,p=256", salt, hash)},
		{name: "huge memory", encoded: build("argon2id", "v=19", "m=4294967295,t=2,p=1", salt, hash)},
		{name: "memory below 8*p", encoded: build("argon2id", "v=19", "m=7,t=2,p=1", salt, hash)},
		{name: "missing param", encoded: build("argon2id", "v=19", "m=19456,t=2", salt, hash)},
		{name: "duplicate param", encoded: build("argon2id", "v=19", "m=19456,t=2,t=3,p=1", salt, hash)},
		{name: "unknown param", encoded: build("argon2id", "v=19", "m=19456,t=2,p=1,x=1", salt, hash)},
		{name: "param without value", encoded: build("argon2id", "v=19", "m=19456,t,p=1", salt, hash)},
		{name: "bad salt base64", encoded: build("argon2id", "v=19", "m=19456,t=2,p=1", "!!!!", hash)},
		{name: "padded salt", encoded: build("argon2id", "v=19", "m=19456,t=2,p=1", salt+"==", hash)},
		{name: "short salt", encoded: build("argon2id", "v=19", "m=19456,t=2,p=1", "c2FsdA", hash)},
		{name: "bad hash base64", encoded: build("argon2id", "v=19", "m=19456,t=2,p=1", salt, "%%%")},
		{name: "empty hash", encoded: build("argon2id", "v=19", "m=19456,t=2,p=1", salt, "")},
		{name: "short hash", encoded: build("argon2id", "v=19", "m=19456,t=2,p=1", salt, hash[:10])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok, err := VerifyPassword(tc.encoded, "pw")
			require.ErrorIs(t, err, errMalformedHash)
			require.False(t, ok)
		})
	}

	// Sanity check that the fixtures above are built from a hash that does work.
	ok, err := VerifyPassword(build("argon2id", "v=19", "m=19456,t=2,p=1", salt, hash), "pw")
	require.NoError(t, err)
	require.True(t, ok)
}

func TestDummyVerify(t *testing.T) {
	t.Parallel()
	DummyVerify("whatever")
	DummyVerify("whatever else")
	// The dummy hash must be a valid hash with the production parameters so
	// its cost matches a real verification.
	p, _, _, err := decodeHash(dummyHash)
	require.NoError(t, err)
	require.Equal(t, defaultParams, p)
	ok, err := VerifyPassword(dummyHash, "whatever")
	require.NoError(t, err)
	require.False(t, ok)
}
