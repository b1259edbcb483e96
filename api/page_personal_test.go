package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// The page of a person's own data export shows it to them alone: while gathered, then with
// its size and a download working until it expires.
func TestPages_PersonalExportShowsItsDownloadToItsOwnerOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "personal-page")
	r := b.do(t, http.MethodPost, "/api/v1/me/export", ada.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	id := r.Body["id"].(string)
	path := "/me/exports/" + id

	br := b.browser(t)
	p := br.get(t, path)
	require.Equal(t, http.StatusSeeOther, p.Status, "to the login page first")
	require.Equal(t, "/login?next="+url.QueryEscape(path), p.Header.Get("Location"))
	br.logIn(t, ada.Owner.Email)
	p = br.get(t, path)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Being gathered.")
	require.NotContains(t, p.Body, "Download your data")

	_, err := b.Admin.Exec(t.Context(), `UPDATE personal_exports SET status = 'ready', object_key = 'personal/x/' || public_id || '.json',
		bytes = 3 * 1024 * 1024, finished_at = now(), expires_at = now() + interval '7 days' WHERE public_id = $1`, id)
	require.NoError(t, err)
	p = br.get(t, path)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Ready to download until")
	require.Contains(t, p.Body, "<dd>3.0 MB</dd>")
	doc := downloadLink(t, p.Body, "Download your data")
	require.Regexp(t, `/personal/x/`+id+`\.json$`, doc.Path)
	require.NotEmpty(t, doc.Query().Get("X-Amz-Signature"), "a presigned download")

	// Another person, even of the same organization, is told nothing of it.
	other, _ := b.join(t, ada, "personal-page-other", "admin")
	ob := b.browser(t)
	ob.logIn(t, other.Email)
	ob.switchTo(t, ada.ID)
	p = ob.get(t, path)
	require.Equal(t, http.StatusNotFound, p.Status, "%s", p.Body)
	for _, secret := range []string{".json", "3.0 MB", "Ready to download", "Download your data"} {
		require.NotContains(t, p.Body, secret)
	}
	requireHostilePathsNotFound(t, br, "/me/exports/")
}

// The deletion's page says when none is scheduled; once one is, when the account is erased
// and what becomes of each organization, with the button that keeps the account. The button
// is refused without the page's token, and, with nothing scheduled, says so as the API does.
func TestPages_DeletionShowsWhenTheAccountIsErasedAndOffersToKeepIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "deletion-page")
	token := ada.Owner.Tokens.AccessToken

	br := b.browser(t)
	p := br.get(t, "/me/deletion")
	require.Equal(t, http.StatusSeeOther, p.Status, "to the login page first")
	require.Equal(t, "/login?next="+url.QueryEscape("/me/deletion"), p.Header.Get("Location"))
	br.logIn(t, ada.Owner.Email)
	p = br.get(t, "/me/deletion")
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Your account is not to be deleted.")
	require.NotContains(t, p.Body, "Keep my account")
	p = br.post(t, "/me/deletion/cancel", url.Values{})
	require.Equal(t, http.StatusConflict, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, `<p class="banner bad" role="status">Your account is not to be deleted.</p>`, "refused as the API refuses it")

	r := b.do(t, http.MethodPost, "/api/v1/me/deletion", token, map[string]any{"password": testPassword})
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	eraseAt := r.Body["erase_at"].(string)
	p = br.get(t, "/me/deletion")
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Your account will be deleted on ")
	require.Regexp(t, `deleted on \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC`, p.Body)
	require.Contains(t, p.Body, "you are its only member; it will be closed")
	require.Contains(t, p.Body, `action="/me/deletion/cancel"`)
	require.Contains(t, p.Body, "Keep my account")

	p = br.post(t, "/me/deletion/cancel", url.Values{"csrf": {""}})
	require.Equal(t, http.StatusForbidden, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "not sent from a ReptiDex page")
	still := b.do(t, http.MethodGet, "/api/v1/me/deletion", token, nil)
	require.Equal(t, "scheduled", still.Body["status"], "a refused form keeps nothing")
	require.Equal(t, eraseAt, still.Body["erase_at"])

	// Another person's page is their own: it says nothing of this deletion.
	other := b.browser(t)
	other.logIn(t, b.newOrg(t, "deletion-other").Owner.Email)
	p = other.get(t, "/me/deletion")
	require.Equal(t, http.StatusOK, p.Status)
	require.Contains(t, p.Body, "Your account is not to be deleted.")
	require.NotContains(t, p.Body, ada.Owner.Email, "nothing of her organizations")

	for _, bad := range []string{"/me/deletion%00", "/me/deletion/%ff", "/me/deletion/cancel%00"} {
		require.Equal(t, http.StatusNotFound, br.get(t, bad).Status, bad)
	}
}
