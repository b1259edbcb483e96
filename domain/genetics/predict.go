package genetics

import (
	"fmt"
	"math/bits"
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

// Prediction is every outcome of a pairing.
type Prediction struct {
	Outcomes []Outcome
	// BySex is true when a sex-linked gene makes male and female offspring differ; then each
	// sex's outcomes sum to 1 on their own.
	BySex bool
	// LethalRemoved is the share of conceptions that would be homozygous for a lethal gene;
	// they are left out and the rest renormalised.
	LethalRemoved Fraction
	Warnings      []string
}

// Predict gives the exact probabilities of every offspring outcome of sire × dam, for any
// number of genes. Loci assort independently; possible hets enter as probability mixtures;
// lethal homozygotes are removed with a warning; sex-linked genes are followed by offspring
// sex.
func (s *Species) Predict(sire, dam Genotype) (pred Prediction, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(overflowError); !ok {
				panic(r)
			}
			pred, err = Prediction{}, ErrTooComplex
		}
	}()
	if sire.Sex == Female || dam.Sex == Male {
		return Prediction{}, fmt.Errorf("the sire must be male and the dam female")
	}
	sire.Sex, dam.Sex = Male, Female

	keys := map[string]bool{}
	for _, l := range sire.Loci {
		keys[l.Key] = true
	}
	for _, l := range dam.Loci {
		keys[l.Key] = true
	}
	loci := make([]string, 0, len(keys))
	sexLinked := false
	for k := range keys {
		loci = append(loci, k)
		if s.locusSexLinked(k) {
			sexLinked = true
		}
	}
	sort.Strings(loci)

	sexes := []Sex{""}
	if sexLinked {
		sexes = []Sex{Male, Female}
		pred.BySex = true
	}
	// Loci in the species' gene order, so outcomes read in that order.
	sort.SliceStable(loci, func(i, j int) bool { return s.locusOrder(loci[i]) < s.locusOrder(loci[j]) })
	survive := one
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
		outcomes, err := s.enumerate(perLocus, sex, unionPolygenic(s, sire, dam))
		if err != nil {
			return Prediction{}, err
		}
		pred.Outcomes = append(pred.Outcomes, outcomes...)
	}
	pred.LethalRemoved = one.Sub(survive)
	for _, g := range unionPolygenic(s, sire, dam) {
		pred.Warnings = append(pred.Warnings, s.genes[g].Name+" is polygenic (line-bred): offspring may show it, to a degree no cross can predict")
	}
	return pred, nil
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
						add(makePair(x, y), w.Mul(Fraction{1, 4}))
					}
				}
			case s.SexSystem == ZW && sex == Male: // ZZ son: a Z from each parent
				for _, x := range a.Pair {
					add(makePair(x, zAllele(b.Pair)), w.Mul(Fraction{1, 2}))
				}
			case s.SexSystem == ZW: // ZW daughter: her father's Z and her mother's W
				for _, x := range a.Pair {
					add(makePair(x, Hemi), w.Mul(Fraction{1, 2}))
				}
			case sex == Male: // XY son: his mother's X and his father's Y
				for _, y := range b.Pair {
					add(makePair(y, Hemi), w.Mul(Fraction{1, 2}))
				}
			default: // XX daughter: an X from each parent
				for _, y := range b.Pair {
					add(makePair(zAllele(a.Pair), y), w.Mul(Fraction{1, 2}))
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
	if f.Den == 0 {
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

// enumerate multiplies the loci's classes into named outcomes. Visual traits become bits of
// a mask, so that finding named combinations and naming an outcome cost a few word
// operations instead of set arithmetic per outcome.
func (s *Species) enumerate(perLocus [][]class, sex Sex, polygenic []string) ([]Outcome, error) {
	// Index every visual trait that can occur, in display order.
	var tokens []string
	seen := map[string]bool{}
	for _, classes := range perLocus {
		for _, c := range classes {
			for _, v := range c.visual {
				if !seen[v] {
					seen[v] = true
					tokens = append(tokens, v)
				}
			}
		}
	}
	if len(tokens) > 64 {
		return nil, ErrTooComplex
	}
	sort.SliceStable(tokens, func(i, j int) bool { return s.traitOrder(tokens[i]) < s.traitOrder(tokens[j]) })
	bit := make(map[string]uint64, len(tokens))
	names := make([]string, len(tokens))
	for i, t := range tokens {
		bit[t] = 1 << i
		names[i] = s.traitName(t)
	}
	type comboMask struct {
		mask uint64
		name string
	}
	var combos []comboMask
	for _, c := range s.combos {
		var m uint64
		ok := true
		for _, r := range c.Requires {
			b, found := bit[r]
			if !found {
				ok = false
				break
			}
			m |= b
		}
		if ok {
			combos = append(combos, comboMask{m, c.Name})
		}
	}
	// Per class: its mask and its het labels, in gene order.
	type prepared struct {
		mask uint64
		p    Fraction
		hets []HetLabel
	}
	preps := make([][]prepared, len(perLocus))
	for li, classes := range perLocus {
		for _, c := range classes {
			pc := prepared{p: c.p}
			for _, v := range c.visual {
				pc.mask |= bit[v]
			}
			genes := make([]string, 0, len(c.hidden))
			for g := range c.hidden {
				genes = append(genes, g)
			}
			sort.Slice(genes, func(i, j int) bool { return s.order[genes[i]] < s.order[genes[j]] })
			for _, g := range genes {
				pc.hets = append(pc.hets, HetLabel{Gene: g, Probability: c.hidden[g], Label: hetLabel(s.genes[g].Name, c.hidden[g])})
			}
			preps[li] = append(preps[li], pc)
		}
	}
	var possible []string
	for _, g := range polygenic {
		possible = append(possible, s.genes[g].Name)
	}

	// Walk every combination of classes like an odometer, keeping running products per
	// position so that a step recomputes only the positions that changed.
	n := len(preps)
	total := 1
	for _, pcs := range preps {
		total *= len(pcs)
	}
	// Every combination of classes reads differently (classes at one locus differ in look or
	// in hets), so outcomes need no merging.
	out := make([]Outcome, 0, total)
	// Every outcome's visual names and hets live in two shared arrays, one allocation each.
	maxVisual, maxHets := 0, 0
	for _, pcs := range preps {
		mv, mh := 0, 0
		for _, pc := range pcs {
			mv = max(mv, bits.OnesCount64(pc.mask))
			mh = max(mh, len(pc.hets))
		}
		maxVisual += mv
		maxHets += mh
	}
	visualStore := make([]string, 0, total*maxVisual)
	hetStore := make([]*HetLabel, 0, total*maxHets)
	choice := make([]int, n)
	prefixP := make([]Fraction, n+1)
	prefixMask := make([]uint64, n+1)
	prefixP[0] = one
	var sb strings.Builder
	for from := 0; ; {
		for li := from; li < n; li++ {
			pc := preps[li][choice[li]]
			prefixP[li+1] = prefixP[li].Mul(pc.p)
			prefixMask[li+1] = prefixMask[li] | pc.mask
		}
		p, left := prefixP[n], prefixMask[n]
		start := len(visualStore)
		visual := visualStore[start:start:cap(visualStore)]
		for _, c := range combos {
			if left&c.mask == c.mask {
				left &^= c.mask
				visual = append(visual, c.name)
			}
		}
		for i := range names {
			if left&(1<<i) != 0 {
				visual = append(visual, names[i])
			}
		}
		visual = visual[:len(visual):len(visual)]
		visualStore = visualStore[:start+len(visual)]
		// Hets in locus order, which follows the species' gene order.
		hstart := len(hetStore)
		for li, ci := range choice {
			for k := range preps[li][ci].hets {
				hetStore = append(hetStore, &preps[li][ci].hets[k])
			}
		}
		hets := hetStore[hstart:len(hetStore):len(hetStore)]
		sb.Reset()
		sb.Grow(16 * (len(visual) + len(hets) + 1))
		if len(visual) == 0 {
			sb.WriteString("Normal")
		}
		for i, v := range visual {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(v)
		}
		for _, h := range hets {
			sb.WriteByte(' ')
			sb.WriteString(h.Label)
		}
		out = append(out, Outcome{Sex: sex, Name: sb.String(), Probability: p, Visual: visual, Hets: hets, Possible: possible})
		li := n - 1
		for ; li >= 0; li-- {
			choice[li]++
			if choice[li] < len(preps[li]) {
				break
			}
			choice[li] = 0
		}
		if li < 0 {
			break
		}
		from = li
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	// Most likely first; equally likely ones keep the enumeration's order (gene order).
	slices.SortStableFunc(order, func(i, j int) int { return -out[i].Probability.Cmp(out[j].Probability) })
	sorted := make([]Outcome, len(out))
	for i, k := range order {
		sorted[i] = out[k]
	}
	return sorted, nil
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
