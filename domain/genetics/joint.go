package genetics

import (
	"container/heap"
	"math/bits"
	"slices"
	"sort"
	"strings"
)

// joint combines the classes of every locus into named offspring outcomes: all of them, or
// only the most likely ones. Visual traits become bits of a mask, so that finding named
// combinations and naming an outcome cost a few word operations instead of set arithmetic.
type joint struct {
	sex      Sex
	loci     [][]preparedClass // per locus, its classes in the order offspringClasses gave them
	names    []string          // display name of each visual trait, by bit
	combos   []comboMask
	possible []string
}

type comboMask struct {
	mask traitMask
	name string
}

// traitMask is a set of visual traits, bit i for the joint's trait i: one word per 64
// traits, as many as the pairing's loci can show.
type traitMask []uint64

func newTraitMask(traits int) traitMask { return make(traitMask, (traits+63)/64) }

func (m traitMask) set(i int)      { m[i/64] |= 1 << (i % 64) }
func (m traitMask) has(i int) bool { return m[i/64]&(1<<(i%64)) != 0 }

// covers reports whether every trait of o is in m.
func (m traitMask) covers(o traitMask) bool {
	for k, w := range o {
		if m[k]&w != w {
			return false
		}
	}
	return true
}

func (m traitMask) count() int {
	n := 0
	for _, w := range m {
		n += bits.OnesCount64(w)
	}
	return n
}

// preparedClass is one class of one locus, ready to combine: its traits as a mask and its het
// labels in gene order.
type preparedClass struct {
	mask traitMask
	p    Fraction
	hets []HetLabel
}

// newJoint prepares the loci's classes for combining, whatever number of visual traits they
// can show.
func (s *Species) newJoint(perLocus [][]class, sex Sex, polygenic []string) *joint {
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
	sort.SliceStable(tokens, func(i, j int) bool { return s.traitOrder(tokens[i]) < s.traitOrder(tokens[j]) })
	j := &joint{sex: sex, names: make([]string, len(tokens)), loci: make([][]preparedClass, len(perLocus))}
	bit := make(map[string]int, len(tokens))
	for i, t := range tokens {
		bit[t] = i
		j.names[i] = s.traitName(t)
	}
	for _, c := range s.combos {
		m := newTraitMask(len(tokens))
		ok := true
		for _, r := range c.Requires {
			b, found := bit[r]
			if !found {
				ok = false
				break
			}
			m.set(b)
		}
		if ok {
			j.combos = append(j.combos, comboMask{m, c.Name})
		}
	}
	for li, classes := range perLocus {
		for _, c := range classes {
			pc := preparedClass{p: c.p, mask: newTraitMask(len(tokens))}
			for _, v := range c.visual {
				pc.mask.set(bit[v])
			}
			genes := make([]string, 0, len(c.hidden))
			for g := range c.hidden {
				genes = append(genes, g)
			}
			sort.Slice(genes, func(a, b int) bool { return s.order[genes[a]] < s.order[genes[b]] })
			for _, g := range genes {
				pc.hets = append(pc.hets, HetLabel{Gene: g, Probability: c.hidden[g], Label: hetLabel(s.genes[g].Name, c.hidden[g])})
			}
			j.loci[li] = append(j.loci[li], pc)
		}
	}
	for _, g := range polygenic {
		j.possible = append(j.possible, s.genes[g].Name)
	}
	return j
}

// count is the number of joint outcomes, saturating at the largest int64.
func (j *joint) count() int64 {
	n := int64(1)
	for _, pcs := range j.loci {
		n = satMul(n, int64(len(pcs)))
	}
	return n
}

// outcome names the offspring that has class choice[li] at each locus li, with probability p.
func (j *joint) outcome(choice []int, p Fraction) Outcome {
	left := newTraitMask(len(j.names))
	nHets := 0
	for li, ci := range choice {
		for k, w := range j.loci[li][ci].mask {
			left[k] |= w
		}
		nHets += len(j.loci[li][ci].hets)
	}
	visual := make([]string, 0, left.count())
	for _, c := range j.combos {
		if left.covers(c.mask) {
			for k, w := range c.mask {
				left[k] &^= w
			}
			visual = append(visual, c.name)
		}
	}
	for i := range j.names {
		if left.has(i) {
			visual = append(visual, j.names[i])
		}
	}
	// Hets in locus order, which follows the species' gene order.
	hets := make([]*HetLabel, 0, nHets)
	for li, ci := range choice {
		for k := range j.loci[li][ci].hets {
			hets = append(hets, &j.loci[li][ci].hets[k])
		}
	}
	var sb strings.Builder
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
	return Outcome{Sex: j.sex, Name: sb.String(), Probability: p, Visual: visual, Hets: hets, Possible: j.possible}
}

