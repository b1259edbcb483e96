package genetics

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

// wideSpecies is a catalogue of n incomplete dominant genes ("inc01"…) and n recessives
// ("rec01"…), the most a pairing can split at once, plus a sex-linked incomplete dominant
// ("zinc").
func wideSpecies(t testing.TB, n int) *Species {
	t.Helper()
	s := &Species{Key: "wide", Name: "Wide", SexSystem: ZW}
	for i := 1; i <= n; i++ {
		s.Genes = append(s.Genes,
			Gene{Key: fmt.Sprintf("inc%02d", i), Name: fmt.Sprintf("Inc%02d", i), Mode: IncompleteDominant, SuperName: fmt.Sprintf("Super Inc%02d", i)},
			Gene{Key: fmt.Sprintf("rec%02d", i), Name: fmt.Sprintf("Rec%02d", i), Mode: Recessive})
	}
	s.Genes = append(s.Genes, Gene{Key: "zinc", Name: "Zinc", Mode: IncompleteDominant, SuperName: "Super Zinc", SexLinked: true})
	require.NoError(t, s.Prepare())
	return s
}

// hostilePair is two parents visual for n incomplete dominants and het for n recessives:
// 3^n · 2^n joint outcomes.
func hostilePair(t testing.TB, s *Species, n int) (sire, dam Genotype) {
	t.Helper()
	var claims []Claim
	for i := 1; i <= n; i++ {
		claims = append(claims, vis(fmt.Sprintf("inc%02d", i)), het(fmt.Sprintf("rec%02d", i)))
	}
	return mustGenotype(t, s, Male, claims...), mustGenotype(t, s, Female, claims...)
}

// onlyLocus is g reduced to one locus.
func onlyLocus(g Genotype, key string) Genotype {
	out := Genotype{Sex: g.Sex}
	for _, l := range g.Loci {
		if l.Key == key {
			out.Loci = append(out.Loci, l)
		}
	}
	return out
}

// A pairing of 12 incomplete dominants and 12 shared hets has 3^12 · 2^12 (about 2.2
// billion) joint outcomes: it is answered with each gene's exact distribution and the 64
// most likely joint outcomes, never by listing them all.
func TestPredict_SummarisesAHugePairingExactly(t *testing.T) {
	t.Parallel()
	s := wideSpecies(t, 12)
	sire, dam := hostilePair(t, s, 12)
	p, err := s.Predict(sire, dam)
	require.NoError(t, err)
	require.True(t, p.Summarised)
	require.Equal(t, int64(531441*4096), p.TotalOutcomes)
	require.Len(t, p.Outcomes, DefaultLimits.Top)
	// The most likely: one copy of every incomplete dominant, not visual for any recessive.
	require.Equal(t, Frac(1, 4096).Mul(Frac(531441, 16777216)), p.Outcomes[0].Probability)
	covered := zero
	for i, o := range p.Outcomes {
		covered = covered.Add(o.Probability)
		if i > 0 {
			require.LessOrEqual(t, o.Probability.Cmp(p.Outcomes[i-1].Probability), 0, "outcome %d is more likely than the one before it", i)
		}
	}
	require.Equal(t, covered, p.Covered)

	require.Len(t, p.Loci, 24)
	for _, l := range p.Loci {
		require.Len(t, l.Genes, 1)
		single, err := s.Predict(onlyLocus(sire, l.Genes[0]), onlyLocus(dam, l.Genes[0]))
		require.NoError(t, err)
		require.Equal(t, table(single), table(Prediction{Outcomes: l.Outcomes}), "locus %s", l.Genes[0])
		requireSumsToOne(t, Prediction{Outcomes: l.Outcomes})
	}
}

// More loci than a pairing may involve are refused, before any work.
func TestPredict_RefusesMoreLociThanTheLimit(t *testing.T) {
	t.Parallel()
	s := wideSpecies(t, 17)
	sire, dam := hostilePair(t, s, 17)
	_, err := s.Predict(sire, dam)
	require.ErrorIs(t, err, ErrTooManyLoci)
	require.ErrorIs(t, err, ErrTooComplex)
}

