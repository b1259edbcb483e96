package csvio

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Writer writes CSV that a spreadsheet opens as text: every cell that a spreadsheet would
// take for a formula is neutralised (Neutralize).
type Writer struct {
	csv *csv.Writer
}

// NewWriter writes to w, starting with a UTF-8 byte order mark so that Excel reads the file
// as UTF-8 (the reader drops it).
func NewWriter(w io.Writer) (*Writer, error) {
	if _, err := w.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
		return nil, err
	}
	return &Writer{csv: csv.NewWriter(w)}, nil
}

// Write writes one row, each cell neutralised.
func (w *Writer) Write(cells []string) error {
	safe := make([]string, len(cells))
	for i, c := range cells {
		safe[i] = Neutralize(c)
	}
	return w.csv.Write(safe)
}

// Flush writes what is buffered, and says whether any write failed.
func (w *Writer) Flush() error {
	w.csv.Flush()
	return w.csv.Error()
}

// Neutralize makes a cell safe to open in a spreadsheet: one that starts with =, +, -, @, a
// tab or a carriage return, which a spreadsheet would run as a formula (CSV injection), is
// prefixed with an apostrophe, which spreadsheets read as "this is text". A number (-12.5,
// +3) is left as it is: it is not a formula.
func Neutralize(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '+', '-':
		if _, err := strconv.ParseFloat(cell, 64); err == nil {
			return cell
		}
		return "'" + cell
	case '=', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}

// Restore reads a cell as it was before Neutralize: one that Neutralize prefixed with an
// apostrophe loses it; any other is as written.
func Restore(cell string) string {
	if len(cell) > 1 && cell[0] == '\'' && Neutralize(cell[1:]) == cell {
		return cell[1:]
	}
	return cell
}
