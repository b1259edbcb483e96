package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

type pairingReply struct {
	ID                  string       `json:"id"`
	SireID              string       `json:"sire_id"`
	DamID               string       `json:"dam_id"`
	Status              string       `json:"status"`
	OffspringCOI        *float64     `json:"offspring_coi"`
	COIWarningThreshold float64      `json:"coi_warning_threshold"`
	COIWarning          string       `json:"coi_warning"`
	Prediction          predictReply `json:"prediction"`
	Clutches            []struct {
		ID         string   `json:"id"`
		Eggs       int      `json:"eggs"`
		Fertile    int      `json:"fertile"`
		Hatched    int      `json:"hatched"`
		HatchRate  *float64 `json:"hatch_rate"`
		Hatchlings int      `json:"hatchlings_registered"`
	} `json:"clutches"`
}

// The breeding flow end to end: plan a pairing (prediction, COI and its warning), record a
// clutch and its hatch, register hatchlings that inherit their parents and possible hets.
func TestBreeding_PairClutchAndHatchlingsInheritTheirGenetics(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "breeder").Tokens.AccessToken
	sire := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "genetics": "Pastel het Clown", "hatch_date": "2020-05-01"})
	dam := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "genetics": "Clown", "hatch_date": "2020-06-01"})

	r := b.do(t, http.MethodPost, "/api/v1/breeding/pairs", tok, map[string]any{"sire_id": sire.ID, "dam_id": dam.ID, "season": 2025})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	pair := decodeAs[pairingReply](t, r)
	require.Equal(t, "planned", pair.Status)
	require.Equal(t, map[string]string{"Pastel Clown": "1/4", "Clown": "1/4", "Pastel het Clown": "1/4", "Normal het Clown": "1/4"}, outcomes(pair.Prediction))
	require.NotNil(t, pair.OffspringCOI)
	require.Equal(t, 0.0, *pair.OffspringCOI)
	require.Empty(t, pair.COIWarning)

	r = b.do(t, http.MethodPost, "/api/v1/breeding/pairs/"+pair.ID+"/clutches", tok, map[string]any{"laid_on": "2025-04-01", "eggs": 6, "fertile": 5, "infertile": 1})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	clutchID := r.Body["id"].(string)

	// Hatchlings need a recorded hatch.
	r = b.do(t, http.MethodPost, "/api/v1/breeding/clutches/"+clutchID+"/hatchlings", tok, map[string]any{"hatchlings": []map[string]any{{"looks": "Pastel"}}})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")

	r = b.do(t, http.MethodPatch, "/api/v1/breeding/clutches/"+clutchID, tok, map[string]any{"hatched_on": "2025-05-28", "hatched": 4})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.InDelta(t, 0.8, r.Body["hatch_rate"], 1e-9)

	r = b.do(t, http.MethodPost, "/api/v1/breeding/clutches/"+clutchID+"/hatchlings", tok, map[string]any{"hatchlings": []map[string]any{
		{"sex": "male", "looks": "Pastel Clown", "name": "Pip"},
		{"sex": "female", "looks": "Pastel"},
		{"looks": ""},
	}})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	hatchlings := decodeAs[struct {
		Items []animalReply `json:"items"`
	}](t, r).Items
	require.Len(t, hatchlings, 3)
	for _, h := range hatchlings {
		require.Equal(t, sire.ID, h.SireID)
		require.Equal(t, dam.ID, h.DamID)
		require.Equal(t, "2025-05-28", h.HatchDate)
		require.NotEmpty(t, h.BreederOrganizationID)
	}
	require.Equal(t, "Pastel Clown", hatchlings[0].Genetics.Text)
	require.Equal(t, "Pastel het Clown", hatchlings[1].Genetics.Text, "a visual Clown dam makes every non-visual hatchling het")
	require.Equal(t, "visual_parent", hatchlings[1].Genetics.Hets[0].Provenance)
	require.Equal(t, "Normal het Clown", hatchlings[2].Genetics.Text)

	// A look the pairing cannot produce is refused, naming the hatchling.
	r = b.do(t, http.MethodPost, "/api/v1/breeding/clutches/"+clutchID+"/hatchlings", tok, map[string]any{"hatchlings": []map[string]any{{"looks": "Super Pastel"}}})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"hatchlings[0].looks"}, problemFields(t, r))
	// More hatchlings than hatched is refused.
	r = b.do(t, http.MethodPost, "/api/v1/breeding/clutches/"+clutchID+"/hatchlings", tok, map[string]any{"hatchlings": []map[string]any{{"looks": ""}, {"looks": ""}}})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")

	r = b.do(t, http.MethodGet, "/api/v1/breeding/pairs/"+pair.ID, tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	got := decodeAs[pairingReply](t, r)
	require.Len(t, got.Clutches, 1)
	require.Equal(t, 3, got.Clutches[0].Hatchlings)
	require.Len(t, got.Prediction.Outcomes, 4)
}

