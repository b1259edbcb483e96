package lineage

import (
	"errors"
	"fmt"
	"slices"
)

// MaxGenerations is the deepest pedigree KnownAncestors and Completeness look into: the
// 2^62 ancestor positions of generation 62 still fit an int.
const MaxGenerations = 62

// ErrGenerations is a number of generations outside [1, MaxGenerations].
var ErrGenerations = errors.New("lineage: generations out of range")

// KnownAncestors returns, for generations 1 (parents) to generations, how many of the 2^g
// ancestor positions of generation g are filled by a known animal. Positions are counted,
// not animals: an ancestor reached by two lines of descent (inbreeding) fills two positions.
func (p *Pedigree) KnownAncestors(id int64, generations int) ([]int, error) {
	i, err := p.lookup(id)
	if err != nil {
		return nil, err
	}
	if generations < 1 || generations > MaxGenerations {
		return nil, fmt.Errorf("%w: %d", ErrGenerations, generations)
	}
	pat := p.lineCounts(p.sire[i], generations)
	mat := p.lineCounts(p.dam[i], generations)
	out := make([]int, generations)
	for g := range out {
		out[g] = int(pat[g] + mat[g])
	}
	return out, nil
}

// Completeness returns the pedigree completeness index (PCI) of MacCluer et al. (1983, Zoo
// Biology 2:147) over the given number of generations (the API uses 5):
//
//	PCI = 2·C_sire·C_dam / (C_sire + C_dam)
//	C_x = (1/G) · Σ_{g=1..G} a_x(g) / 2^(g−1)
//
// where G = generations and a_x(g) is the number of known ancestor positions in
// generation g of the animal's line through parent x: the parent itself in generation 1,
// its 2 parents in generation 2, its 4 grandparents in generation 3, and so on. C_x is the
// mean proportion of known ancestors per generation on one side, and the PCI is the
// harmonic mean of the two sides, so one unknown parent gives 0 however complete the other
// side is, and a full pedigree gives 1. (The formula is often written 4·C_pat·C_mat /
// (C_pat + C_mat) with proportions taken over whole generations, 2^g positions, which is
// the same value.) This is also the PCI of optiSel's summary.Pedig (Wellmann).
func (p *Pedigree) Completeness(id int64, generations int) (float64, error) {
	i, err := p.lookup(id)
	if err != nil {
		return 0, err
	}
	if generations < 1 || generations > MaxGenerations {
		return 0, fmt.Errorf("%w: %d", ErrGenerations, generations)
	}
	cs := lineProportion(p.lineCounts(p.sire[i], generations))
	cd := lineProportion(p.lineCounts(p.dam[i], generations))
	if cs == 0 || cd == 0 {
		return 0, nil
	}
	return 2 * cs * cd / (cs + cd), nil
}

// lineProportion is C_x: the mean over generations of the proportion of known positions in
// one parent's line, where generation g holds 2^(g−1) positions.
func lineProportion(counts []int64) float64 {
	var sum float64
	for g, c := range counts {
		sum += float64(c) / float64(int64(1)<<g)
	}
	return sum / float64(len(counts))
}

// lineCounts returns the number of known ancestor positions in each of the generations of
// the line that starts with ancestor a (-1: unknown) in generation 1.
func (p *Pedigree) lineCounts(a int32, generations int) []int64 {
	type slot struct {
		animal int32
		count  int64 // positions this animal fills in the generation
	}
	counts := make([]int64, generations)
	if a < 0 {
		return counts
	}
	front := []slot{{a, 1}}
	var next []slot
	for g := range generations {
		for _, s := range front {
			counts[g] += s.count
		}
		if g == generations-1 {
			break
		}
		next = next[:0]
		for _, s := range front {
			if par := p.sire[s.animal]; par >= 0 {
				next = append(next, slot{par, s.count})
			}
			if par := p.dam[s.animal]; par >= 0 {
				next = append(next, slot{par, s.count})
			}
		}
		// An animal reached through several positions is carried once, with their count.
		slices.SortFunc(next, func(x, y slot) int { return int(x.animal) - int(y.animal) })
		merged := next[:0]
		for _, s := range next {
			if k := len(merged) - 1; k >= 0 && merged[k].animal == s.animal {
				merged[k].count += s.count
			} else {
				merged = append(merged, s)
			}
		}
		front, next = merged, front
		if len(front) == 0 {
			break
		}
	}
	return counts
}
