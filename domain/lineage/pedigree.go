package lineage

import (
	"errors"
	"fmt"
	"strconv"
)

// Animal is one pedigree record: an animal and its recorded parents. A parent ID of 0 means
// the parent is unknown; 0 is therefore not a valid animal ID.
type Animal struct {
	ID   int64
	Sire int64
	Dam  int64
}

// The errors NewPedigree and NewPedigreeFromIndex wrap; the message names the animal.
var (
	// ErrInvalidID is an animal with ID 0, which is reserved for "unknown parent".
	ErrInvalidID = errors.New("lineage: invalid animal ID")
	// ErrDuplicateID is an ID given to two records.
	ErrDuplicateID = errors.New("lineage: duplicate animal ID")
	// ErrUnknownParent is a parent ID that has no record of its own. Callers load the whole
	// ancestor closure; parents are never invented.
	ErrUnknownParent = errors.New("lineage: parent not in pedigree")
	// ErrSelfParent is an animal recorded as its own sire or dam.
	ErrSelfParent = errors.New("lineage: animal is its own parent")
	// ErrCycle is an animal that is its own ancestor through two or more generations.
	ErrCycle = errors.New("lineage: pedigree cycle")
	// ErrNotOrdered is a dense pedigree where a parent does not precede its offspring.
	ErrNotOrdered = errors.New("lineage: parent does not precede offspring")
)

// ErrNotFound is returned by the queries for an ID that is not in the pedigree.
var ErrNotFound = errors.New("lineage: animal not in pedigree")

// Pedigree is an immutable pedigree renumbered to dense indices 0..n-1 in which every parent
// precedes its offspring. It is safe for concurrent use.
type Pedigree struct {
	// sire and dam hold the dense index of each parent, -1 when unknown.
	sire, dam []int32
	// lap is the longest ancestral path: 0 for an animal with no known parent, else one more
	// than the larger lap of its known parents. A parent's lap is always below its offspring's.
	lap    []int32
	maxLap int32
	// index maps an ID to its dense index; nil for a pedigree built by NewPedigreeFromIndex,
	// whose IDs are index+1.
	index map[int64]int32
	// input maps a dense index to the position of the record in the slice given to
	// NewPedigree; nil when the two orders agree.
	input []int32
	// free recycles the per-query scratch space of Inbreeding and Coancestry.
	free scratchFree
}

// Len is the number of animals in the pedigree.
func (p *Pedigree) Len() int { return len(p.sire) }

// MaxDepth is the longest ancestral path in the pedigree: the number of generations
// between the oldest founder and the youngest animal along the longest line of descent.
func (p *Pedigree) MaxDepth() int { return int(p.maxLap) }

// lookup is the dense index of an ID.
func (p *Pedigree) lookup(id int64) (int32, error) {
	if p.index == nil {
		if id >= 1 && id <= int64(len(p.sire)) {
			return int32(id - 1), nil
		}
	} else if i, ok := p.index[id]; ok {
		return i, nil
	}
	return 0, fmt.Errorf("%w: %d", ErrNotFound, id)
}

