package genetics

import "strings"

// Describe is what an animal's genotype looks like and carries: its visual traits by name
// (combinations first) and its hets and possible hets.
func (s *Species) Describe(g Genotype) (visual []string, hets []HetLabel) {
	return s.describe(g, false)
}

// describe is Describe; canonical writes compounds whose name several allele pairs share as
// their alleles ("Lesser Mojave" rather than "Blue-eyed Leucistic"), so the text parses
// back to exactly this genotype.
func (s *Species) describe(g Genotype, canonical bool) (visual []string, hets []HetLabel) {
	var tokens []string
	for _, l := range g.Loci {
		carried := map[string]Fraction{}
		var look []string
		for i, st := range l.States {
			t := s.phenotype(st.Pair)
			if i == 0 {
				look = t.visual
				if canonical && len(look) == 1 && strings.HasPrefix(look[0], "compound:") && s.compoundShared(strings.TrimPrefix(look[0], "compound:")) {
					look = []string{st.Pair[0], st.Pair[1]}
				}
			}
			for _, h := range t.hidden {
				carried[h] = carried[h].addOrSet(st.P)
			}
		}
		tokens = append(tokens, look...)
		for gene, p := range carried {
			hets = append(hets, HetLabel{Gene: gene, Probability: p, Label: hetLabel(s.genes[gene].Name, p)})
		}
	}
	tokens = append(tokens, g.Polygenic...)
	sortHets(s, hets)
	return s.visualNames(tokens), hets
}

// Format writes a genotype the way breeders do, canonically: visual traits (combinations
// first, then the species' gene order), then hets, then possible hets with their percentage,
// e.g. "Bumblebee Clown het Piebald 66% poss het Albino". The wild type is "Normal".
func (s *Species) Format(g Genotype) string {
	visual, hets := s.describe(g, true)
	parts := visual
	if len(parts) == 0 {
		parts = []string{"Normal"}
	}
	var poss []string
	for _, h := range hets {
		if h.Probability.Cmp(one) == 0 {
			parts = append(parts, h.Label)
		} else {
			poss = append(poss, h.Label)
		}
	}
	return strings.Join(append(parts, poss...), " ")
}

func sortHets(s *Species, hets []HetLabel) {
	for i := 1; i < len(hets); i++ {
		for j := i; j > 0 && s.order[hets[j].Gene] < s.order[hets[j-1].Gene]; j-- {
			hets[j], hets[j-1] = hets[j-1], hets[j]
		}
	}
}

// compoundShared reports whether several allele pairs go by the compound name.
func (s *Species) compoundShared(name string) bool {
	n := 0
	for _, c := range s.Compounds {
		if c.Name == name {
			n++
		}
	}
	return n > 1
}
