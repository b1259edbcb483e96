package genetics

import (
	"sort"
	"strings"
)

// traits is what one pair at a locus looks like: its visual traits ("key", "super:key" or
// "compound:Name") and the recessive genes it carries unseen.
type traits struct {
	visual []string
	hidden []string
	lethal bool
}

// phenotype classifies one pair.
func (s *Species) phenotype(p Pair) traits {
	var t traits
	a, b := p[0], p[1]
	isGene := func(x string) bool { return x != "" && x != Hemi }
	switch {
	case !isGene(a) && !isGene(b):
		return t
	case isGene(a) && isGene(b) && a == b:
		g := s.genes[a]
		t.lethal = g.Lethal
		switch g.Mode {
		case IncompleteDominant:
			t.visual = []string{"super:" + a}
		default:
			t.visual = []string{a}
		}
		return t
	case isGene(a) && isGene(b):
		if name := s.compoundName(a, b); name != "" {
			t.visual = []string{"compound:" + name}
			return t
		}
		for _, x := range []string{a, b} {
			if s.genes[x].Mode == Recessive {
				t.hidden = append(t.hidden, x)
			} else {
				t.visual = append(t.visual, x)
			}
		}
		return t
	}
	// One copy of a gene, with the wild type or alone (hemizygous).
	x := a
	g := s.genes[x]
	if g.Mode == Recessive && b != Hemi {
		t.hidden = []string{x}
	} else {
		t.visual = []string{x}
	}
	return t
}

// visualNames names a set of visual traits, replacing every named combination the set
// contains (largest first) by its name, and listing the rest in the species' gene order.
func (s *Species) visualNames(visual []string) []string {
	left := map[string]bool{}
	for _, v := range visual {
		left[v] = true
	}
	var out []string
	for _, c := range s.combos {
		all := len(c.Requires) > 0
		for _, r := range c.Requires {
			if !left[r] {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		for _, r := range c.Requires {
			delete(left, r)
		}
		out = append(out, c.Name)
	}
	rest := make([]string, 0, len(left))
	for v := range left {
		rest = append(rest, v)
	}
	sort.Slice(rest, func(i, j int) bool { return s.traitOrder(rest[i]) < s.traitOrder(rest[j]) })
	for _, v := range rest {
		out = append(out, s.traitName(v))
	}
	return out
}

func (s *Species) traitOrder(t string) int {
	switch {
	case strings.HasPrefix(t, "super:"):
		return s.order[strings.TrimPrefix(t, "super:")]
	case strings.HasPrefix(t, "compound:"):
		name := strings.TrimPrefix(t, "compound:")
		for _, c := range s.Compounds {
			if c.Name == name {
				return min(s.order[c.Alleles[0]], s.order[c.Alleles[1]])
			}
		}
	}
	return s.order[t]
}

func (s *Species) traitName(t string) string {
	switch {
	case strings.HasPrefix(t, "super:"):
		return s.genes[strings.TrimPrefix(t, "super:")].SuperName
	case strings.HasPrefix(t, "compound:"):
		return strings.TrimPrefix(t, "compound:")
	}
	if g, ok := s.genes[t]; ok {
		return g.Name
	}
	return t
}