// all gives every joint outcome, most likely first; equally likely ones in the order of their
// classes (gene order). Every combination of classes reads differently (classes at one locus
// differ in look or in hets), so outcomes need no merging. The caller bounds count().
func (j *joint) all() []Outcome {
	n := len(j.loci)
	out := make([]Outcome, 0, j.count())
	choice := make([]int, n)
	for {
		p := one
		for li, ci := range choice {
			p = p.Mul(j.loci[li][ci].p)
		}
		out = append(out, j.outcome(choice, p))
		li := n - 1
		for ; li >= 0; li-- {
			choice[li]++
			if choice[li] < len(j.loci[li]) {
				break
			}
			choice[li] = 0
		}
		if li < 0 {
			break
		}
	}
	slices.SortStableFunc(out, func(a, b Outcome) int { return -a.Probability.Cmp(b.Probability) })
	return out
}

// top gives the k most likely joint outcomes, in the order all() would list them, without
// enumerating the others: a best-first search over each locus's classes sorted by
// probability. Every combination other than the best has one parent, itself with its last
// advanced locus stepped back by one, and is never more likely than that parent; so
// popping the most likely combination from a heap seeded with the best one, and pushing its
// children, yields the combinations in order, touching at most k·loci of them.
func (j *joint) top(k int) []Outcome {
	n := len(j.loci)
	// byP[li] lists locus li's class indices, most likely first; equally likely classes keep
	// their order, so a step to an equally likely class moves to a later combination.
	byP := make([][]int, n)
	for li, pcs := range j.loci {
		byP[li] = make([]int, len(pcs))
		for ci := range pcs {
			byP[li][ci] = ci
		}
		slices.SortStableFunc(byP[li], func(a, b int) int { return -pcs[a].p.Cmp(pcs[b].p) })
	}
	h := &combHeap{byP: byP}
	first := &comb{rank: make([]int, n), last: 0, p: one}
	for li := range j.loci {
		first.p = first.p.Mul(j.loci[li][byP[li][0]].p)
	}
	heap.Push(h, first)
	out := make([]Outcome, 0, k)
	choice := make([]int, n)
	for h.Len() > 0 && len(out) < k {
		c := heap.Pop(h).(*comb)
		for li, r := range c.rank {
			choice[li] = byP[li][r]
		}
		out = append(out, j.outcome(choice, c.p))
		for li := c.last; li < n; li++ {
			r := c.rank[li] + 1
			if r >= len(byP[li]) {
				continue
			}
			was, now := j.loci[li][byP[li][r-1]].p, j.loci[li][byP[li][r]].p
			if now.IsZero() {
				continue
			}
			child := &comb{rank: slices.Clone(c.rank), last: li, p: c.p.Mul(now.Div(was))}
			child.rank[li] = r
			heap.Push(h, child)
		}
	}
	return out
}

// comb is one combination of classes in the best-first search: rank[li] is the position of
// its class in locus li's most-likely-first list; last is the last locus it advanced.
type comb struct {
	rank []int
	last int
	p    Fraction
}

// combHeap orders combinations most likely first, and equally likely ones by their classes'
// original order, as all() lists them.
type combHeap struct {
	byP   [][]int
	items []*comb
}

func (h *combHeap) Len() int { return len(h.items) }
func (h *combHeap) Less(a, b int) bool {
	x, y := h.items[a], h.items[b]
	if c := x.p.Cmp(y.p); c != 0 {
		return c > 0
	}
	for li := range x.rank {
		if cx, cy := h.byP[li][x.rank[li]], h.byP[li][y.rank[li]]; cx != cy {
			return cx < cy
		}
	}
	return false
}
func (h *combHeap) Swap(a, b int) { h.items[a], h.items[b] = h.items[b], h.items[a] }
func (h *combHeap) Push(x any)    { h.items = append(h.items, x.(*comb)) }
func (h *combHeap) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}

// satMul multiplies two non-negative counts, saturating at the largest int64.
func satMul(a, b int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(lo)
}

// satAdd adds two non-negative counts, saturating at the largest int64.
func satAdd(a, b int64) int64 {
	if a > 1<<63-1-b {
		return 1<<63 - 1
	}
	return a + b
}
