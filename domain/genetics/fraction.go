package genetics

import (
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Fraction is an exact probability. Crosses of many genes multiply small denominators
// (powers of 2 and 3), which int64 holds comfortably; arithmetic that would overflow is
// reported rather than rounded.
type Fraction struct {
	Num, Den int64
}

// Frac returns the reduced fraction n/d.
func Frac(n, d int64) Fraction {
	if d == 0 {
		return zero
	}
	if d < 0 {
		n, d = -n, -d
	}
	g := gcd(abs(n), d)
	if g == 0 {
		return Fraction{0, 1}
	}
	return Fraction{n / g, d / g}
}

var (
	zero = Fraction{0, 1}
	one  = Fraction{1, 1}
)

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func abs(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

// Mul multiplies.
func (f Fraction) Mul(o Fraction) Fraction {
	g1, g2 := gcd(abs(f.Num), o.Den), gcd(abs(o.Num), f.Den)
	if g1 == 0 {
		g1 = 1
	}
	if g2 == 0 {
		g2 = 1
	}
	return Frac(mulChecked(f.Num/g1, o.Num/g2), mulChecked(f.Den/g2, o.Den/g1))
}

// Add adds.
func (f Fraction) Add(o Fraction) Fraction {
	g := gcd(f.Den, o.Den)
	d := mulChecked(f.Den/g, o.Den)
	return Frac(mulChecked(f.Num, o.Den/g)+mulChecked(o.Num, f.Den/g), d)
}

// Div divides; o must not be zero.
func (f Fraction) Div(o Fraction) Fraction { return f.Mul(Fraction{o.Den, o.Num}).norm() }

func (f Fraction) norm() Fraction { return Frac(f.Num, f.Den) }

// Sub subtracts.
func (f Fraction) Sub(o Fraction) Fraction { return f.Add(Fraction{-o.Num, o.Den}) }

// IsZero reports whether f is 0.
func (f Fraction) IsZero() bool { return f.Num == 0 }

// Cmp compares f with o: -1, 0 or 1.
func (f Fraction) Cmp(o Fraction) int {
	if f.Num >= 0 && o.Num >= 0 { // probabilities: compare f.Num·o.Den with o.Num·f.Den in 128 bits
		h1, l1 := bits.Mul64(uint64(f.Num), uint64(o.Den))
		h2, l2 := bits.Mul64(uint64(o.Num), uint64(f.Den))
		switch {
		case h1 != h2:
			return cmpU(h1, h2)
		default:
			return cmpU(l1, l2)
		}
	}
	return new(big.Rat).SetFrac64(f.Num, f.Den).Cmp(new(big.Rat).SetFrac64(o.Num, o.Den))
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Float is f as a float64.
func (f Fraction) Float() float64 { return float64(f.Num) / float64(f.Den) }

// String is "n/d", or "n" for whole numbers.
func (f Fraction) String() string {
	if f.Den == 1 {
		return strconv.FormatInt(f.Num, 10)
	}
	return fmt.Sprintf("%d/%d", f.Num, f.Den)
}

// Percent is f as a percentage truncated to a whole number, the way breeders label possible
// hets ("66% poss het"), e.g. 2/3 is 66.
func (f Fraction) Percent() int64 { return f.Num * 100 / f.Den }

// overflowError is raised by arithmetic that would not fit in int64; Predict recovers it.
type overflowError struct{}

func mulChecked(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	c := a * b
	if c/b != a {
		panic(overflowError{})
	}
	return c
}

// MarshalText writes f as "n/d" (or "n").
func (f Fraction) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads "n/d" or "n".
func (f *Fraction) UnmarshalText(b []byte) error {
	num, den, found := strings.Cut(string(b), "/")
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil {
		return fmt.Errorf("fraction %q: %w", b, err)
	}
	d := int64(1)
	if found {
		if d, err = strconv.ParseInt(strings.TrimSpace(den), 10, 64); err != nil || d <= 0 {
			return fmt.Errorf("fraction %q: the denominator must be a positive whole number", b)
		}
	}
	*f = Frac(n, d)
	return nil
}
