package csvio_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/reptidex/reptidex/csvio"
)

// readAll reads every row, and the row errors on the way.
func readAll(t testing.TB, r *csvio.Reader) (rows []csvio.Row, problems []*csvio.RowError, err error) {
	t.Helper()
	for {
		row, err := r.Next()
		var re *csvio.RowError
		switch {
		case errors.Is(err, io.EOF):
			return rows, problems, nil
		case errors.As(err, &re):
			problems = append(problems, re)
		case err != nil:
			return rows, problems, err
		default:
			rows = append(rows, row)
		}
	}
}

func fields(rows []csvio.Row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r.Fields
	}
	return out
}

const sheet = "id,name,genetics\nRX-1,Ástor,\"Pastel, Het Clown\"\nRX-2,\"Mo \"\"Big\"\" Jo\",\"Spider\nnote on two lines\"\n"

var want = [][]string{{"id", "name", "genetics"}, {"RX-1", "Ástor", "Pastel, Het Clown"},
	{"RX-2", `Mo "Big" Jo`, "Spider\nnote on two lines"}}

func TestReader_ReadsTheEncodingsSpreadsheetsWrite(t *testing.T) {
	t.Parallel()
	utf16le, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(sheet)
	require.NoError(t, err)
	utf16be, err := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(sheet)
	require.NoError(t, err)
	cp1252, err := charmap.Windows1252.NewEncoder().String(sheet)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, body, encoding string
		line2                int // the line the second row starts on
	}{
		{"UTF-8", sheet, csvio.UTF8, 2},
		{"UTF-8 with a BOM", "\xEF\xBB\xBF" + sheet, csvio.UTF8, 2},
		{"UTF-16 LE (Excel's Unicode text)", utf16le, csvio.UTF16, 2},
		{"UTF-16 BE", utf16be, csvio.UTF16, 2},
		{"Windows-1252 (Excel on Windows)", cp1252, csvio.Windows1252, 2},
		{"CRLF", strings.ReplaceAll(sheet, "\n", "\r\n"), csvio.UTF8, 2},
		{"old Mac CR", strings.ReplaceAll(sheet, "\n", "\r"), csvio.UTF8, 2},
		{"mixed, with blank lines", strings.Replace(strings.Replace(sheet, "\n", "\r\n", 1), "\n", "\r\n\n,,\n", 2), csvio.UTF8, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := csvio.NewReader(strings.NewReader(tc.body), csvio.DefaultLimits)
			rows, problems, err := readAll(t, r)
			require.NoError(t, err)
			require.Empty(t, problems)
			require.Equal(t, tc.encoding, r.Encoding)
			require.Equal(t, want, fields(rows))
			require.Equal(t, 1, rows[0].Line)
			require.Equal(t, tc.line2, rows[1].Line)
		})
	}
}

func TestReader_NamesTheRowsItCannotReadAndGoesOn(t *testing.T) {
	t.Parallel()
	body := "id,name\nRX-1,ok\nRX-2,6\" ball\nRX-3,\"unfinished\nRX-4,x\x00y\n"
	rows, problems, err := readAll(t, csvio.NewReader(strings.NewReader(body), csvio.DefaultLimits))
	require.NoError(t, err)
	require.Equal(t, [][]string{{"id", "name"}, {"RX-1", "ok"}}, fields(rows))
	require.NotEmpty(t, problems)
	require.Equal(t, 3, problems[0].Line)
	require.Contains(t, problems[0].Error(), `line 3, column 7: a quote (") inside a field that is not quoted`)
}

func TestReader_HoldsToItsLimits(t *testing.T) {
	t.Parallel()
	many := strings.Repeat("a,b\n", 11)
	_, _, err := readAll(t, csvio.NewReader(strings.NewReader(many), csvio.Limits{MaxBytes: 1 << 20, MaxRows: 10, MaxFields: 5}))
	require.ErrorIs(t, err, csvio.ErrTooManyRows)

	_, _, err = readAll(t, csvio.NewReader(strings.NewReader(strings.Repeat("x", 2000)), csvio.Limits{MaxBytes: 1000, MaxRows: 10, MaxFields: 5}))
	require.ErrorIs(t, err, csvio.ErrTooLarge)

	_, problems, err := readAll(t, csvio.NewReader(strings.NewReader("a,b,c,d,e,f\n"), csvio.Limits{MaxBytes: 1000, MaxRows: 10, MaxFields: 5}))
	require.NoError(t, err)
	require.Len(t, problems, 1)
	require.Contains(t, problems[0].Problem, "the row has 6 fields; at most 5")

	// Exactly at the limits is read.
	rows, _, err := readAll(t, csvio.NewReader(strings.NewReader(strings.Repeat("a,b\n", 10)), csvio.Limits{MaxBytes: 40, MaxRows: 10, MaxFields: 2}))
	require.NoError(t, err)
	require.Len(t, rows, 10)
}

