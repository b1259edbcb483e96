package auth

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

const (
	testIssuer   = "https://api.reptidex.test"
	testAudience = "reptidex-api"
)

var testNow = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// newTestIssuer returns an Issuer signing with signing (plus verify keys) whose clock is now.
func newTestIssuer(t *testing.T, now time.Time, signing *rsa.PrivateKey, verify ...*rsa.PublicKey) *Issuer {
	t.Helper()
	ks, err := NewKeySet(signing, verify...)
	require.NoError(t, err)
	iss := NewIssuer(ks, testIssuer, testAudience, DefaultAccessTokenTTL)
	iss.Now = fixedClock(now)
	return iss
}

var testClaims = Claims{UserID: "usr_01HZX", OrgID: "org_9KQ2", SessionID: "ses_77AB"}

// validWireClaims are claims that Verify accepts at testNow.
func validWireClaims() jwtClaims {
	return jwtClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    testIssuer,
			Subject:   testClaims.UserID,
			Audience:  jwt.ClaimStrings{testAudience},
			ExpiresAt: jwt.NewNumericDate(testNow.Add(10 * time.Minute)),
			NotBefore: jwt.NewNumericDate(testNow.Add(-time.Minute)),
			IssuedAt:  jwt.NewNumericDate(testNow.Add(-time.Minute)),
			ID:        "jti-1",
		},
		Org: testClaims.OrgID,
		SID: testClaims.SessionID,
	}
}

// signRaw signs claims with an arbitrary method/key and kid (kid "" omits the header).
func signRaw(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func b64JSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	tests := []struct {
		name     string
		issuedAt time.Time
		verifyAt time.Time
		claims   Claims
	}{
		{name: "immediately", issuedAt: testNow, verifyAt: testNow, claims: testClaims},
		{name: "just before expiry", issuedAt: testNow, verifyAt: testNow.Add(DefaultAccessTokenTTL - time.Second), claims: testClaims},
		{name: "within leeway after expiry", issuedAt: testNow, verifyAt: testNow.Add(DefaultAccessTokenTTL + 4*time.Second), claims: testClaims},
		{name: "within leeway before issue", issuedAt: testNow, verifyAt: testNow.Add(-4 * time.Second), claims: testClaims},
		{name: "sub-second clock", issuedAt: testNow.Add(700 * time.Millisecond), verifyAt: testNow.Add(time.Second), claims: testClaims},
		{name: "no session", issuedAt: testNow, verifyAt: testNow, claims: Claims{UserID: "usr_1", OrgID: "org_1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			iss := newTestIssuer(t, tc.issuedAt, keys.signing)
			token, expires, err := iss.Issue(tc.claims)
			require.NoError(t, err)
			wantIat := tc.issuedAt.Truncate(time.Second)
			require.Equal(t, wantIat.Add(DefaultAccessTokenTTL), expires)

			iss.Now = fixedClock(tc.verifyAt)
			got, err := iss.Verify(token)
			require.NoError(t, err)
			require.Equal(t, tc.claims.UserID, got.UserID)
			require.Equal(t, tc.claims.OrgID, got.OrgID)
			require.Equal(t, tc.claims.SessionID, got.SessionID)
			require.True(t, got.ExpiresAt.Equal(expires), "exp %v != %v", got.ExpiresAt, expires)
			require.True(t, got.IssuedAt.Equal(wantIat), "iat %v != %v", got.IssuedAt, wantIat)
		})
	}
}

func TestIssuedTokenContents(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	iss := newTestIssuer(t, testNow, keys.signing)
	token, _, err := iss.Issue(testClaims)
	require.NoError(t, err)
	token2, _, err := iss.Issue(testClaims)
	require.NoError(t, err)

	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	var header map[string]any
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &header))
	require.Equal(t, map[string]any{"alg": "RS256", "typ": "JWT", "kid": iss.keys.SigningKID()}, header)

	var payload map[string]any
	raw, err = base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &payload))
	require.Equal(t, testIssuer, payload["iss"])
	require.Equal(t, []any{testAudience}, payload["aud"])
	require.Equal(t, testClaims.UserID, payload["sub"])
	require.Equal(t, testClaims.OrgID, payload["org"])
	require.Equal(t, testClaims.SessionID, payload["sid"])
	require.InDelta(t, float64(testNow.Unix()), payload["iat"], 0)
	require.InDelta(t, float64(testNow.Unix()), payload["nbf"], 0)
	require.InDelta(t, float64(testNow.Add(DefaultAccessTokenTTL).Unix()), payload["exp"], 0)
	require.NotEmpty(t, payload["jti"])

	var payload2 map[string]any
	raw, err = base64.RawURLEncoding.DecodeString(strings.Split(token2, ".")[1])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &payload2))
	require.NotEqual(t, payload["jti"], payload2["jti"], "jti must be unique per token")
}

