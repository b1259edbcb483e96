package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type predictReply struct {
	Sire     string `json:"sire"`
	Dam      string `json:"dam"`
	BySex    bool   `json:"by_sex"`
	Outcomes []struct {
		Sex         string  `json:"sex"`
		Name        string  `json:"name"`
		Probability string  `json:"probability"`
		Percent     float64 `json:"percent"`
	} `json:"outcomes"`
	Summarised     bool    `json:"summarised"`
	TotalOutcomes  int64   `json:"total_outcomes"`
	Covered        string  `json:"covered"`
	CoveredPercent float64 `json:"covered_percent"`
	PerGene        []struct {
		Genes    []string `json:"genes"`
		Sex      string   `json:"sex"`
		Outcomes []struct {
			Name        string `json:"name"`
			Probability string `json:"probability"`
		} `json:"outcomes"`
	} `json:"per_gene"`
	LethalRemoved        string   `json:"lethal_removed"`
	Warnings             []string `json:"warnings"`
	OffspringCOI         *float64 `json:"offspring_coi"`
	OffspringCOIPedigree *struct {
		AncestorsConsidered   int  `json:"ancestors_considered"`
		GenerationsConsidered int  `json:"generations_considered"`
		Truncated             bool `json:"truncated"`
	} `json:"offspring_coi_pedigree"`
}

func outcomes(p predictReply) map[string]string {
	out := map[string]string{}
	for _, o := range p.Outcomes {
		k := o.Name
		if o.Sex != "" {
			k = o.Sex + ": " + k
		}
		out[k] = o.Probability
	}
	return out
}

func TestPredict_FromGenotypesGivesPublishedOdds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "predict").Tokens.AccessToken
	cases := []struct {
		species, sire, dam string
		want               map[string]string
	}{
		{"ball-python", "Pastel", "Pastel", map[string]string{"Super Pastel": "1/4", "Pastel": "1/2", "Normal": "1/4"}},
		{"ball-python", "het Clown", "het Clown", map[string]string{"Clown": "1/4", "Normal 66% poss het Clown": "3/4"}},
		{"ball-python", "Albino", "Piebald", map[string]string{"Normal het Albino het Piebald": "1"}},
		{"ball-python", "Lesser", "Mojave", map[string]string{"Blue-eyed Leucistic": "1/4", "Lesser": "1/4", "Mojave": "1/4", "Normal": "1/4"}},
		{"corn-snake", "Amel", "Anery", map[string]string{"Normal het Amel het Anery": "1"}},
	}
	for _, c := range cases {
		t.Run(c.sire+" x "+c.dam, func(t *testing.T) {
			t.Parallel()
			r := b.do(t, http.MethodPost, "/api/v1/genetics/predict", tok, map[string]any{
				"species": c.species, "sire": map[string]any{"genetics": c.sire}, "dam": map[string]any{"genetics": c.dam}})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
			p := decodeAs[predictReply](t, r)
			require.Equal(t, c.want, outcomes(p))
			require.Nil(t, p.OffspringCOI, "no pedigree for bare genotypes")
			require.False(t, p.Summarised)
			require.Equal(t, int64(len(p.Outcomes)), p.TotalOutcomes)
			require.Equal(t, "1", p.Covered)
		})
	}
}

// twelveIncompleteDominants is a ball python visual for twelve incomplete dominants at twelve
// loci: two of them pair into 3^12 = 531,441 joint outcomes.
const twelveIncompleteDominants = "Pastel Enchi Fire Vanilla Yellow Belly Cinnamon Black Pastel Mojave Spotnose Orange Dream GHI Leopard"

// maxPredictBody is far above what any prediction within the limits answers (at most about
// 180 kB, BenchmarkPredictAnswer) and far below what listing a huge pairing would.
const maxPredictBody = 256 << 10