func TestBreeding_WarnsAboveTheInbreedingThreshold(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "inbred").Tokens.AccessToken
	sire := b.createAnimal(t, tok, map[string]any{"species": "corn-snake", "sex": "male"})
	dam := b.createAnimal(t, tok, map[string]any{"species": "corn-snake", "sex": "female"})
	son := b.createAnimal(t, tok, map[string]any{"species": "corn-snake", "sex": "male", "sire_id": sire.ID, "dam_id": dam.ID})

	r := b.do(t, http.MethodPost, "/api/v1/breeding/pairs", tok, map[string]any{"sire_id": son.ID, "dam_id": dam.ID})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	pair := decodeAs[pairingReply](t, r)
	require.InDelta(t, 0.25, *pair.OffspringCOI, 1e-12, "parent x offspring")
	require.Equal(t, 0.0625, pair.COIWarningThreshold)
	require.Contains(t, pair.COIWarning, "25.00%")
}

func TestBreeding_RefusesWrongParents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "wrongpair").Tokens.AccessToken
	other := b.newUser(t, "strangers").Tokens.AccessToken
	male := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male"})
	female := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female"})
	corn := b.createAnimal(t, tok, map[string]any{"species": "corn-snake", "sex": "female"})
	hidden := b.createAnimal(t, other, map[string]any{"species": "ball-python", "sex": "female"})
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"female as sire", map[string]any{"sire_id": female.ID, "dam_id": female.ID}, "sire_id"},
		{"male as dam", map[string]any{"sire_id": male.ID, "dam_id": male.ID}, "dam_id"},
		{"two species", map[string]any{"sire_id": male.ID, "dam_id": corn.ID}, "dam_id"},
		{"another breeder's private animal", map[string]any{"sire_id": male.ID, "dam_id": hidden.ID}, "dam_id"},
		{"bad status", map[string]any{"sire_id": male.ID, "dam_id": female.ID, "status": "done"}, "status"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := b.do(t, http.MethodPost, "/api/v1/breeding/pairs", tok, c.body)
			requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
			require.Equal(t, []string{c.field}, problemFields(t, r))
		})
	}
	r := b.do(t, http.MethodPost, "/api/v1/breeding/pairs", tok, map[string]any{"sire_id": male.ID, "dam_id": female.ID})
	pairID := r.Body["id"].(string)
	r = b.do(t, http.MethodPost, "/api/v1/breeding/pairs/"+pairID+"/clutches", tok, map[string]any{"laid_on": "2025-04-01", "eggs": 4, "fertile": 5})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"fertile"}, problemFields(t, r))
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/breeding/pairs/"+pairID, other, nil), http.StatusNotFound, "not-found")
}

// A stored pairing of two animals with half a million joint outcomes is predicted within the
// same bound when planned and on every read, and its hatchlings still get their genetics.
func TestBreeding_HugePairingIsSummarisedWhenPlannedAndRead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "hugepair").Tokens.AccessToken
	sire := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "genetics": twelveIncompleteDominants + " het Clown"})
	dam := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "genetics": twelveIncompleteDominants})

	r := b.do(t, http.MethodPost, "/api/v1/breeding/pairs", tok, map[string]any{"sire_id": sire.ID, "dam_id": dam.ID})
	require.Equal(t, http.StatusCreated, r.Status, "%.2000s", r.Raw)
	require.Less(t, len(r.Raw), maxPredictBody)
	pair := decodeAs[pairingReply](t, r)
	requireSummary(t, pair.Prediction, 13)

	r = b.do(t, http.MethodGet, "/api/v1/breeding/pairs/"+pair.ID, tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%.2000s", r.Raw)
	require.Less(t, len(r.Raw), maxPredictBody)
	requireSummary(t, decodeAs[pairingReply](t, r).Prediction, 13)

	r = b.do(t, http.MethodPost, "/api/v1/breeding/pairs/"+pair.ID+"/clutches", tok, map[string]any{"laid_on": "2025-04-01", "eggs": 2, "fertile": 2, "hatched": 2, "hatched_on": "2025-05-28"})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	hatchlings := "/api/v1/breeding/clutches/" + r.Body["id"].(string) + "/hatchlings"
	r = b.do(t, http.MethodPost, hatchlings, tok, map[string]any{"hatchlings": []map[string]any{{"looks": "Super Pastel Enchi Leopard"}}})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	h := decodeAs[struct {
		Items []animalReply `json:"items"`
	}](t, r).Items
	require.Len(t, h, 1)
	require.Equal(t, "Super Pastel Enchi Leopard 50% poss het Clown", h[0].Genetics.Text)
	r = b.do(t, http.MethodPost, hatchlings, tok, map[string]any{"hatchlings": []map[string]any{{"looks": "Super Pastel Clown"}}})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"hatchlings[0].looks"}, problemFields(t, r))
}
