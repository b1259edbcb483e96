// Package imports reads a breeder's collection from a spreadsheet: which column holds which
// field (our template, the common marketplace layout, or a ReptiDex export's animals.csv, with
// any column mapped by hand), each row read into a record with every problem named by row,
// column, value, problem and a suggestion, and the checks across the file (a breeder's ID
// twice, an animal its own parent, a cycle, a parent of the wrong sex or species). What it
// reads is applied by the import process, keyed by the breeder's own permanent IDs.
package imports

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Field is what a column of the file holds.
type Field string

// The fields an import reads. BreederID is the key: the breeder's own permanent ID of the
// animal, by which a second import of the file updates rather than duplicates, and by which
// rows name their parents.
const (
	BreederID  Field = "breeder_id"
	Name       Field = "name"
	Species    Field = "species"
	Sex        Field = "sex"
	HatchDate  Field = "hatch_date"
	Genetics   Field = "genetics"
	Sire       Field = "sire"
	Dam        Field = "dam"
	Status     Field = "status"
	Visibility Field = "visibility"
	Microchip  Field = "microchip"
	// Ignored is a column the import leaves alone.
	Ignored Field = ""
)

// Fields are the fields an import reads, in the template's order.
var Fields = []Field{BreederID, Name, Species, Sex, HatchDate, Genetics, Sire, Dam, Status, Visibility, Microchip}

// Layout names a column layout the import recognises by its headers.
type Layout string

// The layouts.
const (
	// Template is our documented template: a header row of the field names.
	Template Layout = "template"
	// Marketplace is the column layout of the common reptile marketplace's inventory CSV
	// (Serial, Title, Category, Sex, Dob, Traits, ...).
	Marketplace Layout = "marketplace"
	// Export is a ReptiDex export's animals.csv: an animal's key is its breeder_id among its
	// identifiers, or else its ReptiDex ID, and its parents are named by their ReptiDex IDs.
	Export Layout = "export"
)

// synonyms are the headers each field is recognised by, written as normalize writes them.
var synonyms = map[Field][]string{
	BreederID:  {"breederid", "id", "animalid", "serial", "code", "ref", "reference", "permanentid", "yourid"},
	Name:       {"name", "title", "animalname", "nickname"},
	Species:    {"species", "category", "speciesname", "type"},
	Sex:        {"sex", "gender"},
	HatchDate:  {"hatchdate", "dob", "dateofbirth", "birthdate", "birth", "hatched", "hatch", "born"},
	Genetics:   {"genetics", "traits", "morph", "morphs", "genes", "genotype"},
	Sire:       {"sire", "sireid", "father", "dad", "male", "sirebreederid"},
	Dam:        {"dam", "damid", "mother", "mom", "female", "dambreederid"},
	Status:     {"status", "state"},
	Visibility: {"visibility", "public"},
	Microchip:  {"microchip", "chip", "pit", "pittag"},
}

// normalize writes a header as it is matched: lower case, letters and digits only.
func normalize(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Mapping is which field each column holds, by the column's index; a column not in it is
// ignored.
type Mapping map[int]Field

// Detect recognises the layout of a header row and maps its columns: an export's
// animals.csv by its columns, the marketplace layout by Serial/Title/Category, and otherwise
// the template, each header matched with its field's names (case, spaces and punctuation
// aside). The first column matching a field takes it.
func Detect(header []string) (Layout, Mapping) {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normalize(h)
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if !slices.Contains(norm, n) {
				return false
			}
		}
		return true
	}
	layout := Template
	switch {
	case has("id", "species", "sireid", "damid", "identifiers", "isreference"):
		layout = Export
	case has("serial", "title", "category"):
		layout = Marketplace
	}
	m := Mapping{}
	taken := map[Field]bool{}
	for i, n := range norm {
		for _, f := range Fields {
			if !taken[f] && slices.Contains(synonyms[f], n) {
				m[i], taken[f] = f, true
				break
			}
		}
	}
	if layout == Export {
		// The export's own columns: its id is the key unless identifiers name one.
		for i, n := range norm {
			switch n {
			case "id":
				m[i] = BreederID
			case "sireid":
				m[i] = Sire
			case "damid":
				m[i] = Dam
			case "identifiers":
				m[i] = identifiersColumn
			}
		}
	}
	return layout, m
}

// identifiersColumn is an export's identifiers column, read as the JSON it is: its
// breeder_id, when there is one, is the animal's key, and microchip its microchip.
const identifiersColumn Field = "identifiers"

// Override applies a mapping the breeder chose, header name to field name ("" or "ignore"
// ignores the column), over the detected one, and checks it: every header named exists,
// every field is known, and no field is held by two columns. Problems name the header.
func Override(header []string, m Mapping, chosen map[string]string) (Mapping, error) {
	out := Mapping{}
	for i, f := range m {
		out[i] = f
	}
	for h, f := range chosen {
		i := slices.Index(header, h)
		if i < 0 {
			return nil, fmt.Errorf("column %q: no column has this header", h)
		}
		switch {
		case f == "" || f == "ignore":
			delete(out, i)
		case slices.Contains(Fields, Field(f)):
			out[i] = Field(f)
		default:
			return nil, fmt.Errorf("column %q: %q is not a field an import reads (%s, or ignore)", h, f, fieldList())
		}
	}
	seen := map[Field]int{}
	for i := range header {
		f, ok := out[i]
		if !ok {
			continue
		}
		if j, dup := seen[f]; dup {
			return nil, fmt.Errorf("columns %q and %q both hold %s; ignore one of them", header[j], header[i], f)
		}
		seen[f] = i
	}
	if _, ok := seen[BreederID]; !ok {
		return nil, fmt.Errorf("no column holds %s, the breeder's own permanent ID of each animal, by which a second import updates rather than duplicates", BreederID)
	}
	if _, ok := seen[Species]; !ok {
		return nil, fmt.Errorf("no column holds %s", Species)
	}
	return out, nil
}

func fieldList() string {
	names := make([]string, len(Fields))
	for i, f := range Fields {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}
