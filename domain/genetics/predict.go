package genetics

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// HetLabel is a recessive gene an offspring may carry unseen, with the probability that it
// does given what it looks like.
type HetLabel struct {
	Gene        string
	Probability Fraction
	Label       string // "het Clown" or "66% poss het Clown"
}

// Outcome is one kind of offspring: what it looks like, what it may carry, and how likely it
// is among the offspring of its sex (or among all offspring when Sex is empty).
type Outcome struct {
	Sex         Sex // empty unless a sex-linked gene makes the sexes differ
	Name        string
	Probability Fraction
	Visual      []string    // the visual traits by name, combinations first
	Hets        []*HetLabel // in the species' gene order; shared between outcomes, do not modify
	Possible    []string    // polygenic traits a parent shows: offspring may show them
}

// Prediction is what a pairing's offspring can be: every joint outcome when there are few
// enough to list (Limits), else the most likely ones; and always each locus on its own.
type Prediction struct {
	// Outcomes are the joint outcomes, most likely first: all of them, or when Summarised
	// the most likely ones only.
	Outcomes []Outcome
	// BySex is true when a sex-linked gene makes male and female offspring differ; then each
	// sex's outcomes sum to 1 on their own.
	BySex bool
	// Summarised is true when the joint outcomes exceed the limits and Outcomes lists only
	// the most likely of them.
	Summarised bool
	// TotalOutcomes is how many joint outcomes there are (both sexes' when BySex), listed or
	// not, saturating at the largest int64.
	TotalOutcomes int64
	// Covered is the share of offspring the listed outcomes describe: 1 unless Summarised.
	// When BySex, the sexes weigh equally.
	Covered Fraction
	// Loci is the exact distribution at each locus on its own, in the species' gene order;
	// a sex-linked locus appears once per sex when BySex.
	Loci []LocusPrediction
	// LethalRemoved is the share of conceptions that would be homozygous for a lethal gene;
	// they are left out and the rest renormalised.
	LethalRemoved Fraction
	Warnings      []string
}

// LocusPrediction is what offspring can be at one locus, whatever they are elsewhere.
type LocusPrediction struct {
	Genes    []string  // the keys of the genes either parent carries at the locus, in gene order
	Sex      Sex       // set when the locus is sex-linked and the prediction BySex
	Outcomes []Outcome // most likely first; they sum to 1
}

// Limits bound the work and the size of a prediction. A pairing at more than Loci loci is
// refused; joint outcomes are listed in full when there are at most FullOutcomes of them and
// at most FullCells outcome-loci (outcomes × loci, which is what the listing's size grows
// with); beyond, only the Top most likely are listed (Top per sex halved when BySex).
type Limits struct {
	Loci         int
	FullOutcomes int64
	FullCells    int64
	Top          int
}

// DefaultLimits keep a prediction within a few milliseconds and its listing within a few
// hundred kilobytes; BenchmarkPredictWorstWithinLimits measures them.
var DefaultLimits = Limits{Loci: 32, FullOutcomes: 256, FullCells: 2048, Top: 64}

// ErrTooManyLoci is returned for a pairing at more loci than Limits allow.
var ErrTooManyLoci = fmt.Errorf("%w: more genes than a pairing may involve", ErrTooComplex)

// Predict gives the exact probabilities of a pairing's offspring within DefaultLimits.
func (s *Species) Predict(sire, dam Genotype) (Prediction, error) {
	return s.PredictWithin(sire, dam, DefaultLimits)
}

