package lineage

import (
	"slices"
	"sync"
)

// subPedigree is an ancestor closure renumbered densely in topological order.
type subPedigree struct {
	sire, dam, lap []int32
	roots          [2]int32 // local indices of the animals the closure was taken from
}

// closure extracts the animals s and d and all their ancestors.
func (p *Pedigree) closure(s, d int32) subPedigree {
	sc := p.scratch()
	defer p.release(sc)
	mark := sc.mark
	list := append(sc.list[:0], s)
	mark[s] = 0
	if mark[d] < 0 {
		mark[d] = 0
		list = append(list, d)
	}
	for k := 0; k < len(list); k++ {
		v := list[k]
		if par := p.sire[v]; par >= 0 && mark[par] < 0 {
			mark[par] = 0
			list = append(list, par)
		}
		if par := p.dam[v]; par >= 0 && mark[par] < 0 {
			mark[par] = 0
			list = append(list, par)
		}
	}
	// Dense indices are topological, so sorting them keeps parents before offspring.
	slices.Sort(list)
	for k, v := range list {
		mark[v] = int32(k)
	}
	m := len(list)
	sub := subPedigree{
		sire:  make([]int32, m, m+1),
		dam:   make([]int32, m, m+1),
		lap:   make([]int32, m, m+1),
		roots: [2]int32{mark[s], mark[d]},
	}
	for k, v := range list {
		s, d := int32(-1), int32(-1)
		if par := p.sire[v]; par >= 0 {
			s = mark[par]
		}
		if par := p.dam[v]; par >= 0 {
			d = mark[par]
		}
		sub.sire[k], sub.dam[k] = s, d
		sub.lap[k] = lapFrom(sub.lap, s, d)
	}
	for _, v := range list {
		mark[v] = -1
	}
	sc.list = list
	return sub
}

// scratchSpace is per-query working memory sized to the pedigree: mark holds -1 for every
// animal between uses.
type scratchSpace struct {
	mark []int32
	list []int32
}

// scratchFree keeps idle scratch spaces for the life of the pedigree. Unlike a sync.Pool
// it is not emptied by garbage collection, which with a large pedigree would cost every
// few queries a fresh allocation of 4 bytes per animal.
type scratchFree struct {
	mu   sync.Mutex
	idle []*scratchSpace
}

// maxIdleScratch bounds the memory kept: one scratch per concurrent query, up to this.
const maxIdleScratch = 8

func (p *Pedigree) scratch() *scratchSpace {
	p.free.mu.Lock()
	if k := len(p.free.idle) - 1; k >= 0 {
		sc := p.free.idle[k]
		p.free.idle = p.free.idle[:k]
		p.free.mu.Unlock()
		return sc
	}
	p.free.mu.Unlock()
	mark := make([]int32, p.Len())
	for i := range mark {
		mark[i] = -1
	}
	return &scratchSpace{mark: mark}
}

func (p *Pedigree) release(sc *scratchSpace) {
	p.free.mu.Lock()
	if len(p.free.idle) < maxIdleScratch {
		p.free.idle = append(p.free.idle, sc)
	}
	p.free.mu.Unlock()
}
