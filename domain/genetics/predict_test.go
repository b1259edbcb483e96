package genetics

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustGenotype(t testing.TB, s *Species, sex Sex, claims ...Claim) Genotype {
	t.Helper()
	g, err := s.Genotype(sex, claims)
	require.NoError(t, err)
	return g
}

func vis(gene string) Claim { return Claim{Gene: gene, Kind: Visual} }
func sup(gene string) Claim { return Claim{Gene: gene, Kind: Super} }
func het(gene string) Claim { return Claim{Gene: gene, Kind: Het} }
func poss(gene string, n, d int64) Claim {
	return Claim{Gene: gene, Kind: PossibleHet, Probability: Frac(n, d)}
}

// table renders a prediction as name → probability (prefixed by sex when by sex).
func table(p Prediction) map[string]string {
	out := map[string]string{}
	for _, o := range p.Outcomes {
		k := o.Name
		if o.Sex != "" {
			k = string(o.Sex) + ": " + k
		}
		out[k] = o.Probability.String()
	}
	return out
}

// Published crosses: the answers every ball python genetics calculator and morph guide agree
// on.
func TestPredict_PublishedCrosses(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	cases := []struct {
		name     string
		sire     []Claim
		dam      []Claim
		want     map[string]string
		lethal   string
		warnings int
	}{
		{"pastel x pastel", []Claim{vis("pastel")}, []Claim{vis("pastel")},
			map[string]string{"Super Pastel": "1/4", "Pastel": "1/2", "Normal": "1/4"}, "0", 0},
		{"pastel x normal", []Claim{vis("pastel")}, nil,
			map[string]string{"Pastel": "1/2", "Normal": "1/2"}, "0", 0},
		{"super pastel x normal", []Claim{sup("pastel")}, nil,
			map[string]string{"Pastel": "1"}, "0", 0},
		{"het clown x het clown", []Claim{het("clown")}, []Claim{het("clown")},
			map[string]string{"Clown": "1/4", "Normal 66% poss het Clown": "3/4"}, "0", 0},
		{"clown x het clown", []Claim{vis("clown")}, []Claim{het("clown")},
			map[string]string{"Clown": "1/2", "Normal het Clown": "1/2"}, "0", 0},
		{"clown x normal", []Claim{vis("clown")}, nil,
			map[string]string{"Normal het Clown": "1"}, "0", 0},
		{"het clown x normal", []Claim{het("clown")}, nil,
			map[string]string{"Normal 50% poss het Clown": "1"}, "0", 0},
		{"albino x piebald", []Claim{vis("albino")}, []Claim{vis("piebald")},
			map[string]string{"Normal het Albino het Piebald": "1"}, "0", 0},
		{"lesser x mojave", []Claim{vis("lesser")}, []Claim{vis("mojave")},
			map[string]string{"Blue-eyed Leucistic": "1/4", "Lesser": "1/4", "Mojave": "1/4", "Normal": "1/4"}, "0", 0},
		{"spider x spider: lethal homozygotes removed", []Claim{vis("spider")}, []Claim{vis("spider")},
			map[string]string{"Spider": "2/3", "Normal": "1/3"}, "1/4", 1},
		{"pastel spider x normal", []Claim{vis("pastel"), vis("spider")}, nil,
			map[string]string{"Bumblebee": "1/4", "Pastel": "1/4", "Spider": "1/4", "Normal": "1/4"}, "0", 0},
		{"super pastel spider x pastel", []Claim{sup("pastel"), vis("spider")}, []Claim{vis("pastel")},
			map[string]string{"Killer Bee": "1/4", "Bumblebee": "1/4", "Super Pastel": "1/4", "Pastel": "1/4"}, "0", 0},
		{"66% poss het clown x het clown", []Claim{poss("clown", 2, 3)}, []Claim{het("clown")},
			// P(visual) = 2/3 · 1/4 = 1/6; the rest carries with (2/3·1/2 + 1/3·1/2)/(5/6) = 3/5.
			map[string]string{"Clown": "1/6", "Normal 60% poss het Clown": "5/6"}, "0", 0},
		{"double het albino clown x double het", []Claim{het("albino"), het("clown")}, []Claim{het("albino"), het("clown")},
			map[string]string{
				"Clown Albino":                                  "1/16",
				"Albino 66% poss het Clown":                     "3/16",
				"Clown 66% poss het Albino":                     "3/16",
				"Normal 66% poss het Clown 66% poss het Albino": "9/16",
			}, "0", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := s.Predict(mustGenotype(t, s, Male, c.sire...), mustGenotype(t, s, Female, c.dam...))
			require.NoError(t, err)
			require.Equal(t, c.want, table(p))
			require.Equal(t, c.lethal, p.LethalRemoved.String())
			require.Len(t, p.Warnings, c.warnings)
			requireSumsToOne(t, p)
			require.False(t, p.Summarised)
			require.Equal(t, int64(len(p.Outcomes)), p.TotalOutcomes)
			require.Equal(t, "1", p.Covered.String())
		})
	}
}

func requireSumsToOne(t *testing.T, p Prediction) {
	t.Helper()
	sums := map[Sex]Fraction{}
	for _, o := range p.Outcomes {
		sums[o.Sex] = sums[o.Sex].addOrSet(o.Probability)
	}
	for sex, sum := range sums {
		require.Equal(t, "1", sum.String(), "outcomes of %q sum to 1", sex)
	}
}

