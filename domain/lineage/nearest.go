package lineage

// MaxAncestors bounds the pedigree that one animal's or one pairing's inbreeding is
// computed over. Computing F costs, for each distinct pairing in the pedigree, the size of
// that pairing's ancestry: in the worst case (a two-wide chain where every animal descends
// from nearly all older ones) it grows with the square of the ancestors: 2,500 of them take
// 25–40 ms (BenchmarkTwoWideChain20k), against 2–3 s for 20,000. Real pedigrees stay
// well inside: a complete 10-generation pedigree has at most 2,046 distinct ancestors, and a
// breeder's 20-generation pedigree about a thousand. The whole-population recomputation
// (InbreedingAll) is not bounded.
const MaxAncestors = 2500

// Extent says how much of a pedigree a computation considered.
type Extent struct {
	// Ancestors is how many distinct ancestors were considered, the animals asked about
	// not counted.
	Ancestors int
	// Generations is how many generations back were considered in full: each ancestor
	// counts at the nearest generation it appears in.
	Generations int
	// Truncated is true when known ancestors beyond Generations were left out: they were
	// taken as unknown, so F is computed on the nearer pedigree only (never above the F
	// over the whole pedigree, a close lower bound when what is left out is far back).
	Truncated bool
}

// Nearest collects roots and their ancestors generation by generation, nearest first, for
// as many whole generations as fit within maxAncestors (the roots not counted); a
// generation that would not fit is left out whole and the links to it are cut, so the
// result is the nearest part of the pedigree, the same whatever order parents are read in.
// parents gives a key's sire and dam (none for an unknown parent) and ok false for a key
// it has no record of, which is then taken as a founder and the result as truncated.
//
// The records are numbered for NewPedigree: animals[k] has ID k+1 and key keys[k], the
// roots first and in order (a repeated root once), each ancestor once. The walk visits
// each key once, so a cycle in the data ends it; NewPedigree reports it.
func Nearest[K comparable](roots []K, maxAncestors int, none K, parents func(K) (sire, dam K, ok bool)) (animals []Animal, keys []K, ext Extent) {
	local := make(map[K]int64, min(maxAncestors, 4096)+len(roots))
	add := func(k K) {
		local[k] = int64(len(keys) + 1)
		keys = append(keys, k)
		animals = append(animals, Animal{ID: int64(len(keys))})
	}
	for _, r := range roots {
		if _, seen := local[r]; !seen && r != none {
			add(r)
		}
	}
	nRoots := len(keys)
	type link struct {
		child     int
		sire, dam K
	}
	from := 0
	var next []K
	pending := make(map[K]bool)
	for from < len(keys) {
		// The parents of the current generation, and the animals they add.
		to := len(keys)
		links := make([]link, 0, to-from)
		next = next[:0]
		clear(pending)
		for k := from; k < to; k++ {
			s, d, ok := parents(keys[k])
			if !ok {
				ext.Truncated = true
				continue
			}
			links = append(links, link{child: k, sire: s, dam: d})
			for _, par := range [2]K{s, d} {
				if par == none || pending[par] {
					continue
				}
				if _, in := local[par]; !in {
					pending[par] = true
					next = append(next, par)
				}
			}
		}
		if len(keys)-nRoots+len(next) > maxAncestors {
			// The next generation does not fit: keep the links to animals already in.
			ext.Truncated = true
			for _, l := range links {
				if id, in := local[l.sire]; in && l.sire != none {
					animals[l.child].Sire = id
				}
				if id, in := local[l.dam]; in && l.dam != none {
					animals[l.child].Dam = id
				}
			}
			break
		}
		for _, par := range next {
			add(par)
		}
		for _, l := range links {
			if l.sire != none {
				animals[l.child].Sire = local[l.sire]
			}
			if l.dam != none {
				animals[l.child].Dam = local[l.dam]
			}
		}
		if len(next) > 0 {
			ext.Generations++
		}
		from = to
	}
	ext.Ancestors = len(keys) - nRoots
	return animals, keys, ext
}
