package certs_test

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/certs"
)

// TestCanonicalJSON_RFC8785Example is the example of RFC 8785 section 3.2.2 (its input and
// output), which exercises numbers, string escapes and literals together.
func TestCanonicalJSON_RFC8785Example(t *testing.T) {
	t.Parallel()
	in := `{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
	want := `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],` +
		`"string":"€$\u000f\nA'B\"\\\\\"/"}`
	got, err := certs.CanonicalJSON([]byte(in))
	require.NoError(t, err)
	require.Equal(t, want, string(got))
}

// TestCanonicalJSON_SortsByUTF16CodeUnits is the sorting example of RFC 8785 section 3.2.3,
// with a NUL-named member added: the emoji (a surrogate pair, 0xd83d...) sorts before
// U+FB33 although its code point is larger.
func TestCanonicalJSON_SortsByUTF16CodeUnits(t *testing.T) {
	t.Parallel()
	in := `{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\u0000": "Null"
}`
	want := `{"\u0000":"Null","\r":"Carriage Return","1":"One","` + "\u0080" + `":"Control",` +
		`"ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😀":"Emoji: Grinning Face",` +
		`"` + "\ufb33" + `":"Hebrew Letter Dalet With Dagesh"}`
	got, err := certs.CanonicalJSON([]byte(in))
	require.NoError(t, err)
	require.Equal(t, want, string(got))
}

// TestFormatNumber_RFC8785Samples are the number samples of RFC 8785 appendix B, given as
// the bits of the IEEE 754 double and the string ECMAScript prints for it.
func TestFormatNumber_RFC8785Samples(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ bits, want string }{
		{"0000000000000000", "0"},
		{"8000000000000000", "0"},
		{"0000000000000001", "5e-324"},
		{"8000000000000001", "-5e-324"},
		{"7fefffffffffffff", "1.7976931348623157e+308"},
		{"ffefffffffffffff", "-1.7976931348623157e+308"},
		{"4340000000000000", "9007199254740992"},
		{"c340000000000000", "-9007199254740992"},
		{"4430000000000000", "295147905179352830000"},
		{"44b52d02c7e14af5", "9.999999999999997e+22"},
		{"44b52d02c7e14af6", "1e+23"},
		{"44b52d02c7e14af7", "1.0000000000000001e+23"},
		{"444b1ae4d6e2ef4e", "999999999999999700000"},
		{"444b1ae4d6e2ef4f", "999999999999999900000"},
		{"444b1ae4d6e2ef50", "1e+21"},
		{"3eb0c6f7a0b5ed8c", "9.999999999999997e-7"},
		{"3eb0c6f7a0b5ed8d", "0.000001"},
		{"41b3de4355555553", "333333333.3333332"},
		{"41b3de4355555554", "333333333.33333325"},
		{"41b3de4355555555", "333333333.3333333"},
		{"41b3de4355555556", "333333333.3333334"},
		{"41b3de4355555557", "333333333.33333343"},
		{"becbf647612f3696", "-0.0000033333333333333333"},
		{"43143ff3c1cb0959", "1424953923781206.2"},
	} {
		raw, err := hex.DecodeString(tt.bits)
		require.NoError(t, err)
		f := math.Float64frombits(binary.BigEndian.Uint64(raw))
		got, err := certs.FormatNumber(f)
		require.NoError(t, err, tt.bits)
		require.Equal(t, tt.want, got, tt.bits)
	}
}

func TestFormatNumber_PlainAndExponentForms(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   float64
		want string
	}{
		{1e30, "1e+30"}, {4.5, "4.5"}, {0.002, "0.002"}, {1e-7, "1e-7"}, {1.5e-7, "1.5e-7"},
		{1e-6, "0.000001"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"}, {123e18, "123000000000000000000"},
		{-1, "-1"}, {math.Copysign(0, -1), "0"}, {0.1, "0.1"}, {100, "100"}, {-12.5e-10, "-1.25e-9"},
	} {
		got, err := certs.FormatNumber(tt.in)
		require.NoError(t, err)
		require.Equal(t, tt.want, got, "%v", tt.in)
	}
}

func TestCanonical_RefusesWhatJSONCannotCarry(t *testing.T) {
	t.Parallel()
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := certs.FormatNumber(f)
		require.Error(t, err, "%v", f)
		_, err = certs.Canonical(map[string]any{"x": f})
		require.Error(t, err, "%v", f)
	}
	for name, in := range map[string]string{
		"number beyond a double": `{"x":1e400}`,
		"duplicate member":       `{"a":1,"a":2}`,
		"invalid UTF-8":          "{\"a\":\"\xff\"}",
		"trailing data":          `{"a":1} {}`,
		"truncated":              `{"a":[1,2`,
		"not JSON":               `{a:1}`,
		"integer beyond 2^53":    `[9007199254740993]`,
		"lone high surrogate":    `["\ud800"]`,
		"lone low surrogate":     `["\udc00"]`,
		"high then a letter":     `["\ud800x"]`,
		"high then not low":      `["\ud800\u0041"]`,
		"two highs":              `["\ud800\ud800\udc00"]`,
		"surrogate in a name":    `{"\ud800":1}`,
	} {
		_, err := certs.CanonicalJSON([]byte(in))
		require.Error(t, err, name)
	}
}

// TestCanonicalJSON_ReadsEscapesAsTheirCharacters: escapes, surrogate pairs among them, are
// read as the characters they stand for, and an escaped backslash is not an escape.
func TestCanonicalJSON_ReadsEscapesAsTheirCharacters(t *testing.T) {
	t.Parallel()
	got, err := certs.CanonicalJSON([]byte(`["\ud83d\ude00","\\ud800","\u0041\/\u00e9"]`))
	require.NoError(t, err)
	require.Equal(t, `["😀","\\ud800","A/é"]`, string(got))
}

func TestCanonical_EscapesOnlyWhatItMust(t *testing.T) {
	t.Parallel()
	got, err := certs.Canonical("<a & b>\u007f\u2028é\x01\x1f\t")
	require.NoError(t, err)
	require.Equal(t, "\"<a & b>\u007f\u2028é\\u0001\\u001f\\t\"", string(got))
}

// randomValue builds a random JSON value of nested objects, arrays, strings and numbers.
func randomValue(r *rand.Rand, depth int) any {
	switch k := r.IntN(7); {
	case depth > 3 || k == 0:
		return []any{nil, true, false}[r.IntN(3)]
	case k == 1:
		return math.Float64frombits(r.Uint64()&^(0x7ff<<52) | uint64(r.IntN(0x7ff))<<52) // finite
	case k == 2:
		return float64(r.IntN(2000) - 1000)
	case k == 3:
		return randomString(r)
	case k == 4:
		a := make([]any, r.IntN(4))
		for i := range a {
			a[i] = randomValue(r, depth+1)
		}
		return a
	default:
		m := map[string]any{}
		for range r.IntN(6) {
			m[randomString(r)] = randomValue(r, depth+1)
		}
		return m
	}
}

func randomString(r *rand.Rand) string {
	alphabet := []rune("aZ09 \"\\\n\x00\x1f\u0080é€\ufb33😀\u2028")
	s := make([]rune, r.IntN(6))
	for i := range s {
		s[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(s)
}

// TestCanonical_StableAndIndependentOfMemberOrder: canonicalizing canonical bytes changes
// nothing, and the same object written with its members in another order, or indented,
// gives the same bytes.
func TestCanonical_StableAndIndependentOfMemberOrder(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		v := randomValue(r, 0)
		first, err := certs.Canonical(v)
		require.NoError(t, err)
		again, err := certs.CanonicalJSON(first)
		require.NoError(t, err)
		require.Equal(t, string(first), string(again))

		reordered, err := certs.CanonicalJSON(reorder(t, r, v))
		require.NoError(t, err)
		require.Equal(t, string(first), string(reordered))
	}
}

// reorder writes v as indented JSON with every object's members in a random order.
func reorder(t *testing.T, r *rand.Rand, v any) []byte {
	t.Helper()
	var write func(v any) string
	write = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			names := make([]string, 0, len(x))
			for n := range x {
				names = append(names, n)
			}
			r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
			s := "{\n"
			for i, n := range names {
				if i > 0 {
					s += ",\n"
				}
				k, err := json.Marshal(n)
				require.NoError(t, err)
				s += "  " + string(k) + " : " + write(x[n])
			}
			return s + "\n}"
		case []any:
			s := "[ "
			for i, e := range x {
				if i > 0 {
					s += " , "
				}
				s += write(e)
			}
			return s + " ]"
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64) // another spelling of the same number
		default:
			raw, err := json.Marshal(x)
			require.NoError(t, err)
			return string(raw)
		}
	}
	return []byte(write(v))
}

// FuzzCanonicalJSON: whatever JSON is accepted, its canonical form is valid JSON, is its
// own canonical form, and means the same data.
func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1e30,4.50,-0,"\u00e9"]}`, `"\ud83d\ude00"`, `[0.000001,1e-7,1e21]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := certs.CanonicalJSON(in)
		if err != nil {
			return
		}
		require.True(t, json.Valid(out), "%q", out)
		again, err := certs.CanonicalJSON(out)
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))
		var a, b any
		require.NoError(t, json.Unmarshal(in, &a))
		require.NoError(t, json.Unmarshal(out, &b))
		require.Equal(t, a, b)
	})
}

// FuzzFormatNumber: every finite double prints as a number that reads back as itself.
func FuzzFormatNumber(f *testing.F) {
	f.Add(uint64(0x44b52d02c7e14af6))
	f.Add(uint64(1))
	f.Fuzz(func(t *testing.T, bits uint64) {
		v := math.Float64frombits(bits)
		s, err := certs.FormatNumber(v)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		back, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		require.Equal(t, math.Abs(v), math.Abs(back)) // -0 prints as 0
		require.Equal(t, v < 0, back < 0)
	})
}

// TestCanonical_LargeIntegersExactOrRefused: integers a double holds exactly are kept, even
// beyond 2^53; one it would round is refused rather than signed as another number.
func TestCanonical_LargeIntegersExactOrRefused(t *testing.T) {
	t.Parallel()
	got, err := certs.Canonical([]any{int64(1) << 53, uint64(1e19), float64(1e20), -9007199254740992, int64(1) << 62})
	require.NoError(t, err)
	require.Equal(t, `[9007199254740992,10000000000000000000,100000000000000000000,-9007199254740992,4611686018427388000]`, string(got))
	again, err := certs.CanonicalJSON(got)
	require.NoError(t, err, "the canonical form of a large double is read back as itself")
	require.Equal(t, string(got), string(again))
	_, err = certs.Canonical(int64(1)<<53 + 1)
	require.ErrorContains(t, err, "send it as a string")
	_, err = certs.CanonicalJSON([]byte(`-9007199254740993`))
	require.Error(t, err)
}
