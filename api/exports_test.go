package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

type exportReply struct {
	ID       string           `json:"id"`
	Status   string           `json:"status"`
	Bytes    int64            `json:"bytes"`
	Files    map[string]int64 `json:"files"`
	Download *struct {
		URL    string `json:"url"`
		Method string `json:"method"`
	} `json:"download"`
}

// An owner's request records the export as running with the job that starts its process,
// answers 202, and replays under the same Idempotency-Key; another request while it runs is
// a conflict; the export is listed and read, without a link until ready.
func TestExports_RequestRecordsItRunningWithTheJobThatStartsIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "export-ada")
	token := ada.Owner.Tokens.AccessToken

	r := b.post(t, "/api/v1/exports", token, "export-1", nil)
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	e := decodeAs[exportReply](t, r)
	require.Equal(t, "running", e.Status)
	require.Equal(t, "/api/v1/exports/"+e.ID, r.Header.Get("Location"))

	again := b.post(t, "/api/v1/exports", token, "export-1", nil)
	require.Equal(t, http.StatusAccepted, again.Status)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, e.ID, decodeAs[exportReply](t, again).ID)
	requireProblem(t, b.post(t, "/api/v1/exports", token, "export-2", nil), http.StatusConflict, "conflict")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM exports WHERE public_id = $1 AND status = 'running'`, e.ID))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'start_export' AND args->>'public_id' = $1`, e.ID))

	list := b.do(t, http.MethodGet, "/api/v1/exports", token, nil)
	require.Equal(t, http.StatusOK, list.Status, "%s", list.Raw)
	items := decodeAs[struct{ Items []exportReply }](t, list).Items
	require.Len(t, items, 1)
	require.Equal(t, e.ID, items[0].ID)

	got := b.do(t, http.MethodGet, "/api/v1/exports/"+e.ID, token, nil)
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Raw)
	require.Nil(t, decodeAs[exportReply](t, got).Download, "no link while running")
}

// A ready export is read with its size, its files' rows and a download that works until it
// expires; once past that, it reads as expired, without a link.
func TestExports_AReadyExportLinksToItsZipUntilItExpires(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "export-ready")
	token := ada.Owner.Tokens.AccessToken
	e := decodeAs[exportReply](t, b.post(t, "/api/v1/exports", token, "k", nil))
	_, err := b.Admin.Exec(context.Background(), `UPDATE exports SET status = 'ready', object_key = 'exports/x/' || public_id || '.zip',
		bytes = 2048, files = '{"animals": 3}', finished_at = now(), expires_at = now() + interval '7 days' WHERE public_id = $1`, e.ID)
	require.NoError(t, err)

	got := decodeAs[exportReply](t, b.do(t, http.MethodGet, "/api/v1/exports/"+e.ID, token, nil))
	require.Equal(t, "ready", got.Status)
	require.Equal(t, int64(2048), got.Bytes)
	require.Equal(t, map[string]int64{"animals": 3}, got.Files)
	require.NotNil(t, got.Download)
	require.Equal(t, http.MethodGet, got.Download.Method)
	require.Contains(t, got.Download.URL, e.ID+".zip")
	u, err := url.Parse(got.Download.URL)
	require.NoError(t, err)
	ttl, err := strconv.Atoi(u.Query().Get("X-Amz-Expires"))
	require.NoError(t, err)
	require.InDelta(t, 7*24*3600, ttl, 60, "valid until it expires, 7 days from now")

	_, err = b.Admin.Exec(context.Background(), `UPDATE exports SET finished_at = now() - interval '8 days',
		expires_at = now() - interval '1 day' WHERE public_id = $1`, e.ID)
	require.NoError(t, err)
	got = decodeAs[exportReply](t, b.do(t, http.MethodGet, "/api/v1/exports/"+e.ID, token, nil))
	require.Equal(t, "expired", got.Status)
	require.Nil(t, got.Download)
}

// Keepers and viewers do not export; another organization's export is not found, exactly
// like one that does not exist.
func TestExports_OnlyOwnersAndAdminsExportAndOnlyTheirOwn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "export-own")
	_, keeper := b.join(t, ada, "export-keeper", "keeper")
	requireProblem(t, b.post(t, "/api/v1/exports", keeper.AccessToken, "", nil), http.StatusForbidden, "forbidden")
	e := decodeAs[exportReply](t, b.post(t, "/api/v1/exports", ada.Owner.Tokens.AccessToken, "", nil))

	bob := b.newOrg(t, "export-bob")
	foreign := b.do(t, http.MethodGet, "/api/v1/exports/"+e.ID, bob.Owner.Tokens.AccessToken, nil)
	missing := b.do(t, http.MethodGet, "/api/v1/exports/9sZqL4mWc2Ht7Xk1bR5pNe", bob.Owner.Tokens.AccessToken, nil)
	requireProblem(t, foreign, http.StatusNotFound, "not-found")
	require.Equal(t, publicShape(missing), publicShape(foreign))
	list := decodeAs[struct{ Items []exportReply }](t, b.do(t, http.MethodGet, "/api/v1/exports", bob.Owner.Tokens.AccessToken, nil))
	require.Empty(t, list.Items)
}
