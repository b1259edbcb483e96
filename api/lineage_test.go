package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
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
		requireProblem(t, b.do(t, http.MethodGet, "/api/v1/lineage/"+id+q, tok, nil), http.StatusUnprocessableEntity, "validation-failed")
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
