package taxonomy_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/taxonomy"
)

func species(t *testing.T, key string) *genetics.Species {
	t.Helper()
	s, err := taxonomy.Lookup(key)
	require.NoError(t, err)
	return s
}

func gene(t *testing.T, s *genetics.Species, key string) *genetics.Gene {
	t.Helper()
	g, ok := s.Gene(key)
	require.Truef(t, ok, "%s has no gene %q", s.Key, key)
	return g
}

func compound(s *genetics.Species, a, b string) (string, bool) {
	for _, c := range s.Compounds {
		if (c.Alleles[0] == a && c.Alleles[1] == b) || (c.Alleles[0] == b && c.Alleles[1] == a) {
			return c.Name, true
		}
	}
	return "", false
}

func combo(t *testing.T, s *genetics.Species, name string) genetics.Combo {
	t.Helper()
	for _, c := range s.Combos {
		if c.Name == name {
			return c
		}
	}
	require.Failf(t, "missing combo", "%s has no combo %q", s.Key, name)
	return genetics.Combo{}
}

func TestBuiltinLoadsAndPrepares(t *testing.T) {
	t.Parallel()
	all, err := taxonomy.Builtin()
	require.NoError(t, err)
	keys := make([]string, 0, len(all))
	for _, s := range all {
		keys = append(keys, s.Key)
		require.NoError(t, s.Prepare(), "preparing twice must be harmless")
	}
	require.Equal(t, []string{"ball-python", "corn-snake", "leopard-gecko"}, keys)

	want := map[string]struct {
		name, scientific string
		sex              genetics.SexSystem
	}{
		"ball-python":   {"Ball python", "Python regius", genetics.ZW},
		"corn-snake":    {"Corn snake", "Pantherophis guttatus", genetics.ZW},
		"leopard-gecko": {"Leopard gecko", "Eublepharis macularius", genetics.TSD},
	}
	for _, s := range all {
		w := want[s.Key]
		require.Equal(t, w.name, s.Name, s.Key)
		require.Equal(t, w.scientific, s.Scientific, s.Key)
		require.Equal(t, w.sex, s.SexSystem, s.Key)
	}
}

func TestBuiltinReturnsFreshCopies(t *testing.T) {
	t.Parallel()
	a, err := taxonomy.Builtin()
	require.NoError(t, err)
	b, err := taxonomy.Builtin()
	require.NoError(t, err)
	require.NotSame(t, a[0], b[0])
	require.Equal(t, a[0].Genes, b[0].Genes)
}

func TestLookup(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"ball-python", "corn-snake", "leopard-gecko"} {
		s, err := taxonomy.Lookup(key)
		require.NoError(t, err)
		require.Equal(t, key, s.Key)
		again, err := taxonomy.Lookup(key)
		require.NoError(t, err)
		require.Same(t, s, again, "Lookup serves one cached species")
	}
	_, err := taxonomy.Lookup("boa-constrictor")
	require.ErrorIs(t, err, taxonomy.ErrUnknownSpecies)
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestKeysAreKebabCase(t *testing.T) {
	t.Parallel()
	all, err := taxonomy.Builtin()
	require.NoError(t, err)
	for _, s := range all {
		for _, g := range s.Genes {
			require.Regexp(t, kebab, g.Key, "%s gene key", s.Key)
			require.False(t, strings.HasPrefix(g.Key, "super-"), "%s: %s names a super form, not a gene", s.Key, g.Key)
			if g.Locus != "" {
				require.Regexp(t, kebab, g.Locus, "%s locus of %s", s.Key, g.Key)
			}
		}
	}
}

