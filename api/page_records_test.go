package api_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// downloadLink is the presigned link a page's download button carries, unescaped.
func downloadLink(t *testing.T, body, suffix string) *url.URL {
	t.Helper()
	m := regexp.MustCompile(`<a class="button" href="([^"]+)"[^>]*>` + regexp.QuoteMeta(suffix)).FindStringSubmatch(body)
	require.NotNil(t, m, "the page has a %q button: %s", suffix, body)
	u, err := url.Parse(html.UnescapeString(m[1]))
	require.NoError(t, err)
	return u
}

// requireHostilePathsNotFound checks that a page's path with a NUL or invalid UTF-8 in place
// of its parameter is a 404 page.
func requireHostilePathsNotFound(t *testing.T, br *browser, prefix string) {
	t.Helper()
	for _, bad := range []string{"%00", "%ff", "x%00y", "%c3%28"} {
		p := br.get(t, prefix+bad)
		require.Equal(t, http.StatusNotFound, p.Status, "%s%s: %.300s", prefix, bad, p.Body)
	}
}

// switchTo moves a browser's session to the person's organization org, as the home page's
// form does.
func (br *browser) switchTo(t *testing.T, org string) {
	t.Helper()
	br.get(t, "/")
	p := br.post(t, "/organization", url.Values{"organization_id": {org}})
	require.Equal(t, http.StatusSeeOther, p.Status, "%s", p.Body)
}

// A certificate's page shows its organization's members the animal and where the
// certificate stands; once issued, a presigned download of its PDF and the public check. A
// member acting for another of their organizations is moved to the certificate's; anyone
// else is told nothing of it.
func TestPages_RecordsCertificateShowsItsPDFToItsOrganizationOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "cert-page")
	token := ada.Owner.Tokens.AccessToken
	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male", "name": "Noodle"})
	c := decodeAs[certificateReply](t, b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", token, "", nil))
	path := "/certificates/" + c.Serial

	br := b.browser(t)
	p := br.get(t, path)
	require.Equal(t, http.StatusSeeOther, p.Status, "to the login page first")
	require.Equal(t, "/login?next="+url.QueryEscape(path), p.Header.Get("Location"))
	br.logIn(t, ada.Owner.Email)
	p = br.get(t, path)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Being issued")
	require.Contains(t, p.Body, "Noodle · ball-python · ReptiDex ID "+animal.ID)
	require.NotContains(t, p.Body, "Download the PDF", "no PDF while issuing")
	require.NotContains(t, p.Body, `href="/verify/`, "the public check knows only issued certificates")

	_, err := b.Admin.Exec(t.Context(), `UPDATE certificates SET status = 'issued', snapshot = '{}',
		canonical_sha256 = sha256('x'), signature = 'sig', key_id = 'key1', pdf_key = 'certificates/x/' || serial || '.pdf',
		pdf_sha256 = sha256('y'), issued_at = now() WHERE serial = $1`, c.Serial)
	require.NoError(t, err)
	p = br.get(t, path)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, html.UnescapeString(p.Body), "Issued: this is the animal's current certificate.")
	require.Contains(t, p.Body, "<code>key1</code>")
	require.Contains(t, p.Body, `href="/verify/`+c.Serial+`"`)
	pdf := downloadLink(t, p.Body, "Download the PDF")
	require.Regexp(t, `/certificates/x/`+regexp.QuoteMeta(c.Serial)+`\.pdf$`, pdf.Path)
	require.NotEmpty(t, pdf.Query().Get("X-Amz-Signature"), "a presigned download")

	_, err = b.Admin.Exec(t.Context(), `UPDATE certificates SET status = 'revoked', revoked_reason = 'forged', revoked_at = now(), ended_at = now() WHERE serial = $1`, c.Serial)
	require.NoError(t, err)
	require.Contains(t, br.get(t, path).Body, "Revoked by ReptiDex: do not rely on it.")

	// A member acting for another of their organizations is moved to the certificate's.
	bea := b.newOrg(t, "cert-member")
	b.mustAddMember(t, token, ada.ID, bea.Owner.Email, "viewer")
	member := b.browser(t)
	member.logIn(t, bea.Owner.Email)
	member.switchTo(t, bea.ID)
	p = member.getAfterMove(t, path)
	require.Contains(t, p.Body, "Revoked by ReptiDex")

	// Anyone else is told nothing of it, exactly as of a serial that does not exist.
	stranger := b.browser(t)
	stranger.logIn(t, b.newOrg(t, "cert-stranger").Owner.Email)
	p = stranger.get(t, path)
	require.Equal(t, http.StatusNotFound, p.Status)
	for _, secret := range []string{"Noodle", animal.ID, ".pdf", "key1", "forged"} {
		require.NotContains(t, p.Body, secret)
	}
	missing := stranger.get(t, "/certificates/ZZZZ-ZZZZ-ZZZZ")
	require.Equal(t, http.StatusNotFound, missing.Status)
	require.Equal(t, regexp.MustCompile(`Request [^<]+`).ReplaceAllString(missing.Body, ""),
		regexp.MustCompile(`Request [^<]+`).ReplaceAllString(p.Body, ""), "the same page as for no certificate")
	requireHostilePathsNotFound(t, br, "/certificates/")
}

