package lineage

import (
	"math/rand/v2"
)

// SimConfig parameterises Simulate. Sizes other than Animals are raised to at least 1 and
// rates are clamped to [0, 1].
type SimConfig struct {
	// Seed makes the population reproducible: the same config gives the same animals.
	Seed uint64
	// Animals is the total number of animals, founders included.
	Animals int
	// Generations is the number of discrete generations; generation 0 holds the founders.
	Generations int
	// Orgs is the number of breeding organisations; each generation is split evenly.
	Orgs int
	// Breeders is how many animals of each organisation and generation are kept back as
	// breeders; the rest are sold as pets and never breed.
	Breeders int
	// ClutchSize is the mean clutch: full sibs sharing one pairing (uniform 1..2c−1).
	ClutchSize int
	// TradeRate is the probability that a parent of a clutch is a breeder bought from
	// another organisation rather than the organisation's own.
	TradeRate float64
	// CloseMatingRate is the share of clutches from a deliberate close mating — full sibs,
	// half sibs, parent × offspring or first cousins — when the organisation's breeders
	// offer one.
	CloseMatingRate float64
	// UnknownParentRate is the probability that a parent of a clutch is not recorded.
	UnknownParentRate float64
}

// DefaultSimConfig is a reptile-breeding population of a million animals: 1,000
// organisations over 20 generations, 20 breeders kept per organisation and generation,
// clutches of 6, 10% of parents bought from another organisation, 10% close matings and 2%
// unrecorded parents. Mean F rises to about 0.13 by the last generation; a last-generation
// animal has about a thousand known ancestors.
func DefaultSimConfig() SimConfig {
	return SimConfig{
		Seed:              1,
		Animals:           1_000_000,
		Generations:       20,
		Orgs:              1_000,
		Breeders:          20,
		ClutchSize:        6,
		TradeRate:         0.10,
		CloseMatingRate:   0.10,
		UnknownParentRate: 0.02,
	}
}

// Population is a simulated population. Animals are in birth order (parents precede
// offspring) and animal k has ID k+1; the other slices are parallel to Animals.
type Population struct {
	Animals []Animal
	// Org is the organisation that bred the animal (a traded breeder keeps its origin).
	Org []int32
	// Generation is the animal's generation, 0 for founders.
	Generation []int32
	// Female is the animal's sex; sires are always male and dams female.
	Female []bool
}

// ParentIndex returns the dense parent indices of the population (ID−1, -1 unknown), ready
// for NewPedigreeFromIndex.
func (pop Population) ParentIndex() (sire, dam []int32) {
	sire = make([]int32, len(pop.Animals))
	dam = make([]int32, len(pop.Animals))
	for i, a := range pop.Animals {
		sire[i] = int32(a.Sire - 1)
		dam[i] = int32(a.Dam - 1)
	}
	return sire, dam
}

// Simulate returns the animals of a simulated population; see SimulatePopulation.
func Simulate(cfg SimConfig) []Animal { return SimulatePopulation(cfg).Animals }

// SimulatePopulation simulates a breeding population, deterministically from cfg.Seed.
// Generation 0 holds unrelated founders. In every later generation each organisation
// breeds its share of animals in clutches: the parents are breeders kept back from the
// organisation's previous one or two generations, a parent is bought from another
// organisation with probability TradeRate, and a share CloseMatingRate of clutches comes
// from a deliberate close mating. Each organisation then keeps Breeders random animals of
// the generation as future breeders.
func SimulatePopulation(cfg SimConfig) Population {
	cfg = cfg.normalized()
	s := &simulator{
		cfg: cfg,
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed_1e5_11ea9e)),
	}
	s.pop = Population{
		Animals:    make([]Animal, 0, cfg.Animals),
		Org:        make([]int32, 0, cfg.Animals),
		Generation: make([]int32, 0, cfg.Animals),
		Female:     make([]bool, 0, cfg.Animals),
	}
	for g := range cfg.Generations {
		kept := make([][]int32, cfg.Orgs)
		for o := range cfg.Orgs {
			start := len(s.pop.Animals)
			s.breedCell(g, o, share(share(cfg.Animals, cfg.Generations, g), cfg.Orgs, o))
			kept[o] = s.keep(start, len(s.pop.Animals))
		}
		s.kept[1], s.kept[0] = s.kept[0], kept // kept[0]: g, kept[1]: g−1 for the next round
	}
	return s.pop
}

func (c SimConfig) normalized() SimConfig {
	c.Animals = max(c.Animals, 0)
	c.Generations = max(c.Generations, 1)
	c.Orgs = max(c.Orgs, 1)
	c.Breeders = max(c.Breeders, 1)
	c.ClutchSize = max(c.ClutchSize, 1)
	c.TradeRate = min(max(c.TradeRate, 0), 1)
	c.CloseMatingRate = min(max(c.CloseMatingRate, 0), 1)
	c.UnknownParentRate = min(max(c.UnknownParentRate, 0), 1)
	return c
}

// share is part k of total split into n near-equal parts.
func share(total, n, k int) int {
	q := total / n
	if k < total%n {
		q++
	}
	return q
}

type simulator struct {
	cfg SimConfig
	rng *rand.Rand
	pop Population
	// kept[0] and kept[1] are the breeders of each organisation in the previous two
	// generations (g−1 and g−2 while generation g is bred).
	kept [2][][]int32
	// males and females are the current organisation's breeders (scratch).
	males, females []int32
}

