package genetics

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// prepared is testBall changed by edit and prepared again.
func prepared(t testing.TB, edit func(s *Species)) *Species {
	t.Helper()
	s := testBall(t)
	edit(s)
	require.NoError(t, s.Prepare())
	return s
}

func TestParseClaims_ReadsTradeNames(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	cases := []struct {
		name string
		in   string
		want []Claim
	}{
		{"visuals and a het", "Pastel Enchi het Clown", []Claim{vis("pastel"), vis("enchi"), het("clown")}},
		{"super name", "Super Pastel", []Claim{sup("pastel")}},
		{"super name lower case", "super pastel", []Claim{sup("pastel")}},
		{"super name shouted with extra spaces", "  SUPER   PASTEL ", []Claim{sup("pastel")}},
		{"super name without a space", "Superpastel", []Claim{sup("pastel")}},
		{"super name then a gene", "Super Pastel Enchi", []Claim{sup("pastel"), vis("enchi")}},
		{"generic super of a gene", "Super Lesser", []Claim{sup("lesser")}},
		{"generic super of a recessive is left to Genotype", "Super Clown", []Claim{sup("clown")}},
		{"generic super of a multi-word gene", "Super Lavender Albino", []Claim{sup("lavender")}},
		{"alias", "Pied", []Claim{vis("piebald")}},
		{"visual modifier", "visual Clown", []Claim{vis("clown")}},
		{"visual modifier on a combo", "visual Bumblebee", []Claim{vis("pastel"), vis("spider")}},
		{"multi-word name matched before its parts", "Lavender Albino", []Claim{vis("lavender")}},
		{"multi-word name after its last word as a gene", "Albino Lavender Albino", []Claim{vis("albino"), vis("lavender")}},
		{"longer name first", "Ghost Desert Ghost", []Claim{vis("ghost"), vis("desert-ghost")}},
		{"compound", "Blue-eyed Leucistic", []Claim{vis("lesser"), vis("mojave")}},
		{"compound with spaces", "blue eyed leucistic", []Claim{vis("lesser"), vis("mojave")}},
		{"compound with a missing space", "BlueEyed Leucistic", []Claim{vis("lesser"), vis("mojave")}},
		{"combo", "Bumblebee", []Claim{vis("pastel"), vis("spider")}},
		{"combo split in two", "Bumble Bee", []Claim{vis("pastel"), vis("spider")}},
		{"combo with a super", "Killer Bee", []Claim{sup("pastel"), vis("spider")}},
		{"combo joined", "killerbee", []Claim{sup("pastel"), vis("spider")}},
		{"combo, visual and het", "Killer Bee Clown het Albino", []Claim{sup("pastel"), vis("spider"), vis("clown"), het("albino")}},
		{"het covers a run of recessives", "het Clown Piebald", []Claim{het("clown"), het("piebald")}},
		{"het run stops at a non-recessive", "het Clown Pied Pastel", []Claim{het("clown"), het("piebald"), vis("pastel")}},
		{"het of a multi-word gene", "het Lavender Albino", []Claim{het("lavender")}},
		{"het run over a slash", "het Clown/Pied", []Claim{het("clown"), het("piebald")}},
		{"double het", "double het Albino Pied", []Claim{het("albino"), het("piebald")}},
		{"dh", "DH Albino Pied", []Claim{het("albino"), het("piebald")}},
		{"triple het", "triple het Albino Pied Clown", []Claim{het("albino"), het("piebald"), het("clown")}},
		{"th", "th Albino Pied Clown", []Claim{het("albino"), het("piebald"), het("clown")}},
		{"100% het is a het", "100% het Clown", []Claim{het("clown")}},
		{"repeated het", "het Clown het Clown", []Claim{het("clown")}},
		{"66% poss het", "66% poss het Pied", []Claim{poss("piebald", 2, 3)}},
		{"67% is two thirds", "67% poss het Pied", []Claim{poss("piebald", 2, 3)}},
		{"66.6% is two thirds", "66.6% poss het Pied", []Claim{poss("piebald", 2, 3)}},
		{"33% is one third", "33% poss het Pied", []Claim{poss("piebald", 1, 3)}},
		{"possible het", "66% possible het Pied", []Claim{poss("piebald", 2, 3)}},
		{"pos het", "50% pos het Pied", []Claim{poss("piebald", 1, 2)}},
		{"ph", "50% ph Pied", []Claim{poss("piebald", 1, 2)}},
		{"percentage glued and spaced", "50 % het Pied", []Claim{poss("piebald", 1, 2)}},
		{"below 100% het is a possible het", "50% het Clown", []Claim{poss("clown", 1, 2)}},
		{"other percentages reduce", "25% poss het Clown", []Claim{poss("clown", 1, 4)}},
		{"decimal percentage", "12.5% poss het Clown", []Claim{poss("clown", 1, 8)}},
		{"possible het covers a run", "50% poss het Clown Pied", []Claim{poss("clown", 1, 2), poss("piebald", 1, 2)}},
		{"everything", "Bumblebee Clown het Piebald 66% poss het Albino", []Claim{vis("pastel"), vis("spider"), vis("clown"), het("piebald"), poss("albino", 2, 3)}},
		{"normal", "Normal", nil},
		{"wild type", "Wild type", nil},
		{"wild-type", "wild-type", nil},
		{"WT", "WT", nil},
		{"classic", "Classic", nil},
		{"empty", "", nil},
		{"normal het", "Normal het Clown", []Claim{het("clown")}},
		{"separators", "Pastel, Enchi + Spider & Clown; Pied", []Claim{vis("pastel"), vis("enchi"), vis("spider"), vis("clown"), vis("piebald")}},
		{"slash separates names", "Pastel/Spider", []Claim{vis("pastel"), vis("spider")}},
		{"repeats count once", "Bumblebee Pastel", []Claim{vis("pastel"), vis("spider")}},
		{"sex-linked gene", "Test X", []Claim{vis("xlinked")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.ParseClaims(c.in)
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

func TestParseClaims_SlashIsPartOfANameThatHasOne(t *testing.T) {
	t.Parallel()
	s := prepared(t, func(s *Species) {
		s.Genes = append(s.Genes,
			Gene{Key: "red", Name: "Red", Mode: Dominant},
			Gene{Key: "black", Name: "Black", Mode: Dominant},
			Gene{Key: "red-black", Name: "Red/Black", Mode: Recessive})
	})
	cases := map[string][]Claim{
		"Red/Black":        {vis("red-black")},
		"red / black":      {vis("red-black")},
		"Red/Pastel":       {vis("red"), vis("pastel")},
		"Red Black":        {vis("red"), vis("black")},
		"het Red/Black":    {het("red-black")},
		"Black/Red/Black":  {vis("black"), vis("red-black")},
		"Pastel/Red/Black": {vis("pastel"), vis("red-black")},
	}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := s.ParseClaims(in)
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}

func TestParseClaims_GenericSuperWhenTheSuperNameDiffers(t *testing.T) {
	t.Parallel()
	s := prepared(t, func(s *Species) {
		s.Genes[0].SuperName = "Ivory Pastel" // pastel
	})
	for _, in := range []string{"Ivory Pastel", "Super Pastel", "superpastel"} {
		got, err := s.ParseClaims(in)
		require.NoError(t, err, in)
		require.Equal(t, []Claim{sup("pastel")}, got, in)
	}
	g, err := s.Parse("Super Pastel", Male)
	require.NoError(t, err)
	require.Equal(t, "Ivory Pastel", s.Format(g))
}

func TestParseClaims_ComboAliasAndCompoundRequirement(t *testing.T) {
	t.Parallel()
	s := prepared(t, func(s *Species) {
		s.Combos = append(s.Combos, Combo{Name: "Blue Bee", Requires: []string{"compound:Blue-eyed Leucistic", "spider"}, Aliases: []string{"BB"}})
	})
	for _, in := range []string{"Blue Bee", "BB", "bb"} {
		got, err := s.ParseClaims(in)
		require.NoError(t, err, in)
		require.Equal(t, []Claim{vis("lesser"), vis("mojave"), vis("spider")}, got, in)
	}
}

func TestParse_ImpossibleGenotypesAreInvalidErrors(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	cases := []struct {
		in   string
		sex  Sex
		gene string
	}{
		{"het Pastel", Male, "Pastel"},
		{"Super Clown", Male, "Clown"},
		{"Super Spider", Male, "Spider"},
		{"Super Banana", Female, "Banana"},
		{"het Test X", Female, "Test X"},
		{"Clown het Clown", Male, "Clown"},
		{"Lesser Mojave Super Lesser", Male, "Lesser"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			_, err := s.Parse(c.in, c.sex)
			var inv *InvalidError
			require.ErrorAs(t, err, &inv)
			require.Equal(t, c.gene, inv.Gene)
		})
	}
}

func TestParseClaims_HetAndPossibleHetOfOneGeneAreRefused(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	_, err := s.ParseClaims("het Clown 66% poss het Clown")
	var inv *InvalidError
	require.ErrorAs(t, err, &inv)
	require.Equal(t, "Clown", inv.Gene)
	require.Contains(t, err.Error(), "both as a het and as a possible het")
}

func TestParseClaims_UnknownNamesSuggestTheClosest(t *testing.T) {
	t.Parallel()
	s := prepared(t, func(s *Species) {
		s.Genes = append(s.Genes, Gene{Key: "pastave", Name: "Pastave", Mode: IncompleteDominant, SuperName: "Super Pastave"})
	})
	crowded := prepared(t, func(s *Species) {
		s.Genes = append(s.Genes,
			Gene{Key: "pastave", Name: "Pastave", Mode: IncompleteDominant, SuperName: "Super Pastave"},
			Gene{Key: "castle", Name: "Castle", Mode: Dominant},
			Gene{Key: "pastol", Name: "Pastol", Mode: Dominant})
	})
	cases := []struct {
		species *Species
		in      string
		token   string
		sugg    []string
		msg     string
	}{
		{s, "Pastle", "Pastle", []string{"Pastel", "Pastave"}, `unknown gene "Pastle" (did you mean Pastel, Pastave?)`},
		{s, "Pastel Enchee het Clown", "Enchee", []string{"Enchi"}, `unknown gene "Enchee" (did you mean Enchi?)`},
		{s, "Lavendar Albino", "Lavendar Albino", []string{"Lavender Albino"}, `unknown gene "Lavendar Albino" (did you mean Lavender Albino?)`},
		{s, "Blue Eyd Leucistic", "Blue Eyd Leucistic", []string{"Blue-eyed Leucistic"}, ""},
		{s, "Kiler Be", "Kiler Be", []string{"Killer Bee"}, ""},
		{s, "het Clwn", "Clwn", []string{"Clown"}, ""},
		{s, "Pid", "Pid", []string{"Pied"}, ""},
		{s, "Xyzzy", "Xyzzy", nil, `unknown gene "Xyzzy"`},
		{crowded, "Pastle", "Pastle", []string{"Castle", "Pastel", "Pastave"}, `unknown gene "Pastle" (did you mean Castle, Pastel, Pastave?)`},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			_, err := c.species.ParseClaims(c.in)
			var unk *UnknownNameError
			require.ErrorAs(t, err, &unk)
			require.Equal(t, c.token, unk.Token)
			require.Equal(t, c.sugg, unk.Suggestions)
			if c.msg != "" {
				require.Equal(t, c.msg, err.Error())
			}
		})
	}
}

func TestParseClaims_MalformedModifiersAreSyntaxErrors(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	cases := []struct {
		in  string
		pos int
		msg string
	}{
		{"het", 3, `"het" must be followed by a gene name`},
		{"Pastel het ", 11, `"het" must be followed by a gene name`},
		{"66% poss", 8, `"66% poss" must be followed by a gene name`},
		{"double het Clown", 0, `"double het" needs 2 gene names, found 1 (Clown)`},
		{"triple het Albino Pied", 0, `"triple het" needs 3 gene names, found 2 (Albino, Pied)`},
		{"dh Albino Pied Clown", 0, `"dh" needs 2 gene names, found 3 (Albino, Pied, Clown)`},
		{"double Albino Pied", 0, `"double" must be followed by "het"`},
		{"poss het Pied", 0, `"poss het Pied" needs a percentage, e.g. "66% poss het Pied" or "50% poss het Pied"`},
		{"Clown ph Pied", 6, `"ph Pied" needs a percentage`},
		{"100% poss het Clown", 0, `a possible het is below 100%`},
		{"0% poss het Clown", 0, `0% is not a het`},
		{"0% het Clown", 0, `0% is not a het`},
		{"150% het Clown", 0, `cannot be above 100%`},
		{"0.5% poss het Clown", 0, `at least 1%`},
		{"66% Clown", 0, `a percentage ("66%") must be followed by "het" or "poss het"`},
		{"66/33 het Clown", 0, `a percentage ("66") must be followed by "het" or "poss het"`},
		{"6.6.6% het Clown", 0, `"6.6.6" is not a percentage`},
		{"het Bumblebee", 4, `"het" must be followed by a gene name, not "Bumblebee"`},
		{"het Normal", 4, `"het" must be followed by a gene name, not "Normal"`},
		{"het 50% Clown", 4, `"het" must be followed by a gene name`},
		{"Super Bumblebee", 6, `"Super" must be followed by a gene name, not "Bumblebee"`},
		{"Pastel super", 12, `"super" must be followed by a gene name`},
		{"visual", 6, `"visual" must be followed by a gene, combination or compound name`},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			_, err := s.ParseClaims(c.in)
			var syn *SyntaxError
			require.ErrorAs(t, err, &syn)
			require.Equal(t, c.pos, syn.Pos)
			require.Contains(t, syn.Message, c.msg)
			require.Equal(t, fmt.Sprintf("%s (at position %d)", syn.Message, c.pos), err.Error())
		})
	}
}