// An export's page shows how far it has gone, then its size, its files' rows and a download
// working until it expires; a failed one says why. Another organization sees nothing of it.
func TestPages_RecordsExportShowsItsProgressThenItsDownload(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "export-page")
	e := decodeAs[exportReply](t, b.post(t, "/api/v1/exports", ada.Owner.Tokens.AccessToken, "", nil))
	path := "/exports/" + e.ID

	br := b.browser(t)
	p := br.get(t, path)
	require.Equal(t, http.StatusSeeOther, p.Status, "to the login page first")
	require.Equal(t, "/login?next="+url.QueryEscape(path), p.Header.Get("Location"))
	br.logIn(t, ada.Owner.Email)
	p = br.get(t, path)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Being written")
	require.NotContains(t, p.Body, "Download the ZIP")

	_, err := b.Admin.Exec(t.Context(), `UPDATE exports SET status = 'ready', object_key = 'exports/x/' || public_id || '.zip',
		bytes = 2048, files = '{"animals": 3, "clutches": 0}', finished_at = now(), expires_at = now() + interval '7 days'
		WHERE public_id = $1`, e.ID)
	require.NoError(t, err)
	p = br.get(t, path)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Ready to download until")
	require.Contains(t, p.Body, "<dd>2 KB</dd>")
	require.Contains(t, p.Body, "<li>animals.csv: 3</li>")
	require.Contains(t, p.Body, "<li>clutches.csv: 0</li>")
	zip := downloadLink(t, p.Body, "Download the ZIP")
	require.Regexp(t, `/exports/x/`+e.ID+`\.zip$`, zip.Path)
	ttl, err := strconv.Atoi(zip.Query().Get("X-Amz-Expires"))
	require.NoError(t, err)
	require.InDelta(t, 7*24*3600, ttl, 60, "valid until the export expires, 7 days from now")

	stranger := b.browser(t)
	stranger.logIn(t, b.newOrg(t, "export-stranger").Owner.Email)
	p = stranger.get(t, path)
	require.Equal(t, http.StatusNotFound, p.Status)
	for _, secret := range []string{".zip", "animals.csv", "2 KB", "Ready to download"} {
		require.NotContains(t, p.Body, secret)
	}

	_, err = b.Admin.Exec(t.Context(), `UPDATE exports SET status = 'failed', problem = 'The pairings could not be written.',
		object_key = NULL, bytes = NULL, files = '{}', expires_at = NULL WHERE public_id = $1`, e.ID)
	require.NoError(t, err)
	p = br.get(t, path)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "It could not be finished: The pairings could not be written.")
	require.NotContains(t, p.Body, "Download the ZIP")
	requireHostilePathsNotFound(t, br, "/exports/")
}

