package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultAccessTokenTTL is the recommended lifetime of access tokens, to be
// passed to NewIssuer.
const DefaultAccessTokenTTL = 15 * time.Minute

// verifyLeeway is the clock skew tolerated when checking exp, nbf and iat.
const verifyLeeway = 5 * time.Second

// ErrInvalidToken is wrapped by every error returned from Issuer.Verify; test
// for it with errors.Is and treat any match as "unauthenticated".
var ErrInvalidToken = errors.New("auth: invalid token")

var (
	errMissingKID = errors.New("missing kid header")
	errUnknownKID = errors.New("unknown kid")
)

// Claims is the application view of an access token. UserID and OrgID are
// opaque public IDs; SessionID identifies the refresh-token family that issued
// the token. ExpiresAt and IssuedAt are set by Verify and ignored by Issue.
type Claims struct {
	UserID    string
	OrgID     string
	SessionID string
	ExpiresAt time.Time
	IssuedAt  time.Time
}

// jwtClaims is the wire format of an access token's payload.
type jwtClaims struct {
	jwt.RegisteredClaims
	Org string `json:"org"`
	SID string `json:"sid,omitempty"`
}

// Issuer signs and verifies RS256 access tokens for one issuer/audience pair.
// It is safe for concurrent use once configured.
type Issuer struct {
	keys     *KeySet
	issuer   string
	audience string
	ttl      time.Duration

	// Now is the clock used for issuing and verifying; tests may replace it
	// before the Issuer is used. It defaults to time.Now.
	Now func() time.Time
}

// NewIssuer returns an Issuer that signs with keys' signing key and stamps
// tokens with the given issuer, audience and lifetime (typically
// DefaultAccessTokenTTL).
func NewIssuer(keys *KeySet, issuer, audience string, ttl time.Duration) *Issuer {
	return &Issuer{keys: keys, issuer: issuer, audience: audience, ttl: ttl, Now: time.Now}
}

func (i *Issuer) now() time.Time {
	if i.Now != nil {
		return i.Now()
	}
	return time.Now()
}

// Issue signs an access token for c.UserID in c.OrgID (and session
// c.SessionID) and returns it with its expiry time.
func (i *Issuer) Issue(c Claims) (token string, expires time.Time, err error) {
	if i.keys == nil {
		return "", time.Time{}, errors.New("auth: issuer has no keys")
	}
	if i.ttl <= 0 {
		return "", time.Time{}, fmt.Errorf("auth: invalid token TTL %v", i.ttl)
	}
	if c.UserID == "" || c.OrgID == "" {
		return "", time.Time{}, errors.New("auth: token needs a user ID and an org ID")
	}
	jti, err := randomID()
	if err != nil {
		return "", time.Time{}, err
	}
	// JWT NumericDates have one-second resolution; truncate so the returned
	// expiry equals the one in the token.
	now := i.now().Truncate(time.Second)
	expires = now.Add(i.ttl).Truncate(time.Second)
	claims := jwtClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.issuer,
			Subject:   c.UserID,
			Audience:  jwt.ClaimStrings{i.audience},
			ExpiresAt: jwt.NewNumericDate(expires),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
		Org: c.OrgID,
		SID: c.SessionID,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = i.keys.SigningKID()
	token, err = t.SignedString(i.keys.signing)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return token, expires, nil
}

// Verify checks an access token's RS256 signature (key chosen by its kid),
// issuer, audience, expiry, not-before and issued-at times, and returns its
// claims. Every failure wraps ErrInvalidToken.
func (i *Issuer) Verify(token string) (Claims, error) {
	if i.keys == nil {
		return Claims{}, fmt.Errorf("%w: issuer has no keys", ErrInvalidToken)
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(i.issuer),
		jwt.WithAudience(i.audience),
		jwt.WithExpirationRequired(),
		jwt.WithNotBeforeRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(verifyLeeway),
		jwt.WithTimeFunc(i.now),
		jwt.WithStrictDecoding(),
	)
	var claims jwtClaims
	if _, err := parser.ParseWithClaims(token, &claims, i.keyFunc); err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if claims.Subject == "" || claims.Org == "" {
		return Claims{}, fmt.Errorf("%w: missing sub or org claim", ErrInvalidToken)
	}
	// Presence of exp and iat is guaranteed by the parser options above.
	out := Claims{
		UserID:    claims.Subject,
		OrgID:     claims.Org,
		SessionID: claims.SID,
		ExpiresAt: claims.ExpiresAt.Time,
	}
	if claims.IssuedAt != nil {
		out.IssuedAt = claims.IssuedAt.Time
	}
	return out, nil
}

// keyFunc selects the verification key named by the token's kid header.
func (i *Issuer) keyFunc(t *jwt.Token) (any, error) {
	// The parser already pins RS256; re-check so the key type can never be
	// confused with an HMAC secret even if options change.
	if t.Method != jwt.SigningMethodRS256 {
		return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
	}
	kid, ok := t.Header["kid"].(string)
	if !ok || kid == "" {
		return nil, errMissingKID
	}
	pub, ok := i.keys.publicKey(kid)
	if !ok {
		return nil, errUnknownKID
	}
	return pub, nil
}

// randomID returns 128 random bits, base64url-encoded, for use as a jti.
func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: generate token ID: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
