package certs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Canonical returns the canonical JSON form (RFC 8785, the JSON Canonicalization Scheme) of
// v, which is first encoded with encoding/json: object members sorted by the UTF-16 code
// units of their names, numbers as ECMAScript prints them, strings with only the mandatory
// escapes, and no whitespace. Equal data always gives the same bytes, which is what makes a
// signature over them checkable by anyone who has the data.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("canonical json: encode: %w", err)
	}
	return CanonicalJSON(raw)
}

// CanonicalJSON returns the canonical form (RFC 8785) of the JSON text raw. It refuses what
// RFC 8785 cannot represent or what would let two readers see different data: invalid
// UTF-8, duplicate member names, numbers beyond the range of a double, and anything after
// the value, and integers a double cannot hold exactly (beyond 2^53), which belong in strings.
// Numbers are read as IEEE 754 doubles, as RFC 8785 requires.
func CanonicalJSON(raw []byte) ([]byte, error) {
	if !utf8.Valid(raw) {
		return nil, errors.New("canonical json: not valid UTF-8")
	}
	if err := checkSurrogates(raw); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out bytes.Buffer
	if err := writeValue(&out, dec); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("canonical json: data after the value")
	}
	return out.Bytes(), nil
}

// checkSurrogates refuses \u escapes of unpaired UTF-16 surrogates, which RFC 8785 forbids
// and encoding/json would silently read as U+FFFD: two different texts would then have the
// same canonical form. Escapes are only found inside strings; a backslash outside one is a
// syntax error the decoder reports.
func checkSurrogates(raw []byte) error {
	var pendingHigh bool // the previous escape was a high surrogate
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			if pendingHigh {
				return errors.New("unpaired UTF-16 surrogate escape")
			}
			continue
		}
		if raw[i+1] != 'u' || i+6 > len(raw) {
			if pendingHigh {
				return errors.New("unpaired UTF-16 surrogate escape")
			}
			i++ // skip the escaped character, which may be a backslash
			continue
		}
		u, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
		if err != nil {
			return errors.New("malformed \\u escape")
		}
		switch {
		case u >= 0xd800 && u < 0xdc00:
			if pendingHigh {
				return errors.New("unpaired UTF-16 surrogate escape")
			}
			pendingHigh = true
		case u >= 0xdc00 && u < 0xe000:
			if !pendingHigh {
				return errors.New("unpaired UTF-16 surrogate escape")
			}
			pendingHigh = false
		default:
			if pendingHigh {
				return errors.New("unpaired UTF-16 surrogate escape")
			}
		}
		i += 5
	}
	if pendingHigh {
		return errors.New("unpaired UTF-16 surrogate escape")
	}
	return nil
}

// writeValue reads one JSON value from dec and writes its canonical form.
func writeValue(out *bytes.Buffer, dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return writeArray(out, dec)
		}
		return writeObject(out, dec)
	case string:
		writeString(out, t)
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return fmt.Errorf("number %s: %w", t, err)
		}
		if !exactInteger(string(t), f) {
			return fmt.Errorf("number %s is an integer a double cannot hold exactly: send it as a string", t)
		}
		s, err := FormatNumber(f)
		if err != nil {
			return err
		}
		out.WriteString(s)
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case nil:
		out.WriteString("null")
	default:
		return fmt.Errorf("unexpected token %v", tok)
	}
	return nil
}

// exactInteger reports whether lit, when written as an integer (no fraction, no exponent),
// is exactly f or is how RFC 8785 prints f. A double holds every integer up to 2^53 and only
// some beyond: 9007199254740993 would be read as 9007199254740992, and an ID written that way
// signed as another number than the one given; 4611686018427388000, the canonical form of
// 2^62, is read back as itself.
func exactInteger(lit string, f float64) bool {
	if strings.ContainsAny(lit, ".eE") {
		return true
	}
	if s, err := FormatNumber(f); err == nil && (s == lit || f == 0) {
		return true
	}
	n, ok := new(big.Int).SetString(lit, 10)
	if !ok {
		return false
	}
	exact, acc := big.NewFloat(f).Int(nil)
	return acc == big.Exact && exact.Cmp(n) == 0
}

func writeArray(out *bytes.Buffer, dec *json.Decoder) error {
	out.WriteByte('[')
	for i := 0; dec.More(); i++ {
		if i > 0 {
			out.WriteByte(',')
		}
		if err := writeValue(out, dec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return fmt.Errorf("read: %w", err)
	}
	out.WriteByte(']')
	return nil
}

// member is one object member: its name, the name as UTF-16 code units (the sort key), and
// its value already in canonical form.
type member struct {
	name  string
	units []uint16
	value []byte
}

func writeObject(out *bytes.Buffer, dec *json.Decoder) error {
	var members []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		name, ok := tok.(string)
		if !ok {
			return fmt.Errorf("member name %v is not a string", tok)
		}
		if seen[name] {
			return fmt.Errorf("duplicate member name %q", name)
		}
		seen[name] = true
		var v bytes.Buffer
		if err := writeValue(&v, dec); err != nil {
			return err
		}
		members = append(members, member{name: name, units: utf16.Encode([]rune(name)), value: v.Bytes()})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fmt.Errorf("read: %w", err)
	}
	slices.SortFunc(members, func(a, b member) int { return slices.Compare(a.units, b.units) })
	out.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			out.WriteByte(',')
		}
		writeString(out, m.name)
		out.WriteByte(':')
		out.Write(m.value)
	}
	out.WriteByte('}')
	return nil
}

// writeString writes s as RFC 8785 requires: quote and backslash escaped, the control
// characters with a short escape where JSON has one and \u00xx (lowercase hex) otherwise,
// and every other character, ASCII or not, as it is.
func writeString(out *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	out.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\b':
			out.WriteString(`\b`)
		case '\f':
			out.WriteString(`\f`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\r`)
		case '\t':
			out.WriteString(`\t`)
		default:
			if r < 0x20 {
				out.WriteString(`\u00`)
				out.WriteByte(hex[r>>4])
				out.WriteByte(hex[r&0xf])
			} else {
				out.WriteRune(r)
			}
		}
	}
	out.WriteByte('"')
}

// FormatNumber prints f as ECMAScript's Number.prototype.toString does (ECMA-262, 7.1.12.1),
// which RFC 8785 adopts: the shortest digits that read back as f, in plain notation for
// decimal exponents from -6 to 20 and in exponent notation (1e+21, 1.5e-7) beyond, with -0
// printed as 0. NaN and the infinities have no JSON form and are refused.
func FormatNumber(f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("number %v has no JSON form", f)
	}
	if f == 0 {
		return "0", nil // and -0
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	// The shortest round-tripping digits, as d.ddde±x: digits = ddd..., n = x+1, so that
	// f = 0.digits × 10^n.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, err := strconv.Atoi(exp)
	if err != nil {
		return "", fmt.Errorf("number %v: exponent %q: %w", f, exp, err)
	}
	k, n := len(digits), x+1
	var s string
	switch {
	case k <= n && n <= 21:
		s = digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		s = digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		s = "0." + strings.Repeat("0", -n) + digits
	default:
		esign := "+"
		if n-1 < 0 {
			esign = "-"
		}
		frac := ""
		if k > 1 {
			frac = "." + digits[1:]
		}
		s = digits[:1] + frac + "e" + esign + strconv.Itoa(abs(n-1))
	}
	return sign + s, nil
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
