package lineage

// The engine implements Meuwissen & Luo (1992): with A = TDT', the diagonal element of an
// animal i is A_ii = Σ_j L_j² D_j over i and its ancestors j, where L_j = T_ij is the
// expected share of j's genes in i (L_i = 1; each animal passes half of its own L to each
// known parent) and D_j is the Mendelian sampling variance factor of j:
//
//	both parents known:  D_j = 1/2 − (F_sire + F_dam)/4
//	one parent known:    D_j = 3/4 − F_parent/4
//	no parent known:     D_j = 1
//
// and F_i = A_ii − 1. L must be complete before an ancestor is used, i.e. every descendant
// of j within the pedigree of i must have passed its share on first. Instead of keeping the
// ancestors sorted (Meuwissen & Luo), they are kept in one stack per longest ancestral path
// (Sargolzaei & Iwaisaki 2005, Anim. Sci. J. 76:401): a parent's lap is strictly below its offspring's, so
// emptying the stacks from the highest lap down respects that order at O(1) per ancestor.

// node is the working record of one animal, packed so that a visit touches one cache line.
type node struct {
	sire, dam int32
	lap       int32
	_         int32
	d         float64 // D_j
	l         float64 // scratch: L_j for the animal being computed; 0 when not queued
}

// engine computes F for a pedigree in topological order. It is single-use per goroutine.
type engine struct {
	nodes   []node
	f       []float64
	buckets [][]int32
	pairs   pairTable
}

func newEngine(sire, dam, lap []int32, maxLap int32) *engine {
	e := &engine{
		nodes:   make([]node, len(sire)),
		f:       make([]float64, len(sire)),
		buckets: make([][]int32, maxLap+1),
	}
	both := 0
	for i := range sire {
		e.nodes[i] = node{sire: sire[i], dam: dam[i], lap: lap[i]}
		if sire[i] >= 0 && dam[i] >= 0 {
			both++
		}
	}
	e.pairs = newPairTable(both)
	return e
}

// run computes F of every animal, in order, into e.f.
func (e *engine) run() {
	nodes, f := e.nodes, e.f
	prevS, prevD, prevF := int32(-1), int32(-1), 0.0
	for i := range nodes {
		n := &nodes[i]
		s, d := n.sire, n.dam
		switch {
		case s >= 0 && d >= 0:
			n.d = 0.5 - 0.25*(f[s]+f[d])
			if s == prevS && d == prevD { // a full sib of the previous animal: the usual case
				f[i] = prevF
				continue
			}
			fi, ok := e.pairs.get(s, d)
			if !ok {
				// F of a (possibly virtual) offspring of s and d: its own term L²D with
				// L = 1 plus those of its ancestors, minus 1.
				fi = max(0, e.ancestorSum(s, d)+n.d-1)
				e.pairs.put(s, d, fi)
			}
			f[i] = fi
			prevS, prevD, prevF = s, d, fi
		case s >= 0:
			n.d = 0.75 - 0.25*f[s]
		case d >= 0:
			n.d = 0.75 - 0.25*f[d]
		default:
			n.d = 1
		}
	}
}

// ancestorSum is Σ L_j² D_j over the ancestors j of an offspring of s and d (both known,
// possibly equal), which need D already set.
func (e *engine) ancestorSum(s, d int32) float64 {
	nodes, b := e.nodes, e.buckets
	ns, nd := &nodes[s], &nodes[d]
	b[ns.lap] = append(b[ns.lap], s)
	ns.l = 0.5
	if nd.l == 0 {
		b[nd.lap] = append(b[nd.lap], d)
	}
	nd.l += 0.5
	var sum float64
	for lv := max(ns.lap, nd.lap); lv >= 0; lv-- {
		queue := b[lv]
		for _, j := range queue {
			n := &nodes[j]
			l := n.l
			n.l = 0 // no descendant is left to add to it: ready for the next animal
			sum += l * l * n.d
			h := 0.5 * l
			if p := n.sire; p >= 0 {
				pn := &nodes[p]
				if pn.l == 0 {
					b[pn.lap] = append(b[pn.lap], p)
				}
				pn.l += h
			}
			if p := n.dam; p >= 0 {
				pn := &nodes[p]
				if pn.l == 0 {
					b[pn.lap] = append(b[pn.lap], p)
				}
				pn.l += h
			}
		}
		b[lv] = queue[:0]
	}
	return sum
}

// pairTable is an open-addressing hash map from an unordered parent pair to the F of their
// offspring, so that each pairing is computed once however many clutches it produced.
type pairTable struct {
	keys  []uint64 // pair key + 1; 0 is empty
	vals  []float64
	shift uint
}

func newPairTable(capacity int) pairTable {
	size, shift := 8, uint(61)
	for size < 2*capacity {
		size <<= 1
		shift--
	}
	return pairTable{keys: make([]uint64, size), vals: make([]float64, size), shift: shift}
}

func pairKey(s, d int32) uint64 {
	if s > d {
		s, d = d, s
	}
	return uint64(s)<<32 | uint64(d) + 1
}

func (t *pairTable) slot(k uint64) int {
	return int((k * 0x9e3779b97f4a7c15) >> t.shift)
}

func (t *pairTable) get(s, d int32) (float64, bool) {
	k := pairKey(s, d)
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k:
			return t.vals[i], true
		case 0:
			return 0, false
		}
	}
}

func (t *pairTable) put(s, d int32, v float64) {
	k := pairKey(s, d)
	mask := len(t.keys) - 1
	i := t.slot(k)
	for t.keys[i] != 0 && t.keys[i] != k {
		i = (i + 1) & mask
	}
	t.keys[i], t.vals[i] = k, v
}