// requireSummary checks a huge pairing's prediction: the most likely joint outcomes, each
// gene's exact distribution (genes of them), and the count of all.
func requireSummary(t *testing.T, p predictReply, genes int) {
	t.Helper()
	require.True(t, p.Summarised)
	require.Equal(t, int64(531441), p.TotalOutcomes)
	require.Len(t, p.Outcomes, 64)
	require.True(t, strings.HasPrefix(p.Outcomes[0].Name, "Pewter Enchi Fire Vanilla Yellow Belly Black Pastel Mojave Spotnose Orange Dream GHI Leopard"),
		"one copy of each is the most likely, Pastel with Cinnamon named Pewter: %s", p.Outcomes[0].Name)
	require.Equal(t, "1/4096", p.Outcomes[0].Probability)
	require.Greater(t, p.CoveredPercent, 0.0)
	require.Less(t, p.CoveredPercent, 100.0)
	require.Len(t, p.PerGene, genes)
	for _, g := range p.PerGene[:12] {
		require.Len(t, g.Outcomes, 3, "%v", g.Genes)
	}
	require.Equal(t, []string{"pastel"}, p.PerGene[0].Genes)
	require.Equal(t, "Pastel", p.PerGene[0].Outcomes[0].Name)
	require.Equal(t, "1/2", p.PerGene[0].Outcomes[0].Probability)
}

// A pairing with half a million joint outcomes is answered at once, small, with the most
// likely outcomes and each gene's exact odds, and says it was summarised.
func TestPredict_HugePairingIsSummarised(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "hugepredict").Tokens.AccessToken
	r := b.do(t, http.MethodPost, "/api/v1/genetics/predict", tok, map[string]any{"species": "ball-python",
		"sire": map[string]any{"genetics": twelveIncompleteDominants}, "dam": map[string]any{"genetics": twelveIncompleteDominants}})
	require.Equal(t, http.StatusOK, r.Status, "%.2000s", r.Raw)
	require.Less(t, len(r.Raw), maxPredictBody)
	requireSummary(t, decodeAs[predictReply](t, r), 12)
}

func TestPredict_RefusesBadInputNamingTheSide(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "badpredict").Tokens.AccessToken
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown gene", map[string]any{"species": "ball-python", "sire": map[string]any{"genetics": "Pastle"}, "dam": map[string]any{"genetics": "Normal"}}, "sire.genetics"},
		{"missing side", map[string]any{"species": "ball-python", "sire": map[string]any{"genetics": "Pastel"}}, "dam"},
		{"missing species", map[string]any{"sire": map[string]any{"genetics": "Pastel"}, "dam": map[string]any{"genetics": "Pastel"}}, "species"},
		{"sex-linked super on the dam", map[string]any{"species": "ball-python", "sire": map[string]any{"genetics": "Normal"}, "dam": map[string]any{"genetics": "Super Banana"}}, "dam.genetics"},
		{"unknown animal", map[string]any{"sire": map[string]any{"animal_id": "NoSuchAnimal1"}, "dam": map[string]any{"genetics": "Normal"}, "species": "ball-python"}, "sire.animal_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := b.do(t, http.MethodPost, "/api/v1/genetics/predict", tok, c.body)
			requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
			require.Equal(t, []string{c.field}, problemFields(t, r))
		})
	}
}

