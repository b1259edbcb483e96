// Package exports holds what people ask of exports and how an export's files are written:
// an export requested for an organization, recorded as running with the job that starts its
// process (workflows/export) in the caller's transaction; each file of the organization's
// data written as CSV and as its array in the JSON document (FileWriter); and the files put
// together into the ZIP a breeder downloads (WriteZip).
package exports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/reptidex/reptidex/csvio"
	"github.com/reptidex/reptidex/store"
)

// FileWriter writes one export file at once as CSV, whose cells cannot run as formulas, and
// as a JSON array of one object per row, keyed by the columns.
type FileWriter struct {
	csv  *csvio.Writer
	json *bufio.Writer
	cols []store.ExportColumn
	// keys are the columns' names as JSON object keys, each with its opening quote and
	// colon, encoded once.
	keys  [][]byte
	cells []string
	rows  int64
}

// NewFileWriter writes the CSV file to csvOut and the JSON array to jsonOut.
func NewFileWriter(csvOut, jsonOut io.Writer) (*FileWriter, error) {
	c, err := csvio.NewWriter(csvOut)
	if err != nil {
		return nil, err
	}
	return &FileWriter{csv: c, json: bufio.NewWriterSize(jsonOut, 64<<10)}, nil
}

// Header writes the CSV header of the columns and opens the JSON array.
func (f *FileWriter) Header(cols []store.ExportColumn) error {
	f.cols = cols
	f.keys = make([][]byte, len(cols))
	var header []string
	for i, c := range cols {
		k, err := json.Marshal(c.Name)
		if err != nil {
			return err
		}
		f.keys[i] = append(k, ':')
		if c.CSV {
			header = append(header, c.Name)
		}
	}
	f.cells = make([]string, 0, len(header))
	if err := f.csv.Write(header); err != nil {
		return err
	}
	_, err := f.json.WriteString("[")
	return err
}

// Row writes one row's values, in the columns' order.
func (f *FileWriter) Row(vals []any) error {
	if len(vals) != len(f.cols) {
		return fmt.Errorf("a row of %d values for %d columns", len(vals), len(f.cols))
	}
	f.cells = f.cells[:0]
	sep := "{"
	if f.rows > 0 {
		sep = ",\n{"
	}
	if _, err := f.json.WriteString(sep); err != nil {
		return err
	}
	for i, v := range vals {
		if f.cols[i].JSON {
			if err := f.rawJSON(i, v); err != nil {
				return err
			}
			continue
		}
		if f.cols[i].CSV {
			f.cells = append(f.cells, Cell(v))
		}
		if i > 0 {
			if err := f.json.WriteByte(','); err != nil {
				return err
			}
		}
		if _, err := f.json.Write(f.keys[i]); err != nil {
			return err
		}
		b, err := json.Marshal(jsonValue(v))
		if err != nil {
			return fmt.Errorf("column %s: %w", f.cols[i].Name, err)
		}
		if _, err := f.json.Write(b); err != nil {
			return err
		}
	}
	if err := f.json.WriteByte('}'); err != nil {
		return err
	}
	f.rows++
	return f.csv.Write(f.cells)
}

// rawJSON writes column i, JSON read as its text, as it is: into the JSON object, and into
// the CSV file when it holds the column, an empty object as an empty cell.
func (f *FileWriter) rawJSON(i int, v any) error {
	text, _ := v.(string)
	if text == "" {
		text = "null"
	}
	if i > 0 {
		if err := f.json.WriteByte(','); err != nil {
			return err
		}
	}
	if _, err := f.json.Write(f.keys[i]); err != nil {
		return err
	}
	if _, err := f.json.WriteString(text); err != nil {
		return err
	}
	if f.cols[i].CSV {
		if text == "{}" || text == "null" {
			text = ""
		}
		f.cells = append(f.cells, text)
	}
	return nil
}

// Rows is how many rows were written.
func (f *FileWriter) Rows() int64 { return f.rows }

// Close closes the JSON array and flushes both outputs.
func (f *FileWriter) Close() error {
	if _, err := f.json.WriteString("]"); err != nil {
		return err
	}
	if err := f.json.Flush(); err != nil {
		return err
	}
	return f.csv.Flush()
}

// Cell writes a value as a CSV cell: times in UTC to the second (RFC 3339), JSON compact, a
// null empty.
func Cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// jsonValue is a value as the JSON document holds it: times as the CSV file has them.
func jsonValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.RFC3339)
	}
	return v
}