func TestNeutralize_DisarmsFormulasAndLeavesNumbers(t *testing.T) {
	t.Parallel()
	for in, out := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1+cmd|' /C calc'!A0":     "'+1+cmd|' /C calc'!A0",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\t=1":                     "'\t=1",
		"\r=1":                     "'\r=1",
		"-12.5":                    "-12.5",
		"+3":                       "+3",
		"Pastel":                   "Pastel",
		"":                         "",
		"a=b":                      "a=b",
	} {
		require.Equal(t, out, csvio.Neutralize(in), in)
		require.Equal(t, in, csvio.Restore(out), "read back as it was: %q", out)
	}
	for _, text := range []string{"'quoted'", "'Pastel", "'", "'-12.5"} {
		require.Equal(t, text, csvio.Restore(text), "an apostrophe Neutralize did not add stays")
	}
}

func TestWriter_WritesWhatTheReaderReadsBack(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w, err := csvio.NewWriter(&buf)
	require.NoError(t, err)
	for _, row := range want {
		require.NoError(t, w.Write(row))
	}
	require.NoError(t, w.Write([]string{"=1+1", "-3"}))
	require.NoError(t, w.Flush())
	require.True(t, bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")), "Excel reads it as UTF-8")
	rows, problems, err := readAll(t, csvio.NewReader(&buf, csvio.DefaultLimits))
	require.NoError(t, err)
	require.Empty(t, problems)
	require.Equal(t, append(want, []string{"'=1+1", "-3"}), fields(rows))
}

// FuzzReader: whatever the bytes, the reader ends, within its limits, and every row it gives
// is valid UTF-8 without NUL, its lines in order.
func FuzzReader(f *testing.F) {
	f.Add([]byte(sheet))
	f.Add([]byte("\xEF\xBB\xBFa,b\r\n\"c\r\nd\",e\r"))
	f.Add([]byte("\xFF\xFEa\x00,\x00b\x00\n\x00"))
	f.Add([]byte("a,\"b\"\"c\",\"\n\n\"\r\r\n,,\n\x93quoted\x94,\xe9"))
	f.Add([]byte("x\" y,\"z"))
	f.Fuzz(func(t *testing.T, data []byte) {
		limits := csvio.Limits{MaxBytes: 4096, MaxRows: 50, MaxFields: 20}
		r := csvio.NewReader(bytes.NewReader(data), limits)
		last, n := 0, 0
		for range 10 * limits.MaxRows {
			row, err := r.Next()
			var re *csvio.RowError
			if errors.As(err, &re) {
				require.Positive(t, re.Line)
				continue
			}
			if err != nil {
				return
			}
			n++
			require.LessOrEqual(t, n, limits.MaxRows)
			require.LessOrEqual(t, len(row.Fields), limits.MaxFields)
			require.GreaterOrEqual(t, row.Line, last)
			last = row.Line
			for _, f := range row.Fields {
				require.True(t, utf8.ValidString(f))
				require.NotContains(t, f, "\x00")
			}
		}
		t.Fatal("the reader did not end")
	})
}

// FuzzRoundTrip: a row written is read back as written, formulas neutralised and line
// endings inside a cell read as \n.
func FuzzRoundTrip(f *testing.F) {
	f.Add("RX-1", "Pastel, Het \"Clown\"", "=cmd")
	f.Add("", "\r\n", "-4.5")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		row := []string{a, b, c}
		for _, cell := range row {
			if !utf8.ValidString(cell) || strings.ContainsRune(cell, 0) {
				t.Skip("not a cell a breeder can type")
			}
		}
		if strings.TrimSpace(a+b+c) == "" {
			t.Skip("a blank row is skipped by design")
		}
		var buf bytes.Buffer
		w, err := csvio.NewWriter(&buf)
		require.NoError(t, err)
		require.NoError(t, w.Write(row))
		require.NoError(t, w.Flush())
		rows, problems, err := readAll(t, csvio.NewReader(&buf, csvio.DefaultLimits))
		require.NoError(t, err)
		require.Empty(t, problems)
		require.Len(t, rows, 1)
		for i, cell := range row {
			want := strings.ReplaceAll(strings.ReplaceAll(csvio.Neutralize(cell), "\r\n", "\n"), "\r", "\n")
			require.Equal(t, want, rows[0].Fields[i])
		}
	})
}
