package sms

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrInvalidPhone is wrapped by every error of NormalizePhone.
var ErrInvalidPhone = errors.New("invalid phone number")

// E.164 bounds: a country code and subscriber number of at most 15 digits; 8 is the
// shortest number in use.
const (
	minDigits = 8
	maxDigits = 15
)

// NormalizePhone turns a phone number as people type it ("+44 7700 900123",
// "+1 (555) 010-0199", "+44 (0)7700 900123") into E.164 ("+447700900123"). The number must
// start with + and its country code: without one there is no country to guess honestly.
// The error wraps ErrInvalidPhone and says what is wrong, without repeating the number.
func NormalizePhone(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) { // including the non-breaking spaces of pasted numbers
			return -1
		}
		return r
	}, s)
	if s == "" {
		return "", fmt.Errorf("%w: it is empty", ErrInvalidPhone)
	}
	rest, ok := strings.CutPrefix(s, "+")
	if !ok {
		return "", fmt.Errorf("%w: it must start with + and the country code, e.g. +44 7700 900123", ErrInvalidPhone)
	}
	// "(0)" is the national trunk prefix some countries write after the country code; it is
	// not dialled from abroad.
	rest = strings.Replace(rest, "(0)", "", 1)

	var b strings.Builder
	b.Grow(1 + len(rest))
	b.WriteByte('+')
	digits := 0
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		case r == '+':
			return "", fmt.Errorf("%w: + may only come first", ErrInvalidPhone)
		default:
			return "", fmt.Errorf("%w: it contains %q; only digits, spaces and - . ( ) / are allowed", ErrInvalidPhone, r)
		}
	}
	if digits < minDigits || digits > maxDigits {
		return "", fmt.Errorf("%w: it has %d digits; an international number has %d to %d", ErrInvalidPhone, digits, minDigits, maxDigits)
	}
	out := b.String()
	if out[1] == '0' {
		return "", fmt.Errorf("%w: no country code starts with 0", ErrInvalidPhone)
	}
	return out, nil
}