// An import's page shows its stage, what its check counted and the first problems it found,
// line by line; while checked, a keeper may apply or cancel it with the page's buttons,
// which send what the API's routes send and are refused without the page's token. A viewer
// sees no buttons; another organization sees nothing of it.
func TestPages_RecordsImportListsWhatItsCheckFoundAndOffersToApply(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "import-page")
	token := ada.Owner.Tokens.AccessToken
	im := decodeAs[importUploadReply](t, b.post(t, "/api/v1/imports", token, "", map[string]any{"size": 120, "file_name": "collection.csv"})).Import
	path := "/imports/" + im.ID

	br := b.browser(t)
	p := br.get(t, path)
	require.Equal(t, http.StatusSeeOther, p.Status, "to the login page first")
	require.Equal(t, "/login?next="+url.QueryEscape(path), p.Header.Get("Location"))
	br.logIn(t, ada.Owner.Email)
	p = br.get(t, path)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Import of collection.csv")
	require.Contains(t, p.Body, "Waiting for the file to be uploaded and checked.")
	require.NotContains(t, p.Body, "/apply", "nothing to apply before it is checked")

	_, err := b.Admin.Exec(t.Context(), `UPDATE imports SET status = 'checked', checked_at = now(), checksum = repeat('a', 64),
		report = '{"encoding": "utf-8", "layout": "template", "header": ["breeder_id", "species"], "mapping": {"0": "breeder_id", "1": "species"},
			"rows": 5, "valid": 3, "creates": 2, "updates": 1, "problem_count": 2, "problems": [
			{"line": 4, "column": "species", "value": "dragon", "problem": "is not a species ReptiDex knows", "suggestion": "bearded-dragon"},
			{"line": 6, "column": "breeder_id", "value": "", "problem": "is required"}]}'
		WHERE public_id = $1`, im.ID)
	require.NoError(t, err)
	p = br.get(t, path)
	require.Equal(t, http.StatusOK, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Checked: nothing is recorded until it is applied.")
	for _, count := range []string{"<dt>Rows</dt><dd>5</dd>", "<dt>New</dt><dd>2</dd>", "<dt>Updating</dt><dd>1</dd>", "<dt>Refused</dt><dd>2</dd>"} {
		require.Contains(t, p.Body, count)
	}
	require.Contains(t, p.Body, "Line 4, column species: is not a species ReptiDex knows")
	require.Contains(t, p.Body, "Line 6, column breeder_id: is required")
	require.Contains(t, p.Body, `action="`+path+`/apply"`)
	require.Contains(t, p.Body, `action="`+path+`/cancel"`)

	// The buttons are refused without the page's token, and nothing is sent.
	for _, action := range []string{"/apply", "/cancel"} {
		p = br.post(t, path+action, url.Values{"csrf": {""}})
		require.Equal(t, http.StatusForbidden, p.Status, "%s: %s", action, p.Body)
		require.Contains(t, p.Body, "not sent from a ReptiDex page")
	}
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM imports WHERE public_id = $1 AND status = 'checked'`, im.ID))

	// A viewer, moved to the import's organization, sees it without the buttons, and is
	// refused them as the API refuses them.
	viewer := b.newOrg(t, "import-page-viewer")
	b.mustAddMember(t, token, ada.ID, viewer.Owner.Email, "viewer")
	vb := b.browser(t)
	vb.logIn(t, viewer.Owner.Email)
	vb.switchTo(t, viewer.ID)
	p = vb.getAfterMove(t, path)
	require.Contains(t, p.Body, "Line 4, column species")
	require.NotContains(t, p.Body, "/apply")
	p = vb.post(t, path+"/apply", url.Values{})
	require.Equal(t, http.StatusForbidden, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "Viewers cannot change the record")

	// An import that has ended refuses the buttons, saying so on its page.
	_, err = b.Admin.Exec(t.Context(), `UPDATE imports SET status = 'cancelled', finished_at = now() WHERE public_id = $1`, im.ID)
	require.NoError(t, err)
	p = br.post(t, path+"/apply", url.Values{})
	require.Equal(t, http.StatusConflict, p.Status, "%s", p.Body)
	require.Contains(t, p.Body, "The import was already cancelled.")
	require.Contains(t, p.Body, "Cancelled: nothing more is recorded")
	require.NotContains(t, p.Body, `action="`+path+`/apply"`)

	stranger := b.browser(t)
	stranger.logIn(t, b.newOrg(t, "import-stranger").Owner.Email)
	p = stranger.get(t, path)
	require.Equal(t, http.StatusNotFound, p.Status)
	for _, secret := range []string{"collection.csv", "dragon", "species ReptiDex knows", "Cancelled"} {
		require.NotContains(t, p.Body, secret)
	}
	p = stranger.post(t, path+"/cancel", url.Values{})
	require.Equal(t, http.StatusNotFound, p.Status, "%s", p.Body)
	require.NotContains(t, p.Body, "collection.csv")
	requireHostilePathsNotFound(t, br, "/imports/")
}