// The summary's outcomes are exactly the first ones of the full, sorted listing, ties
// included, whatever the number asked for: checked by brute force on pairings small enough
// to list, with lethal, allelic, sex-linked and possible-het loci.
func TestPredict_SummaryListsTheTrueMostLikelyOutcomes(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	pairings := []struct {
		name      string
		sire, dam []Claim
	}{
		{"hets and incomplete dominants", []Claim{vis("pastel"), vis("enchi"), het("clown"), het("albino"), het("piebald")},
			[]Claim{vis("pastel"), het("clown"), het("albino"), vis("piebald")}},
		{"lethal and allelic", []Claim{vis("spider"), vis("lesser"), vis("pastel"), het("clown")},
			[]Claim{vis("spider"), vis("mojave"), sup("pastel"), poss("clown", 2, 3)}},
		{"sex-linked", []Claim{vis("banana"), het("xlinked"), vis("pastel"), het("ghost"), poss("axanthic", 1, 2)},
			[]Claim{vis("banana"), vis("enchi"), het("ghost"), het("axanthic"), vis("pastel")}},
		{"every locus splits, by sex", []Claim{vis("pastel"), vis("spider"), vis("enchi"), vis("lesser"), het("clown"), het("albino"), het("piebald"), het("axanthic"), poss("lavender", 2, 3), het("ghost")},
			[]Claim{vis("pastel"), vis("mojave"), het("clown"), het("albino"), vis("piebald"), het("axanthic"), het("lavender"), poss("ghost", 1, 2), vis("banana"), het("stripe")}},
	}
	for _, pc := range pairings {
		sire, dam := mustGenotype(t, s, Male, pc.sire...), mustGenotype(t, s, Female, pc.dam...)
		full, err := s.PredictWithin(sire, dam, unbounded)
		require.NoError(t, err)
		bySex := map[Sex][]Outcome{}
		for _, o := range full.Outcomes {
			bySex[o.Sex] = append(bySex[o.Sex], o)
		}
		for _, top := range []int{2, 6, 30, 64, 1000} {
			t.Run(fmt.Sprintf("%s, top %d", pc.name, top), func(t *testing.T) {
				t.Parallel()
				p, err := s.PredictWithin(sire, dam, Limits{Loci: 32, FullOutcomes: 1, FullCells: 1, Top: top})
				require.NoError(t, err)
				require.True(t, p.Summarised)
				require.Equal(t, full.TotalOutcomes, p.TotalOutcomes)
				require.Equal(t, full.BySex, p.BySex)
				require.Equal(t, full.LethalRemoved, p.LethalRemoved)
				require.Equal(t, full.Warnings, p.Warnings)
				require.Equal(t, full.Loci, p.Loci)
				var want []Outcome
				covered := map[Sex]Fraction{}
				for _, sex := range []Sex{"", Male, Female} {
					first := bySex[sex][:min(len(bySex[sex]), top/len(bySex))]
					want = append(want, first...)
					for _, o := range first {
						covered[sex] = covered[sex].addOrSet(o.Probability)
					}
				}
				require.Equal(t, want, p.Outcomes)
				sum := zero
				for _, c := range covered {
					sum = sum.Add(c)
				}
				require.Equal(t, sum.Mul(Frac(1, int64(len(covered)))), p.Covered)
				if int64(top/len(bySex)*len(bySex)) >= full.TotalOutcomes {
					require.Equal(t, "1", p.Covered.String(), "asking for more than exist lists them all")
				}
			})
		}
	}
}

// A hatchling's outcome, found gene by gene, is the joint outcome with its looks: the same
// probability and hets, for every outcome of a pairing.
func TestOffspring_MatchesTheJointOutcomeWithItsLooks(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	sire := mustGenotype(t, s, Male, vis("pastel"), vis("spider"), vis("lesser"), het("clown"), poss("albino", 2, 3), het("xlinked"))
	dam := mustGenotype(t, s, Female, vis("pastel"), vis("mojave"), het("clown"), vis("albino"), vis("banana"))
	full, err := s.PredictWithin(sire, dam, unbounded)
	require.NoError(t, err)
	require.True(t, full.BySex)
	for _, o := range full.Outcomes {
		claims, err := s.ParseClaims(o.Name[:len(o.Name)-len(hetsSuffix(o))])
		if o.Name == "Normal" || len(o.Visual) == 0 {
			claims, err = nil, nil
		}
		require.NoError(t, err, o.Name)
		looks := mustGenotype(t, s, o.Sex, claims...)
		got, err := s.Offspring(sire, dam, o.Sex, looks)
		require.NoError(t, err, "%s: %s", o.Sex, o.Name)
		require.Equal(t, o, got)
	}
	_, err = s.Offspring(sire, dam, Unknown, mustGenotype(t, s, Unknown, vis("pastel")))
	require.ErrorIs(t, err, ErrSexNeeded)
	_, err = s.Offspring(sire, dam, Male, mustGenotype(t, s, Male, vis("enchi")))
	require.ErrorIs(t, err, ErrNotAnOutcome)
	_, err = s.Offspring(sire, dam, Male, mustGenotype(t, s, Male, sup("pastel"), vis("spider"), sup("lesser")))
	require.ErrorIs(t, err, ErrNotAnOutcome)
}

