package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/api"
	"github.com/reptidex/reptidex/testkit"
)

type cardReply struct {
	Visible  bool   `json:"visible"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	Species  string `json:"species"`
	Genetics string `json:"genetics"`
	Note     string `json:"note"`
	Owner    *struct {
		ID string `json:"id"`
	} `json:"owner"`
}

type nodeReply struct {
	Animal cardReply  `json:"animal"`
	Sire   *nodeReply `json:"sire"`
	Dam    *nodeReply `json:"dam"`
}

func (b *bundle) pedigree(t *testing.T, token, id, query string) nodeReply {
	t.Helper()
	r := b.do(t, http.MethodGet, "/api/v1/lineage/"+id+query, token, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	return decodeAs[struct {
		Pedigree nodeReply `json:"pedigree"`
	}](t, r).Pedigree
}

// A pedigree crosses breeders: ancestors owned by another organization show their public
// fields, or only "not public"; the links survive when an ancestor goes private.
func TestLineage_CrossesOrganizationsShowingOnlyWhatIsPublic(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.newUser(t, "alice")
	bob := b.newUser(t, "bob")
	ta, tb := alice.Tokens.AccessToken, bob.Tokens.AccessToken

	granddam := b.createAnimal(t, ta, map[string]any{"species": "ball-python", "sex": "female", "name": "Secret", "visibility": "private"})
	sire := b.createAnimal(t, ta, map[string]any{"species": "ball-python", "sex": "male", "name": "Apollo",
		"genetics": "Pastel", "visibility": "public", "dam_id": granddam.ID})
	dam := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "sex": "female", "name": "Luna"})
	child := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "sex": "male", "name": "Orion",
		"sire_id": sire.ID, "dam_id": dam.ID})

	p := b.pedigree(t, tb, child.ID, "?generations=3")
	require.Equal(t, "Orion", p.Animal.Name)
	require.Equal(t, "Apollo", p.Sire.Animal.Name)
	require.Equal(t, "Pastel", p.Sire.Animal.Genetics)
	require.Equal(t, alice.Tokens.OrganizationID, p.Sire.Animal.Owner.ID)
	require.Equal(t, "Luna", p.Dam.Animal.Name)
	require.NotNil(t, p.Sire.Dam, "the grand-dam's place is shown")
	require.False(t, p.Sire.Dam.Animal.Visible)
	require.Empty(t, p.Sire.Dam.Animal.Name, "another breeder's private animal shows nothing")
	require.Empty(t, p.Sire.Dam.Animal.ID)
	require.Equal(t, "not public", p.Sire.Dam.Animal.Note)

	// Alice sees her own private animal in full on the same tree (starting from her public sire).
	pa := b.pedigree(t, ta, sire.ID, "")
	require.Equal(t, "Secret", pa.Dam.Animal.Name)

	// Apollo goes private: the link stays, the fields go.
	r := b.patchAnimal(t, ta, sire.ID, `"v1"`, map[string]any{"visibility": "private"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	p = b.pedigree(t, tb, child.ID, "")
	require.NotNil(t, p.Sire)
	require.False(t, p.Sire.Animal.Visible)
	require.Empty(t, p.Sire.Animal.Name)

	// A private animal of another organization is not a pedigree root anyone else can ask for.
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/lineage/"+sire.ID, tb, nil), http.StatusNotFound, "not-found")
}

func TestLineage_DepthIsBoundedAndValidated(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "depth")
	tok := u.Tokens.AccessToken
	id := ""
	for i := 0; i < 6; i++ {
		body := map[string]any{"species": "corn-snake", "sex": "male"}
		if id != "" {
			body["sire_id"] = id
		}
		id = b.createAnimal(t, tok, body).ID
	}
	depth := func(n *nodeReply) int {
		d := 0
		for ; n.Sire != nil; n = n.Sire {
			d++
		}
		return d
	}
	p := b.pedigree(t, tok, id, "?generations=2")
	require.Equal(t, 2, depth(&p))
	p = b.pedigree(t, tok, id, "")
	require.Equal(t, 4, depth(&p), "four generations by default")
	p = b.pedigree(t, tok, id, "?generations=10")
	require.Equal(t, 5, depth(&p), "as deep as the record goes")
	for _, q := range []string{"?generations=0", "?generations=11", "?generations=x"} {
		requireProblem(t, b.do(t, http.MethodGet, "/api/v1/lineage/"+id+q, tok, nil), http.StatusBadRequest, "malformed-request")
	}
}

func TestLineage_DescendantsByGeneration(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "desc")
	tok := u.Tokens.AccessToken
	sire := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male"})
	dam := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female"})
	son := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "sire_id": sire.ID, "dam_id": dam.ID})
	daughter := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "sire_id": sire.ID, "dam_id": dam.ID})
	grandchild := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sire_id": son.ID, "dam_id": daughter.ID})

	r := b.do(t, http.MethodGet, "/api/v1/lineage/"+sire.ID+"/descendants", tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	items := decodeAs[struct {
		Items []struct {
			Generation int       `json:"generation"`
			Animal     cardReply `json:"animal"`
		} `json:"items"`
	}](t, r).Items
	got := map[string]int{}
	for _, it := range items {
		got[it.Animal.ID] = it.Generation
	}
	require.Equal(t, map[string]int{son.ID: 1, daughter.ID: 1, grandchild.ID: 2}, got, "each descendant once, at its nearest generation")

	r = b.do(t, http.MethodGet, "/api/v1/lineage/"+sire.ID+"/descendants?generations=1", tok, nil)
	require.Len(t, r.Body["items"], 2)
	first := r.Body["items"].([]any)[0].(map[string]any)
	require.Equal(t, dam.ID, first["dam_id"], "the mate from outside the line is named")
	require.Equal(t, false, r.Body["truncated"])
	r = b.do(t, http.MethodGet, "/api/v1/lineage/"+sire.ID+"/descendants?limit=2", tok, nil)
	require.Len(t, r.Body["items"], 2)
	require.Equal(t, true, r.Body["truncated"])
}

// withoutPedigree is a second server on the same database, keys and sessions that reads every
// pedigree from the database: the answer the in-memory path must match.
func (b *bundle) withoutPedigree(t *testing.T) *bundle {
	t.Helper()
	srv := serve(t, b.Cfg, api.Conns{DB: b.DB, Temporal: testkit.Temporal(t), Registry: prometheus.NewRegistry(),
		Logger: testkit.Logger(t), Keys: b.Keys},
		api.WithoutPedigree())
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	other := *b
	other.URL, other.Client, other.Pedigree = ts.URL, ts.Client(), nil
	return &other
}

// Every pedigree the graph draws is byte for byte the one the database draws: across
// breeders, through inbreeding, with reference animals, private and public ancestors.
func TestLineage_MemoryAndDatabaseDrawTheSameChart(t *testing.T) {
	t.Parallel()
	b := setup(t)
	db := b.withoutPedigree(t)
	alice := b.newUser(t, "alice")
	bob := b.newUser(t, "bob")
	ta, tb := alice.Tokens.AccessToken, bob.Tokens.AccessToken

	founder := b.createAnimal(t, ta, map[string]any{"species": "ball-python", "sex": "male", "name": "Zeus", "visibility": "public", "genetics": "Pied"})
	secret := b.createAnimal(t, ta, map[string]any{"species": "ball-python", "sex": "female", "name": "Secret", "visibility": "private"})
	ref := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "sex": "female", "name": "Off-platform dam", "reference": true})
	son := b.createAnimal(t, ta, map[string]any{"species": "ball-python", "sex": "male", "name": "Apollo", "visibility": "public",
		"sire_id": founder.ID, "dam_id": secret.ID, "hatch_date": "2020-05-01"})
	daughter := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "sex": "female", "name": "Luna & <Co>",
		"sire_id": founder.ID, "dam_id": ref.ID, "genetics": "het Pied"})
	inbred := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "name": "Orion", "sire_id": son.ID, "dam_id": daughter.ID})
	r := b.do(t, http.MethodPatch, "/api/v1/organizations/"+bob.Tokens.OrganizationID, tb, map[string]any{"name": "Bob's Balls"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)

	before := b.Pedigree.Stats()
	asked := 0
	for _, c := range []struct {
		token, id, query string
	}{
		{tb, inbred.ID, "?generations=10"},
		{tb, inbred.ID, "?generations=1"},
		{tb, inbred.ID, ""},
		{ta, inbred.ID, "?generations=3"}, // not Alice's, not public: refused alike
		{ta, son.ID, ""},
		{tb, son.ID, "?generations=2"},
		{tb, secret.ID, ""},
		{ta, daughter.ID, ""},
		{tb, ref.ID, ""},
		{tb, "NoSuchAnimaXXXXXXXXXXX", ""}, // well formed, so the graph is asked and defers to the database
	} {
		path := "/api/v1/lineage/" + c.id + c.query
		mem, sql := b.do(t, http.MethodGet, path, c.token, nil), db.do(t, http.MethodGet, path, c.token, nil)
		require.Equal(t, sql.Status, mem.Status, "GET %s: %s", path, mem.Raw)
		if sql.Status == http.StatusOK {
			require.JSONEq(t, string(sql.Raw), string(mem.Raw), "GET %s", path)
		} else {
			require.Equal(t, sql.Body["type"], mem.Body["type"], "GET %s", path)
		}
		asked++
	}
	after := b.Pedigree.Stats()
	require.Equal(t, before.Misses+1, after.Misses, "only the animal that does not exist is left to the database")
	require.Equal(t, before.Hits+int64(asked-1), after.Hits)
}

// A keeper who changes an animal's parents sees the change on the very next read.
func TestLineage_TheNextReadSeesAChangeOfParents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "ryw").Tokens.AccessToken
	sires := []animalReply{
		b.createAnimal(t, tok, map[string]any{"species": "corn-snake", "sex": "male", "name": "First"}),
		b.createAnimal(t, tok, map[string]any{"species": "corn-snake", "sex": "male", "name": "Second"}),
	}
	child := b.createAnimal(t, tok, map[string]any{"species": "corn-snake", "sire_id": sires[0].ID})
	hits := b.Pedigree.Stats().Hits
	for i := range 20 {
		want := sires[(i+1)%2]
		r := b.patchAnimal(t, tok, child.ID, "*", map[string]any{"sire_id": want.ID})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		p := b.pedigree(t, tok, child.ID, "?generations=1")
		require.NotNil(t, p.Sire, "round %d", i)
		require.Equal(t, want.ID, p.Sire.Animal.ID, "round %d", i)
	}
	require.Equal(t, hits+20, b.Pedigree.Stats().Hits, "every read came from the graph")
}

func TestInbreeding_MemoryAndDatabaseAgree(t *testing.T) {
	t.Parallel()
	b := setup(t)
	db := b.withoutPedigree(t)
	tok := b.newUser(t, "coi-mem").Tokens.AccessToken
	sire := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male"})
	dam := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female"})
	brother := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "sire_id": sire.ID, "dam_id": dam.ID})
	sister := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "sire_id": sire.ID, "dam_id": dam.ID})
	son := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "sire_id": brother.ID, "dam_id": sister.ID})
	grandchild := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sire_id": son.ID, "dam_id": sister.ID})

	hits := b.Pedigree.Stats().Hits
	for _, a := range []animalReply{grandchild, son, sister, sire} {
		path := "/api/v1/animals/" + a.ID + "/inbreeding"
		mem, sql := b.do(t, http.MethodGet, path, tok, nil), db.do(t, http.MethodGet, path, tok, nil)
		require.Equal(t, http.StatusOK, mem.Status, "%s", mem.Raw)
		require.JSONEq(t, string(sql.Raw), string(mem.Raw))
	}
	require.Equal(t, hits+4, b.Pedigree.Stats().Hits)
	r := b.do(t, http.MethodGet, "/api/v1/animals/"+son.ID+"/inbreeding", tok, nil)
	require.InDelta(t, 0.25, r.Body["coefficient"], 1e-12)

	other := b.newUser(t, "coi-other").Tokens.AccessToken
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/animals/"+son.ID+"/inbreeding", other, nil), http.StatusNotFound, "not-found")
}