func TestIssueErrors(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	tests := []struct {
		name   string
		ttl    time.Duration
		claims Claims
	}{
		{name: "missing user", ttl: DefaultAccessTokenTTL, claims: Claims{OrgID: "org_1"}},
		{name: "missing org", ttl: DefaultAccessTokenTTL, claims: Claims{UserID: "usr_1"}},
		{name: "zero ttl", ttl: 0, claims: testClaims},
		{name: "negative ttl", ttl: -time.Minute, claims: testClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ks, err := NewKeySet(keys.signing)
			require.NoError(t, err)
			token, _, err := NewIssuer(ks, testIssuer, testAudience, tc.ttl).Issue(tc.claims)
			require.Error(t, err)
			require.Empty(t, token)
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	signingKID := expectedKID(t, &keys.signing.PublicKey)
	pubPEM := pkixPubPEM(t, &keys.signing.PublicKey)

	// issueWith issues a token with a differently configured issuer sharing the signing key.
	issueWith := func(t *testing.T, now time.Time, issuer, audience string) string {
		t.Helper()
		ks, err := NewKeySet(keys.signing)
		require.NoError(t, err)
		i := NewIssuer(ks, issuer, audience, DefaultAccessTokenTTL)
		i.Now = fixedClock(now)
		token, _, err := i.Issue(testClaims)
		require.NoError(t, err)
		return token
	}

	tests := []struct {
		name  string
		token func(t *testing.T) string
		cause error // additional error the failure must match; nil: only ErrInvalidToken
	}{
		{
			name: "expired",
			token: func(t *testing.T) string {
				return issueWith(t, testNow.Add(-DefaultAccessTokenTTL-time.Minute), testIssuer, testAudience)
			},
			cause: jwt.ErrTokenExpired,
		},
		{
			name: "expired just beyond leeway",
			token: func(t *testing.T) string {
				return issueWith(t, testNow.Add(-DefaultAccessTokenTTL-6*time.Second), testIssuer, testAudience)
			},
			cause: jwt.ErrTokenExpired,
		},
		{
			name:  "not yet valid",
			token: func(t *testing.T) string { return issueWith(t, testNow.Add(time.Minute), testIssuer, testAudience) },
			cause: jwt.ErrTokenNotValidYet,
		},
		{
			name: "nbf in future with past iat",
			token: func(t *testing.T) string {
				c := validWireClaims()
				c.NotBefore = jwt.NewNumericDate(testNow.Add(time.Minute))
				return signRaw(t, jwt.SigningMethodRS256, keys.signing, signingKID, c)
			},
			cause: jwt.ErrTokenNotValidYet,
		},
		{
			name: "iat in future",
			token: func(t *testing.T) string {
				c := validWireClaims()
				c.IssuedAt = jwt.NewNumericDate(testNow.Add(time.Minute))
				return signRaw(t, jwt.SigningMethodRS256, keys.signing, signingKID, c)
			},
			cause: jwt.ErrTokenUsedBeforeIssued,
		},
		{
			name:  "wrong audience",
			token: func(t *testing.T) string { return issueWith(t, testNow, testIssuer, "some-other-api") },
			cause: jwt.ErrTokenInvalidAudience,
		},
		{
			name:  "wrong issuer",
			token: func(t *testing.T) string { return issueWith(t, testNow, "https://evil.test", testAudience) },
			cause: jwt.ErrTokenInvalidIssuer,
		},
		{
			name: "missing exp",
			token: func(t *testing.T) string {
				c := validWireClaims()
				c.ExpiresAt = nil
				return signRaw(t, jwt.SigningMethodRS256, keys.signing, signingKID, c)
			},
			cause: jwt.ErrTokenRequiredClaimMissing,
		},
		{
			name: "missing sub",
			token: func(t *testing.T) string {
				c := validWireClaims()
				c.Subject = ""
				return signRaw(t, jwt.SigningMethodRS256, keys.signing, signingKID, c)
			},
		},
		{
			name: "missing org",
			token: func(t *testing.T) string {
				c := validWireClaims()
				c.Org = ""
				return signRaw(t, jwt.SigningMethodRS256, keys.signing, signingKID, c)
			},
		},
		{
			name: "unknown kid",
			token: func(t *testing.T) string {
				return signRaw(t, jwt.SigningMethodRS256, keys.signing, "AAAAAAAAAAAAAAAA", validWireClaims())
			},
			cause: errUnknownKID,
		},
		{
			name: "missing kid",
			token: func(t *testing.T) string {
				return signRaw(t, jwt.SigningMethodRS256, keys.signing, "", validWireClaims())
			},
			cause: errMissingKID,
		},
		{
			name: "alg none",
			token: func(t *testing.T) string {
				return b64JSON(t, map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64JSON(t, validWireClaims()) + "."
			},
			cause: jwt.ErrTokenSignatureInvalid,
		},
		{
			name: "alg none with valid kid",
			token: func(t *testing.T) string {
				return b64JSON(t, map[string]string{"alg": "none", "typ": "JWT", "kid": signingKID}) + "." + b64JSON(t, validWireClaims()) + "."
			},
			cause: jwt.ErrTokenSignatureInvalid,
		},
		{
			name: "HS256 with public key PEM as secret",
			token: func(t *testing.T) string {
				token := signRaw(t, jwt.SigningMethodHS256, pubPEM, signingKID, validWireClaims())
				// Sanity: the forgery is a correct HMAC over the public key, i.e. it
				// would pass a verifier that trusted the header's alg.
				_, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return pubPEM, nil },
					jwt.WithTimeFunc(fixedClock(testNow)))
				require.NoError(t, err)
				return token
			},
			cause: jwt.ErrTokenSignatureInvalid,
		},
		{
			name: "RS512 with correct key",
			token: func(t *testing.T) string {
				return signRaw(t, jwt.SigningMethodRS512, keys.signing, signingKID, validWireClaims())
			},
			cause: jwt.ErrTokenSignatureInvalid,
		},
		{
			name: "different RSA key with same kid",
			token: func(t *testing.T) string {
				return signRaw(t, jwt.SigningMethodRS256, keys.attacker, signingKID, validWireClaims())
			},
			cause: rsa.ErrVerification,
		},
		{
			name: "tampered payload",
			token: func(t *testing.T) string {
				parts := strings.Split(signRaw(t, jwt.SigningMethodRS256, keys.signing, signingKID, validWireClaims()), ".")
				c := validWireClaims()
				c.Org = "org_victim"
				parts[1] = b64JSON(t, c)
				return strings.Join(parts, ".")
			},
			cause: rsa.ErrVerification,
		},
		{
			name: "signature stripped",
			token: func(t *testing.T) string {
				parts := strings.Split(signRaw(t, jwt.SigningMethodRS256, keys.signing, signingKID, validWireClaims()), ".")
				return parts[0] + "." + parts[1] + "."
			},
			cause: jwt.ErrTokenSignatureInvalid,
		},
		{name: "empty", token: func(*testing.T) string { return "" }, cause: jwt.ErrTokenMalformed},
		{name: "garbage", token: func(*testing.T) string { return "not.a.jwt" }, cause: jwt.ErrTokenMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			iss := newTestIssuer(t, testNow, keys.signing)
			got, err := iss.Verify(tc.token(t))
			require.ErrorIs(t, err, ErrInvalidToken)
			if tc.cause != nil {
				require.ErrorIs(t, err, tc.cause)
			}
			require.Equal(t, Claims{}, got)
		})
	}

	// Control: the untampered hand-built token is accepted, so the rejections
	// above are due to the specific defect each case introduces.
	iss := newTestIssuer(t, testNow, keys.signing)
	got, err := iss.Verify(signRaw(t, jwt.SigningMethodRS256, keys.signing, signingKID, validWireClaims()))
	require.NoError(t, err)
	require.Equal(t, testClaims.OrgID, got.OrgID)
}