// hetsSuffix is the part of an outcome's name that lists its hets.
func hetsSuffix(o Outcome) string {
	out := ""
	for _, h := range o.Hets {
		out += " " + h.Label
	}
	return out
}

// BenchmarkPredictWorstWithinLimits measures the costliest predictions DefaultLimits allow:
// the largest full listing (64 outcomes at 32 loci, 2,048 outcome-loci; and 256 outcomes at
// 8 loci), and a summary of 31 loci that all split the offspring, plus a sex-linked one, the
// most exact arithmetic holds.
func BenchmarkPredictWorstWithinLimits(b *testing.B) {
	s := wideSpecies(b, 16)
	var fullSire, fullDam, wideSire, wideDam, summarySire, summaryDam []Claim
	for i := 1; i <= 16; i++ {
		inc, rec := fmt.Sprintf("inc%02d", i), fmt.Sprintf("rec%02d", i)
		if i <= 8 {
			wideSire, wideDam = append(wideSire, het(rec)), append(wideDam, het(rec))
		}
		if i <= 6 {
			fullSire, fullDam = append(fullSire, het(rec)), append(fullDam, het(rec))
		} else {
			fullSire = append(fullSire, vis(rec))
		}
		fullSire = append(fullSire, sup(inc))
		summarySire, summaryDam = append(summarySire, vis(inc)), append(summaryDam, vis(inc))
		if i <= 15 {
			summarySire, summaryDam = append(summarySire, het(rec)), append(summaryDam, het(rec))
		}
	}
	summarySire, summaryDam = append(summarySire, vis("zinc")), append(summaryDam, vis("zinc"))
	for _, c := range []struct {
		name       string
		sire, dam  []Claim
		summarised bool
	}{
		{"full 64 outcomes at 32 loci", fullSire, fullDam, false},
		{"full 256 outcomes at 8 loci", wideSire, wideDam, false},
		{"summary of 32 loci by sex", summarySire, summaryDam, true},
	} {
		sire, dam := mustGenotype(b, s, Male, c.sire...), mustGenotype(b, s, Female, c.dam...)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := s.Predict(sire, dam)
				if err != nil {
					b.Fatal(err)
				}
				if p.Summarised != c.summarised {
					b.Fatalf("summarised %v, %d outcomes of %d", p.Summarised, len(p.Outcomes), p.TotalOutcomes)
				}
			}
		})
	}
}

// BenchmarkPredictHugePairing is the pairing that used to ask for 2.2 billion outcomes at
// once: 12 incomplete dominants and 12 shared hets.
func BenchmarkPredictHugePairing(b *testing.B) {
	s := wideSpecies(b, 12)
	sire, dam := hostilePair(b, s, 12)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Predict(sire, dam); err != nil {
			b.Fatal(err)
		}
	}
}

// Pairings whose exact fractions pass 64 bits are answered exactly all the same: each
// gene's distribution, and the most likely joint outcomes, summarised.
func TestPredict_AnswersExactlyPastSixtyFourBitFractions(t *testing.T) {
	t.Parallel()
	s := wideSpecies(t, 16)
	// P(visual) at one recessive locus of 66% poss het × 33% poss het: 33/50 · 33/100 · 1/4.
	recessive := Frac(33, 50).Mul(Frac(33, 100)).Mul(Frac(1, 4))
	for _, tc := range []struct {
		name          string
		sire, dam     []Claim
		loci          int
		totalOutcomes int64
	}{
		{name: "16 recessives, 66% poss het × 33% poss het", loci: 16, totalOutcomes: 1 << 16},
		{name: "14 incomplete dominants and 14 possible hets", loci: 28, totalOutcomes: 4782969 * (1 << 14)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var sireClaims, damClaims []Claim
			for i := 1; i <= 16; i++ {
				if tc.loci == 28 && i > 14 {
					break
				}
				if tc.loci == 28 {
					sireClaims = append(sireClaims, vis(fmt.Sprintf("inc%02d", i)))
					damClaims = append(damClaims, vis(fmt.Sprintf("inc%02d", i)))
				}
				sireClaims = append(sireClaims, poss(fmt.Sprintf("rec%02d", i), 66, 100))
				damClaims = append(damClaims, poss(fmt.Sprintf("rec%02d", i), 33, 100))
			}
			sire, dam := mustGenotype(t, s, Male, sireClaims...), mustGenotype(t, s, Female, damClaims...)
			p, err := s.Predict(sire, dam)
			require.NoError(t, err)
			require.True(t, p.Summarised)
			require.Equal(t, tc.totalOutcomes, p.TotalOutcomes)
			require.Len(t, p.Outcomes, DefaultLimits.Top)
			require.Len(t, p.Loci, tc.loci)
			for _, l := range p.Loci {
				requireSumsToOne(t, Prediction{Outcomes: l.Outcomes})
				if gene := l.Genes[0]; gene[:3] == "rec" {
					require.Equal(t, recessive, locusOutcome(t, l, s.genes[gene].Name).Probability, "locus %s", gene)
				}
			}
			// The most likely offspring: no recessive visual, one copy of each incomplete
			// dominant; its probability needs more than 64 bits and is exact.
			want := big.NewRat(1, 1)
			for range 16 {
				if tc.loci == 28 {
					break
				}
				want.Mul(want, one.Sub(recessive).rat())
			}
			if tc.loci == 28 {
				for range 14 {
					want.Mul(want, one.Sub(recessive).rat())
					want.Mul(want, big.NewRat(1, 2))
				}
			}
			require.Equal(t, want.RatString(), p.Outcomes[0].Probability.String())
			require.Positive(t, p.Covered.Float())
			require.Less(t, p.Covered.Float(), 1.0)
			for i := 1; i < len(p.Outcomes); i++ {
				require.LessOrEqual(t, p.Outcomes[i].Probability.Cmp(p.Outcomes[i-1].Probability), 0)
			}
		})
	}
}