// breedCell adds n animals of organisation o in generation g.
func (s *simulator) breedCell(g, o, n int) {
	if g == 0 {
		for range n {
			s.add(-1, -1, g, o)
		}
		return
	}
	s.males, s.females = s.males[:0], s.females[:0]
	for _, gen := range s.kept {
		if gen == nil {
			continue
		}
		for _, a := range gen[o] {
			if s.pop.Female[a] {
				s.females = append(s.females, a)
			} else {
				s.males = append(s.males, a)
			}
		}
	}
	for n > 0 {
		sire, dam := s.pair(o)
		k := min(n, 1+s.rng.IntN(2*s.cfg.ClutchSize-1))
		if s.rng.Float64() < s.cfg.UnknownParentRate {
			sire = -1
		}
		if s.rng.Float64() < s.cfg.UnknownParentRate {
			dam = -1
		}
		for range k {
			s.add(sire, dam, g, o)
		}
		n -= k
	}
}

func (s *simulator) add(sire, dam int32, g, o int) {
	id := int64(len(s.pop.Animals)) + 1
	s.pop.Animals = append(s.pop.Animals, Animal{ID: id, Sire: int64(sire) + 1, Dam: int64(dam) + 1})
	s.pop.Org = append(s.pop.Org, int32(o))
	s.pop.Generation = append(s.pop.Generation, int32(g))
	s.pop.Female = append(s.pop.Female, s.rng.IntN(2) == 0)
}

// keep picks the breeders among animals [start, end).
func (s *simulator) keep(start, end int) []int32 {
	n := end - start
	k := min(s.cfg.Breeders, n)
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(start + i)
	}
	for i := range k { // partial Fisher–Yates
		j := i + s.rng.IntN(n-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	return idx[:k:k]
}

// pair chooses the sire and dam of a clutch of organisation o (-1 when none is available).
func (s *simulator) pair(o int) (sire, dam int32) {
	if s.rng.Float64() < s.cfg.CloseMatingRate {
		if m, f, ok := s.closeMating(s.rng.IntN(4)); ok {
			return m, f
		}
	}
	return s.parent(o, false), s.parent(o, true)
}

// parent draws a breeder of the given sex: the organisation's own or, with probability
// TradeRate or when it has none, one bought from another organisation.
func (s *simulator) parent(o int, female bool) int32 {
	own := s.males
	if female {
		own = s.females
	}
	if len(own) > 0 && (s.cfg.Orgs == 1 || s.rng.Float64() >= s.cfg.TradeRate) {
		return own[s.rng.IntN(len(own))]
	}
	for range 8 { // a few sellers; tiny populations may have none of that sex
		other := s.rng.IntN(s.cfg.Orgs)
		gen := s.kept[s.rng.IntN(2)]
		if gen == nil {
			gen = s.kept[0]
		}
		if other == o && s.cfg.Orgs > 1 {
			continue
		}
		cands := gen[other]
		start := s.rng.IntN(len(cands) + 1)
		for k := range cands {
			a := cands[(start+k)%len(cands)]
			if s.pop.Female[a] == female {
				return a
			}
		}
	}
	if len(own) > 0 {
		return own[s.rng.IntN(len(own))]
	}
	return -1
}

// The kinds of close mating closeMating looks for.
const (
	fullSibs = iota
	halfSibs
	parentOffspring
	firstCousins
)

// closeMating looks among the organisation's breeders for a male and a female related as
// kind, starting at random positions.
func (s *simulator) closeMating(kind int) (male, female int32, ok bool) {
	ms, fs := s.males, s.females
	if len(ms) == 0 || len(fs) == 0 {
		return 0, 0, false
	}
	m0, f0 := s.rng.IntN(len(ms)), s.rng.IntN(len(fs))
	for i := range fs {
		f := fs[(f0+i)%len(fs)]
		for j := range ms {
			m := ms[(m0+j)%len(ms)]
			if s.related(kind, m, f) {
				return m, f, true
			}
		}
	}
	return 0, 0, false
}

// related reports whether male m and female f are related as kind by their recorded
// parents.
func (s *simulator) related(kind int, m, f int32) bool {
	ms, md := s.parents(m)
	fs, fd := s.parents(f)
	switch kind {
	case fullSibs:
		return ms >= 0 && md >= 0 && ms == fs && md == fd
	case halfSibs:
		return (ms >= 0 && ms == fs) != (md >= 0 && md == fd)
	case parentOffspring:
		return fs == m || md == f
	default: // first cousins: a parent of each are full sibs
		for _, a := range [2]int32{ms, md} {
			for _, b := range [2]int32{fs, fd} {
				if a >= 0 && b >= 0 && a != b && s.fullSibs(a, b) {
					return true
				}
			}
		}
		return false
	}
}

func (s *simulator) fullSibs(a, b int32) bool {
	as, ad := s.parents(a)
	bs, bd := s.parents(b)
	return as >= 0 && ad >= 0 && as == bs && ad == bd
}

func (s *simulator) parents(a int32) (sire, dam int32) {
	r := s.pop.Animals[a]
	return int32(r.Sire - 1), int32(r.Dam - 1)
}