func TestVerifyAfterRotation(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	oldIssuer := newTestIssuer(t, testNow, keys.old)
	oldToken, _, err := oldIssuer.Issue(testClaims)
	require.NoError(t, err)

	tests := []struct {
		name    string
		verify  []*rsa.PublicKey
		wantErr error
	}{
		{name: "old key kept for verification", verify: []*rsa.PublicKey{&keys.old.PublicKey}},
		{name: "old key retired", verify: nil, wantErr: errUnknownKID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			newIssuer := newTestIssuer(t, testNow.Add(time.Minute), keys.signing, tc.verify...)
			require.NotEqual(t, oldIssuer.keys.SigningKID(), newIssuer.keys.SigningKID())

			got, err := newIssuer.Verify(oldToken)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, ErrInvalidToken)
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, testClaims.UserID, got.UserID)

			// New tokens are signed with the new key and still verify.
			newToken, _, err := newIssuer.Issue(testClaims)
			require.NoError(t, err)
			_, err = newIssuer.Verify(newToken)
			require.NoError(t, err)
			// The old-only issuer cannot verify tokens from the new key.
			_, err = oldIssuer.Verify(newToken)
			require.ErrorIs(t, err, errUnknownKID)
		})
	}
}

func TestRotationViaLoadKeySet(t *testing.T) {
	t.Parallel()
	keys := getTestKeys()
	dir := t.TempDir()
	oldToken, _, err := newTestIssuer(t, testNow, keys.old).Issue(testClaims)
	require.NoError(t, err)

	ks, err := LoadKeySet(writeFile(t, dir, "signing.pem", pkcs1PrivPEM(keys.signing)),
		[]string{writeFile(t, dir, "old.pub.pem", pkixPubPEM(t, &keys.old.PublicKey))})
	require.NoError(t, err)
	iss := NewIssuer(ks, testIssuer, testAudience, DefaultAccessTokenTTL)
	iss.Now = fixedClock(testNow)
	got, err := iss.Verify(oldToken)
	require.NoError(t, err)
	require.Equal(t, testClaims.OrgID, got.OrgID)
}
