package e2e_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/certificate"
)

// A certificate issued by the worker is checked by anyone through the API, offline with the
// published keys exactly as `reptidex verify-certificate --pdf` does (its snapshot signature,
// and the PDF downloaded from the bucket against the answer's hash), and on the page its QR
// code opens; a platform admin then revokes it, its owner is told, and every check says so.
func TestCertificate_VerifiedByAnyoneThenRevoked(t *testing.T) {
	t.Parallel()
	s := start(t)
	in, token := requestCertificate(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), processWait)
	defer cancel()
	var res certificate.Result
	require.NoError(t, testkit.Temporal(t).GetWorkflow(ctx, certificate.WorkflowID(in.CertificateID), "").Get(ctx, &res))

	typed := strings.ToLower(strings.ReplaceAll(in.Serial, "-", " "))
	check := s.do(t, http.MethodGet, "/api/v1/verify/"+strings.ReplaceAll(typed, " ", "%20"), "", nil)
	require.Equal(t, http.StatusOK, check.Status, "%s", check.Raw)
	require.Equal(t, "valid", check.Body["verdict"])
	require.Equal(t, true, check.Body["signature_valid"])
	require.Equal(t, in.Serial, check.Body["serial"])
	require.Equal(t, "Noodle", check.Body["certificate"].(map[string]any)["name"])
	require.Equal(t, "Atlas", check.Body["certificate"].(map[string]any)["sire"])

	// Offline: the published keys, the saved answer and the PDF from the bucket.
	keys := s.do(t, http.MethodGet, "/api/v1/certificates/keys", "", nil)
	require.Equal(t, http.StatusOK, keys.Status)
	verifier, err := certs.ParsePublishedKeys(keys.Raw)
	require.NoError(t, err)
	pdf := downloadPDF(t, s, token, in.Serial)
	offline, err := verifier.CheckOffline(check.Raw, pdf)
	require.NoError(t, err)
	require.True(t, offline.PDFChecked)
	require.Equal(t, check.Body["snapshot_sha256"], offline.SnapshotSHA256)
	tampered := append([]byte(nil), pdf...)
	tampered[len(tampered)/2] ^= 0x01
	_, err = verifier.CheckOffline(check.Raw, tampered)
	var invalid *certs.InvalidError
	require.ErrorAs(t, err, &invalid, "a PDF with one byte changed")

	page := s.do(t, http.MethodGet, "/verify/"+in.Serial, "", nil)
	require.Equal(t, http.StatusOK, page.Status)
	require.Contains(t, string(page.Raw), "Genuine and current")

	admin := s.register(t, "Root", true)
	require.NoError(t, s.Admin(context.Background(), `UPDATE users SET platform_admin = true WHERE public_id = $1`, admin.UserID))
	revoke := "/api/v1/admin/certificates/" + in.Serial + "/revoke"
	reason := map[string]any{"reason": "Issued for the wrong animal."}
	s.must(t, http.StatusForbidden, http.MethodPost, revoke, token, reason)
	revoked := s.must(t, http.StatusOK, http.MethodPost, revoke, admin.Token, reason)
	require.Equal(t, "revoked", revoked["verdict"])
	s.must(t, http.StatusConflict, http.MethodPost, revoke, admin.Token, reason)

	afterCheck := s.do(t, http.MethodGet, "/api/v1/verify/"+in.Serial, "", nil)
	require.Equal(t, http.StatusOK, afterCheck.Status)
	after := afterCheck.Body
	require.Equal(t, "revoked", after["verdict"])
	require.Equal(t, "Issued for the wrong animal.", after["revoked"].(map[string]any)["reason"])
	// Saved, the revoked answer's signature still holds offline, and the answer says revoked.
	offline, err = verifier.CheckOffline(afterCheck.Raw, pdf)
	require.NoError(t, err)
	require.Equal(t, certs.VerdictRevoked, offline.Answer.Verdict)
	require.Equal(t, "Issued for the wrong animal.", offline.Answer.Revoked.Reason)
	require.NotNil(t, offline.Answer.CheckedAt)
	page = s.do(t, http.MethodGet, "/verify/"+in.Serial, "", nil)
	require.Contains(t, string(page.Raw), "Revoked")
	require.Contains(t, string(page.Raw), "Issued for the wrong animal.")
	// Revoked, the certificate is still what was signed: the offline check of its signature holds.
	_, err = verifier.CheckOffline(check.Raw, nil)
	require.NoError(t, err)

	var told int
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT count(*) FROM notifications
		WHERE user_id = $1 AND type = 'certificate.revoked' AND data->>'serial' = $2`, in.RequestedBy, in.Serial).Scan(&told))
	require.Equal(t, 1, told, "the owner is told")
}

// downloadPDF reads a certificate's PDF by the presigned link its organization is given.
func downloadPDF(t *testing.T, s *system, token, serial string) []byte {
	t.Helper()
	c := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/certificates/"+serial, token, nil)
	link := c["pdf"].(map[string]any)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, link["url"].(string), nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	pdf, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return pdf
}
