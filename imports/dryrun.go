package imports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/csvio"
	"github.com/reptidex/reptidex/store"
)

// MaxReported bounds the problems a report lists; it counts them all.
const MaxReported = 1000

// Report is what a dry run found: the file's layout and mapping, its rows, how many would be
// recorded new and how many update an animal of the organization, and every problem (the
// first MaxReported listed, all counted).
type Report struct {
	Encoding     string
	Layout       Layout
	Header       []string
	Mapping      Mapping
	Rows         int
	Valid        int
	Creates      int
	Updates      int
	Problems     []Problem
	ProblemCount int
}

// File is a file read and checked: its report, and its valid records, parents first.
type File struct {
	Report  Report
	Records []Record
}

// ReadFile reads and checks a whole file: its header's layout and mapping (chosen overriding
// the detected one), every row, and the checks across rows. A file that cannot be read at
// all (too large, no header, a mapping that cannot be) is an error naming why; a row that
// cannot be read is a problem of its line.
func ReadFile(r io.Reader, chosen map[string]string, species Catalogues) (File, error) {
	in := csvio.NewReader(r, csvio.DefaultLimits)
	var f File
	var problems []Problem
	var header []string
	for header == nil {
		row, err := in.Next()
		var rowErr *csvio.RowError
		switch {
		case errors.As(err, &rowErr):
			return File{}, fmt.Errorf("the header row cannot be read: line %d: %s", rowErr.Line, rowErr.Problem)
		case errors.Is(err, io.EOF):
			return File{}, errors.New("the file is empty")
		case err != nil:
			return File{}, err
		}
		header = row.Fields
	}
	layout, m := Detect(header)
	m, err := Override(header, m, chosen)
	if err != nil {
		return File{}, err
	}
	var records []Record
	refused := map[string]int{}
	for {
		row, err := in.Next()
		var rowErr *csvio.RowError
		switch {
		case errors.Is(err, io.EOF):
			f.Report.Encoding, f.Report.Layout, f.Report.Header, f.Report.Mapping = in.Encoding, layout, header, m
			columns := Columns(header, m)
			checked := Check(records, refused, columns[Sire], columns[Dam])
			f.Records = checked.Ordered
			f.Report.Valid = len(checked.Ordered)
			problems = append(problems, checked.Problems...)
			slices.SortStableFunc(problems, func(a, b Problem) int { return a.Line - b.Line })
			f.Report.ProblemCount = len(problems)
			f.Report.Problems = problems[:min(len(problems), MaxReported)]
			return f, nil
		case errors.As(err, &rowErr):
			f.Report.Rows++
			col := ""
			if rowErr.Column > 0 && rowErr.Column <= len(header) {
				col = header[rowErr.Column-1]
			}
			problems = append(problems, Problem{Line: rowErr.Line, Column: col, Problem: rowErr.Problem})
			continue
		case err != nil:
			return File{}, err
		}
		f.Report.Rows++
		rec, rowProblems := Read(header, m, row, species)
		if len(rowProblems) > 0 {
			problems = append(problems, rowProblems...)
			if rec.Key != "" {
				refused[rec.Key] = rec.Line
			}
			continue
		}
		records = append(records, rec)
	}
}

// Plan counts, against tx's organization, the records that would be recorded new and those
// that update one of its animals, by breeder ID.
func Plan(ctx context.Context, tx pgx.Tx, f *File) error {
	ids := make([]string, len(f.Records))
	for i, r := range f.Records {
		ids[i] = r.BreederID
	}
	existing, err := store.AnimalsByBreederID(ctx, tx, ids)
	if err != nil {
		return err
	}
	f.Report.Creates, f.Report.Updates = 0, 0
	for _, r := range f.Records {
		if _, ok := existing[r.BreederID]; ok {
			f.Report.Updates++
		} else {
			f.Report.Creates++
		}
	}
	return nil
}