// NewPedigree builds a pedigree from records given in any order. Every parent referenced
// must have a record of its own; an unknown parent ID, an animal that is its own parent, a
// cycle, a duplicate ID or ID 0 is an error naming the animal. A record whose sire and dam
// are the same animal (selfing) is accepted: it is mathematically sound, and refusing it
// is the caller's business. Records need not be ordered; when every parent already
// precedes its offspring the order is kept.
func NewPedigree(animals []Animal) (*Pedigree, error) {
	n := len(animals)
	if int64(n) > int64(maxAnimals) {
		return nil, fmt.Errorf("lineage: %d animals exceed the limit of %d", n, maxAnimals)
	}
	index := make(map[int64]int32, n)
	for i, a := range animals {
		if a.ID == 0 {
			return nil, fmt.Errorf("%w: record %d has ID 0", ErrInvalidID, i)
		}
		if _, dup := index[a.ID]; dup {
			return nil, fmt.Errorf("%w: animal %d", ErrDuplicateID, a.ID)
		}
		index[a.ID] = int32(i)
	}
	// Parents as positions in the input slice.
	sire := make([]int32, n)
	dam := make([]int32, n)
	ordered := true
	for i, a := range animals {
		s, err := resolveParent(index, a, a.Sire, "sire")
		if err != nil {
			return nil, err
		}
		d, err := resolveParent(index, a, a.Dam, "dam")
		if err != nil {
			return nil, err
		}
		sire[i], dam[i] = s, d
		if s >= int32(i) || d >= int32(i) {
			ordered = false
		}
	}
	var lap []int32
	var order []int32
	if ordered {
		lap = lapsInOrder(sire, dam)
	} else {
		var err error
		lap, err = lapsAnyOrder(sire, dam, func(i int32) string { return strconv.FormatInt(animals[i].ID, 10) })
		if err != nil {
			return nil, err
		}
		order = orderByLap(lap)
	}
	p := &Pedigree{index: index}
	if order == nil {
		p.sire, p.dam, p.lap = sire, dam, lap
	} else {
		// Renumber: dense index k holds the record at input position order[k].
		rank := make([]int32, n)
		for k, pos := range order {
			rank[pos] = int32(k)
		}
		p.sire = make([]int32, n)
		p.dam = make([]int32, n)
		p.lap = make([]int32, n)
		for k, pos := range order {
			index[animals[pos].ID] = int32(k)
			p.sire[k] = remap(rank, sire[pos])
			p.dam[k] = remap(rank, dam[pos])
			p.lap[k] = lap[pos]
		}
		p.input = order
	}
	p.maxLap = maxOf(p.lap)
	return p, nil
}

// maxAnimals keeps dense indices within int32.
const maxAnimals = 1<<31 - 2

// NewPedigreeFromIndex builds a pedigree from dense parent indices already ordered so that
// parents precede offspring: sire[i] and dam[i] are in [0, i) or -1 for unknown. The
// animal at index i gets ID i+1. It is the fast path for bulk recomputation: no map and no
// sorting. The slices are copied.
func NewPedigreeFromIndex(sire, dam []int32) (*Pedigree, error) {
	if len(sire) != len(dam) {
		return nil, fmt.Errorf("lineage: %d sires for %d dams", len(sire), len(dam))
	}
	if int64(len(sire)) > int64(maxAnimals) {
		return nil, fmt.Errorf("lineage: %d animals exceed the limit of %d", len(sire), maxAnimals)
	}
	for i := range sire {
		for _, par := range [2]int32{sire[i], dam[i]} {
			if par < -1 || par >= int32(i) {
				if par == int32(i) {
					return nil, fmt.Errorf("%w: animal %d (index %d)", ErrSelfParent, i+1, i)
				}
				return nil, fmt.Errorf("%w: animal %d (index %d) has parent index %d",
					ErrNotOrdered, i+1, i, par)
			}
		}
	}
	p := &Pedigree{
		sire: append([]int32(nil), sire...),
		dam:  append([]int32(nil), dam...),
	}
	p.lap = lapsInOrder(p.sire, p.dam)
	p.maxLap = maxOf(p.lap)
	return p, nil
}

func resolveParent(index map[int64]int32, a Animal, parent int64, role string) (int32, error) {
	if parent == 0 {
		return -1, nil
	}
	if parent == a.ID {
		return 0, fmt.Errorf("%w: animal %d is its own %s", ErrSelfParent, a.ID, role)
	}
	i, ok := index[parent]
	if !ok {
		return 0, fmt.Errorf("%w: animal %d has %s %d, which has no record", ErrUnknownParent, a.ID, role, parent)
	}
	return i, nil
}

func remap(rank []int32, i int32) int32 {
	if i < 0 {
		return -1
	}
	return rank[i]
}

func maxOf(xs []int32) int32 {
	var m int32
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
