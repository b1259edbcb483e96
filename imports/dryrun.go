package imports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/csvio"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

// MaxReported bounds the problems a report lists; it counts them all.
const MaxReported = 1000

// Report is what a dry run found: the file's layout and mapping, its rows, how many would be
// recorded new and how many update an animal of the organization, and every problem (the
// first MaxReported listed, all counted).
type Report struct {
	// Why the file cannot be read at all, when it cannot; nothing else is then known.
	Unreadable   string    `json:"unreadable,omitempty"`
	Encoding     string    `json:"encoding"`
	Layout       Layout    `json:"layout"`
	Header       []string  `json:"header"`
	Mapping      Mapping   `json:"mapping"`
	Rows         int       `json:"rows"`
	Valid        int       `json:"valid"`
	Creates      int       `json:"creates"`
	Updates      int       `json:"updates"`
	Problems     []Problem `json:"problems"`
	ProblemCount int       `json:"problem_count"`
}

// File is a file read and checked: its report, its valid records, parents first, and the
// parents they name that no row of the file holds (Checked.External).
type File struct {
	Report   Report
	Records  []Record
	External []string
}

// UnreadableError is why a file cannot be read at all: too large, no header row, a mapping
// that cannot be.
type UnreadableError struct{ Problem string }

func (e *UnreadableError) Error() string { return e.Problem }

// unreadable is an UnreadableError saying why.
func unreadable(format string, args ...any) error {
	return &UnreadableError{Problem: fmt.Sprintf(format, args...)}
}

// ReadFile reads and checks a whole file: its header's layout and mapping (chosen overriding
// the detected one), every row, and the checks across rows. A file that cannot be read at
// all is an *UnreadableError naming why; a row that cannot be read is a problem of its line.
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
			return File{}, unreadable("the header row cannot be read: line %d: %s", rowErr.Line, rowErr.Problem)
		case errors.Is(err, io.EOF):
			return File{}, unreadable("the file is empty")
		case errors.Is(err, csvio.ErrTooLarge) || errors.Is(err, csvio.ErrTooManyRows):
			return File{}, unreadable("%s", err)
		case err != nil:
			return File{}, err
		}
		header = row.Fields
	}
	layout, m := Detect(header)
	m, err := Override(header, m, chosen)
	if err != nil {
		return File{}, &UnreadableError{Problem: err.Error()}
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
			f.Records, f.External = checked.Ordered, checked.External
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
		case errors.Is(err, csvio.ErrTooLarge) || errors.Is(err, csvio.ErrTooManyRows):
			return File{}, unreadable("%s", err)
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

// Fingerprint is a digest of the records to apply, in order: the same file read the same way
// (mapping and species catalogues) has the same one. An import applies the records its check
// fingerprinted, so that its batches hold the same rows on every try.
func Fingerprint(records []Record) string {
	h := sha256.New()
	for _, r := range records {
		_, _ = fmt.Fprintf(h, "%d\x00%s\x00%s\n", r.Line, r.Key, r.BreederID) // a hash never fails to write
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Plan checks a file against tx's organization, as far as reading can: a parent the file
// names outside it must be one of the organization's animals by breeder ID, or an animal it
// may name as a parent by ReptiDex ID, of the role's sex and the row's species, hatched
// before it where both dates are known; a row naming one that is not is refused, with the
// rows of the file that descend from it. It counts the rows that would be recorded new and
// those that update one of its animals, by breeder ID.
func Plan(ctx context.Context, tx pgx.Tx, f *File) error {
	ids := make([]string, 0, len(f.Records)+len(f.External))
	for _, r := range f.Records {
		ids = append(ids, r.BreederID)
	}
	existing, err := store.AnimalsByBreederID(ctx, tx, append(ids, f.External...))
	if err != nil {
		return err
	}
	lookup := slices.Clone(f.External)
	for _, k := range f.External {
		if id, ok := existing[k]; ok {
			lookup = append(lookup, id)
		}
	}
	candidates, err := store.ParentsByPublicID(ctx, tx, lookup)
	if err != nil {
		return err
	}
	columns := Columns(f.Report.Header, f.Report.Mapping)
	inFile := make(map[string]bool, len(f.Records))
	refused := map[string]int{}
	var problems []Problem
	kept := f.Records[:0:0]
	for _, r := range f.Records {
		inFile[r.Key] = true
		p := externalProblem(r, columns, inFile, refused, existing, candidates)
		if p != nil {
			problems = append(problems, *p)
			refused[r.Key] = r.Line
			continue
		}
		kept = append(kept, r)
	}
	f.Records = kept
	f.Report.Valid = len(kept)
	f.Report.ProblemCount += len(problems)
	all := append(f.Report.Problems, problems...)
	slices.SortStableFunc(all, func(a, b Problem) int { return a.Line - b.Line })
	f.Report.Problems = all[:min(len(all), MaxReported)]
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

// externalProblem is why r cannot go in for a parent outside the file (or none): one not
// found, or not of the role's sex or the row's species or hatched before it; or a parent in
// the file refused for that.
func externalProblem(r Record, columns map[Field]string, inFile map[string]bool, refused map[string]int,
	existing map[string]string, candidates map[string]store.ParentCandidate) *Problem {
	for _, p := range []struct {
		key   string
		field Field
		role  string
		want  genetics.Sex
	}{{r.Sire, Sire, "sire", genetics.Male}, {r.Dam, Dam, "dam", genetics.Female}} {
		if p.key == "" {
			continue
		}
		problem := func(s string) *Problem {
			return &Problem{Line: r.Line, Column: columns[p.field], Value: p.key, Problem: s}
		}
		if line, out := refused[p.key]; out {
			return problem(fmt.Sprintf("its parent %s (line %d) cannot be imported", p.key, line))
		}
		if inFile[p.key] {
			continue
		}
		id := p.key
		if byBreeder, ok := existing[p.key]; ok {
			id = byBreeder
		}
		c, ok := candidates[id]
		switch {
		case !ok:
			return problem("no animal " + p.key + " among your animals' breeder IDs, nor a ReptiDex ID you may name as a parent " +
				"(yours, or another breeder's public animal)")
		case c.Sex != p.want:
			return problem(fmt.Sprintf("the %s must be %s, and %s is %s", p.role, p.want, p.key, c.Sex))
		case r.Species != nil && c.SpeciesKey != r.Species.Key:
			return problem(fmt.Sprintf("the %s is a %s, the animal a %s", p.role, c.SpeciesKey, r.Species.Key))
		case c.HatchDate != nil && r.HatchDate != nil && !c.HatchDate.Before(*r.HatchDate):
			return problem(fmt.Sprintf("the %s hatched %s, not before the animal (%s)", p.role,
				c.HatchDate.Format(time.DateOnly), r.HatchDate.Format(time.DateOnly)))
		}
	}
	return nil
}
