package imports

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/reptidex/reptidex/csvio"
	"github.com/reptidex/reptidex/domain/genetics"
)

// Problem is one thing wrong with a row: its line in the file, the column (its header), the
// value as written, what is wrong, and what to write instead when there is an answer.
type Problem struct {
	Line       int    `json:"line"`
	Column     string `json:"column"`
	Value      string `json:"value"`
	Problem    string `json:"problem"`
	Suggestion string `json:"suggestion,omitempty"`
}

// Record is a row read: the animal it describes. Key is how other rows of the file name it
// as a parent (its breeder's ID; in an export, its ReptiDex ID); BreederID is what is kept
// as its permanent ID, by which a second import finds it.
type Record struct {
	Line       int
	Key        string
	BreederID  string
	Name       string
	Species    *genetics.Species
	Sex        genetics.Sex
	HatchDate  *time.Time
	Genetics   string
	Claims     []genetics.Claim
	Sire, Dam  string
	Status     string
	Visibility string
	Microchip  string
}

// Catalogues finds a species as a spreadsheet writes it: its key (ball-python), its common
// name in any case, singular or plural (Ball Python, ball pythons), or its scientific name.
type Catalogues func(written string) (*genetics.Species, bool)

// Limits of what a row may hold, as the record does.
const (
	maxName     = 120
	maxID       = 200
	maxGenetics = 500
)

// Sexes and statuses as an import reads them, to what the record keeps.
var (
	sexes = map[string]genetics.Sex{"male": genetics.Male, "m": genetics.Male, "1.0": genetics.Male, "female": genetics.Female,
		"f": genetics.Female, "0.1": genetics.Female, "unknown": genetics.Unknown, "u": genetics.Unknown, "0.0.1": genetics.Unknown,
		"unsexed": genetics.Unknown, "": genetics.Unknown}
	statuses     = []string{"active", "on_hold", "sold", "deceased"}
	visibilities = []string{"public", "organization", "private"}
)

