package lineage_test

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/reptidex/reptidex/domain/lineage"
)

func name(i int32) string { return strconv.Itoa(int(i)) }

// checkOrder fails unless order is a permutation of 0..n-1 with every parent first.
func checkOrder(t *testing.T, sire, dam, order []int32) {
	t.Helper()
	if len(order) != len(sire) {
		t.Fatalf("order has %d animals, want %d", len(order), len(sire))
	}
	pos := make([]int, len(sire))
	for i := range pos {
		pos[i] = -1
	}
	for k, v := range order {
		if pos[v] >= 0 {
			t.Fatalf("animal %d twice in the order", v)
		}
		pos[v] = k
	}
	for i := range sire {
		for _, par := range [2]int32{sire[i], dam[i]} {
			if par >= 0 && pos[par] > pos[i] {
				t.Fatalf("parent %d after its offspring %d", par, i)
			}
		}
	}
}

func TestParentsFirstKeepsAnOrderedPedigree(t *testing.T) {
	sire := []int32{-1, -1, 0, 0, 2}
	dam := []int32{-1, -1, 1, 1, 3}
	order, err := lineage.ParentsFirst(sire, dam, name)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range order {
		if int(v) != k {
			t.Fatalf("order = %v, want the identity", order)
		}
	}
}

func TestParentsFirstOrdersAShuffledPopulation(t *testing.T) {
	pop := lineage.SimulatePopulation(lineage.SimConfig{Seed: 3, Animals: 5000, Generations: 8, Orgs: 10, Breeders: 6,
		ClutchSize: 4, TradeRate: 0.2, CloseMatingRate: 0.2, UnknownParentRate: 0.05})
	sire, dam := pop.ParentIndex()
	// Shuffle: new position perm[i] for animal i.
	rng := rand.New(rand.NewPCG(1, 2))
	perm := rng.Perm(len(sire))
	s2 := make([]int32, len(sire))
	d2 := make([]int32, len(dam))
	at := func(p int32) int32 {
		if p < 0 {
			return -1
		}
		return int32(perm[p])
	}
	for i := range sire {
		s2[perm[i]], d2[perm[i]] = at(sire[i]), at(dam[i])
	}
	order, err := lineage.ParentsFirst(s2, d2, name)
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, s2, d2, order)
}

func TestParentsFirstFindsACycle(t *testing.T) {
	// 0 → 1 → 2 → 0 (offspring → parent), and an unrelated 3.
	sire := []int32{1, 2, 0, -1}
	dam := []int32{-1, -1, -1, -1}
	_, err := lineage.ParentsFirst(sire, dam, name)
	if !errors.Is(err, lineage.ErrCycle) {
		t.Fatalf("err = %v, want ErrCycle", err)
	}
	if strings.Contains(err.Error(), "animal 3 ") {
		t.Errorf("cycle reported at animal 3, which is not on it: %v", err)
	}
}
