package lineage

import (
	"fmt"
	"strings"
)

// lapsInOrder computes the longest ancestral path of every animal when parents already
// precede offspring.
func lapsInOrder(sire, dam []int32) []int32 {
	lap := make([]int32, len(sire))
	for i := range sire {
		lap[i] = lapFrom(lap, sire[i], dam[i])
	}
	return lap
}

// lapFrom is the lap of an animal whose parents' laps are known.
func lapFrom(lap []int32, s, d int32) int32 {
	l := int32(-1)
	if s >= 0 {
		l = lap[s]
	}
	if d >= 0 {
		l = max(l, lap[d])
	}
	return l + 1
}

// ParentsFirst orders a pedigree given as parent indexes (-1: unknown) so that every known
// parent comes before its offspring: order[k] is the index of the k-th animal. An order
// that already is one is kept. A cycle is ErrCycle, naming its animals with name.
func ParentsFirst(sire, dam []int32, name func(int32) string) ([]int32, error) {
	order := make([]int32, len(sire))
	inOrder := true
	for i := range sire {
		order[i] = int32(i)
		inOrder = inOrder && sire[i] < int32(i) && dam[i] < int32(i)
	}
	if inOrder {
		return order, nil
	}
	lap, err := lapsAnyOrder(sire, dam, name)
	if err != nil {
		return nil, err
	}
	return orderByLap(lap), nil
}

// lapsAnyOrder computes the longest ancestral path of every animal in a pedigree in any
// order by an iterative depth-first search, and reports a cycle naming an animal on it.
func lapsAnyOrder(sire, dam []int32, id func(int32) string) ([]int32, error) {
	const (
		unseen = iota
		open
		done
	)
	n := len(sire)
	lap := make([]int32, n)
	state := make([]uint8, n)
	next := make([]uint8, n) // which parent of a node on the stack to visit next
	var stack []int32
	for root := range int32(n) {
		if state[root] != unseen {
			continue
		}
		state[root] = open
		stack = append(stack[:0], root)
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			if next[v] == 2 {
				lap[v] = lapFrom(lap, sire[v], dam[v])
				state[v] = done
				stack = stack[:len(stack)-1]
				continue
			}
			c := sire[v]
			if next[v] == 1 {
				c = dam[v]
			}
			next[v]++
			if c < 0 {
				continue
			}
			switch state[c] {
			case unseen:
				state[c] = open
				stack = append(stack, c)
			case open:
				return nil, cycleError(stack, c, id)
			}
		}
	}
	return lap, nil
}

// cycleError describes the cycle closed by an edge from the top of the stack to parent c,
// which is on the stack: each animal of the stack after c is a parent of the one before.
func cycleError(stack []int32, c int32, id func(int32) string) error {
	k := len(stack) - 1
	for stack[k] != c {
		k--
	}
	path := stack[k:]
	const show = 12
	var b strings.Builder
	for i, v := range path {
		if i == show {
			fmt.Fprintf(&b, " → … (%d more)", len(path)-show)
			break
		}
		if i > 0 {
			b.WriteString(" → ")
		}
		b.WriteString(id(v))
	}
	fmt.Fprintf(&b, " → %s", id(c))
	return fmt.Errorf("%w: animal %s is its own ancestor (offspring → parent: %s)", ErrCycle, id(c), b.String())
}

// orderByLap is a stable counting sort of the animals by lap: a topological order, since a
// parent's lap is below its offspring's. order[k] is the old index of the k-th animal.
func orderByLap(lap []int32) []int32 {
	m := maxOf(lap)
	start := make([]int32, m+2)
	for _, l := range lap {
		start[l+1]++
	}
	for l := int32(1); l <= m+1; l++ {
		start[l] += start[l-1]
	}
	order := make([]int32, len(lap))
	for i, l := range lap {
		order[start[l]] = int32(i)
		start[l]++
	}
	return order
}
