package imports

import (
	"strings"
	"unicode"

	"github.com/reptidex/reptidex/domain/genetics"
)

// SpeciesNamed finds a species of all as spreadsheets write it (Catalogues): by its key
// (ball-python), its name (Ball Python) or its scientific name (Python regius), in any case and spacing, singular or plural (ball
// pythons, Boas).
func SpeciesNamed(all []*genetics.Species) Catalogues {
	names := make(map[string]*genetics.Species, 4*len(all))
	for _, s := range all {
		name := squash(s.Name)
		for _, n := range []string{squash(s.Key), name, name + "s", name + "es", squash(s.Scientific)} {
			if _, taken := names[n]; !taken {
				names[n] = s
			}
		}
	}
	return func(written string) (*genetics.Species, bool) {
		s, ok := names[squash(written)]
		return s, ok
	}
}

// squash is a name in lower case without spaces or punctuation.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}
