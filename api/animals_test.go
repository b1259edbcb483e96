package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

type animalReply struct {
	ID                    string            `json:"id"`
	Species               string            `json:"species"`
	Sex                   string            `json:"sex"`
	Name                  string            `json:"name"`
	HatchDate             string            `json:"hatch_date"`
	Identifiers           map[string]string `json:"identifiers"`
	Status                string            `json:"status"`
	Visibility            string            `json:"visibility"`
	OrganizationID        string            `json:"organization_id"`
	BreederOrganizationID string            `json:"breeder_organization_id"`
	SireID                string            `json:"sire_id"`
	DamID                 string            `json:"dam_id"`
	Reference             bool              `json:"reference"`
	Version               int               `json:"version"`
	ArchivedAt            *string           `json:"archived_at"`
	Genetics              struct {
		Text   string   `json:"text"`
		Visual []string `json:"visual"`
		Hets   []struct {
			Gene        string `json:"gene"`
			Probability string `json:"probability"`
			Percent     int    `json:"percent"`
			Label       string `json:"label"`
			Provenance  string `json:"provenance"`
		} `json:"hets"`
	} `json:"genetics"`
}

func (b *bundle) createAnimal(t *testing.T, token string, body map[string]any) animalReply {
	t.Helper()
	r := b.do(t, http.MethodPost, "/api/v1/animals", token, body)
	require.Equal(t, http.StatusCreated, r.Status, "create animal: %s", r.Raw)
	require.Equal(t, `"v1"`, r.Header.Get("ETag"))
	return decodeAs[animalReply](t, r)
}

func (b *bundle) patchAnimal(t *testing.T, token, id, ifMatch string, body any) reply {
	t.Helper()
	req := b.newRequest(t, http.MethodPatch, "/api/v1/animals/"+id, token, body)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	return b.send(t, req)
}

func TestTaxonomy_ListsTheShippedSpeciesWithTheirGenes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.do(t, http.MethodGet, "/api/v1/taxonomy/species", "", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	items, _ := r.Body["items"].([]any)
	keys := map[string]bool{}
	for _, it := range items {
		keys[it.(map[string]any)["key"].(string)] = true
	}
	require.True(t, keys["ball-python"] && keys["corn-snake"] && keys["leopard-gecko"], "%v", keys)

	r = b.do(t, http.MethodGet, "/api/v1/taxonomy/species/ball-python", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, string(r.Raw), `"super_name":"Super Pastel"`)
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/taxonomy/species/dragon", "", nil), http.StatusNotFound, "not-found")
}

func TestAnimals_CreateParsesGeneticsAndReadsBack(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "animals")
	a := b.createAnimal(t, u.Tokens.AccessToken, map[string]any{
		"species": "ball-python", "sex": "male", "name": "Bumble", "hatch_date": "2023-06-01",
		"identifiers": map[string]string{"microchip": "985141000123456"},
		"genetics":    "pastel spider het clown 66% poss het pied", "genetics_provenance": map[string]string{"clown": "proven"},
	})
	require.Equal(t, "Bumblebee het Clown 66% poss het Piebald", a.Genetics.Text)
	require.Equal(t, []string{"Bumblebee"}, a.Genetics.Visual)
	require.Len(t, a.Genetics.Hets, 2)
	require.Equal(t, "proven", a.Genetics.Hets[0].Provenance)
	require.Equal(t, "2/3", a.Genetics.Hets[1].Probability)
	require.Equal(t, 66, a.Genetics.Hets[1].Percent)
	require.Equal(t, u.Tokens.OrganizationID, a.OrganizationID)
	require.Equal(t, u.Tokens.OrganizationID, a.BreederOrganizationID, "the creating organization is the breeder of record")
	require.Regexp(t, `^[1-9A-HJ-NP-Za-km-z]{21,22}$`, a.ID, "Base58 public IDs of 128 bits")

	r := b.do(t, http.MethodGet, "/api/v1/animals/"+a.ID, u.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, `"v1"`, r.Header.Get("ETag"))
	require.Equal(t, a, decodeAs[animalReply](t, r))

	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM events WHERE type = 'animal.created' AND aggregate_id = $1`, a.ID))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_log WHERE table_name = 'animals' AND action = 'insert'
		AND after->>'public_id' = $1`, a.ID))
}