func TestParseClaims_AmbiguousCompoundNamesAskWhich(t *testing.T) {
	t.Parallel()
	twoPairs := prepared(t, func(s *Species) {
		s.Genes = append(s.Genes, Gene{Key: "butter", Name: "Butter", Mode: IncompleteDominant, SuperName: "Super Butter", Locus: "bel"})
		s.Compounds = append(s.Compounds, Compound{Alleles: [2]string{"lesser", "butter"}, Name: "Blue-eyed Leucistic"})
	})
	superToo := prepared(t, func(s *Species) {
		s.Genes[4].SuperName = "Blue-eyed Leucistic" // lesser
	})
	cases := []struct {
		name    string
		species *Species
		in      string
		options []string
	}{
		{"two allele pairs", twoPairs, "Blue Eyed Leucistic", []string{"Lesser Mojave", "Lesser Butter"}},
		{"a super form and a compound", superToo, "blue-eyed leucistic het Clown", []string{"Super Lesser", "Lesser Mojave"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.species.ParseClaims(c.in)
			var amb *AmbiguousNameError
			require.ErrorAs(t, err, &amb)
			require.ElementsMatch(t, c.options, amb.Options)
			for _, o := range c.options {
				require.Contains(t, err.Error(), o)
			}
			// The options parse.
			for _, o := range c.options {
				_, err := c.species.Parse(o, Male)
				require.NoError(t, err, o)
			}
		})
	}
	// With one definition the name is the pair (TestParseClaims_ReadsTradeNames); a combo that
	// needs an ambiguous compound is refused too.
	comboOnAmbiguous := prepared(t, func(s *Species) {
		s.Genes = append(s.Genes, Gene{Key: "butter", Name: "Butter", Mode: IncompleteDominant, SuperName: "Super Butter", Locus: "bel"})
		s.Compounds = append(s.Compounds, Compound{Alleles: [2]string{"lesser", "butter"}, Name: "Blue-eyed Leucistic"})
		s.Combos = append(s.Combos, Combo{Name: "Blue Bee", Requires: []string{"compound:Blue-eyed Leucistic", "spider"}})
	})
	_, err := comboOnAmbiguous.ParseClaims("Blue Bee")
	require.ErrorContains(t, err, "Blue-eyed Leucistic")
}

