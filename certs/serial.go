package certs

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// crockford is Crockford's base32 alphabet: digits and letters without I, L, O and U, so
// that no two symbols are easily confused when read aloud or from paper.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// serialDigits is how many random symbols a serial has: 12 × 5 = 60 bits from crypto/rand,
// too many to guess a valid serial among the few issued.
const serialDigits = 12

// ErrSerialCheck is returned by ParseSerial when a serial's check symbol does not match its
// other symbols: the serial was mistyped.
var ErrSerialCheck = errors.New("wrong check symbol")

// Serial is a certificate's serial number in its printed form: twelve random Crockford
// base32 symbols in groups of four and a check symbol, such as 7KQ2-M9XD-4HTP-R. It is
// short enough to type, unambiguous, and not guessable.
type Serial string

// NewSerial draws a new random serial.
func NewSerial() (Serial, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("certs: draw serial: %w", err)
	}
	n := binary.BigEndian.Uint64(b[:])
	digits := make([]byte, serialDigits)
	for i := range digits {
		digits[i] = crockford[n&31]
		n >>= 5
	}
	return formatSerial(digits), nil
}

// ParseSerial reads a serial as a person may type it: in either case, with or without
// hyphens or spaces, with O for 0 and I or L for 1. It refuses anything that is not twelve
// symbols and the right check symbol, which catches any one mistyped symbol and most
// swapped neighbours.
func ParseSerial(s string) (Serial, error) {
	var digits []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case r > 0x7f || !strings.ContainsRune(crockford, r):
			return "", fmt.Errorf("certs: serial %q: %q is not a serial symbol", s, r)
		}
		digits = append(digits, byte(r))
	}
	if len(digits) != serialDigits+1 {
		return "", fmt.Errorf("certs: serial %q: %d symbols, not %d", s, len(digits), serialDigits+1)
	}
	if checkSymbol(digits[:serialDigits]) != digits[serialDigits] {
		return "", fmt.Errorf("certs: serial %q: %w", s, ErrSerialCheck)
	}
	return formatSerial(digits[:serialDigits]), nil
}

// String is the printed form.
func (s Serial) String() string { return string(s) }

// formatSerial groups digits in fours and appends the check symbol.
func formatSerial(digits []byte) Serial {
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(d)
	}
	b.WriteByte('-')
	b.WriteByte(checkSymbol(digits))
	return Serial(b.String())
}

// checkSymbol is the Luhn mod 32 check symbol of digits (Crockford symbols): it detects
// every single substituted symbol and every swap of adjacent symbols but one (0 and Z).
func checkSymbol(digits []byte) byte {
	const n = len(crockford)
	factor, sum := 2, 0
	for i := len(digits) - 1; i >= 0; i-- {
		addend := factor * strings.IndexByte(crockford, digits[i])
		factor = 3 - factor
		sum += addend/n + addend%n
	}
	return crockford[(n-sum%n)%n]
}
