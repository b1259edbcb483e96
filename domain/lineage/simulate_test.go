package lineage_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/lineage"
)

// smallSim is the default population scaled down for unit tests.
func smallSim() lineage.SimConfig {
	cfg := lineage.DefaultSimConfig()
	cfg.Animals, cfg.Generations, cfg.Orgs = 36_000, 12, 30 // 100 animals per organisation and generation
	return cfg
}

func TestSimulateIsDeterministic(t *testing.T) {
	t.Parallel()
	cfg := smallSim()
	cfg.Animals = 5_000
	a, b := lineage.SimulatePopulation(cfg), lineage.SimulatePopulation(cfg)
	require.Equal(t, a, b)
	cfg.Seed++
	require.NotEqual(t, a.Animals, lineage.Simulate(cfg))
}

func TestSimulateStructure(t *testing.T) {
	t.Parallel()
	cfg := smallSim()
	pop := lineage.SimulatePopulation(cfg)
	require.Len(t, pop.Animals, cfg.Animals)
	require.Len(t, pop.Org, cfg.Animals)
	require.Len(t, pop.Generation, cfg.Animals)
	require.Len(t, pop.Female, cfg.Animals)

	// Violations are collected rather than asserted per animal, which is slow under -race.
	var bad []string
	check := func(ok bool, format string, args ...any) {
		if !ok && len(bad) < 5 {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	}
	perCell := map[[2]int32]int{}
	var parents, traded int
	unknown := [2]int{} // sires, dams
	for i, a := range pop.Animals {
		check(a.ID == int64(i)+1, "animal %d has ID %d", i, a.ID)
		g, o := pop.Generation[i], pop.Org[i]
		check(o >= 0 && int(o) < cfg.Orgs, "animal %d: org %d", a.ID, o)
		check(i == 0 || g >= pop.Generation[i-1], "animal %d: not in birth order", a.ID)
		perCell[[2]int32{g, o}]++
		if g == 0 {
			check(a.Sire == 0 && a.Dam == 0, "founder %d has parents", a.ID)
			continue
		}
		parents++
		for _, par := range []struct {
			id     int64
			female bool
		}{{a.Sire, false}, {a.Dam, true}} {
			if par.id == 0 {
				unknown[b2i(par.female)]++
				continue
			}
			k := par.id - 1
			check(k < int64(i), "animal %d: parent %d does not precede it", a.ID, par.id)
			check(par.female == pop.Female[k], "animal %d: parent %d has the wrong sex", a.ID, par.id)
			check(pop.Generation[k] == g-1 || pop.Generation[k] == g-2,
				"animal %d of generation %d: parent %d of generation %d", a.ID, g, par.id, pop.Generation[k])
			if pop.Org[k] != o {
				traded++
			}
		}
	}
	require.Empty(t, bad)
	for g := range cfg.Generations {
		for o := range cfg.Orgs {
			require.Equal(t, cfg.Animals/cfg.Generations/cfg.Orgs, perCell[[2]int32{int32(g), int32(o)}])
		}
	}
	// Rates are per clutch; clutches are uneven, so only the order of magnitude is checked.
	for _, u := range unknown {
		require.InDelta(t, cfg.UnknownParentRate, float64(u)/float64(parents), cfg.UnknownParentRate/3)
	}
	known := 2*parents - unknown[0] - unknown[1]
	require.InDelta(t, cfg.TradeRate, float64(traded)/float64(known), cfg.TradeRate/3)

	p, err := lineage.NewPedigree(pop.Animals)
	require.NoError(t, err)
	sire, dam := pop.ParentIndex()
	dense, err := lineage.NewPedigreeFromIndex(sire, dam)
	require.NoError(t, err)
	f := p.InbreedingAll()
	require.InDeltaSlice(t, f, dense.InbreedingAll(), exact)

	// Inbreeding is present and grows over the generations.
	mean := make([]float64, cfg.Generations)
	for i, x := range f {
		mean[pop.Generation[i]] += x / float64(cfg.Animals/cfg.Generations)
	}
	require.Zero(t, mean[0])
	require.Zero(t, mean[1])
	require.Greater(t, mean[cfg.Generations-1], mean[2])
	require.InDelta(t, 0.08, mean[cfg.Generations-1], 0.04)
}

// closeMatings counts the clutches (animals of a clutch counted once each) of each kind of
// close mating, by the recorded parents.
func closeMatings(pop lineage.Population) map[string]int {
	parents := func(id int64) (int64, int64) {
		a := pop.Animals[id-1]
		return a.Sire, a.Dam
	}
	fullSibs := func(a, b int64) bool {
		if a == 0 || b == 0 {
			return false
		}
		as, ad := parents(a)
		bs, bd := parents(b)
		return a != b && as != 0 && ad != 0 && as == bs && ad == bd
	}
	kinds := map[string]int{}
	for _, a := range pop.Animals {
		if a.Sire == 0 || a.Dam == 0 {
			continue
		}
		ss, sd := parents(a.Sire)
		ds, dd := parents(a.Dam)
		switch {
		case fullSibs(a.Sire, a.Dam):
			kinds["full sibs"]++
		case ss != 0 && ss == ds, sd != 0 && sd == dd:
			kinds["half sibs"]++
		case ds == a.Sire, sd == a.Dam:
			kinds["parent x offspring"]++
		case fullSibs(ss, ds), fullSibs(ss, dd), fullSibs(sd, ds), fullSibs(sd, dd):
			kinds["first cousins"]++
		}
	}
	return kinds
}

// Deliberate close matings of every kind are far more frequent than chance makes them.
func TestSimulateCloseMatings(t *testing.T) {
	t.Parallel()
	cfg := smallSim()
	cfg.UnknownParentRate = 0
	cfg.CloseMatingRate = 0
	chance := closeMatings(lineage.SimulatePopulation(cfg))
	cfg.CloseMatingRate = 0.5
	chosen := closeMatings(lineage.SimulatePopulation(cfg))
	for _, k := range []string{"full sibs", "half sibs", "parent x offspring", "first cousins"} {
		require.Greater(t, chosen[k], 3*chance[k]/2+cfg.Animals/200, "%s: %d by choice, %d by chance", k, chosen[k], chance[k])
	}
}

func TestSimulateDegenerateConfigs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  lineage.SimConfig
		n    int
	}{
		{"zero", lineage.SimConfig{}, 0},
		{"founders only", lineage.SimConfig{Animals: 10}, 10},
		{"more orgs than animals", lineage.SimConfig{Animals: 50, Generations: 5, Orgs: 40, TradeRate: 2}, 50},
		{"one org", lineage.SimConfig{Animals: 500, Generations: 10, Orgs: 1, Breeders: 3, ClutchSize: 4, CloseMatingRate: 0.5}, 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			animals := lineage.Simulate(tc.cfg)
			require.Len(t, animals, tc.n)
			_, err := lineage.NewPedigree(animals)
			require.NoError(t, err)
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
