package api

import (
	"sync"
	"time"

	"github.com/reptidex/reptidex/auth"
)

// verifiedTokens remembers access tokens whose signature and claims were already checked, so
// a client's repeated requests skip the RSA verification (about a tenth of an authenticated
// request's CPU). An entry lives until its token expires; a token is only ever the same
// claims, so remembering it changes no answer. Session revocation is checked per request in
// the database regardless. The cache is bounded: when full it starts over.
type verifiedTokens struct {
	mu      sync.Mutex
	max     int
	entries map[string]auth.Claims
}

func newVerifiedTokens(max int) *verifiedTokens {
	return &verifiedTokens{max: max, entries: make(map[string]auth.Claims, max)}
}

// verify returns the claims of token, verifying it with issuer unless it was verified before
// and has not expired since.
func (v *verifiedTokens) verify(issuer *auth.Issuer, token string) (auth.Claims, error) {
	now := time.Now()
	v.mu.Lock()
	c, ok := v.entries[token]
	v.mu.Unlock()
	if ok && now.Before(c.ExpiresAt) {
		return c, nil
	}
	c, err := issuer.Verify(token)
	if err != nil {
		return auth.Claims{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.entries) >= v.max {
		clear(v.entries)
	}
	v.entries[token] = c
	return c, nil
}
