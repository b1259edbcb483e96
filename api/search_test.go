package api_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func searchIDs(t *testing.T, r reply) []string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	var ids []string
	for _, it := range r.Body["items"].([]any) {
		a := it.(map[string]any)["animal"].(map[string]any)
		ids = append(ids, a["id"].(string))
	}
	return ids
}

func TestSearch_PublicFindsOnlyPublicAnimalsEvenMisspelled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "search").Tokens.AccessToken
	name := "Zephyrine" + b.newUser(t, "n").Tokens.UserID[:6] // a name no other test uses
	public := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "name": name, "genetics": "Pastel Spider", "visibility": "public"})
	hidden := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "name": name, "genetics": "Pastel Spider"})

	ids := searchIDs(t, b.do(t, http.MethodGet, "/api/v1/search?q="+name, "", nil))
	require.Equal(t, []string{public.ID}, ids, "only the public one, without logging in")
	require.NotContains(t, ids, hidden.ID)

	ids = searchIDs(t, b.do(t, http.MethodGet, "/api/v1/search?q="+name[:len(name)-2]+"x", "", nil))
	require.Contains(t, ids, public.ID, "a misspelled name still finds it")

	ids = searchIDs(t, b.do(t, http.MethodGet, "/api/v1/search?q="+name+"+bumblebee&species=ball-python", "", nil))
	require.Contains(t, ids, public.ID, "genetics are searchable")
	require.Empty(t, searchIDs(t, b.do(t, http.MethodGet, "/api/v1/search?q="+name+"&species=corn-snake", "", nil)))

	own := searchIDs(t, b.do(t, http.MethodGet, "/api/v1/animals/search?q="+name, tok, nil))
	require.ElementsMatch(t, []string{public.ID, hidden.ID}, own, "a breeder searches all their own animals")

	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/search?q=x", "", nil), http.StatusBadRequest, "malformed-request")
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/animals/search?q=abc", "", nil), http.StatusUnauthorized, "unauthenticated")
}

// Search pages through the 1,000 best matches at most: a cursor past them is refused, not
// answered by making the database rank and skip rows without end.
func TestSearch_RefusesACursorPastTheBestThousand(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.newUser(t, "deepsearch").Tokens.AccessToken
	for _, c := range []struct{ path, token string }{{"/api/v1/search", ""}, {"/api/v1/animals/search", tok}} {
		for _, offset := range []string{"1000", "999999999"} {
			cursor := base64.RawURLEncoding.EncodeToString([]byte("o:" + offset))
			r := b.do(t, http.MethodGet, c.path+"?q=python&cursor="+cursor, c.token, nil)
			requireProblem(t, r, http.StatusBadRequest, "malformed-request")
			require.Equal(t, []string{"cursor"}, problemFields(t, r), "%s at %s", c.path, offset)
		}
	}
}
