// Package csvio reads the spreadsheets breeders bring — CSV as Excel, Numbers, LibreOffice,
// Google Sheets and the marketplaces write it — and writes CSV that is safe to open in a
// spreadsheet.
//
// The reader takes UTF-8 with or without a byte order mark, UTF-16 with one, and, when the
// file is not UTF-8, Windows-1252 (what Excel writes on Windows); line endings of any kind,
// mixed; quoted fields holding commas, quotes and newlines. It reports each row with the line
// it starts on, and a row it cannot read as a *RowError naming the line, the column and the
// problem, then goes on with the next row. Limits bound what a file can make it do.
package csvio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The encodings a file is read in.
const (
	UTF8        = "UTF-8"
	UTF16       = "UTF-16"
	Windows1252 = "Windows-1252"
)

// Limits bound what a file may make the reader do.
type Limits struct {
	// MaxBytes bounds the file, as read after decoding.
	MaxBytes int64
	// MaxRows bounds the rows, the header included.
	MaxRows int
	// MaxFields bounds a row's fields.
	MaxFields int
}

// DefaultLimits take a collection of 100,000 animals with room to spare.
var DefaultLimits = Limits{MaxBytes: 256 << 20, MaxRows: 200_001, MaxFields: 200}

// Errors that end the reading of a file.
var (
	ErrTooLarge    = errors.New("the file is larger than the import takes")
	ErrTooManyRows = errors.New("the file has more rows than the import takes")
)

// Row is one row of the file, and the line it starts on (from 1).
type Row struct {
	Line   int
	Fields []string
}

// RowError is a row that could not be read; the reading goes on with the next.
type RowError struct {
	Line    int
	Column  int // from 1; 0 when the problem is the whole row's
	Problem string
}

func (e *RowError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Problem)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Problem)
}

// Reader reads the rows of a file.
type Reader struct {
	// Encoding is what the file was read as.
	Encoding string
	csv      *csv.Reader
	size     *countingReader
	limits   Limits
	rows     int
}

// NewReader reads r, finding its encoding from its first bytes: a byte order mark says UTF-8
// or UTF-16; without one, the file is UTF-8 if its first 64 KiB are, and Windows-1252
// otherwise.
func NewReader(r io.Reader, limits Limits) *Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64 << 10)
	var decoded io.Reader
	encoding := UTF8
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		decoded = br
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		encoding = UTF16
		decoded = transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder())
	case validUTF8Prefix(head):
		decoded = br
	default:
		encoding = Windows1252
		decoded = transform.NewReader(br, charmap.Windows1252.NewDecoder())
	}
	size := &countingReader{r: decoded, max: limits.MaxBytes}
	c := csv.NewReader(&lineEndings{r: bufio.NewReader(size)})
	c.FieldsPerRecord = -1
	return &Reader{Encoding: encoding, csv: c, size: size, limits: limits}
}

// Next is the next row; io.EOF after the last. A *RowError is a row that could not be read,
// and Next may be called again; any other error ends the file.
func (r *Reader) Next() (Row, error) {
	for {
		fields, err := r.csv.Read()
		if r.size.over {
			return Row{}, fmt.Errorf("%w (%d MiB)", ErrTooLarge, r.limits.MaxBytes>>20)
		}
		if err == io.EOF {
			return Row{}, io.EOF
		}
		r.rows++
		if r.rows > r.limits.MaxRows {
			return Row{}, fmt.Errorf("%w (%d)", ErrTooManyRows, r.limits.MaxRows)
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Row{}, &RowError{Line: pe.StartLine, Column: pe.Column, Problem: parseProblem(pe.Err)}
		}
		if err != nil {
			return Row{}, err
		}
		line, _ := r.csv.FieldPos(0)
		if len(fields) > r.limits.MaxFields {
			return Row{}, &RowError{Line: line, Problem: fmt.Sprintf("the row has %d fields; at most %d are read", len(fields), r.limits.MaxFields)}
		}
		if blank(fields) {
			r.rows--
			continue // an empty line, or a row of empty cells as spreadsheets leave at the end
		}
		for i, f := range fields {
			switch {
			case !utf8.ValidString(f):
				return Row{}, &RowError{Line: line, Column: i + 1, Problem: "the text is not valid UTF-8 (the file mixes encodings)"}
			case strings.ContainsRune(f, 0):
				return Row{}, &RowError{Line: line, Column: i + 1, Problem: "the text holds a NUL character"}
			}
		}
		return Row{Line: line, Fields: fields}, nil
	}
}

func parseProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return `a quote (") inside a field that is not quoted; quote the field and double the quote ("")`
	case errors.Is(err, csv.ErrQuote):
		return `a quoted field does not end where it should (a missing or extra quote)`
	default:
		return err.Error()
	}
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// validUTF8Prefix says whether b is UTF-8, allowing a rune cut at its end.
func validUTF8Prefix(b []byte) bool {
	for cut := 0; cut < utf8.UTFMax && cut <= len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// countingReader stops reading after max bytes, and says so.
type countingReader struct {
	r    io.Reader
	n    int64
	max  int64
	over bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.max > 0 && c.n >= c.max {
		// One byte more says whether the file goes on past the limit.
		var one [1]byte
		if n, _ := c.r.Read(one[:]); n > 0 {
			c.over = true
		}
		return 0, io.EOF
	}
	if c.max > 0 && int64(len(p)) > c.max-c.n {
		p = p[:c.max-c.n]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// lineEndings turns a carriage return not followed by a line feed (old Mac line endings, or
// a file of mixed ones) into a line feed; encoding/csv takes \n and \r\n.
type lineEndings struct {
	r  *bufio.Reader
	cr bool // the last byte read was a \r
}

func (l *lineEndings) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := l.r.ReadByte()
		if err != nil {
			if l.cr {
				p[n], l.cr = '\n', false
				n++
			}
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		switch {
		case l.cr && b == '\n':
			p[n], l.cr = '\n', false
		case l.cr:
			p[n] = '\n'
			l.cr = false
			_ = l.r.UnreadByte()
		case b == '\r':
			l.cr = true
			continue
		default:
			p[n] = b
		}
		n++
		if l.r.Buffered() == 0 && !l.cr {
			return n, nil
		}
	}
	return n, nil
}