// PredictWithin gives the exact probabilities of sire × dam's offspring outcomes, for any
// number of genes up to lim.Loci, listing the joint outcomes in full or their most likely
// ones as lim says; fractions too large for 64 bits are carried in math/big, so the answer is
// exact at any size. Loci assort independently; possible hets enter as probability mixtures;
// lethal homozygotes are removed with a warning; sex-linked genes are followed by offspring
// sex.
func (s *Species) PredictWithin(sire, dam Genotype, lim Limits) (pred Prediction, err error) {
	if sire.Sex == Female || dam.Sex == Male {
		return Prediction{}, fmt.Errorf("the sire must be male and the dam female")
	}
	sire.Sex, dam.Sex = Male, Female

	loci, sexLinked := s.pairingLoci(sire, dam)
	if len(loci) > lim.Loci {
		return Prediction{}, ErrTooManyLoci
	}
	sexes := []Sex{""}
	if sexLinked {
		sexes = []Sex{Male, Female}
		pred.BySex = true
	}
	polygenic := unionPolygenic(s, sire, dam)
	survive := one
	joints := make([]*joint, len(sexes))
	for i, sex := range sexes {
		perLocus := make([][]class, 0, len(loci))
		lethalAll := zero
		for _, key := range loci {
			classes, lethal := s.offspringClasses(key, sire, dam, sex)
			if !lethal.IsZero() {
				lethalAll = one.Sub(one.Sub(lethalAll).Mul(one.Sub(lethal)))
				pred.Warnings = appendOnce(pred.Warnings, fmt.Sprintf(
					"%s is lethal when homozygous: %s of offspring would not survive and are left out",
					s.locusName(key), percentString(lethal)))
			}
			perLocus = append(perLocus, classes)
		}
		if i == 0 {
			survive = one.Sub(lethalAll)
		}
		joints[i] = s.newJoint(perLocus, sex, polygenic)
		pred.TotalOutcomes = satAdd(pred.TotalOutcomes, joints[i].count())
	}
	pred.Loci = s.lociPredictions(loci, sire, dam, sexes)
	pred.Summarised = pred.TotalOutcomes > lim.FullOutcomes || satMul(pred.TotalOutcomes, int64(len(loci))) > lim.FullCells
	covered := zero
	for _, j := range joints {
		var outcomes []Outcome
		if pred.Summarised {
			outcomes = j.top(max(1, lim.Top/len(sexes)))
		} else {
			outcomes = j.all()
		}
		for _, o := range outcomes {
			covered = covered.Add(o.Probability)
		}
		pred.Outcomes = append(pred.Outcomes, outcomes...)
	}
	pred.Covered = covered.Mul(Frac(1, int64(len(sexes))))
	pred.LethalRemoved = one.Sub(survive)
	for _, g := range polygenic {
		pred.Warnings = append(pred.Warnings, s.genes[g].Name+" is polygenic (line-bred): offspring may show it, to a degree no cross can predict")
	}
	return pred, nil
}

// pairingLoci lists the loci either parent carries anything at, in the species' gene order,
// and says whether any is sex-linked.
func (s *Species) pairingLoci(parents ...Genotype) (loci []string, sexLinked bool) {
	keys := map[string]bool{}
	for _, g := range parents {
		for _, l := range g.Loci {
			keys[l.Key] = true
		}
	}
	loci = make([]string, 0, len(keys))
	for k := range keys {
		loci = append(loci, k)
		if s.locusSexLinked(k) {
			sexLinked = true
		}
	}
	sort.Strings(loci)
	// Loci in the species' gene order, so outcomes read in that order.
	sort.SliceStable(loci, func(i, j int) bool { return s.locusOrder(loci[i]) < s.locusOrder(loci[j]) })
	return loci, sexLinked
}

// lociPredictions gives each locus's distribution on its own: once, or once per sex for a
// sex-linked locus when the offspring differ by sex.
func (s *Species) lociPredictions(loci []string, sire, dam Genotype, sexes []Sex) []LocusPrediction {
	out := make([]LocusPrediction, 0, len(loci))
	for _, key := range loci {
		locusSexes := []Sex{""}
		if len(sexes) > 1 && s.locusSexLinked(key) {
			locusSexes = sexes
		}
		for _, sex := range locusSexes {
			classes, _ := s.offspringClasses(key, sire, dam, sex)
			j := s.newJoint([][]class{classes}, "", nil)
			out = append(out, LocusPrediction{Genes: s.locusGenes(key, sire, dam), Sex: sex, Outcomes: j.all()})
		}
	}
	return out
}

// locusGenes lists the genes either parent carries at a locus, in the species' gene order.
func (s *Species) locusGenes(key string, parents ...Genotype) []string {
	var genes []string
	for _, g := range parents {
		for _, st := range g.locus(key, false) {
			for _, a := range st.Pair {
				if _, ok := s.genes[a]; ok && !slices.Contains(genes, a) {
					genes = append(genes, a)
				}
			}
		}
	}
	sort.Slice(genes, func(i, j int) bool { return s.order[genes[i]] < s.order[genes[j]] })
	return genes
}

func (s *Species) locusSexLinked(key string) bool {
	for i := range s.Genes {
		if s.Genes[i].LocusKey() == key {
			return s.Genes[i].SexLinked
		}
	}
	return false
}

func (s *Species) locusName(key string) string {
	var names []string
	for i := range s.Genes {
		if s.Genes[i].LocusKey() == key && s.Genes[i].Lethal {
			names = append(names, s.Genes[i].Name)
		}
	}
	return strings.Join(names, ", ")
}

