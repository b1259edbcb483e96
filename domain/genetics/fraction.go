package genetics

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Fraction is an exact probability. Crosses of many genes multiply small denominators,
// which int64 holds in the usual case; arithmetic that would overflow it carries on in
// math/big instead, so a fraction stays exact however many genes a pairing involves.
type Fraction struct {
	// Num and Den are the reduced fraction when it fits int64; the zero value (Den 0) is
	// 0, read by addOrSet as "not set yet".
	Num, Den int64
	// big holds the value instead, Num and Den then 0, when it does not fit int64.
	big *big.Rat
}

// Frac returns the reduced fraction n/d.
func Frac(n, d int64) Fraction {
	if d == 0 {
		return zero
	}
	if d < 0 {
		if n == math.MinInt64 || d == math.MinInt64 {
			return fromRat(big.NewRat(n, d))
		}
		n, d = -n, -d
	}
	g := gcd(abs(n), d)
	if g == 0 {
		return Fraction{Num: 0, Den: 1}
	}
	return Fraction{Num: n / g, Den: d / g}
}

var (
	zero = Fraction{Num: 0, Den: 1}
	one  = Fraction{Num: 1, Den: 1}
)

// fromRat is r as a Fraction: in int64 when it fits.
func fromRat(r *big.Rat) Fraction {
	if r.Num().IsInt64() && r.Denom().IsInt64() {
		return Fraction{Num: r.Num().Int64(), Den: r.Denom().Int64()}
	}
	return Fraction{big: r}
}

// rat is f in math/big, a new value the caller may change.
func (f Fraction) rat() *big.Rat {
	switch {
	case f.big != nil:
		return new(big.Rat).Set(f.big)
	case f.Den == 0:
		return new(big.Rat)
	}
	return big.NewRat(f.Num, f.Den)
}

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
	if f.big == nil && o.big == nil && f.Den != 0 && o.Den != 0 {
		g1, g2 := gcd(abs(f.Num), o.Den), gcd(abs(o.Num), f.Den)
		if g1 == 0 {
			g1 = 1
		}
		if g2 == 0 {
			g2 = 1
		}
		n, ok1 := mul64(f.Num/g1, o.Num/g2)
		d, ok2 := mul64(f.Den/g2, o.Den/g1)
		if ok1 && ok2 {
			return Frac(n, d)
		}
	}
	return fromRat(new(big.Rat).Mul(f.rat(), o.rat()))
}

// Add adds.
func (f Fraction) Add(o Fraction) Fraction {
	if f.big == nil && o.big == nil && f.Den != 0 && o.Den != 0 {
		g := gcd(f.Den, o.Den)
		d, ok1 := mul64(f.Den/g, o.Den)
		a, ok2 := mul64(f.Num, o.Den/g)
		b, ok3 := mul64(o.Num, f.Den/g)
		if ok1 && ok2 && ok3 {
			// a + b overflows only when both have one sign and the sum the other.
			if n := a + b; (a >= 0) != (b >= 0) || (n >= 0) == (a >= 0) {
				return Frac(n, d)
			}
		}
	}
	return fromRat(new(big.Rat).Add(f.rat(), o.rat()))
}

// Div divides; o must not be zero.
func (f Fraction) Div(o Fraction) Fraction {
	if o.big == nil {
		if o.Num < 0 {
			return f.Mul(Frac(-o.Den, -o.Num))
		}
		return f.Mul(Fraction{Num: o.Den, Den: o.Num})
	}
	return fromRat(new(big.Rat).Quo(f.rat(), o.rat()))
}

// Sub subtracts.
func (f Fraction) Sub(o Fraction) Fraction {
	if o.big == nil && o.Num != math.MinInt64 {
		return f.Add(Fraction{Num: -o.Num, Den: o.Den})
	}
	return fromRat(new(big.Rat).Sub(f.rat(), o.rat()))
}

// IsZero reports whether f is 0.
func (f Fraction) IsZero() bool {
	if f.big != nil {
		return f.big.Sign() == 0
	}
	return f.Num == 0
}

// Cmp compares f with o: -1, 0 or 1.
func (f Fraction) Cmp(o Fraction) int {
	if f.big == nil && o.big == nil && f.Num >= 0 && o.Num >= 0 { // probabilities: compare f.Num·o.Den with o.Num·f.Den in 128 bits
		h1, l1 := bits.Mul64(uint64(f.Num), uint64(o.Den))
		h2, l2 := bits.Mul64(uint64(o.Num), uint64(f.Den))
		switch {
		case h1 != h2:
			return cmpU(h1, h2)
		default:
			return cmpU(l1, l2)
		}
	}
	return f.rat().Cmp(o.rat())
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
func (f Fraction) Float() float64 {
	if f.big != nil {
		x, _ := f.big.Float64()
		return x
	}
	return float64(f.Num) / float64(f.Den)
}

// String is "n/d", or "n" for whole numbers.
func (f Fraction) String() string {
	switch {
	case f.big != nil:
		return f.big.RatString()
	case f.Den == 1:
		return strconv.FormatInt(f.Num, 10)
	}
	return fmt.Sprintf("%d/%d", f.Num, f.Den)
}

// Percent is f as a percentage truncated to a whole number, the way breeders label possible
// hets ("66% poss het"), e.g. 2/3 is 66.
func (f Fraction) Percent() int64 {
	if p, ok := mul64(f.Num, 100); f.big == nil && ok {
		return p / f.Den
	}
	r := f.rat()
	n := new(big.Int).Mul(r.Num(), big.NewInt(100))
	return n.Quo(n, r.Denom()).Int64()
}

// mul64 is a·b and whether it fits int64.
func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return c, true
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
