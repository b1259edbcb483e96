package pedigree

import (
	"github.com/google/uuid"

	"github.com/reptidex/reptidex/domain/lineage"
)

// Ancestors is an animal and its ancestors up to some generations back, each animal once at
// the nearest generation it appears in: the positions of a pedigree chart, with the animals
// that fill them. An animal that appears in several positions (inbreeding) is listed once.
type Ancestors struct {
	// IDs are the animals, the one asked about first, nearer generations before farther.
	IDs []uuid.UUID
	// Sire and Dam are the positions in IDs of each animal's parents: -1 when the parent is
	// unknown or the animal is in the last generation asked for.
	Sire, Dam []int32
}

// ancestors walks up from node root generation by generation, so each animal is placed at
// its nearest generation; a cycle in the data ends the walk like any other repeat.
func (t *table) ancestors(root int32, generations int) Ancestors {
	hint := 1 << min(generations+1, 11)
	pos := make(map[int32]int32, hint)
	nodes := make([]int32, 1, hint)
	nodes[0] = root
	pos[root] = 0
	a := Ancestors{IDs: make([]uuid.UUID, 0, hint), Sire: make([]int32, 1, hint), Dam: make([]int32, 1, hint)}
	a.Sire[0], a.Dam[0] = -1, -1
	place := func(n int32) int32 {
		if n < 0 {
			return -1
		}
		if p, ok := pos[n]; ok {
			return p
		}
		p := int32(len(nodes))
		pos[n] = p
		nodes = append(nodes, n)
		a.Sire = append(a.Sire, -1)
		a.Dam = append(a.Dam, -1)
		return p
	}
	for g, from := 0, 0; g < generations && from < len(nodes); g++ {
		to := len(nodes)
		for k := from; k < to; k++ {
			// place grows a.Sire and a.Dam: call it before indexing them.
			s := place(t.sire[nodes[k]])
			d := place(t.dam[nodes[k]])
			a.Sire[k], a.Dam[k] = s, d
		}
		from = to
	}
	for _, n := range nodes {
		a.IDs = append(a.IDs, t.ids[n])
	}
	return a
}

// Closure is some animals and their nearest known ancestors, each once: the pedigree that
// inbreeding is computed over, numbered for domain/lineage.
type Closure struct {
	// Animals are the records, animal k with ID k+1 and the given animals first, in order.
	Animals []lineage.Animal
	// IDs are the animals' UUIDs, in the same order.
	IDs []uuid.UUID
	// Extent says how many generations and ancestors the closure holds, and whether known
	// ancestors beyond were left out.
	Extent lineage.Extent
}

// closure collects the nodes roots and their ancestors, generation by generation, as long as
// whole generations fit within maxAncestors (lineage.Nearest); a cycle in the data is walked
// once round and left for lineage.NewPedigree to report.
func (t *table) closure(roots []int32, maxAncestors int) Closure {
	animals, nodes, ext := lineage.Nearest(roots, maxAncestors, -1, func(n int32) (int32, int32, bool) {
		return t.sire[n], t.dam[n], true
	})
	c := Closure{Animals: animals, IDs: make([]uuid.UUID, len(nodes)), Extent: ext}
	for k, n := range nodes {
		c.IDs[k] = t.ids[n]
	}
	return c
}
