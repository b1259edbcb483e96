package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// Deleting an account needs its password; an organization the erasure would close while it
// pays a subscription must have it cancelled first; a deletion is asked for once, and kept
// only when asked for. GET answers what erasing would do.
func TestDeletion_RefusesWhatCannotBe(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "delete-ada")
	token := ada.Owner.Tokens.AccessToken
	wrong := b.do(t, http.MethodPost, "/api/v1/me/deletion", token, map[string]any{"password": "not it"})
	requireProblem(t, wrong, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"password"}, problemFields(t, wrong))
	requireProblem(t, b.do(t, http.MethodDelete, "/api/v1/me/deletion", token, nil), http.StatusConflict, "conflict")

	got := decodeAs[struct {
		Status        string
		Organizations []struct{ ID, Name, Fate string }
	}](t, b.do(t, http.MethodGet, "/api/v1/me/deletion", token, nil))
	require.Equal(t, "none", got.Status)
	require.Len(t, got.Organizations, 1)
	require.Equal(t, ada.ID, got.Organizations[0].ID)
	require.Equal(t, "closed", got.Organizations[0].Fate, "no other member to hand it to")

	_, err := b.Admin.Exec(t.Context(), `INSERT INTO subscriptions (stripe_subscription_id, org_id, stripe_customer_id, status,
		stripe_item_id, stripe_price_id, state_at) SELECT 'sub_' || public_id, id, 'cus_x', 'active', 'si_x', 'price_x', now()
		FROM organizations WHERE public_id = $1`, ada.ID)
	require.NoError(t, err)
	paid := b.do(t, http.MethodPost, "/api/v1/me/deletion", token, map[string]any{"password": testPassword})
	requireProblem(t, paid, http.StatusConflict, "conflict")
	require.Contains(t, paid.Body["detail"], "pays a subscription")
	require.Zero(t, b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'start_deletion' AND args->>'public_id' = $1`,
		ada.Owner.Tokens.UserID))

	_, err = b.Admin.Exec(t.Context(), `UPDATE subscriptions SET status = 'canceled' WHERE org_id = (SELECT id FROM organizations WHERE public_id = $1)`, ada.ID)
	require.NoError(t, err)
	r := b.do(t, http.MethodPost, "/api/v1/me/deletion", token, map[string]any{"password": testPassword})
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	require.Equal(t, "scheduled", r.Body["status"])
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'start_deletion' AND args->>'public_id' = $1`, ada.Owner.Tokens.UserID))
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/me/deletion", token, map[string]any{"password": testPassword}),
		http.StatusConflict, "conflict")
}