func TestAnimals_RefusesBadInputNamingTheFieldAndRule(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "badanimal")
	tok := u.Tokens.AccessToken
	female := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "hatch_date": "2020-01-01"})
	male := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "hatch_date": "2020-01-01"})
	corn := b.createAnimal(t, tok, map[string]any{"species": "corn-snake", "sex": "male"})
	cases := []struct {
		name  string
		body  map[string]any
		field string
		text  string
	}{
		{"missing species", map[string]any{"sex": "male"}, "species", "required"},
		{"unknown species", map[string]any{"species": "dragon"}, "species", "not a known species"},
		{"unknown gene with suggestions", map[string]any{"species": "ball-python", "genetics": "Pastle"}, "genetics", "Pastel"},
		{"super form of a recessive", map[string]any{"species": "ball-python", "genetics": "Super Clown"}, "genetics", "Clown"},
		{"two copies of a sex-linked gene on a female", map[string]any{"species": "ball-python", "sex": "female", "genetics": "Super Banana"}, "genetics", "sex-linked"},
		{"probability outside (0,1)", map[string]any{"species": "ball-python", "genetics": "100% poss het Clown"}, "genetics", ""},
		{"ambiguous compound name", map[string]any{"species": "ball-python", "genetics": "Blue-eyed Leucistic"}, "genetics", "Mojave"},
		{"bad sex", map[string]any{"species": "ball-python", "sex": "both"}, "sex", "one of"},
		{"bad date", map[string]any{"species": "ball-python", "hatch_date": "31/05/2024"}, "hatch_date", "date"},
		{"wrong-sex sire", map[string]any{"species": "ball-python", "sire_id": female.ID}, "sire_id", "must be male"},
		{"wrong-sex dam", map[string]any{"species": "ball-python", "dam_id": male.ID}, "dam_id", "must be female"},
		{"other species as parent", map[string]any{"species": "ball-python", "sire_id": corn.ID}, "sire_id", "corn-snake"},
		{"child older than its parent", map[string]any{"species": "ball-python", "hatch_date": "2019-01-01", "sire_id": male.ID}, "sire_id", "not before"},
		{"unknown parent", map[string]any{"species": "ball-python", "sire_id": "NoSuchAnimal111"}, "sire_id", "no animal"},
		{"provenance of no het", map[string]any{"species": "ball-python", "genetics": "Pastel", "genetics_provenance": map[string]string{"clown": "proven"}}, "genetics_provenance.clown", "no het"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := b.do(t, http.MethodPost, "/api/v1/animals", tok, c.body)
			requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
			require.Equal(t, []string{c.field}, problemFields(t, r))
			require.Contains(t, r.Body["detail"], c.text)
		})
	}
	require.Equal(t, 3, b.count(t, `SELECT count(*) FROM animals WHERE org_id = $1`, b.orgUUID(t, u.Tokens.OrganizationID)),
		"no refused animal was written")
}