// TestNamesAreUnique checks that every name a breeder can type resolves to one thing: gene
// names, aliases, super names, compound names and combo names (and combo aliases) never
// collide, case-insensitively. Several compounds may share one phenotype name (every BEL
// complex pair is a "Blue-eyed Leucistic"), so compound names are counted once each.
func TestNamesAreUnique(t *testing.T) {
	t.Parallel()
	all, err := taxonomy.Builtin()
	require.NoError(t, err)
	for _, s := range all {
		owner := map[string]string{}
		add := func(name, what string) {
			require.NotEmpty(t, strings.TrimSpace(name), "%s: empty name for %s", s.Key, what)
			k := strings.ToLower(name)
			if prev, dup := owner[k]; dup {
				require.Failf(t, "duplicate name", "%s: %q is both %s and %s", s.Key, name, prev, what)
			}
			owner[k] = what
		}
		for _, g := range s.Genes {
			add(g.Name, "gene "+g.Key)
			for _, a := range g.Aliases {
				add(a, "alias of "+g.Key)
			}
			if g.SuperName != "" {
				add(g.SuperName, "super form of "+g.Key)
			}
		}
		compounds := map[string]bool{}
		for _, c := range s.Compounds {
			if !compounds[strings.ToLower(c.Name)] {
				compounds[strings.ToLower(c.Name)] = true
				add(c.Name, "compound "+c.Alleles[0]+"/"+c.Alleles[1])
			}
		}
		for _, c := range s.Combos {
			add(c.Name, "combo "+c.Name)
			for _, a := range c.Aliases {
				add(a, "alias of combo "+c.Name)
			}
		}
	}
}

func TestCompoundsAndCombosAreWellFormed(t *testing.T) {
	t.Parallel()
	all, err := taxonomy.Builtin()
	require.NoError(t, err)
	for _, s := range all {
		pairs := map[[2]string]bool{}
		for _, c := range s.Compounds {
			p := c.Alleles
			if p[0] > p[1] {
				p[0], p[1] = p[1], p[0]
			}
			require.False(t, pairs[p], "%s: compound %v listed twice", s.Key, c.Alleles)
			pairs[p] = true
		}
		requires := map[string]string{}
		for _, c := range s.Combos {
			require.GreaterOrEqual(t, len(c.Requires), 2, "%s: combo %s names one trait", s.Key, c.Name)
			set := slices.Clone(c.Requires)
			slices.Sort(set)
			require.Equal(t, len(set), len(slices.Compact(set)), "%s: combo %s repeats a trait", s.Key, c.Name)
			k := strings.Join(set, "+")
			prev, dup := requires[k]
			require.False(t, dup, "%s: combos %s and %s require the same traits", s.Key, prev, c.Name)
			requires[k] = c.Name
		}
	}
}

func TestCounts(t *testing.T) {
	t.Parallel()
	for key, least := range map[string]int{"ball-python": 40, "corn-snake": 20, "leopard-gecko": 20} {
		require.GreaterOrEqual(t, len(species(t, key).Genes), least, key)
	}
}

func TestFacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		species string
		check   func(t *testing.T, s *genetics.Species)
	}{
		{"pastel is incomplete dominant with super Super Pastel", "ball-python", func(t *testing.T, s *genetics.Species) {
			g := gene(t, s, "pastel")
			require.Equal(t, genetics.IncompleteDominant, g.Mode)
			require.Equal(t, "Super Pastel", g.SuperName)
		}},
		{"clown is recessive", "ball-python", func(t *testing.T, s *genetics.Species) {
			require.Equal(t, genetics.Recessive, gene(t, s, "clown").Mode)
		}},
		{"piebald is recessive, typed as Pied", "ball-python", func(t *testing.T, s *genetics.Species) {
			g := gene(t, s, "piebald")
			require.Equal(t, genetics.Recessive, g.Mode)
			require.Contains(t, g.Aliases, "Pied")
		}},
		{"spider is dominant and lethal homozygous", "ball-python", func(t *testing.T, s *genetics.Species) {
			g := gene(t, s, "spider")
			require.Equal(t, genetics.Dominant, g.Mode)
			require.True(t, g.Lethal)
			require.Empty(t, g.SuperName)
		}},
		{"lesser and mojave share a locus and make a Blue-eyed Leucistic", "ball-python", func(t *testing.T, s *genetics.Species) {
			require.Equal(t, gene(t, s, "lesser").LocusKey(), gene(t, s, "mojave").LocusKey())
			require.Equal(t, "bel", gene(t, s, "mojave").LocusKey())
			name, ok := compound(s, "mojave", "lesser")
			require.True(t, ok)
			require.Equal(t, "Blue-eyed Leucistic", name)
		}},
		{"the whole BEL complex shares one locus", "ball-python", func(t *testing.T, s *genetics.Species) {
			for _, k := range []string{"mojave", "lesser", "butter", "russo", "special", "mystic", "phantom"} {
				require.Equal(t, "bel", gene(t, s, k).LocusKey(), k)
			}
			name, _ := compound(s, "mystic", "mojave")
			require.Equal(t, "Mystic Potion", name)
			name, _ = compound(s, "phantom", "mojave")
			require.Equal(t, "Purple Passion", name)
		}},
		{"banana is sex-linked incomplete dominant, same gene as Coral Glow", "ball-python", func(t *testing.T, s *genetics.Species) {
			g := gene(t, s, "banana")
			require.True(t, g.SexLinked)
			require.Equal(t, genetics.IncompleteDominant, g.Mode)
			require.Equal(t, "Super Banana", g.SuperName)
			require.Contains(t, g.Aliases, "Coral Glow")
		}},
		{"yellow belly's super is the Ivory and with gravel makes a Highway", "ball-python", func(t *testing.T, s *genetics.Species) {
			g := gene(t, s, "yellow-belly")
			require.Equal(t, "Ivory", g.SuperName)
			require.Contains(t, g.Aliases, "YB")
			name, ok := compound(s, "gravel", "yellow-belly")
			require.True(t, ok)
			require.Equal(t, "Highway", name)
		}},
		{"candy is allelic with albino", "ball-python", func(t *testing.T, s *genetics.Species) {
			require.Equal(t, gene(t, s, "albino").LocusKey(), gene(t, s, "candy").LocusKey())
			name, _ := compound(s, "albino", "candy")
			require.Equal(t, "Candino", name)
		}},
		{"albino lines are not allelic with albino", "ball-python", func(t *testing.T, s *genetics.Species) {
			for _, k := range []string{"lavender-albino", "caramel-albino", "ultramel"} {
				require.NotEqual(t, gene(t, s, "albino").LocusKey(), gene(t, s, k).LocusKey(), k)
			}
		}},
		{"axanthic lines are separate genes", "ball-python", func(t *testing.T, s *genetics.Species) {
			loci := map[string]bool{}
			for _, k := range []string{"axanthic-vpi", "axanthic-tsk", "axanthic-jolliff"} {
				g := gene(t, s, k)
				require.Equal(t, genetics.Recessive, g.Mode)
				loci[g.LocusKey()] = true
			}
			require.Len(t, loci, 3)
		}},
		{"bumblebee is pastel with spider, killer bee super pastel with spider", "ball-python", func(t *testing.T, s *genetics.Species) {
			require.ElementsMatch(t, []string{"pastel", "spider"}, combo(t, s, "Bumblebee").Requires)
			require.ElementsMatch(t, []string{"super:pastel", "spider"}, combo(t, s, "Killer Bee").Requires)
			require.ElementsMatch(t, []string{"pastel", "cinnamon"}, combo(t, s, "Pewter").Requires)
		}},
		{"amel and ultra are allelic with compound Ultramel", "corn-snake", func(t *testing.T, s *genetics.Species) {
			amel, ultra := gene(t, s, "amel"), gene(t, s, "ultra")
			require.Equal(t, genetics.Recessive, amel.Mode)
			require.Equal(t, amel.LocusKey(), ultra.LocusKey())
			name, ok := compound(s, "ultra", "amel")
			require.True(t, ok)
			require.Equal(t, "Ultramel", name)
			require.Contains(t, amel.Aliases, "Amelanistic")
			require.Contains(t, amel.Aliases, "Albino")
		}},
		{"motley and stripe are allelic", "corn-snake", func(t *testing.T, s *genetics.Species) {
			require.Equal(t, gene(t, s, "motley").LocusKey(), gene(t, s, "stripe").LocusKey())
			_, ok := compound(s, "motley", "stripe")
			require.True(t, ok)
		}},
		{"anery and charcoal are different genes", "corn-snake", func(t *testing.T, s *genetics.Species) {
			require.NotEqual(t, gene(t, s, "anery").LocusKey(), gene(t, s, "charcoal").LocusKey())
		}},
		{"tessera is dominant", "corn-snake", func(t *testing.T, s *genetics.Species) {
			require.Equal(t, genetics.Dominant, gene(t, s, "tessera").Mode)
		}},
		{"snow is amel with anery, blizzard amel with charcoal", "corn-snake", func(t *testing.T, s *genetics.Species) {
			require.ElementsMatch(t, []string{"amel", "anery"}, combo(t, s, "Snow").Requires)
			require.ElementsMatch(t, []string{"amel", "charcoal"}, combo(t, s, "Blizzard").Requires)
			require.ElementsMatch(t, []string{"hypo", "anery"}, combo(t, s, "Ghost").Requires)
		}},
		{"tremper, bell and rainwater albinos are three loci", "leopard-gecko", func(t *testing.T, s *genetics.Species) {
			loci := map[string]bool{}
			for _, k := range []string{"tremper-albino", "bell-albino", "rainwater-albino"} {
				g := gene(t, s, k)
				require.Equal(t, genetics.Recessive, g.Mode, k)
				loci[g.LocusKey()] = true
			}
			require.Len(t, loci, 3)
		}},
		{"mack snow's super is the Super Snow", "leopard-gecko", func(t *testing.T, s *genetics.Species) {
			g := gene(t, s, "mack-snow")
			require.Equal(t, genetics.IncompleteDominant, g.Mode)
			require.Equal(t, "Super Snow", g.SuperName)
			require.Contains(t, g.Aliases, "Mack")
		}},
		{"enigma is dominant", "leopard-gecko", func(t *testing.T, s *genetics.Species) {
			g := gene(t, s, "enigma")
			require.Equal(t, genetics.Dominant, g.Mode)
			require.Contains(t, g.Notes, "Enigma Syndrome")
		}},
		{"lemon frost is incomplete dominant and its notes warn of tumours", "leopard-gecko", func(t *testing.T, s *genetics.Species) {
			g := gene(t, s, "lemon-frost")
			require.Equal(t, genetics.IncompleteDominant, g.Mode)
			require.Contains(t, g.Notes, "tumour")
		}},
		{"line-bred traits are polygenic", "leopard-gecko", func(t *testing.T, s *genetics.Species) {
			for _, k := range []string{"tangerine", "carrot-tail", "bold-stripe", "black-night", "high-yellow"} {
				require.Equal(t, genetics.Polygenic, gene(t, s, k).Mode, k)
			}
		}},
		{"RAPTOR is tremper with eclipse, Diablo Blanco adds blizzard", "leopard-gecko", func(t *testing.T, s *genetics.Species) {
			require.ElementsMatch(t, []string{"tremper-albino", "eclipse"}, combo(t, s, "RAPTOR").Requires)
			require.ElementsMatch(t, []string{"bell-albino", "eclipse"}, combo(t, s, "Radar").Requires)
			require.ElementsMatch(t, []string{"rainwater-albino", "eclipse"}, combo(t, s, "Typhoon").Requires)
			require.ElementsMatch(t, []string{"blizzard", "tremper-albino", "eclipse"}, combo(t, s, "Diablo Blanco").Requires)
		}},
		{"leopard gecko has no sex-linked genes", "leopard-gecko", func(t *testing.T, s *genetics.Species) {
			require.Equal(t, genetics.TSD, s.SexSystem)
			for _, g := range s.Genes {
				require.False(t, g.SexLinked, g.Key)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t, species(t, tc.species))
		})
	}
}
