package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOrganization_TransferReminderAndExpiryAreSettings(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "delays")
	path := "/api/v1/organizations/" + o.ID
	token := o.Owner.Tokens.AccessToken

	r := b.do(t, http.MethodPatch, path, token, map[string]any{"transfer_remind_after_days": 3, "transfer_expire_after_days": 5})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, float64(3), r.Body["transfer_remind_after_days"])
	require.Equal(t, float64(5), r.Body["transfer_expire_after_days"])

	r = b.do(t, http.MethodPatch, path, token, map[string]any{"name": "Renamed"})
	require.Equal(t, float64(3), r.Body["transfer_remind_after_days"], "unchanged settings stay")

	for _, bad := range []map[string]any{
		{"transfer_remind_after_days": 5},  // not before the expiry
		{"transfer_expire_after_days": 0},  // must be positive
		{"transfer_expire_after_days": 91}, // too long
		{"transfer_remind_after_days": -1},
	} {
		requireProblem(t, b.do(t, http.MethodPatch, path, token, bad), http.StatusUnprocessableEntity, "validation-failed")
	}
	_, keeper := b.join(t, o, "keeper", "keeper")
	requireProblem(t, b.do(t, http.MethodPatch, path, keeper.AccessToken, map[string]any{"transfer_expire_after_days": 30}),
		http.StatusForbidden, "forbidden")
}

func TestTransfers_OfferNeedsAnOwnerOrAdmin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "offers")
	_, keeper := b.join(t, o, "keeper", "keeper")
	animal := b.createAnimal(t, o.Owner.Tokens.AccessToken, map[string]any{"species": "ball-python", "sex": "male"})
	req := b.newRequest(t, http.MethodPost, "/api/v1/transfers", keeper.AccessToken, map[string]any{"animal_id": animal.ID, "recipient_email": "someone@example.com"})
	req.Header.Set("Idempotency-Key", "k")
	requireProblem(t, b.send(t, req), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/transfers?direction=sideways", keeper.AccessToken, nil), http.StatusBadRequest, "malformed-request")
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/transfers/nope", keeper.AccessToken, nil), http.StatusNotFound, "not-found")
}
