package payments

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
)

// maxKeyLength is the longest idempotency key Stripe accepts.
const maxKeyLength = 255

// Key is the idempotency key of one Stripe call. Only IdempotencyKey makes one, and every
// call of Client takes one, so no request reaches Stripe without a key that a retry of the
// same step repeats. The zero Key is no key: every call refuses it.
type Key struct{ s string }

// IdempotencyKey derives the key of a step from the business object and the step, e.g.
// IdempotencyKey("seller-account", orgPublicID, "create") or IdempotencyKey("order",
// orderID, "authorize"): the same parts always give the same key, and different parts
// different keys (each part is escaped, so a "/" inside one cannot pass for two). With no
// parts, or an empty one, it is the zero Key. A key longer than Stripe accepts (255) becomes
// the SHA-256 of its text.
func IdempotencyKey(parts ...string) Key {
	if len(parts) == 0 {
		return Key{}
	}
	escaped := make([]string, len(parts))
	for i, p := range parts {
		if p == "" {
			return Key{}
		}
		escaped[i] = url.PathEscape(p)
	}
	s := strings.Join(escaped, "/")
	if len(s) > maxKeyLength {
		sum := sha256.Sum256([]byte(s))
		s = "sha256/" + hex.EncodeToString(sum[:])
	}
	return Key{s}
}

// String is the key as sent in the Idempotency-Key header; "" for the zero Key.
func (k Key) String() string { return k.s }

// IsZero reports whether k is no key.
func (k Key) IsZero() bool { return k.s == "" }