func TestParseClaims_PolygenicTraits(t *testing.T) {
	t.Parallel()
	s := prepared(t, func(s *Species) {
		s.Genes = append(s.Genes, Gene{Key: "high-yellow", Name: "High Yellow", Mode: Polygenic})
	})
	g, err := s.Parse("Pastel High Yellow", Male)
	require.NoError(t, err)
	require.Equal(t, []string{"high-yellow"}, g.Polygenic)
	back, err := s.Parse(s.Format(g), Male)
	require.NoError(t, err)
	require.Equal(t, g, back)
	_, err = s.Parse("het High Yellow", Male)
	var inv *InvalidError
	require.ErrorAs(t, err, &inv)
}

func TestParseClaims_NameIndexFollowsPrepare(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	_, err := s.ParseClaims("Cinnamon")
	var unk *UnknownNameError
	require.ErrorAs(t, err, &unk)
	s.Genes = append(s.Genes, Gene{Key: "cinnamon", Name: "Cinnamon", Mode: IncompleteDominant, SuperName: "Super Cinnamon"})
	require.NoError(t, s.Prepare())
	got, err := s.ParseClaims("Super Cinnamon")
	require.NoError(t, err)
	require.Equal(t, []Claim{sup("cinnamon")}, got)
}

func TestParse_FormatParsesBackToTheSameGenotype(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	probs := []Fraction{Frac(1, 2), Frac(2, 3), Frac(1, 3), Frac(1, 100), Frac(1, 4), Frac(3, 4), Frac(12, 100), Frac(99, 100)}
	rng := rand.New(rand.NewPCG(1, 2))
	tried := 0
	for tried < 500 {
		sex := []Sex{Male, Female}[rng.IntN(2)]
		var claims []Claim
		for _, g := range s.Genes {
			switch r := rng.IntN(8); {
			case r == 0:
				claims = append(claims, vis(g.Key))
			case r == 1 && g.Mode == IncompleteDominant:
				claims = append(claims, sup(g.Key))
			case r == 2 && g.Mode == Recessive:
				claims = append(claims, het(g.Key))
			case r == 3 && g.Mode == Recessive:
				p := probs[rng.IntN(len(probs))]
				claims = append(claims, Claim{Gene: g.Key, Kind: PossibleHet, Probability: p})
			}
		}
		want, err := s.Genotype(sex, claims)
		if err != nil {
			continue
		}
		tried++
		text := s.Format(want)
		got, err := s.Parse(text, sex)
		require.NoError(t, err, text)
		require.Equal(t, want.Loci, got.Loci, text)
		require.Equal(t, want.Polygenic, got.Polygenic, text)
	}
}