// locusOutcome is the outcome of l named name.
func locusOutcome(t *testing.T, l LocusPrediction, name string) Outcome {
	t.Helper()
	for _, o := range l.Outcomes {
		if o.Name == name {
			return o
		}
	}
	require.Failf(t, "no such outcome", "%s in %v", name, l.Outcomes)
	return Outcome{}
}

// Allelic loci can show more than 64 visual traits between them; the pairing is answered.
func TestPredict_AnswersPairingsOfMoreThan64VisualTraits(t *testing.T) {
	t.Parallel()
	s := &Species{Key: "allelic", Name: "Allelic", SexSystem: ZW}
	var claims []Claim
	for i := 1; i <= 22; i++ {
		a, b := fmt.Sprintf("a%02d", i), fmt.Sprintf("b%02d", i)
		s.Genes = append(s.Genes,
			Gene{Key: a, Name: "A" + a[1:], Mode: IncompleteDominant, SuperName: "Super A" + a[1:], Locus: fmt.Sprintf("l%02d", i)},
			Gene{Key: b, Name: "B" + b[1:], Mode: IncompleteDominant, SuperName: "Super B" + b[1:], Locus: fmt.Sprintf("l%02d", i)})
		claims = append(claims, vis(a), vis(b))
	}
	require.NoError(t, s.Prepare())
	sire, dam := mustGenotype(t, s, Male, claims...), mustGenotype(t, s, Female, claims...)
	p, err := s.Predict(sire, dam)
	require.NoError(t, err)
	require.Len(t, p.Loci, 22)
	traits := map[string]bool{}
	for _, l := range p.Loci {
		for _, o := range l.Outcomes {
			for _, v := range o.Visual {
				traits[v] = true
			}
		}
	}
	require.Greater(t, len(traits), 64)
	require.True(t, p.Summarised)
	// Each locus is Super A 1/4, A B 1/2, Super B 1/4: the most likely is A B everywhere.
	require.Equal(t, Frac(1, 1<<22), p.Outcomes[0].Probability)
	require.Len(t, p.Outcomes[0].Visual, 44, "%s", p.Outcomes[0].Name)
}

// BenchmarkPredictPastSixtyFourBits is the 28-locus pairing whose fractions need math/big:
// 14 incomplete dominants and 14 recessives, 66% poss het × 33% poss het.
func BenchmarkPredictPastSixtyFourBits(b *testing.B) {
	s := wideSpecies(b, 14)
	var sireClaims, damClaims []Claim
	for i := 1; i <= 14; i++ {
		sireClaims = append(sireClaims, vis(fmt.Sprintf("inc%02d", i)), poss(fmt.Sprintf("rec%02d", i), 66, 100))
		damClaims = append(damClaims, vis(fmt.Sprintf("inc%02d", i)), poss(fmt.Sprintf("rec%02d", i), 33, 100))
	}
	sire, dam := mustGenotype(b, s, Male, sireClaims...), mustGenotype(b, s, Female, damClaims...)
	for b.Loop() {
		if _, err := s.Predict(sire, dam); err != nil {
			b.Fatal(err)
		}
	}
}
