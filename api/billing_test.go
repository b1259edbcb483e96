package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestBillingPlans_ArePublicAndListedInOrderWithUnlimitedAsNull(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.do(t, http.MethodGet, "/api/v1/billing/plans", "", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "public, max-age=60", r.Header.Get("Cache-Control"))
	items := r.Body["items"].([]any)
	require.GreaterOrEqual(t, len(items), 3)
	byKey := map[string]map[string]any{}
	var keys []string
	for _, it := range items {
		p := it.(map[string]any)
		keys = append(keys, p["key"].(string))
		byKey[p["key"].(string)] = p
		require.NotContains(t, p, "stripe_price_id", "the public list shows no Stripe setup")
	}
	require.Equal(t, []string{"free", "pro", "business"}, keys[:3])
	free := byKey["free"]["limits"].(map[string]any)
	require.Equal(t, map[string]any{"animals": 50.0, "active_listings": 3.0, "certificates_per_month": 5.0,
		"scheduled_exports": 0.0, "sms_per_month": 0.0, "members": 2.0}, free)
	business := byKey["business"]["limits"].(map[string]any)
	require.Contains(t, business, "animals")
	require.Nil(t, business["animals"], "unlimited is null")
	require.Equal(t, "usd", byKey["pro"]["currency"])
}

// adminPlan stores a plan only the calling test edits, removed at the end, and returns its key.
func adminPlan(t *testing.T, b *bundle) string {
	t.Helper()
	key := "test-" + uuid.NewString()[:8]
	_, err := b.Admin.Exec(context.Background(), `INSERT INTO plans (key, name, animals, members, position)
		VALUES ($1, 'Test', 10, 3, 1000)`, key)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := b.Admin.Exec(context.Background(), `DELETE FROM plans WHERE key = $1`, key)
		require.NoError(t, err)
	})
	return key
}

func TestUpdatePlan_PlatformAdminsEditOthersAreRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	key := adminPlan(t, b)
	path := "/api/v1/admin/billing/plans/" + key
	u := b.newUser(t, "planadmin")
	edit := map[string]any{"name": "Tested", "price_minor": 2500, "stripe_price_id": "price_1Nx2abc",
		"limits": map[string]any{"animals": 20, "members": nil}}

	requireProblem(t, b.do(t, http.MethodPatch, path, "", edit), http.StatusUnauthorized, "unauthenticated")
	requireProblem(t, b.do(t, http.MethodPatch, path, u.Tokens.AccessToken, edit), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(t, http.MethodPatch, path, u.Tokens.AccessToken, map[string]any{"price_minor": -1}),
		http.StatusForbidden, "forbidden")

	_, err := b.Admin.Exec(t.Context(), `UPDATE users SET platform_admin = true WHERE public_id = $1`, u.Tokens.UserID)
	require.NoError(t, err)
	r := b.do(t, http.MethodPatch, path, u.Tokens.AccessToken, edit)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "Tested", r.Body["name"])
	require.Equal(t, 2500.0, r.Body["price_minor"])
	require.Equal(t, "price_1Nx2abc", r.Body["stripe_price_id"])
	require.Equal(t, map[string]any{"animals": 20.0, "active_listings": nil, "certificates_per_month": nil,
		"scheduled_exports": nil, "sms_per_month": nil, "members": nil}, r.Body["limits"])

	// What is not sent is kept.
	r = b.do(t, http.MethodPatch, path, u.Tokens.AccessToken, map[string]any{"limits": map[string]any{"sms_per_month": 0}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "Tested", r.Body["name"])
	limits := r.Body["limits"].(map[string]any)
	require.Equal(t, 20.0, limits["animals"])
	require.Equal(t, 0.0, limits["sms_per_month"])

	var by string
	require.NoError(t, b.Admin.QueryRow(t.Context(), `SELECT u.public_id FROM plans p JOIN users u ON u.id = p.updated_by
		WHERE p.key = $1`, key).Scan(&by))
	require.Equal(t, u.Tokens.UserID, by, "the edit names the administrator")

	list := b.do(t, http.MethodGet, "/api/v1/billing/plans", "", nil)
	require.Equal(t, http.StatusOK, list.Status)
	found := false
	for _, it := range list.Body["items"].([]any) {
		if p := it.(map[string]any); p["key"] == key {
			found = true
			require.Equal(t, "Tested", p["name"], "the public list shows the edit")
		}
	}
	require.True(t, found)
}

func TestUpdatePlan_RefusesInvalidEditsAndUnknownPlans(t *testing.T) {
	t.Parallel()
	b := setup(t)
	key := adminPlan(t, b)
	u := b.newUser(t, "planinvalid")
	_, err := b.Admin.Exec(t.Context(), `UPDATE users SET platform_admin = true WHERE public_id = $1`, u.Tokens.UserID)
	require.NoError(t, err)
	path := "/api/v1/admin/billing/plans/" + key

	for field, body := range map[string]map[string]any{
		"price_minor":              {"price_minor": 100_000_001},
		"stripe_price_id":          {"stripe_price_id": "prod_123"},
		"name":                     {"name": "  "},
		"currency":                 {"currency": "dollars"},
		"limits.animals":           {"limits": map[string]any{"animals": -1}},
		"limits.scheduled_exports": {"limits": map[string]any{"scheduled_exports": 100_000_001}},
	} {
		r := b.do(t, http.MethodPatch, path, u.Tokens.AccessToken, body)
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.Contains(t, r.Body["detail"], field+":", "%s", r.Raw)
	}
	requireProblem(t, b.do(t, http.MethodPatch, path, u.Tokens.AccessToken, map[string]any{"limits": map[string]any{"animals": "many"}}),
		http.StatusUnprocessableEntity, "validation-failed")
	requireProblem(t, b.do(t, http.MethodPatch, path, u.Tokens.AccessToken, map[string]any{"tier": 1}),
		http.StatusUnprocessableEntity, "validation-failed")

	var name string
	var animals int
	require.NoError(t, b.Admin.QueryRow(t.Context(), `SELECT name, animals FROM plans WHERE key = $1`, key).Scan(&name, &animals))
	require.Equal(t, "Test", name, "a refused edit writes nothing")
	require.Equal(t, 10, animals)

	requireProblem(t, b.do(t, http.MethodPatch, "/api/v1/admin/billing/plans/platinum", u.Tokens.AccessToken,
		map[string]any{"name": "Platinum"}), http.StatusNotFound, "not-found")
}

func TestOrganizationPlan_MembersSeeTheirOrganizationsPlan(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "planmember")
	r := b.do(t, http.MethodGet, "/api/v1/organizations/"+u.Tokens.OrganizationID+"/plan", u.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, u.Tokens.OrganizationID, r.Body["organization_id"])
	plan := r.Body["plan"].(map[string]any)
	require.Equal(t, "free", plan["key"], "a new organization starts on Free")
	require.Equal(t, 50.0, plan["limits"].(map[string]any)["animals"])

	_, err := b.Admin.Exec(t.Context(), `UPDATE organizations SET plan_key = 'pro' WHERE public_id = $1`, u.Tokens.OrganizationID)
	require.NoError(t, err)
	r = b.do(t, http.MethodGet, "/api/v1/organizations/"+u.Tokens.OrganizationID+"/plan", u.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "pro", r.Body["plan"].(map[string]any)["key"])

	other := b.newUser(t, "planother")
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/organizations/"+other.Tokens.OrganizationID+"/plan", u.Tokens.AccessToken, nil),
		http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/organizations/"+u.Tokens.OrganizationID+"/plan", "", nil),
		http.StatusUnauthorized, "unauthenticated")
}
