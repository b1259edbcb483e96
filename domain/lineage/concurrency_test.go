package lineage_test

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
)

// Queries share per-pedigree scratch space; concurrent queries must not disturb each other.
func TestConcurrentQueries(t *testing.T) {
	t.Parallel()
	cfg := smallSim()
	cfg.Animals = 6_000
	pop := lineage.SimulatePopulation(cfg)
	p := mustPedigree(t, pop.Animals)
	want := p.InbreedingAll()
	const workers = 4
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := len(pop.Animals) - 1 - w; i >= len(pop.Animals)-400; i -= workers {
				a := pop.Animals[i]
				f, err := p.Inbreeding(a.ID)
				if err == nil && math.Abs(f-want[i]) > exact {
					err = fmt.Errorf("Inbreeding(%d) = %v, want %v", a.ID, f, want[i])
				}
				if err == nil && a.Sire != 0 && a.Dam != 0 {
					f, err = p.Coancestry(a.Sire, a.Dam)
					if err == nil && math.Abs(f-want[i]) > exact {
						err = fmt.Errorf("Coancestry(%d, %d) = %v, want %v", a.Sire, a.Dam, f, want[i])
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
