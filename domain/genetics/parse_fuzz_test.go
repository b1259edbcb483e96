package genetics

import (
	"errors"
	"testing"
)

// FuzzParse checks that parsing never panics, that every claim it returns names a gene of the
// species, that its errors are of the documented kinds, and that on success writing the
// genotype and reading it again is stable: Format(Parse(Format(Parse(x)))) == Format(Parse(x)).
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"Pastel Enchi het Clown", "Super Pastel", "66% poss het Pied", "double het Albino Pied",
		"Bumblebee", "Killer Bee Clown het Albino", "Blue-eyed Leucistic", "blue eyed leucistic",
		"Lavender Albino", "het Clown Piebald", "triple het Albino Pied Clown", "dh Albino Pied",
		"50% het Clown", "67% ph Pied", "33.3% pos het Albino", "100% het Clown", "Normal het Clown",
		"Wild type", "WT", "Classic", "visual Clown", "Super Lesser", "Super Spider", "Super Clown",
		"Pastel/Spider", "Pastel, Enchi + Spider & Clown", "Banana Test X", "Pastle", "het", "66% poss",
		"double het Clown", "poss het Pied", "0% poss het Clown", "12.5% het Pied", "het Pastel",
		"Clown het Piebald 66% poss het Albino", "Normal 50% poss het Clown", "",
	} {
		f.Add(seed)
	}
	s := testBall(f)
	f.Fuzz(func(t *testing.T, text string) {
		// The parser is linear in its input; long inputs add no coverage worth having but make
		// the fuzzer's minimisation (quadratic in the input's length) crawl.
		if len(text) > 256 {
			t.Skip()
		}
		claims, err := s.ParseClaims(text)
		if err != nil {
			var (
				unk *UnknownNameError
				syn *SyntaxError
				amb *AmbiguousNameError
				inv *InvalidError
			)
			switch {
			case errors.As(err, &unk), errors.As(err, &amb), errors.As(err, &inv):
			case errors.As(err, &syn):
				if syn.Pos < 0 || syn.Pos > len(text) {
					t.Fatalf("%q: syntax error position %d outside the text", text, syn.Pos)
				}
			default:
				t.Fatalf("%q: unexpected error type %T: %v", text, err, err)
			}
			_ = err.Error()
			return
		}
		for _, c := range claims {
			if _, ok := s.Gene(c.Gene); !ok {
				t.Fatalf("%q: claim of unknown gene %q", text, c.Gene)
			}
		}
		for _, sex := range []Sex{Male, Female, Unknown} {
			g, err := s.Genotype(sex, claims)
			if err != nil {
				continue
			}
			once := s.Format(g)
			g2, err := s.Parse(once, sex)
			if err != nil {
				t.Fatalf("%q (%s) formats as %q, which does not parse: %v", text, sex, once, err)
			}
			if twice := s.Format(g2); twice != once {
				t.Fatalf("%q (%s): Format is not a fixed point: %q then %q", text, sex, once, twice)
			}
		}
	})
}
