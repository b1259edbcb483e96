package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// MaxPasswordLength is the largest password, in bytes, that HashPassword accepts.
// It bounds the work an attacker can make the server do per login attempt.
const MaxPasswordLength = 1024

// ErrPasswordTooLong is returned by HashPassword when the password exceeds
// MaxPasswordLength bytes.
var ErrPasswordTooLong = errors.New("auth: password too long")

// errMalformedHash is wrapped by every VerifyPassword error about an
// unparseable or unsupported encoded hash.
var errMalformedHash = errors.New("auth: malformed password hash")

// argonParams are the tunable argon2id parameters stored in each PHC string.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	saltLen int
	keyLen  int
}

// defaultParams follow the OWASP minimum recommendation for argon2id
// (m=19 MiB, t=2, p=1).
var defaultParams = argonParams{
	memory:  19 * 1024,
	time:    2,
	threads: 1,
	saltLen: 16,
	keyLen:  32,
}

// Bounds applied to parameters read from stored hashes so that a corrupted or
// hostile hash cannot make verification exhaust memory or CPU.
const (
	maxArgonMemory = 4 * 1024 * 1024 // KiB (4 GiB)
	maxArgonTime   = 64
	minSaltLen     = 8
	minKeyLen      = 16
	maxKeyLen      = 128
)

// HashPassword hashes password with argon2id and a fresh random salt, returning
// a PHC-formatted string suitable for storage.
func HashPassword(password string) (string, error) {
	if len(password) > MaxPasswordLength {
		return "", ErrPasswordTooLong
	}
	return hashWithParams(password, defaultParams)
}

func hashWithParams(password string, p argonParams) (string, error) {
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: generate salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(p.keyLen))
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC-encoded argon2id
// hash, using the parameters stored in the hash and a constant-time compare.
// A malformed or unsupported hash yields an error.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	if len(password) > MaxPasswordLength {
		// HashPassword never accepts such passwords, so it cannot match.
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// decodeHash parses "$argon2id$v=19$m=..,t=..,p=..$salt$hash".
func decodeHash(encoded string) (argonParams, []byte, []byte, error) {
	var p argonParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, fmt.Errorf("%w: wrong number of fields", errMalformedHash)
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: unsupported algorithm %q", errMalformedHash, parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", errMalformedHash, parts[2])
	}

	var haveM, haveT, haveP bool
	for kv := range strings.SplitSeq(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, fmt.Errorf("%w: bad parameter %q", errMalformedHash, kv)
		}
		switch k {
		case "m":
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil || haveM {
				return p, nil, nil, fmt.Errorf("%w: bad memory parameter %q", errMalformedHash, v)
			}
			p.memory, haveM = uint32(n), true
		case "t":
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil || haveT {
				return p, nil, nil, fmt.Errorf("%w: bad time parameter %q", errMalformedHash, v)
			}
			p.time, haveT = uint32(n), true
		case "p":
			n, err := strconv.ParseUint(v, 10, 8)
			if err != nil || haveP {
				return p, nil, nil, fmt.Errorf("%w: bad parallelism parameter %q", errMalformedHash, v)
			}
			p.threads, haveP = uint8(n), true
		default:
			return p, nil, nil, fmt.Errorf("%w: unknown parameter %q", errMalformedHash, k)
		}
	}
	if !haveM || !haveT || !haveP {
		return p, nil, nil, fmt.Errorf("%w: missing parameter", errMalformedHash)
	}
	if p.time < 1 || p.time > maxArgonTime || p.threads < 1 ||
		p.memory < 8*uint32(p.threads) || p.memory > maxArgonMemory {
		return p, nil, nil, fmt.Errorf("%w: parameters out of range", errMalformedHash)
	}

	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt: %w", errMalformedHash, err)
	}
	if len(salt) < minSaltLen {
		return p, nil, nil, fmt.Errorf("%w: salt too short", errMalformedHash)
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: hash: %w", errMalformedHash, err)
	}
	if len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("%w: hash length %d out of range", errMalformedHash, len(key))
	}
	p.saltLen, p.keyLen = len(salt), len(key)
	return p, salt, key, nil
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// DummyVerify performs one password verification against a fixed hash and
// discards the result. Call it when a login names an unknown user so the
// response time does not reveal whether the account exists.
func DummyVerify(password string) {
	dummyOnce.Do(func() {
		h, err := HashPassword("reptidex-dummy-password")
		if err != nil {
			// Unreachable: crypto/rand.Read never returns an error since Go 1.24.
			panic(fmt.Errorf("auth: compute dummy hash: %w", err))
		}
		dummyHash = h
	})
	_, _ = VerifyPassword(dummyHash, password)
}
