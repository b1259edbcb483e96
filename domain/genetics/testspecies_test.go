package genetics

import "testing"

// testBall is a small ball python catalogue for the engine's own tests, so that they do not
// depend on the shipped data.
func testBall(t testing.TB) *Species {
	t.Helper()
	s := &Species{
		Key: "ball-python", Name: "Ball python", SexSystem: ZW,
		Genes: []Gene{
			{Key: "pastel", Name: "Pastel", Mode: IncompleteDominant, SuperName: "Super Pastel"},
			{Key: "spider", Name: "Spider", Mode: Dominant, Lethal: true},
			{Key: "enchi", Name: "Enchi", Mode: IncompleteDominant, SuperName: "Super Enchi"},
			{Key: "mojave", Name: "Mojave", Mode: IncompleteDominant, SuperName: "Super Mojave", Locus: "bel"},
			{Key: "lesser", Name: "Lesser", Mode: IncompleteDominant, SuperName: "Super Lesser", Locus: "bel"},
			{Key: "banana", Name: "Banana", Mode: IncompleteDominant, SuperName: "Super Banana", SexLinked: true},
			{Key: "clown", Name: "Clown", Mode: Recessive},
			{Key: "albino", Name: "Albino", Mode: Recessive},
			{Key: "piebald", Name: "Piebald", Mode: Recessive, Aliases: []string{"Pied"}},
			{Key: "axanthic", Name: "Axanthic", Mode: Recessive},
			{Key: "lavender", Name: "Lavender Albino", Mode: Recessive},
			{Key: "ghost", Name: "Ghost", Mode: Recessive},
			{Key: "desert-ghost", Name: "Desert Ghost", Mode: Recessive},
			{Key: "stripe", Name: "Genetic Stripe", Mode: Recessive},
			{Key: "ultramel", Name: "Ultramel", Mode: Recessive},
			{Key: "monsoon", Name: "Monsoon", Mode: Recessive},
			{Key: "sunset", Name: "Sunset", Mode: Recessive},
			{Key: "xlinked", Name: "Test X", Mode: Recessive, SexLinked: true},
		},
		Compounds: []Compound{{Alleles: [2]string{"lesser", "mojave"}, Name: "Blue-eyed Leucistic"}},
		Combos: []Combo{
			{Name: "Bumblebee", Requires: []string{"pastel", "spider"}},
			{Name: "Killer Bee", Requires: []string{"super:pastel", "spider"}},
		},
	}
	if err := s.Prepare(); err != nil {
		t.Fatal(err)
	}
	return s
}
