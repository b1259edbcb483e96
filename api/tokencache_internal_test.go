package api

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/auth"
)

func testIssuer(t *testing.T) *auth.Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ks, err := auth.NewKeySet(key)
	require.NoError(t, err)
	return auth.NewIssuer(ks, "reptidex", "reptidex-api", 15*time.Minute)
}

func TestVerifiedTokens_RemembersOnlyVerifiedUnexpiredTokens(t *testing.T) {
	t.Parallel()
	issuer, other := testIssuer(t), testIssuer(t)
	tok, _, err := issuer.Issue(auth.Claims{UserID: "u", OrgID: "o", SessionID: "s"})
	require.NoError(t, err)
	cache := newVerifiedTokens(2)

	_, err = cache.verify(other, tok)
	require.ErrorIs(t, err, auth.ErrInvalidToken, "a token that fails verification is not remembered")
	require.Empty(t, cache.entries)

	c, err := cache.verify(issuer, tok)
	require.NoError(t, err)
	require.Equal(t, "u", c.UserID)
	again, err := cache.verify(other, tok)
	require.NoError(t, err, "a verified token is not verified again")
	require.Equal(t, c, again)

	// Once expired, the entry no longer counts and the token is verified afresh.
	c.ExpiresAt = time.Now().Add(-time.Second)
	cache.entries[tok] = c
	_, err = cache.verify(other, tok)
	require.ErrorIs(t, err, auth.ErrInvalidToken)

	// Bounded: a full cache starts over.
	for i := range 3 {
		t2, _, err := issuer.Issue(auth.Claims{UserID: "u", OrgID: "o", SessionID: string(rune('a' + i))})
		require.NoError(t, err)
		_, err = cache.verify(issuer, t2)
		require.NoError(t, err)
		require.LessOrEqual(t, len(cache.entries), 2)
	}
}
