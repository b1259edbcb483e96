package main

import (
	"testing"

	"github.com/reptidex/reptidex/domain/lineage"
)

// Parents always hatch before their offspring: the pedigree rules may compare hatch dates.
func TestHatchDatesPrecedeOffspring(t *testing.T) {
	pop := lineage.SimulatePopulation(lineage.SimConfig{Seed: 1, Animals: 20000, Generations: 10, Orgs: 20, Breeders: 10,
		ClutchSize: 5, TradeRate: 0.1, CloseMatingRate: 0.1, UnknownParentRate: 0.02})
	for i, a := range pop.Animals {
		hatched := hatchDate(1, i, pop.Generation[i])
		for _, par := range []int64{a.Sire, a.Dam} {
			if par == 0 {
				continue
			}
			p := int(par - 1)
			if ph := hatchDate(1, p, pop.Generation[p]); !ph.Before(hatched.AddDate(0, 0, -365)) {
				t.Fatalf("animal %d hatched %s, its parent %d only %s", i, hatched.Format("2006-01-02"), p, ph.Format("2006-01-02"))
			}
		}
	}
}

func TestVisibilityShare(t *testing.T) {
	const n = 100000
	public := 0
	for i := range n {
		if visibility(42, i) == "public" {
			public++
		}
	}
	if share := float64(public) / n; share < 0.29 || share > 0.31 {
		t.Errorf("%.3f of the animals are public, want about 0.30", share)
	}
}

func TestStatusAndSex(t *testing.T) {
	if status(19, 20) != "active" || status(12, 20) != "active" || status(11, 20) != "deceased" {
		t.Error("the last eight generations are active, the others deceased")
	}
	if sex(true) != "female" || sex(false) != "male" {
		t.Error("sex")
	}
}

func TestNamesAreShortAndNumbered(t *testing.T) {
	seen := map[string]bool{}
	for i := range 1000 {
		n := name(1, i)
		if len(n) == 0 || len(n) > 120 || seen[n] {
			t.Fatalf("name %q (animal %d) empty, too long or repeated", n, i)
		}
		seen[n] = true
	}
}

func TestSummarizeF(t *testing.T) {
	s := summarizeF([]float64{0, 0, 0.0625, 0.125, 0.25})
	if s.N != 5 || s.NonZero != 3 || s.Inbred != 2 || s.Max != 0.25 || s.Mean != 0.0875 {
		t.Errorf("summarizeF = %+v", s)
	}
	if s := summarizeF(nil); s.N != 0 || s.Mean != 0 {
		t.Errorf("summarizeF(nil) = %+v", s)
	}
}