// Banana is the classic sex-linked incomplete dominant of ball pythons (ZW). A Banana dam
// carries it on her single Z, which goes to every son and no daughter ("male maker"); a
// Banana sire with one copy gives it to half his sons and half his daughters.
func TestPredict_SexLinkedFollowsOffspringSex(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	p, err := s.Predict(mustGenotype(t, s, Male), mustGenotype(t, s, Female, vis("banana")))
	require.NoError(t, err)
	require.True(t, p.BySex)
	require.Equal(t, map[string]string{"male: Banana": "1", "female: Normal": "1"}, table(p))

	p, err = s.Predict(mustGenotype(t, s, Male, vis("banana")), mustGenotype(t, s, Female))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"male: Banana": "1/2", "male: Normal": "1/2", "female: Banana": "1/2", "female: Normal": "1/2"}, table(p))

	// A sex-linked recessive: a het sire and a normal dam give visual daughters only.
	p, err = s.Predict(mustGenotype(t, s, Male, het("xlinked")), mustGenotype(t, s, Female))
	require.NoError(t, err)
	require.Equal(t, map[string]string{
		"male: Normal 50% poss het Test X": "1",
		"female: Test X":                   "1/2",
		"female: Normal":                   "1/2",
	}, table(p))
	requireSumsToOne(t, p)
}

func TestGenotype_RefusesImpossibleGenotypes(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	cases := []struct {
		name   string
		sex    Sex
		claims []Claim
		gene   string
	}{
		{"super form of a recessive", Male, []Claim{sup("clown")}, "Clown"},
		{"super form of a dominant", Male, []Claim{sup("spider")}, "Spider"},
		{"het of an incomplete dominant", Male, []Claim{het("pastel")}, "Pastel"},
		{"two copies of a sex-linked gene on a ZW female", Female, []Claim{sup("banana")}, "Banana"},
		{"het of a sex-linked gene on a ZW female", Female, []Claim{het("xlinked")}, "Test X"},
		{"sex-linked gene on an animal of unknown sex", Unknown, []Claim{vis("banana")}, "Banana"},
		{"probability 1", Male, []Claim{poss("clown", 1, 1)}, "Clown"},
		{"probability 0", Male, []Claim{poss("clown", 0, 1)}, "Clown"},
		{"probability above 1", Male, []Claim{poss("clown", 3, 2)}, "Clown"},
		{"three alleles at one locus", Male, []Claim{vis("lesser"), vis("mojave"), vis("lesser")}, "Lesser"},
		{"super lesser with mojave", Male, []Claim{sup("lesser"), vis("mojave")}, "Lesser"},
		{"unknown gene", Male, []Claim{vis("banana-split")}, "banana-split"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.Genotype(c.sex, c.claims)
			var inv *InvalidError
			require.ErrorAs(t, err, &inv)
			require.Equal(t, c.gene, inv.Gene)
		})
	}
}

// unbounded lists every joint outcome of the pairings these tests make.
var unbounded = Limits{Loci: 64, FullOutcomes: 1 << 20, FullCells: 1 << 30, Top: 64}

func TestPredict_TenGenesAtOnce(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	genes := []string{"clown", "albino", "piebald", "axanthic", "lavender", "ghost", "desert-ghost", "stripe", "ultramel", "monsoon"}
	var claims []Claim
	for _, g := range genes {
		claims = append(claims, het(g))
	}
	p, err := s.PredictWithin(mustGenotype(t, s, Male, claims...), mustGenotype(t, s, Female, claims...), unbounded)
	require.NoError(t, err)
	require.False(t, p.Summarised)
	require.Len(t, p.Outcomes, 1024)
	requireSumsToOne(t, p)
	names := make([]string, 0, len(p.Outcomes))
	for _, o := range p.Outcomes {
		names = append(names, o.Name)
	}
	sort.Strings(names)
	require.Contains(t, names, "Clown Albino Piebald Axanthic Lavender Albino Ghost Desert Ghost Genetic Stripe Ultramel Monsoon")
	require.Equal(t, "1/1048576", p.Outcomes[len(p.Outcomes)-1].Probability.String())
}

// BenchmarkPredictTenGenesEveryLocusSplits is the worst case we know of ten genes: every locus
// splits the offspring, by sex too (6,144 outcomes per sex).
func BenchmarkPredictTenGenesEveryLocusSplits(b *testing.B) {
	s := testBall(b)
	sire := mustGenotype(b, s, Male, vis("pastel"), vis("spider"), vis("enchi"), vis("lesser"), het("clown"), het("albino"), het("piebald"), het("axanthic"), poss("lavender", 2, 3), het("ghost"))
	dam := mustGenotype(b, s, Female, vis("pastel"), vis("mojave"), het("clown"), het("albino"), vis("piebald"), het("axanthic"), het("lavender"), poss("ghost", 1, 2), vis("banana"), het("stripe"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Predict(sire, dam); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredictTenRecessiveHets is the ten-gene pairing breeders run most: two animals
// het for the same ten recessives (1,024 outcomes).
func BenchmarkPredictTenRecessiveHets(b *testing.B) {
	s := testBall(b)
	var claims []Claim
	for _, g := range []string{"clown", "albino", "piebald", "axanthic", "lavender", "ghost", "desert-ghost", "stripe", "ultramel", "monsoon"} {
		claims = append(claims, het(g))
	}
	sire, dam := mustGenotype(b, s, Male, claims...), mustGenotype(b, s, Female, claims...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Predict(sire, dam); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredictTenGenesTypical is a ten-gene project pairing: a visual multi-gene male over
// a female with a few hets (48 outcomes).
func BenchmarkPredictTenGenesTypical(b *testing.B) {
	s := testBall(b)
	sire := mustGenotype(b, s, Male, vis("pastel"), vis("enchi"), vis("lesser"), vis("clown"), het("piebald"), vis("spider"), het("albino"))
	dam := mustGenotype(b, s, Female, het("clown"), vis("piebald"), poss("axanthic", 1, 2), vis("albino"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Predict(sire, dam); err != nil {
			b.Fatal(err)
		}
	}
}
