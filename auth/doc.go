// Package auth provides ReptiDex's authentication primitives: argon2id
// password hashing, RS256 JWT access tokens signed with identified (kid) RSA
// keys that can be rotated, and opaque refresh tokens stored as hashes.
//
// The package is a pure library: it performs no HTTP or database access.
package auth
