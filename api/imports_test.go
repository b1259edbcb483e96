package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type importReply struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Bytes  int64  `json:"bytes"`
}

type importUploadReply struct {
	Import importReply `json:"import"`
	Upload linkReply   `json:"upload"`
}

// A keeper's import is recorded uploading with the job that starts its process, and answered
// with a presigned PUT of the declared type and size, working 15 minutes; the same
// Idempotency-Key replays it. The organization lists and reads it.
func TestImports_StartAnswersAnUploadAndTheJobThatStartsItsProcess(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "import-ada")
	_, keeper := b.join(t, ada, "import-keeper", "keeper")
	r := b.post(t, "/api/v1/imports", keeper.AccessToken, "import-1", map[string]any{"size": 120, "file_name": "collection.csv"})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	up := decodeAs[importUploadReply](t, r)
	require.Equal(t, "uploading", up.Import.Status)
	require.Equal(t, "/api/v1/imports/"+up.Import.ID, r.Header.Get("Location"))
	require.Equal(t, http.MethodPut, up.Upload.Method)
	require.Equal(t, map[string]string{"Content-Type": "text/csv"}, up.Upload.Headers)
	u, err := url.Parse(up.Upload.URL)
	require.NoError(t, err)
	require.Equal(t, "900", u.Query().Get("X-Amz-Expires"))
	require.Contains(t, u.Query().Get("X-Amz-SignedHeaders"), "content-length")

	again := b.post(t, "/api/v1/imports", keeper.AccessToken, "import-1", map[string]any{"size": 120, "file_name": "collection.csv"})
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM imports WHERE public_id = $1 AND status = 'uploading'`, up.Import.ID))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'start_import'
		AND args->>'import_id' = (SELECT id::text FROM imports WHERE public_id = $1)`, up.Import.ID))

	// The file goes to its link: of another size or type it is refused by storage.
	require.Equal(t, http.StatusForbidden, putObject(t, up.Upload, []byte("breeder_id,species\n"), up.Upload.Headers))
	require.Equal(t, http.StatusForbidden, putObject(t, up.Upload, []byte(strings.Repeat("x", 120)),
		map[string]string{"Content-Type": "text/html"}))

	got := b.do(t, http.MethodGet, "/api/v1/imports/"+up.Import.ID, ada.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Raw)
	require.Equal(t, "uploading", decodeAs[importReply](t, got).Status)
	items := decodeAs[struct{ Items []importReply }](t, b.do(t, http.MethodGet, "/api/v1/imports", keeper.AccessToken, nil)).Items
	require.Len(t, items, 1)
	require.Equal(t, int64(120), items[0].Bytes)
}

// What an import cannot take is refused, naming why: a size or name out of bounds, a
// viewer, a check before the file is uploaded, a mapping to a field an import does not
// read, an import that has ended; another organization's import is not found, exactly like
// one that does not exist.
func TestImports_RefuseWhatCannotBe(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "import-refuse")
	token := ada.Owner.Tokens.AccessToken
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"size": 0}, "size"},
		{map[string]any{"size": 67108865}, "size"},
		{map[string]any{"size": 10, "file_name": strings.Repeat("n", 256)}, "file_name"},
	} {
		r := b.do(t, http.MethodPost, "/api/v1/imports", token, c.body)
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.Equal(t, []string{c.field}, problemFields(t, r), "%v", c.body)
	}
	_, viewer := b.join(t, ada, "import-viewer", "viewer")
	requireProblem(t, b.post(t, "/api/v1/imports", viewer.AccessToken, "", map[string]any{"size": 10}), http.StatusForbidden, "forbidden")

	im := decodeAs[importUploadReply](t, b.post(t, "/api/v1/imports", token, "", map[string]any{"size": 10})).Import
	check := "/api/v1/imports/" + im.ID + "/check"
	notYet := b.do(t, http.MethodPost, check, token, map[string]any{})
	requireProblem(t, notYet, http.StatusConflict, "conflict")
	require.Contains(t, notYet.Body["detail"], "not uploaded yet")
	bad := b.do(t, http.MethodPost, check, token, map[string]any{"mapping": map[string]string{"Serial": "breeder_id", "Traits": "morphs"}})
	requireProblem(t, bad, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"mapping.Traits"}, problemFields(t, bad))
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/imports/"+im.ID+"/apply", viewer.AccessToken, nil), http.StatusForbidden, "forbidden")

	bob := b.newOrg(t, "import-bob")
	for _, path := range []string{"", "/check", "/apply", "/cancel"} {
		method, body := http.MethodPost, any(map[string]any{})
		if path == "" {
			method, body = http.MethodGet, nil
		}
		foreign := b.do(t, method, "/api/v1/imports/"+im.ID+path, bob.Owner.Tokens.AccessToken, body)
		missing := b.do(t, method, "/api/v1/imports/7hQpR2nVc8KtWx3mLs9bZe"+path, bob.Owner.Tokens.AccessToken, body)
		requireProblem(t, foreign, http.StatusNotFound, "not-found")
		require.Equal(t, publicShape(missing), publicShape(foreign), path)
	}

	_, err := b.Admin.Exec(t.Context(), `UPDATE imports SET status = 'cancelled', finished_at = now() WHERE public_id = $1`, im.ID)
	require.NoError(t, err)
	ended := b.do(t, http.MethodPost, "/api/v1/imports/"+im.ID+"/apply", token, nil)
	requireProblem(t, ended, http.StatusConflict, "conflict")
	require.Equal(t, "The import was already cancelled.", ended.Body["detail"])
}
