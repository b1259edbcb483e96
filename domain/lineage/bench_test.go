package lineage_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/reptidex/reptidex/domain/lineage"
)

// big is the default simulated population of a million animals, built once per process
// and only by benchmarks.
var big struct {
	once sync.Once
	pop  lineage.Population
	ped  *lineage.Pedigree
}

func bigPopulation(b *testing.B) (lineage.Population, *lineage.Pedigree) {
	b.Helper()
	big.once.Do(func() {
		big.pop = lineage.SimulatePopulation(lineage.DefaultSimConfig())
		sire, dam := big.pop.ParentIndex()
		p, err := lineage.NewPedigreeFromIndex(sire, dam)
		if err != nil {
			panic(err)
		}
		big.ped = p
	})
	return big.pop, big.ped
}

// ancestors returns the records of id and all its ancestors, parents first, as the API
// loads them from the database.
func ancestors(pop lineage.Population, id int64) []lineage.Animal {
	seen := map[int64]bool{id: true}
	queue := []int64{id}
	for k := 0; k < len(queue); k++ {
		a := pop.Animals[queue[k]-1]
		for _, par := range []int64{a.Sire, a.Dam} {
			if par != 0 && !seen[par] {
				seen[par] = true
				queue = append(queue, par)
			}
		}
	}
	out := make([]lineage.Animal, len(queue))
	for k, id := range queue {
		out[len(queue)-1-k] = pop.Animals[id-1]
	}
	return out
}

func BenchmarkSimulate1M(b *testing.B) {
	for b.Loop() {
		lineage.SimulatePopulation(lineage.DefaultSimConfig())
	}
}

func BenchmarkNewPedigree1M(b *testing.B) {
	pop, _ := bigPopulation(b)
	for b.Loop() {
		if _, err := lineage.NewPedigree(pop.Animals); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInbreedingAll1M(b *testing.B) {
	_, p := bigPopulation(b)
	for b.Loop() {
		p.InbreedingAll()
	}
	b.ReportMetric(float64(p.Len())*float64(b.N)/b.Elapsed().Seconds(), "animals/s")
}

// BenchmarkInbreedingAll1MOpenTrade is the stress case: half of all parents bought from
// another organisation, so pedigrees span most organisations (about 7,000 ancestors per
// animal instead of 1,000).
func BenchmarkInbreedingAll1MOpenTrade(b *testing.B) {
	cfg := lineage.DefaultSimConfig()
	cfg.Breeders, cfg.TradeRate = 30, 0.5
	sire, dam := lineage.SimulatePopulation(cfg).ParentIndex()
	p, err := lineage.NewPedigreeFromIndex(sire, dam)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		p.InbreedingAll()
	}
	b.ReportMetric(float64(p.Len())*float64(b.N)/b.Elapsed().Seconds(), "animals/s")
}

// BenchmarkInbreedingOne10Generations is F of a last-generation animal whose 10-generation
// pedigree is complete, over its whole known pedigree (all 20 generations).
func BenchmarkInbreedingOne10Generations(b *testing.B) {
	pop, p := bigPopulation(b)
	id := int64(0)
	for i := len(pop.Animals); i > 0 && id == 0; i-- {
		known, err := p.KnownAncestors(int64(i), 10)
		if err != nil {
			b.Fatal(err)
		}
		complete := true
		for g, k := range known {
			complete = complete && k == 2<<g
		}
		if complete {
			id = int64(i)
		}
	}
	if id == 0 {
		b.Fatal("no animal with a complete 10-generation pedigree")
	}
	closure := ancestors(pop, id)
	b.Run("in 1M pedigree", func(b *testing.B) {
		for b.Loop() {
			if _, err := p.Inbreeding(id); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(closure)-1), "ancestors")
	})
	b.Run("from loaded closure", func(b *testing.B) {
		for b.Loop() {
			sub, err := lineage.NewPedigree(closure)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := sub.Inbreeding(id); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(closure)-1), "ancestors")
	})
	// The worst case of a complete 10-generation pedigree: 2,046 distinct ancestors.
	tree := mustPedigree(b, fullTree(10))
	b.Run("2046 distinct ancestors", func(b *testing.B) {
		for b.Loop() {
			if _, err := tree.Inbreeding(1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCoancestry is the F of planned pairings of last-generation animals: a male and
// a female of the same organisation, and of two organisations.
func BenchmarkCoancestry(b *testing.B) {
	pop, p := bigPopulation(b)
	cfg := lineage.DefaultSimConfig()
	perGen := cfg.Animals / cfg.Generations
	first := len(pop.Animals) - perGen
	pairs := func(sameOrg bool) [][2]int64 {
		var out [][2]int64
		for i := first; i < len(pop.Animals) && len(out) < 64; i += 97 {
			if pop.Female[i] {
				continue
			}
			for j := first + (i*31)%perGen; j < len(pop.Animals); j++ {
				if pop.Female[j] && (pop.Org[j] == pop.Org[i]) == sameOrg {
					out = append(out, [2]int64{int64(i) + 1, int64(j) + 1})
					break
				}
			}
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		sameOrg bool
	}{{"same org", true}, {"other org", false}} {
		ps := pairs(tc.sameOrg)
		b.Run(tc.name, func(b *testing.B) {
			k := 0
			for b.Loop() {
				pr := ps[k%len(ps)]
				k++
				if _, err := p.Coancestry(pr[0], pr[1]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTwoWideChain20k is the worst case an attacker can build from public animals:
// the two-wide chain of 20,000 animals, each pairing's ancestors being the whole chain
// before it. The whole pedigree costs about n²; the bounded one is what the API computes:
// the nearest generations within MaxAncestors, extracted, built and solved.
func BenchmarkTwoWideChain20k(b *testing.B) {
	chain := twoWideChain(20_000)
	p := mustPedigree(b, chain)
	b.Run("whole pedigree", func(b *testing.B) {
		for b.Loop() {
			if _, err := p.Coancestry(19_999, 20_000); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, max := range []int{lineage.MaxAncestors, 1_000, 2_000, 4_000} {
		b.Run(fmt.Sprintf("nearest %d ancestors", max), func(b *testing.B) {
			for b.Loop() {
				bp, ext := nearest(b, chain, max, 19_999, 20_000)
				if !ext.Truncated {
					b.Fatal("not truncated")
				}
				if _, err := bp.Coancestry(19_999, 20_000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
