package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// refreshTokenPrefix marks opaque refresh tokens so they are recognisable in
// logs and by secret scanners.
const refreshTokenPrefix = "rt_"

// NewRefreshToken returns a new opaque refresh token (32 random bytes,
// "rt_"-prefixed, base64url) and the SHA-256 hash of it to store server-side.
func NewRefreshToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("auth: generate refresh token: %w", err)
	}
	token = refreshTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashRefreshToken(token), nil
}

// HashRefreshToken returns the SHA-256 hash of a refresh token as presented by
// a client, for looking up the stored hash.
func HashRefreshToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