// class is one look at one locus: its probability among survivors and the probability of
// carrying each hidden recessive gene given that look.
type class struct {
	visual []string
	p      Fraction
	hidden map[string]Fraction // gene → P(carries | class)
}

// offspringClasses gives the offspring's classes at one locus (for one offspring sex when
// the locus is sex-linked) and the share lost to lethal homozygotes.
func (s *Species) offspringClasses(key string, sire, dam Genotype, sex Sex) ([]class, Fraction) {
	linked := s.locusSexLinked(key)
	sireStates := sire.locus(key, linked && s.heterogametic(Male))
	damStates := dam.locus(key, linked && s.heterogametic(Female))
	states := map[Pair]Fraction{}
	add := func(p Pair, w Fraction) { states[p] = states[p].addOrSet(w) }
	for _, a := range sireStates {
		for _, b := range damStates {
			w := a.P.Mul(b.P)
			switch {
			case !linked:
				for _, x := range a.Pair {
					for _, y := range b.Pair {
						add(makePair(x, y), w.Mul(Frac(1, 4)))
					}
				}
			case s.SexSystem == ZW && sex == Male: // ZZ son: a Z from each parent
				for _, x := range a.Pair {
					add(makePair(x, zAllele(b.Pair)), w.Mul(Frac(1, 2)))
				}
			case s.SexSystem == ZW: // ZW daughter: her father's Z and her mother's W
				for _, x := range a.Pair {
					add(makePair(x, Hemi), w.Mul(Frac(1, 2)))
				}
			case sex == Male: // XY son: his mother's X and his father's Y
				for _, y := range b.Pair {
					add(makePair(y, Hemi), w.Mul(Frac(1, 2)))
				}
			default: // XX daughter: an X from each parent
				for _, y := range b.Pair {
					add(makePair(zAllele(a.Pair), y), w.Mul(Frac(1, 2)))
				}
			}
		}
	}
	byLook := map[string]*class{}
	var order []string
	lethal := zero
	pairs := make([]Pair, 0, len(states))
	for p := range states {
		pairs = append(pairs, p)
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0]+"|"+pairs[i][1] < pairs[j][0]+"|"+pairs[j][1] })
	for _, pair := range pairs {
		w := states[pair]
		t := s.phenotype(pair)
		if t.lethal {
			lethal = lethal.Add(w)
			continue
		}
		look := strings.Join(t.visual, ",")
		c, ok := byLook[look]
		if !ok {
			c = &class{visual: t.visual, p: zero, hidden: map[string]Fraction{}}
			byLook[look] = c
			order = append(order, look)
		}
		c.p = c.p.Add(w)
		for _, h := range t.hidden {
			c.hidden[h] = c.hidden[h].addOrSet(w)
		}
	}
	survivors := one.Sub(lethal)
	out := make([]class, 0, len(order))
	for _, look := range order {
		c := byLook[look]
		for h, w := range c.hidden {
			c.hidden[h] = w.Div(c.p)
		}
		c.p = c.p.Div(survivors)
		out = append(out, *c)
	}
	return out, lethal
}

// zAllele is the allele on the chromosome a heterogametic parent passes to offspring of the
// homogametic sex (the Z of a ZW mother, the X of an XY father): pairs keep Hemi second.
func zAllele(p Pair) string { return p[0] }

func (f Fraction) addOrSet(w Fraction) Fraction {
	if f.Den == 0 && f.big == nil {
		return w
	}
	return f.Add(w)
}

// locusOrder is the canonical position of a locus: that of its first gene.
func (s *Species) locusOrder(key string) int {
	best := -1
	for i := range s.Genes {
		if s.Genes[i].LocusKey() == key {
			if o := s.order[s.Genes[i].Key]; best < 0 || o < best {
				best = o
			}
		}
	}
	return best
}

// hetLabel writes a het as breeders do: "het Clown" when certain, else the truncated
// percentage, "66% poss het Clown".
func hetLabel(name string, p Fraction) string {
	if p.Cmp(one) == 0 {
		return "het " + name
	}
	return fmt.Sprintf("%d%% poss het %s", p.Percent(), name)
}

func percentString(f Fraction) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.2f", f.Float()*100), "0"), ".0") + "%"
}

func unionPolygenic(s *Species, sire, dam Genotype) []string {
	seen := map[string]bool{}
	var out []string
	for _, g := range append(append([]string{}, sire.Polygenic...), dam.Polygenic...) {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return s.order[out[i]] < s.order[out[j]] })
	return out
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