func TestAnimals_UpdateNeedsTheCurrentETag(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "etag")
	tok := u.Tokens.AccessToken
	a := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "name": "Ada"})

	requireProblem(t, b.patchAnimal(t, tok, a.ID, "", map[string]any{"name": "Bea"}), http.StatusPreconditionRequired, "precondition-required")
	r := b.patchAnimal(t, tok, a.ID, `"v1"`, map[string]any{"name": "Bea", "genetics": "Lesser Mojave"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, `"v2"`, r.Header.Get("ETag"))
	got := decodeAs[animalReply](t, r)
	require.Equal(t, "Bea", got.Name)
	require.Equal(t, "Mojave Lesser", got.Genetics.Text, "the canonical text names the alleles when several pairs share the name")
	require.Equal(t, []string{"Blue-eyed Leucistic"}, got.Genetics.Visual)

	stale := b.patchAnimal(t, tok, a.ID, `"v1"`, map[string]any{"name": "Cleo"})
	requireProblem(t, stale, http.StatusPreconditionFailed, "precondition-failed")
	r = b.do(t, http.MethodGet, "/api/v1/animals/"+a.ID, tok, nil)
	require.Equal(t, "Bea", decodeAs[animalReply](t, r).Name, "the stale write changed nothing")

	// "*" and lists of ETags follow HTTP: any current version, or one of those listed.
	r = b.patchAnimal(t, tok, a.ID, `"v1", "v2"`, map[string]any{"name": "Cleo"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	r = b.patchAnimal(t, tok, a.ID, `*`, map[string]any{"name": "Dora"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, `"v4"`, r.Header.Get("ETag"))
}

func TestAnimals_LineageRefusesCyclesAndSelfParenting(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "cycle")
	tok := u.Tokens.AccessToken
	grandsire := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male"})
	sire := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "sire_id": grandsire.ID})
	require.Equal(t, grandsire.ID, sire.SireID)

	r := b.patchAnimal(t, tok, grandsire.ID, `"v1"`, map[string]any{"sire_id": sire.ID})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Contains(t, r.Body["detail"], "own ancestor")

	r = b.patchAnimal(t, tok, grandsire.ID, `"v1"`, map[string]any{"sire_id": grandsire.ID})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Contains(t, r.Body["detail"], "its own sire")

	// Clearing a parent with null works and records a lineage event.
	r = b.patchAnimal(t, tok, sire.ID, `"v1"`, map[string]any{"sire_id": nil})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Empty(t, decodeAs[animalReply](t, r).SireID)
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM events WHERE type = 'lineage.changed' AND aggregate_id = $1`, sire.ID))
}

func TestAnimals_OtherOrganizationsAnimalsAre404AndOnlyPublicOnesCanBeParents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.newUser(t, "owner")
	other := b.newUser(t, "other")
	private := b.createAnimal(t, owner.Tokens.AccessToken, map[string]any{"species": "ball-python", "sex": "male"})
	public := b.createAnimal(t, owner.Tokens.AccessToken, map[string]any{"species": "ball-python", "sex": "male", "visibility": "public"})

	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/animals/"+private.ID, other.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
	requireProblem(t, b.patchAnimal(t, other.Tokens.AccessToken, private.ID, `"v1"`, map[string]any{"name": "mine"}), http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/animals/"+public.ID+"/archive", other.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")

	r := b.do(t, http.MethodPost, "/api/v1/animals", other.Tokens.AccessToken, map[string]any{"species": "ball-python", "sire_id": private.ID})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"sire_id"}, problemFields(t, r))

	child := b.createAnimal(t, other.Tokens.AccessToken, map[string]any{"species": "ball-python", "sire_id": public.ID})
	require.Equal(t, public.ID, child.SireID, "another breeder's public animal can be a parent")

	list := b.do(t, http.MethodGet, "/api/v1/animals", other.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, list.Status)
	items, _ := list.Body["items"].([]any)
	require.Len(t, items, 1, "a list shows only the caller's animals")
}

func TestAnimals_ListFiltersAndPaginates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "list")
	tok := u.Tokens.AccessToken
	for _, g := range []string{"Pastel", "Clown", "Pastel het Clown", "Normal"} {
		b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "genetics": g})
	}
	b.createAnimal(t, tok, map[string]any{"species": "corn-snake", "sex": "male", "genetics": "Amel"})

	ids := func(r reply) []string {
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		var out []string
		for _, it := range r.Body["items"].([]any) {
			out = append(out, it.(map[string]any)["id"].(string))
		}
		return out
	}
	require.Len(t, ids(b.do(t, http.MethodGet, "/api/v1/animals?species=ball-python", tok, nil)), 4)
	require.Len(t, ids(b.do(t, http.MethodGet, "/api/v1/animals?gene=clown", tok, nil)), 2)
	require.Len(t, ids(b.do(t, http.MethodGet, "/api/v1/animals?sex=male", tok, nil)), 1)

	first := b.do(t, http.MethodGet, "/api/v1/animals?limit=3", tok, nil)
	page1 := ids(first)
	require.Len(t, page1, 3)
	page2 := ids(b.do(t, http.MethodGet, "/api/v1/animals?limit=3&cursor="+first.Body["next_cursor"].(string), tok, nil))
	require.Len(t, page2, 2)
	require.NotContains(t, page1, page2[0])

	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/animals?sex=both", tok, nil), http.StatusBadRequest, "malformed-request")
}

func TestAnimals_ArchiveKeepsTheRecordAndItsLineage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "archive")
	tok := u.Tokens.AccessToken
	sire := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male"})
	child := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sire_id": sire.ID})

	r := b.do(t, http.MethodPost, "/api/v1/animals/"+sire.ID+"/archive", tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	archived := decodeAs[animalReply](t, r)
	require.Equal(t, "archived", archived.Status)
	require.NotNil(t, archived.ArchivedAt)

	got := decodeAs[animalReply](t, b.do(t, http.MethodGet, "/api/v1/animals/"+child.ID, tok, nil))
	require.Equal(t, sire.ID, got.SireID, "the child's lineage survives the archive")
	require.Len(t, b.do(t, http.MethodGet, "/api/v1/animals", tok, nil).Body["items"], 1, "archived animals leave the default list")
	requireProblem(t, b.patchAnimal(t, tok, sire.ID, `"v2"`, map[string]any{"name": "x"}), http.StatusConflict, "conflict")
}

func TestAnimals_ViewersCannotWrite(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.newUser(t, "vowner")
	viewer := b.newUser(t, "viewer")
	b.mustAddMember(t, owner.Tokens.AccessToken, owner.Tokens.OrganizationID, viewer.Email, "viewer")
	tok := b.loginTo(t, viewer.Email, owner.Tokens.OrganizationID).AccessToken
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/animals", tok, map[string]any{"species": "ball-python"}), http.StatusForbidden, "forbidden")
}