func TestParse_FormatOfParseIsAFixedPoint(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	for _, in := range []string{
		"Pastel Enchi het Clown", "66% poss het Pied", "double het Albino Pied", "Spider Pastel",
		"Killer Bee Clown het Albino", "lesser mojave", "67% poss het Clown", "12.5% het Pied",
		"het Clown Pied 33% poss het Albino", "wild type", "Clown Pied Albino Axanthic",
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			g, err := s.Parse(in, Male)
			require.NoError(t, err)
			once := s.Format(g)
			g2, err := s.Parse(once, Male)
			require.NoError(t, err, once)
			require.Equal(t, once, s.Format(g2))
		})
	}
}

func TestParse_IsParseClaimsThenGenotype(t *testing.T) {
	t.Parallel()
	s := testBall(t)
	g, err := s.Parse("Banana het Clown", Female)
	require.NoError(t, err)
	want := mustGenotype(t, s, Female, vis("banana"), het("clown"))
	require.Equal(t, want, g)
	_, err = s.Parse("Banana", Unknown)
	var inv *InvalidError
	require.ErrorAs(t, err, &inv, "a sex-linked gene needs the sex")
	_, err = s.Parse("Pastle", Male)
	var unk *UnknownNameError
	require.True(t, errors.As(err, &unk))
}

func BenchmarkParse(b *testing.B) {
	s := testBall(b)
	const in = "Pastel Spider Enchi Lesser Clown het Albino Piebald Axanthic 66% poss het Ghost 50% poss het Monsoon"
	g, err := s.Parse(in, Male)
	if err != nil || len(g.Loci) != 10 {
		b.Fatal(err, g)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Parse(in, Male); err != nil {
			b.Fatal(err)
		}
	}
}
