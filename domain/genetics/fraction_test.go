package genetics

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

// Arithmetic past int64 carries on exactly in math/big, and comes back to int64 when the
// result fits again.
func TestFraction_StaysExactPastSixtyFourBits(t *testing.T) {
	t.Parallel()
	third := Frac(1, 3)
	p := one
	want := big.NewRat(1, 1)
	for range 50 { // 3^50 passes int64
		p = p.Mul(third)
		want.Mul(want, big.NewRat(1, 3))
	}
	require.Equal(t, want.RatString(), p.String())
	require.Equal(t, 1, Frac(1, math.MaxInt64).Cmp(p))
	require.InDelta(t, math.Pow(3, -50), p.Float(), 1e-30)
	require.Equal(t, int64(0), p.Percent())

	rest := one.Sub(p)
	require.Equal(t, new(big.Rat).Sub(big.NewRat(1, 1), want).RatString(), rest.String())
	require.Equal(t, int64(99), rest.Percent())
	require.Equal(t, 0, rest.Add(p).Cmp(one))
	require.Equal(t, one, rest.Add(p), "back in int64 once it fits")
	require.Equal(t, Frac(1, 9), p.Div(p.Mul(Frac(9, 1))))
	require.False(t, p.IsZero())
	require.Equal(t, p, Fraction{}.addOrSet(p))
	require.Equal(t, "2/3", Frac(1, 3).Add(Frac(1, 3)).String())

	big2 := Frac(math.MaxInt64, 1).Add(Frac(1, 1))
	require.Equal(t, "9223372036854775808", big2.String(), "a sum past int64")
	require.Equal(t, -1, Frac(math.MaxInt64, 1).Cmp(big2))
}
