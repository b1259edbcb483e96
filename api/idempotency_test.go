package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// post sends a POST with an Idempotency-Key.
func (b *bundle) post(t *testing.T, path, token, key string, body any) reply {
	t.Helper()
	req := b.newRequest(t, http.MethodPost, path, token, body)
	req.Header.Set("Idempotency-Key", key)
	return b.send(t, req)
}

func TestIdempotency_ReplayIsTheStoredResponseByteForByte(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada, bob := b.newOrg(t, "replay-ada"), b.newOrg(t, "replay-bob")
	token := ada.Owner.Tokens.AccessToken
	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male"})
	cases := []struct {
		name, path string
		body       map[string]any
		status     int
		location   bool
	}{
		{"offer", "/api/v1/transfers", map[string]any{"animal_id": animal.ID, "recipient_organization_id": bob.ID}, http.StatusCreated, true},
		{"message", "/api/v1/notifications/send", map[string]any{"title": "Hi", "body": "Hello"}, http.StatusAccepted, false},
	}
	for _, c := range cases {
		first := b.post(t, c.path, token, "replay-"+c.name, c.body)
		require.Equal(t, c.status, first.Status, "%s: %s", c.name, first.Raw)
		require.Empty(t, first.Header.Get("Idempotent-Replayed"), c.name)
		again := b.post(t, c.path, token, "replay-"+c.name, c.body)
		require.Equal(t, c.status, again.Status, c.name)
		require.Equal(t, string(first.Raw), string(again.Raw), "%s: the stored body, byte for byte", c.name)
		require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"), c.name)
		require.Equal(t, "application/json", again.Header.Get("Content-Type"), c.name)
		require.Equal(t, first.Header.Get("Location"), again.Header.Get("Location"), c.name)
		require.Equal(t, c.location, again.Header.Get("Location") != "", c.name)
	}
	require.Equal(t, 1, b.unread(t, token), "the replayed message delivered nothing more")
}

func TestIdempotency_SameKeyWithAnotherBodyIs422NamingTheKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "mismatch")
	token := o.Owner.Tokens.AccessToken
	require.Equal(t, http.StatusAccepted, b.post(t, "/api/v1/notifications/send", token, "k", map[string]any{"title": "Hi", "body": "Hello"}).Status)
	r := b.post(t, "/api/v1/notifications/send", token, "k", map[string]any{"title": "Hi", "body": "Something else"})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"Idempotency-Key"}, problemFields(t, r))
	require.Equal(t, 1, b.unread(t, token))
}

// A key whose first request is still running is a 409 with Retry-After; once that
// request's lease lapses (its process died), a retry runs it again.
func TestIdempotency_KeyStillInFlightIs409WithRetryAfter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "inflight")
	token := o.Owner.Tokens.AccessToken
	body := map[string]any{"title": "Hi", "body": "Hello"}
	require.Equal(t, http.StatusAccepted, b.post(t, "/api/v1/notifications/send", token, "busy", body).Status)
	state := func(sql string) {
		t.Helper()
		_, err := b.Admin.Exec(context.Background(), `UPDATE idempotency_keys SET response_status = NULL, response_headers = NULL,
			response_body = NULL, `+sql+` WHERE org_id = $1 AND key = 'busy'`, b.orgUUID(t, o.ID))
		require.NoError(t, err)
	}

	state(`locked_until = now() + interval '1 minute'`)
	r := b.post(t, "/api/v1/notifications/send", token, "busy", body)
	requireProblem(t, r, http.StatusConflict, "conflict")
	require.Equal(t, "1", r.Header.Get("Retry-After"))
	require.Contains(t, r.Body["detail"], "Idempotency-Key")

	state(`locked_until = now() - interval '1 second'`)
	r = b.post(t, "/api/v1/notifications/send", token, "busy", body)
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	require.Empty(t, r.Header.Get("Idempotent-Replayed"), "run again, not replayed")
	require.Equal(t, 2, b.unread(t, token), "run again")
}

func TestIdempotency_SameKeyInAnotherOrganizationIsAnotherKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada, bob := b.newOrg(t, "scope-ada"), b.newOrg(t, "scope-bob")
	first := b.post(t, "/api/v1/notifications/send", ada.Owner.Tokens.AccessToken, "shared", map[string]any{"title": "Ada", "body": "Hello"})
	require.Equal(t, http.StatusAccepted, first.Status)
	second := b.post(t, "/api/v1/notifications/send", bob.Owner.Tokens.AccessToken, "shared", map[string]any{"title": "Bob", "body": "Hi"})
	require.Equal(t, http.StatusAccepted, second.Status, "%s", second.Raw)
	require.Empty(t, second.Header.Get("Idempotent-Replayed"))
	require.Equal(t, "Bob", b.inbox(t, bob.Owner.Tokens.AccessToken, "").Items[0].Title)
}

func TestIdempotency_ExpiredKeyIsANewKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "expired")
	token := o.Owner.Tokens.AccessToken
	require.Equal(t, http.StatusAccepted, b.post(t, "/api/v1/notifications/send", token, "old", map[string]any{"title": "One", "body": "Hello"}).Status)
	_, err := b.Admin.Exec(context.Background(), `UPDATE idempotency_keys SET expires_at = now() - interval '1 second'
		WHERE org_id = $1 AND key = 'old'`, b.orgUUID(t, o.ID))
	require.NoError(t, err)
	r := b.post(t, "/api/v1/notifications/send", token, "old", map[string]any{"title": "Two", "body": "Hello"})
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	require.Equal(t, 2, b.unread(t, token))
}

// A refused request changed nothing: its key is free for the corrected request.
func TestIdempotency_RefusedRequestFreesItsKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada, bob := b.newOrg(t, "refused-ada"), b.newOrg(t, "refused-bob")
	token := ada.Owner.Tokens.AccessToken
	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male"})
	r := b.post(t, "/api/v1/transfers", token, "offer", map[string]any{"animal_id": "NoSuchAnimal1", "recipient_organization_id": bob.ID})
	requireProblem(t, r, http.StatusNotFound, "not-found")
	r = b.post(t, "/api/v1/transfers", token, "offer", map[string]any{"animal_id": animal.ID, "recipient_organization_id": bob.ID})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
}
