package store

import (
	"crypto/rand"

	"github.com/mr-tron/base58"
)

// NewPublicID returns a random Base58 identifier for exposing a row to users: 128 bits, so
// IDs can be neither guessed nor enumerated.
func NewPublicID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	return base58.Encode(b[:])
}
