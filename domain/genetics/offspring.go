package genetics

import (
	"errors"
	"fmt"
	"slices"
)

// ErrSexNeeded is returned by Offspring when a sex-linked gene makes the pairing's offspring
// differ by sex and the offspring's sex is not known.
var ErrSexNeeded = errors.New("the offspring's sex is needed: a sex-linked gene makes the sexes differ")

// ErrNotAnOutcome is returned by Offspring for a look the pairing cannot produce.
var ErrNotAnOutcome = errors.New("not a possible outcome of this pairing")

// DiffersBySex reports whether a sex-linked gene makes sire × dam's male and female offspring
// differ.
func (s *Species) DiffersBySex(sire, dam Genotype) bool {
	_, linked := s.pairingLoci(sire, dam)
	return linked
}

// Offspring gives the outcome of sire × dam that an offspring of the given sex showing looks
// belongs to: its probability among offspring of its sex (or among all when the sexes do not
// differ) and the hets it may carry given that look. Loci assort independently, so this is
// one class per locus and costs no more than the loci involved, however many joint outcomes
// the pairing has.
func (s *Species) Offspring(sire, dam Genotype, sex Sex, looks Genotype) (out Outcome, err error) {
	if sire.Sex == Female || dam.Sex == Male {
		return Outcome{}, fmt.Errorf("the sire must be male and the dam female")
	}
	sire.Sex, dam.Sex = Male, Female
	bySex := s.DiffersBySex(sire, dam)
	loci, sexLinked := s.pairingLoci(sire, dam, looks)
	if len(loci) > DefaultLimits.Loci {
		return Outcome{}, ErrTooManyLoci
	}
	known := sex == Male || sex == Female
	if bySex && !known {
		return Outcome{}, ErrSexNeeded
	}
	if !sexLinked || !known {
		sex = ""
	}
	perLocus := make([][]class, 0, len(loci))
	choice := make([]int, 0, len(loci))
	p := one
	for _, key := range loci {
		classes, _ := s.offspringClasses(key, sire, dam, sex)
		want := map[string]bool{}
		for _, st := range looks.locus(key, s.locusSexLinked(key) && s.heterogametic(sex)) {
			for _, v := range s.phenotype(st.Pair).visual {
				want[v] = true
			}
		}
		ci := slices.IndexFunc(classes, func(c class) bool {
			if len(c.visual) != len(want) {
				return false
			}
			for _, v := range c.visual {
				if !want[v] {
					return false
				}
			}
			return true
		})
		if ci < 0 {
			return Outcome{}, ErrNotAnOutcome
		}
		perLocus = append(perLocus, classes)
		choice = append(choice, ci)
		p = p.Mul(classes[ci].p)
	}
	j := s.newJoint(perLocus, sex, unionPolygenic(s, sire, dam))
	return j.outcome(choice, p), nil
}
