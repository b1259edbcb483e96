package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewRefreshToken(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		token, hash, err := NewRefreshToken()
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(token, "rt_"), token)
		raw, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimPrefix(token, "rt_"))
		require.NoError(t, err)
		require.Len(t, raw, 32)

		want := sha256.Sum256([]byte(token))
		require.Equal(t, want[:], hash)
		require.Equal(t, hash, HashRefreshToken(token))

		require.False(t, seen[token], "duplicate refresh token")
		seen[token] = true
	}
}

func TestHashRefreshToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token string
		want  string // hex SHA-256
	}{
		{name: "empty", token: "", want: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{name: "abc", token: "abc", want: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, hex.EncodeToString(HashRefreshToken(tc.token)))
		})
	}
	require.NotEqual(t, HashRefreshToken("rt_a"), HashRefreshToken("rt_b"))
}