// Inbreeding through the API on the classic case: the offspring of full siblings has F = 1/4,
// both as the planned pairing's offspring COI and as the F of a hatchling registered from it.
func TestInbreeding_FullSiblingsGiveAQuarter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "coi").Tokens.AccessToken
	sire := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "genetics": "Pastel"})
	dam := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "genetics": "het Clown"})
	brother := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "sire_id": sire.ID, "dam_id": dam.ID, "genetics": "Pastel 50% poss het Clown"})
	sister := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "sire_id": sire.ID, "dam_id": dam.ID, "genetics": "50% poss het Clown"})

	r := b.do(t, http.MethodPost, "/api/v1/genetics/predict", tok, map[string]any{
		"sire": map[string]any{"animal_id": brother.ID}, "dam": map[string]any{"animal_id": sister.ID}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	p := decodeAs[predictReply](t, r)
	require.NotNil(t, p.OffspringCOI)
	require.InDelta(t, 0.25, *p.OffspringCOI, 1e-12)
	require.NotNil(t, p.OffspringCOIPedigree, "the COI says what it considered: %s", r.Raw)
	require.Equal(t, 2, p.OffspringCOIPedigree.AncestorsConsidered, "the shared sire and dam")
	require.Equal(t, 1, p.OffspringCOIPedigree.GenerationsConsidered)
	require.False(t, p.OffspringCOIPedigree.Truncated)
	// Possible-het parents enter as mixtures: P(Clown) = 1/2 · 1/2 · 1/4 = 1/16.
	var clown string
	for _, o := range p.Outcomes {
		if o.Name == "Clown" || o.Name == "Pastel Clown" {
			clown = o.Probability
		}
	}
	require.Equal(t, "1/32", clown, "half the 1/16 Clowns are also Pastel: %v", outcomes(p))

	child := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sire_id": brother.ID, "dam_id": sister.ID})
	r = b.do(t, http.MethodGet, "/api/v1/animals/"+child.ID+"/inbreeding", tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.InDelta(t, 0.25, r.Body["coefficient"], 1e-12)
	require.Equal(t, 4.0, r.Body["ancestors_considered"], "brother, sister, sire and dam: %s", r.Raw)
	require.Equal(t, 2.0, r.Body["generations_considered"])
	require.Equal(t, false, r.Body["truncated"], "the whole pedigree is within the bound")
	require.Less(t, r.Body["completeness"].(float64), 1.0, "founders' parents are unknown")

	r = b.do(t, http.MethodGet, "/api/v1/animals/"+sire.ID+"/inbreeding", tok, nil)
	require.Equal(t, 0.0, r.Body["coefficient"])
	require.Equal(t, 0.0, r.Body["completeness"])
}

// A pairing whose exact fractions pass 64 bits (14 recessives, 66% poss het × 33% poss het,
// and 11 incomplete dominants: the most likely outcome is 17^14/(18^14 · 2^11)) is answered,
// summarised, with each gene's exact distribution, as the same recessives alone are.
func TestPredict_AnswersPairingsPastSixtyFourBitFractions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "predict-big").Tokens.AccessToken
	recessives := []string{"Albino", "Lavender Albino", "Caramel Albino", "Ultramel", "Clown", "Piebald", "VPI Axanthic",
		"TSK Axanthic", "Jolliff Axanthic", "Desert Ghost", "Genetic Stripe", "Hypo", "Monsoon", "Sunset"}
	dominants := []string{"Pastel", "Enchi", "Fire", "Vanilla", "Yellow Belly", "Cinnamon", "Black Pastel", "Spotnose", "Orange Dream", "GHI", "Leopard"}
	for _, tc := range []struct {
		name    string
		visuals []string
	}{
		{"14 recessives", nil},
		{"14 recessives and 11 incomplete dominants", dominants},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sire, dam := strings.Join(tc.visuals, " "), strings.Join(tc.visuals, " ")
			for _, g := range recessives {
				sire += " 66% poss het " + g
				dam += " 33% poss het " + g
			}
			r := b.do(t, http.MethodPost, "/api/v1/genetics/predict", tok, map[string]any{"species": "ball-python",
				"sire": map[string]any{"genetics": strings.TrimSpace(sire)}, "dam": map[string]any{"genetics": strings.TrimSpace(dam)}})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
			p := decodeAs[predictReply](t, r)
			require.True(t, p.Summarised)
			require.Len(t, p.Outcomes, 64)
			require.Len(t, p.PerGene, len(recessives)+len(tc.visuals))
			albino := map[string]string{}
			for _, l := range p.PerGene {
				if slices.Equal(l.Genes, []string{"albino"}) {
					for _, o := range l.Outcomes {
						albino[o.Name] = o.Probability
					}
				}
			}
			// 66% × 33% poss het: both het with probability 2/3 · 1/3, then 1/4 visual.
			require.Equal(t, "1/18", albino["Albino"], "%v", albino)
		})
	}
}