// Read reads one row with a mapping: every problem of the row is named, and the record is
// whole only when there are none.
func Read(header []string, m Mapping, row csvio.Row, species Catalogues) (Record, []Problem) {
	r := Record{Line: row.Line, Sex: genetics.Unknown, Status: "active", Visibility: "organization"}
	var problems []Problem
	refuse := func(col int, problem, suggestion string) {
		problems = append(problems, Problem{Line: row.Line, Column: header[col], Value: cell(row.Fields, col),
			Problem: problem, Suggestion: suggestion})
	}
	cols := map[Field]int{}
	for i, f := range m {
		if i < len(header) {
			cols[f] = i
		}
	}
	get := func(f Field) (string, int, bool) {
		i, ok := cols[f]
		if !ok {
			return "", -1, false
		}
		return strings.TrimSpace(csvio.Restore(cell(row.Fields, i))), i, true
	}
	if v, i, ok := get(BreederID); ok {
		switch {
		case v == "":
			refuse(i, "is required: the breeder's own permanent ID of the animal", "")
		case utf8.RuneCountInString(v) > maxID || !oneLine(v):
			refuse(i, fmt.Sprintf("must be one line of at most %d characters", maxID), "")
		default:
			r.Key, r.BreederID = v, v
		}
	}
	if v, i, ok := get(identifiersColumn); ok && v != "" {
		var ids map[string]string
		if err := json.Unmarshal([]byte(v), &ids); err != nil {
			refuse(i, "is not the JSON object of identifiers an export writes", "")
		} else {
			if id := strings.TrimSpace(ids["breeder_id"]); id != "" && utf8.RuneCountInString(id) <= maxID && oneLine(id) {
				r.BreederID = id
			}
			r.Microchip = strings.TrimSpace(ids["microchip"])
		}
	}
	if v, i, ok := get(Species); ok {
		sp, found := species(v)
		if !found {
			refuse(i, "is not a species ReptiDex keeps", "a species' key or name, such as ball-python or Ball Python")
		}
		r.Species = sp
	}
	if v, i, ok := get(Name); ok {
		if utf8.RuneCountInString(v) > maxName || !oneLine(v) {
			refuse(i, fmt.Sprintf("must be one line of at most %d characters", maxName), "")
		} else {
			r.Name = v
		}
	}
	if v, i, ok := get(Sex); ok {
		s, known := sexes[strings.ToLower(v)]
		if !known {
			refuse(i, "is not a sex", "male, female or unknown (M, F, 1.0, 0.1 are read too)")
		}
		r.Sex = s
	}
	if v, i, ok := get(HatchDate); ok && v != "" {
		d, problem := hatchDate(v)
		if problem != "" {
			refuse(i, problem, "write it as YYYY-MM-DD, such as 2024-05-31")
		}
		r.HatchDate = d
	}
	if v, i, ok := get(Status); ok && v != "" {
		if s := strings.ToLower(v); slices.Contains(statuses, s) {
			r.Status = s
		} else {
			refuse(i, "is not a status an import sets", strings.Join(statuses, ", "))
		}
	}
	if v, i, ok := get(Visibility); ok && v != "" {
		if s := strings.ToLower(v); slices.Contains(visibilities, s) {
			r.Visibility = s
		} else {
			refuse(i, "is not a visibility", strings.Join(visibilities, ", "))
		}
	}
	if v, i, ok := get(Microchip); ok && v != "" {
		if utf8.RuneCountInString(v) > maxID || !oneLine(v) {
			refuse(i, fmt.Sprintf("must be one line of at most %d characters", maxID), "")
		} else {
			r.Microchip = v
		}
	}
	for _, p := range []struct {
		f   Field
		dst *string
	}{{Sire, &r.Sire}, {Dam, &r.Dam}} {
		if v, i, ok := get(p.f); ok {
			if utf8.RuneCountInString(v) > maxID || !oneLine(v) {
				refuse(i, fmt.Sprintf("must be one line of at most %d characters", maxID), "")
			} else {
				*p.dst = v
			}
		}
	}
	if v, i, ok := get(Genetics); ok && r.Species != nil {
		r.Genetics = v
		switch {
		case utf8.RuneCountInString(v) > maxGenetics:
			refuse(i, fmt.Sprintf("must be at most %d characters", maxGenetics), "")
		default:
			if problem, suggestion := r.readGenetics(v); problem != "" {
				refuse(i, problem, suggestion)
			}
		}
	}
	return r, problems
}

// readGenetics parses the trade name with the species' parser and checks the genotype can
// exist for the animal's sex; it answers what is wrong and what to write instead.
func (r *Record) readGenetics(v string) (problem, suggestion string) {
	claims, err := r.Species.ParseClaims(v)
	if err == nil {
		_, err = r.Species.Genotype(r.Sex, claims)
	}
	var unknown *genetics.UnknownNameError
	switch {
	case err == nil:
		r.Claims = claims
		return "", ""
	case errors.As(err, &unknown):
		if len(unknown.Suggestions) > 0 {
			suggestion = "did you mean " + strings.Join(unknown.Suggestions, ", ") + "?"
		}
		return fmt.Sprintf("%q is not a gene of the %s", unknown.Token, r.Species.Name), suggestion
	}
	return err.Error(), ""
}

// hatchDate reads a date as YYYY-MM-DD, or the date of an RFC 3339 time; not after
// tomorrow (time zones ahead), not before 1900.
func hatchDate(v string) (*time.Time, string) {
	if len(v) > 10 && v[10] == 'T' {
		v = v[:10]
	}
	d, err := time.Parse(time.DateOnly, v)
	switch {
	case err != nil:
		return nil, "is not a date"
	case d.After(time.Now().Add(24 * time.Hour)):
		return nil, "is in the future"
	case d.Year() < 1900:
		return nil, "is before 1900"
	}
	return &d, ""
}

// oneLine says whether s has no control characters (a line break among them).
func oneLine(s string) bool {
	return !strings.ContainsFunc(s, unicode.IsControl)
}

// cell is the row's field i, or empty for a short row.
func cell(fields []string, i int) string {
	if i < len(fields) {
		return fields[i]
	}
	return ""
}
