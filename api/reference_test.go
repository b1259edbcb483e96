package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReference_ReplacedByTheRealAnimalRelinksEveryChild(t *testing.T) {
	t.Parallel()
	b := setup(t)
	keeper := b.newUser(t, "refkeeper")
	breeder := b.newUser(t, "realbreeder")
	tk, tb := keeper.Tokens.AccessToken, breeder.Tokens.AccessToken

	ref := b.createAnimal(t, tk, map[string]any{"species": "ball-python", "sex": "male", "name": "Imported sire", "reference": true})
	require.True(t, ref.Reference)
	require.Empty(t, ref.BreederOrganizationID, "a reference animal was not bred here")
	child := b.createAnimal(t, tk, map[string]any{"species": "ball-python", "sex": "female", "sire_id": ref.ID, "hatch_date": "2024-06-01"})

	real := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "sex": "male", "name": "The real sire", "hatch_date": "2019-04-01", "visibility": "public"})
	tooYoung := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "sex": "male", "hatch_date": "2025-01-01", "visibility": "public"})
	female := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "sex": "female", "visibility": "public"})

	for _, c := range []struct{ id, text string }{{tooYoung.ID, "not before"}, {female.ID, "female"}, {"NoSuchAnimal1", "no other animal"}} {
		r := b.do(t, http.MethodPost, "/api/v1/animals/"+ref.ID+"/replace", tk, map[string]any{"animal_id": c.id})
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.Contains(t, r.Body["detail"], c.text)
	}
	r := b.do(t, http.MethodPost, "/api/v1/animals/"+child.ID+"/replace", tk, map[string]any{"animal_id": real.ID})
	requireProblem(t, r, http.StatusConflict, "conflict")

	r = b.do(t, http.MethodPost, "/api/v1/animals/"+ref.ID+"/replace", tk, map[string]any{"animal_id": real.ID})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, 1.0, r.Body["relinked_children"])

	got := decodeAs[animalReply](t, b.do(t, http.MethodGet, "/api/v1/animals/"+child.ID, tk, nil))
	require.Equal(t, real.ID, got.SireID, "the child now descends from the real animal")
	p := b.pedigree(t, tk, child.ID, "")
	require.Equal(t, "The real sire", p.Sire.Animal.Name)
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/animals/"+ref.ID+"/replace", tk, map[string]any{"animal_id": real.ID}), http.StatusConflict, "conflict")
}

func TestOrganization_OwnerSetsTheInbreedingThreshold(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.newUser(t, "threshold")
	keeper := b.newUser(t, "thkeeper")
	org := owner.Tokens.OrganizationID
	b.mustAddMember(t, owner.Tokens.AccessToken, org, keeper.Email, "keeper")

	r := b.do(t, http.MethodPatch, "/api/v1/organizations/"+org, owner.Tokens.AccessToken, map[string]any{"coi_warning_threshold": 0.125})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, 0.125, r.Body["coi_warning_threshold"])
	requireProblem(t, b.do(t, http.MethodPatch, "/api/v1/organizations/"+org, owner.Tokens.AccessToken, map[string]any{"coi_warning_threshold": 2}), http.StatusUnprocessableEntity, "validation-failed")
	kt := b.loginTo(t, keeper.Email, org).AccessToken
	requireProblem(t, b.do(t, http.MethodPatch, "/api/v1/organizations/"+org, kt, map[string]any{"name": "mine"}), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(t, http.MethodPatch, "/api/v1/organizations/"+b.newUser(t, "x").Tokens.OrganizationID, owner.Tokens.AccessToken, map[string]any{"name": "x"}), http.StatusNotFound, "not-found")
}

func TestTaxonomy_OnlyPlatformAdminsEditCatalogues(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "taxadmin")
	r := b.do(t, http.MethodGet, "/api/v1/taxonomy/species/leopard-gecko", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	etag := r.Header.Get("ETag")
	species := r.Body["species"].(map[string]any)
	species["name"] = "Leopard gecko (edited)"

	put := func(token, ifMatch string, body any) reply {
		req := b.newRequest(t, http.MethodPut, "/api/v1/taxonomy/species/leopard-gecko", token, body)
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		return b.send(t, req)
	}
	requireProblem(t, put(u.Tokens.AccessToken, etag, species), http.StatusForbidden, "forbidden")

	_, err := b.Admin.Exec(t.Context(), `UPDATE users SET platform_admin = true WHERE public_id = $1`, u.Tokens.UserID)
	require.NoError(t, err)
	r = put(u.Tokens.AccessToken, etag, species)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	requireProblem(t, put(u.Tokens.AccessToken, etag, species), http.StatusPreconditionFailed, "precondition-failed")

	// A gene in use cannot be removed.
	b.createAnimal(t, u.Tokens.AccessToken, map[string]any{"species": "leopard-gecko", "genetics": "Mack Snow"})
	genes := species["genes"].([]any)
	var kept []any
	for _, g := range genes {
		if g.(map[string]any)["key"] != "mack-snow" {
			kept = append(kept, g)
		}
	}
	species["genes"] = kept
	species["combos"] = []any{}
	r = put(u.Tokens.AccessToken, r.Header.Get("ETag"), species)
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Contains(t, r.Body["detail"], "mack-snow")
}

func TestTaxonomy_PlatformAdminsTokenStopsEditingAtLogout(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "taxlogout")
	_, err := b.Admin.Exec(t.Context(), `UPDATE users SET platform_admin = true WHERE public_id = $1`, u.Tokens.UserID)
	require.NoError(t, err)

	// The document is sent back unchanged: only this test writes corn-snake, and what the
	// catalogue says stays as shipped.
	const path = "/api/v1/taxonomy/species/corn-snake"
	r := b.do(t, http.MethodGet, path, "", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	species := r.Body["species"]
	put := func(etag string) reply {
		req := b.newRequest(t, http.MethodPut, path, u.Tokens.AccessToken, species)
		req.Header.Set("If-Match", etag)
		return b.send(t, req)
	}
	r = put(r.Header.Get("ETag"))
	require.Equal(t, http.StatusOK, r.Status, "an administrator's live session edits: %s", r.Raw)
	etag := r.Header.Get("ETag")
	require.NotEmpty(t, etag)

	out := b.do(t, http.MethodPost, "/api/v1/auth/logout", "", map[string]any{"refresh_token": u.Tokens.RefreshToken})
	require.Equal(t, http.StatusNoContent, out.Status, "%s", out.Raw)

	r = put(etag)
	requireProblem(t, r, http.StatusUnauthorized, "unauthenticated")
	require.Equal(t, etag, b.do(t, http.MethodGet, path, "", nil).Header.Get("ETag"), "nothing was written")
}
