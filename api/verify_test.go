package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/render"
	"github.com/reptidex/reptidex/workflows/certificate"
)

// verifyReply is the answer of GET /api/v1/verify/{serial}, as a client reads it.
type verifyReply struct {
	Verdict        string    `json:"verdict"`
	Serial         string    `json:"serial"`
	SignatureValid bool      `json:"signature_valid"`
	CheckedAt      time.Time `json:"checked_at"`
	SupersededBy   *struct {
		Serial string `json:"serial"`
		Status string `json:"status"`
	} `json:"superseded_by"`
	Revoked *struct {
		Reason string    `json:"reason"`
		At     time.Time `json:"at"`
	} `json:"revoked"`
	Certificate struct {
		AnimalID, Name, Species, Sex, Genetics, Breeder, Owner, Sire string
		HatchDate                                                    string   `json:"hatch_date"`
		COI                                                          *float64 `json:"coi"`
	} `json:"certificate"`
	KeyID          string          `json:"key_id"`
	SnapshotSHA256 string          `json:"snapshot_sha256"`
	PDFSHA256      string          `json:"pdf_sha256"`
	Record         json.RawMessage `json:"record"`
}

// issuedCertificate requests a certificate of a new animal of the organization whose owner
// holds token, and marks it issued as the certificate process does: its snapshot signed with
// the server's key, its hashes recorded. It answers the serial.
func (b *bundle) issuedCertificate(t *testing.T, token, name string) string {
	t.Helper()
	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "female", "name": name})
	r := b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", token, "cert-"+animal.ID, nil)
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	serial := decodeAs[certificateReply](t, r).Serial
	coi := 0.0625
	snap := certificate.Snapshot{Serial: serial, IssuedAt: time.Now().UTC().Truncate(time.Second), COI: &coi, Generations: 4,
		Pedigree: []*render.Animal{
			{Visible: true, ID: animal.ID, Name: name, Species: "ball-python", Sex: "female", HatchDate: "2024-06-01",
				Genetics: "Pastel het Clown <b>", Breeder: "Ada's Reptiles", Owner: "Ada's Reptiles"},
			{Visible: true, Name: "Atlas", Species: "ball-python", Sex: "male"}, nil},
	}
	signed, err := b.CertKeys.Sign(snap)
	require.NoError(t, err)
	sum, err := hex.DecodeString(signed.SHA256)
	require.NoError(t, err)
	pdfSum := sha256.Sum256([]byte("%PDF- " + serial))
	_, err = b.Admin.Exec(context.Background(), `UPDATE certificates SET status = 'issued', snapshot = $2, canonical_sha256 = $3,
		signature = $4, key_id = $5, pdf_key = 'certificates/x/' || serial || '.pdf', pdf_sha256 = $6, issued_at = now()
		WHERE serial = $1`, serial, signed.Canonical, sum, signed.Signature, signed.KeyID, pdfSum[:])
	require.NoError(t, err)
	return serial
}

// platformAdmin makes a new person a platform admin and answers their token.
func (b *bundle) platformAdmin(t *testing.T, prefix string) string {
	t.Helper()
	admin := b.newOrg(t, prefix)
	_, err := b.Admin.Exec(context.Background(), `UPDATE users SET platform_admin = true WHERE public_id = $1`, admin.Owner.Tokens.UserID)
	require.NoError(t, err)
	return admin.Owner.Tokens.AccessToken
}

// Anyone checks an issued certificate by its serial however it is typed: the verdict, what it
// certifies, the server's own check of the signature, and a record that checks offline with
// the published keys.
func TestVerify_AnswersAnIssuedCertificateToAnyone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "verify-ada")
	serial := b.issuedCertificate(t, ada.Owner.Tokens.AccessToken, "Noodle")

	typed := strings.ToLower(strings.ReplaceAll(serial, "-", ""))
	r := b.do(t, http.MethodGet, "/api/v1/verify/"+typed, "", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "public, max-age=60", r.Header.Get("Cache-Control"))
	v := decodeAs[verifyReply](t, r)
	require.Equal(t, "valid", v.Verdict)
	require.Equal(t, serial, v.Serial)
	require.WithinDuration(t, time.Now(), v.CheckedAt, 10*time.Second)
	require.True(t, v.SignatureValid)
	require.Nil(t, v.SupersededBy)
	require.Nil(t, v.Revoked)
	require.Equal(t, "Noodle", v.Certificate.Name)
	require.Equal(t, "Pastel het Clown <b>", v.Certificate.Genetics)
	require.Equal(t, "2024-06-01", v.Certificate.HatchDate)
	require.Equal(t, "Atlas", v.Certificate.Sire)
	require.Equal(t, "Ada's Reptiles", v.Certificate.Breeder)
	require.InDelta(t, 0.0625, *v.Certificate.COI, 1e-12)
	require.Equal(t, b.CertKeys.SigningKeyID(), v.KeyID)

	// The answer, saved as it came, checks offline with the published keys.
	keys := b.do(t, http.MethodGet, "/api/v1/certificates/keys", "", nil)
	verifier, err := certs.ParsePublishedKeys(keys.Raw)
	require.NoError(t, err)
	check, err := verifier.CheckOffline(r.Raw, nil)
	require.NoError(t, err)
	require.Equal(t, v.SnapshotSHA256, check.SnapshotSHA256)
	check, err = verifier.CheckOffline(v.Record, nil)
	require.NoError(t, err, "the record alone checks too")
	_, err = verifier.CheckOffline(r.Raw, []byte("%PDF- "+serial))
	require.NoError(t, err, "the PDF whose hash the answer states")
	_, err = verifier.CheckOffline(r.Raw, []byte("%PDF- forged"))
	var invalid *certs.InvalidError
	require.ErrorAs(t, err, &invalid)

	for _, bad := range []string{"nosuchserial", "0000-0000-0000-0", strings.ToUpper(typed[:12]) + "Z", "%2E%2E%2Fetc"} {
		if bad == strings.ToUpper(typed[:12])+"Z" && strings.HasSuffix(serial, "Z") {
			continue
		}
		requireProblem(t, b.do(t, http.MethodGet, "/api/v1/verify/"+bad, "", nil), http.StatusNotFound, "not-found")
	}
}

// A certificate being issued, or failed, cannot be checked; one whose stored record fails the
// server's own check is invalid.
func TestVerify_OnlyIssuedCertificatesAndOnlyGenuineOnesAreValid(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "verify-issuing")
	token := ada.Owner.Tokens.AccessToken
	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male"})
	issuing := decodeAs[certificateReply](t, b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", token, "k", nil)).Serial
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/verify/"+issuing, "", nil), http.StatusNotFound, "not-found")

	serial := b.issuedCertificate(t, token, "Forgery")
	// Someone with the database's keys changes the snapshot behind the trigger's back.
	require.NoError(t, pgx.BeginFunc(context.Background(), b.Admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `UPDATE certificates SET snapshot = jsonb_set(snapshot, '{coi}', '0')
			WHERE serial = $1`, serial)
		return err
	}))
	v := decodeAs[verifyReply](t, b.do(t, http.MethodGet, "/api/v1/verify/"+serial, "", nil))
	require.Equal(t, "invalid", v.Verdict)
	require.False(t, v.SignatureValid)
	page := b.do(t, http.MethodGet, "/verify/"+serial, "", nil)
	require.Equal(t, http.StatusOK, page.Status)
	require.Contains(t, string(page.Raw), "Cannot be verified")
}

// A platform admin revokes a certificate with a reason: the organization's owners and admins
// are told, and every check says revoked, and why, from then on. Only platform admins may;
// a revocation is final; what was never issued cannot be revoked.
func TestRevokeCertificate_PlatformAdminsRevokeWithAReason(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "revoke-ada")
	token := ada.Owner.Tokens.AccessToken
	serial := b.issuedCertificate(t, token, "Noodle")
	admin := b.platformAdmin(t, "revoke-admin")
	path := "/api/v1/admin/certificates/" + serial + "/revoke"
	reason := map[string]any{"reason": "The sire recorded is not the animal's sire."}

	requireProblem(t, b.do(t, http.MethodPost, path, "", reason), http.StatusUnauthorized, "unauthenticated")
	requireProblem(t, b.do(t, http.MethodPost, path, token, reason), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(t, http.MethodPost, path, admin, map[string]any{"reason": "  "}), http.StatusUnprocessableEntity, "validation-failed")
	requireProblem(t, b.do(t, http.MethodPost, path, admin, map[string]any{"reason": strings.Repeat("x", 501)}),
		http.StatusUnprocessableEntity, "validation-failed")
	requireProblem(t, b.do(t, http.MethodPost, path, admin, map[string]any{}), http.StatusUnprocessableEntity, "validation-failed")
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/admin/certificates/0000-0000-0000-0/revoke", admin, reason),
		http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/admin/certificates/not-a-serial/revoke", admin, reason),
		http.StatusNotFound, "not-found")
	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male"})
	issuing := decodeAs[certificateReply](t, b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", token, "k", nil)).Serial
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/admin/certificates/"+issuing+"/revoke", admin, reason),
		http.StatusConflict, "conflict")
	require.Equal(t, 0, b.count(t, `SELECT count(*) FROM notifications WHERE type = 'certificate.revoked' AND data->>'serial' = $1`, serial))

	r := b.do(t, http.MethodPost, path, admin, reason)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	require.Contains(t, string(r.Raw), "Pastel het Clown <b>", "the snapshot as signed, character for character")
	v := decodeAs[verifyReply](t, r)
	require.Equal(t, "revoked", v.Verdict)
	require.Equal(t, "The sire recorded is not the animal's sire.", v.Revoked.Reason)
	require.True(t, v.SignatureValid, "revoked, still genuinely signed")
	requireProblem(t, b.do(t, http.MethodPost, path, admin, map[string]any{"reason": "again"}), http.StatusConflict, "conflict")

	// The owner is told, in the app and by email.
	inbox := b.inbox(t, token, "")
	var told bool
	for _, n := range inbox.Items {
		told = told || strings.Contains(n.Title, serial+" was revoked")
	}
	require.True(t, told, "the owner is told")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
		WHERE n.type = 'certificate.revoked' AND n.data->>'serial' = $1 AND d.channel = 'email'`, serial))

	got := decodeAs[verifyReply](t, b.do(t, http.MethodGet, "/api/v1/verify/"+serial, "", nil))
	require.Equal(t, "revoked", got.Verdict)
	require.Equal(t, v.Revoked.Reason, got.Revoked.Reason)
	require.True(t, v.Revoked.At.Equal(got.Revoked.At), "the revocation's answer is what was recorded: %s, %s", v.Revoked.At, got.Revoked.At)
	require.Equal(t, got.SnapshotSHA256, v.SnapshotSHA256)
	require.Equal(t, got.Record, v.Record)
	page := b.do(t, http.MethodGet, "/verify/"+serial, "", nil)
	require.Equal(t, http.StatusOK, page.Status)
	require.Contains(t, string(page.Raw), "Revoked")
	require.Contains(t, string(page.Raw), "The sire recorded is not the animal&#39;s sire.")
}

// The page for people who scan the QR code: the verdict in words, what the certificate
// certifies, how to check it without us; no script, no framing; and for anything that names
// no certificate, however malformed, a friendly page, never JSON.
func TestVerifyPage_ShowsTheVerdictAndRefusesHostileSerialsWithAPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "verify-page")
	token := ada.Owner.Tokens.AccessToken
	old := b.issuedCertificate(t, token, "Noodle")
	successor := b.issuedCertificate(t, token, "Noodle")

	r := b.do(t, http.MethodGet, "/verify/"+strings.ToLower(old), "", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	requirePageHeaders(t, r)
	page := string(r.Raw)
	for _, want := range []string{"Genuine and current", old, "Noodle", "ball-python", "Pastel het Clown &lt;b&gt;", "Atlas",
		"Ada&#39;s Reptiles", "6.25%", b.CertKeys.SigningKeyID(), `href="/api/v1/verify/` + old + `"`,
		`href="/api/v1/certificates/keys"`, "reptidex verify-certificate"} {
		require.Contains(t, page, want)
	}
	v := decodeAs[verifyReply](t, b.do(t, http.MethodGet, "/api/v1/verify/"+old, "", nil))
	require.Contains(t, page, v.SnapshotSHA256)
	require.NotContains(t, page, "<script")
	require.NotContains(t, page, "Pastel het Clown <b>", "the snapshot's text is escaped")

	_, err := b.Admin.Exec(context.Background(), `UPDATE certificates SET status = 'superseded', ended_at = now(),
		superseded_by = (SELECT id FROM certificates WHERE serial = $2) WHERE serial = $1`, old, successor)
	require.NoError(t, err)
	r = b.do(t, http.MethodGet, "/verify/"+old, "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, string(r.Raw), "Superseded")
	require.Contains(t, string(r.Raw), `<a href="/verify/`+successor+`">`+successor+`</a>`)
	v = decodeAs[verifyReply](t, b.do(t, http.MethodGet, "/api/v1/verify/"+old, "", nil))
	require.Equal(t, "superseded", v.Verdict)
	require.Equal(t, successor, v.SupersededBy.Serial)
	require.Equal(t, "issued", v.SupersededBy.Status)

	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male"})
	issuing := decodeAs[certificateReply](t, b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", token, "k", nil)).Serial
	for name, path := range map[string]string{
		"unknown":        "/verify/0000-0000-0000-0",
		"wrong check":    "/verify/" + old[:len(old)-1] + map[bool]string{true: "1", false: "0"}[strings.HasSuffix(old, "0")],
		"invalid UTF-8":  "/verify/%FF%FE",
		"NUL":            "/verify/a%00b",
		"10 KB":          "/verify/" + strings.Repeat("7", 10_000),
		"traversal":      "/verify/../../etc/passwd",
		"escaped ../":    "/verify/..%2F..%2Fetc%2Fpasswd",
		"markup":         "/verify/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
		"nothing":        "/verify/",
		"deeper":         "/verify/" + old + "/more",
		"still issuing":  "/verify/" + issuing,
		"with a newline": "/verify/a%0Ab",
	} {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, b.URL+"/", nil)
		require.NoError(t, err)
		req.URL.Opaque = path // sent exactly as written, not cleaned
		resp, err := b.Client.Do(req)
		require.NoError(t, err, name)
		raw := make([]byte, 64<<10)
		n, _ := resp.Body.Read(raw)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusNotFound, resp.StatusCode, name)
		require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"), name)
		require.Contains(t, resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'", name)
		require.Contains(t, string(raw[:n]), "Certificate not found", name)
		require.NotContains(t, string(raw[:n]), "<script", name)
	}
}

func requirePageHeaders(t *testing.T, r reply) {
	t.Helper()
	require.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
	require.Contains(t, r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	require.Contains(t, r.Header.Get("Content-Security-Policy"), "default-src 'none'")
	require.Equal(t, "DENY", r.Header.Get("X-Frame-Options"))
	require.Equal(t, "public, max-age=60", r.Header.Get("Cache-Control"))
}

// The page and the API's check share a throttle per client address.
func TestVerify_IsRateLimitedPerClient(t *testing.T) {
	t.Parallel()
	b := setup(t, withConfig(func(c *config.Config) { c.Limits.SearchPerMinute, c.Limits.SearchBurst = 1, 2 }))
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/verify/0000-0000-0000-0", "", nil), http.StatusNotFound, "not-found")
	r := b.do(t, http.MethodGet, "/verify/0000-0000-0000-0", "", nil)
	require.Equal(t, http.StatusNotFound, r.Status)
	r = b.do(t, http.MethodGet, "/verify/0000-0000-0000-0", "", nil)
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.NotEmpty(t, r.Header.Get("Retry-After"))
	require.Contains(t, string(r.Raw), "Too many checks")
	r = b.do(t, http.MethodGet, "/api/v1/verify/0000-0000-0000-0", "", nil)
	requireProblem(t, r, http.StatusTooManyRequests, "rate-limited")
}

// Two admins revoking at once: one revokes, the other is told it is revoked already, and the
// organization is told once.
func TestRevokeCertificate_ConcurrentRevocationsRevokeOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "revoke-race")
	serial := b.issuedCertificate(t, ada.Owner.Tokens.AccessToken, "Noodle")
	admins := []string{b.platformAdmin(t, "revoke-race-a"), b.platformAdmin(t, "revoke-race-b")}
	type answer struct {
		status int
		body   string
	}
	answers := make(chan answer, len(admins))
	for _, token := range admins {
		req := b.newRequest(t, http.MethodPost, "/api/v1/admin/certificates/"+serial+"/revoke", token,
			map[string]any{"reason": "Forged pedigree."})
		go func() {
			resp, err := b.Client.Do(req)
			if err != nil {
				answers <- answer{body: err.Error()}
				return
			}
			defer func() { _ = resp.Body.Close() }()
			raw, _ := io.ReadAll(resp.Body)
			answers <- answer{resp.StatusCode, string(raw)}
		}()
	}
	first, second := <-answers, <-answers
	if first.status != http.StatusOK {
		first, second = second, first
	}
	require.Equal(t, http.StatusOK, first.status, first.body)
	require.Equal(t, http.StatusConflict, second.status, second.body)
	require.Contains(t, second.body, "revoked already")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM notifications WHERE type = 'certificate.revoked' AND data->>'serial' = $1`, serial))
}

// A superseded certificate names its successor with how that one stands, and its page says
// what that means for the animal's new owner: a successor that failed is not "still being
// issued", and is not linked to a check that would find nothing.
func TestVerify_SupersededNamesHowTheSuccessorStands(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "verify-successor")
	b.grantPlan(t, ada.ID, "business") // more certificates than Free's 5 a month
	token := ada.Owner.Tokens.AccessToken
	ctx := context.Background()
	requested := func() string {
		animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male"})
		return decodeAs[certificateReply](t, b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", token, "k-"+animal.ID, nil)).Serial
	}
	supersede := func(old, by string) {
		t.Helper()
		_, err := b.Admin.Exec(ctx, `UPDATE certificates SET status = 'superseded', ended_at = now(),
			superseded_by = (SELECT id FROM certificates WHERE serial = $2) WHERE serial = $1`, old, by)
		require.NoError(t, err)
	}
	for _, tc := range []struct {
		status string
		// successor makes the newer certificate, in the status.
		successor func() string
		says      string
		linked    bool
	}{
		{"issuing", requested, "is still being issued; it can be checked once it is ready.", true},
		{"issued", func() string { return b.issuedCertificate(t, token, "Noodle") }, "is the animal's current certificate.", true},
		{"failed", func() string {
			serial := requested()
			_, err := b.Admin.Exec(ctx, `UPDATE certificates SET status = 'failed' WHERE serial = $1`, serial)
			require.NoError(t, err)
			return serial
		}, "could not be issued: the animal's new owner has no current certificate from this re-issue. They can request one.", false},
		{"superseded", func() string {
			serial := b.issuedCertificate(t, token, "Noodle")
			supersede(serial, b.issuedCertificate(t, token, "Noodle"))
			return serial
		}, "has been superseded in its turn: the animal changed hands again.", true},
		{"revoked", func() string {
			serial := b.issuedCertificate(t, token, "Noodle")
			_, err := b.Admin.Exec(ctx, `UPDATE certificates SET status = 'revoked', revoked_reason = 'Forged.', revoked_at = now(),
				ended_at = now() WHERE serial = $1`, serial)
			require.NoError(t, err)
			return serial
		}, "has since been revoked by ReptiDex.", true},
	} {
		old := b.issuedCertificate(t, token, "Noodle")
		successor := tc.successor()
		supersede(old, successor)

		v := decodeAs[verifyReply](t, b.do(t, http.MethodGet, "/api/v1/verify/"+old, "", nil))
		require.Equal(t, "superseded", v.Verdict, tc.status)
		require.Equal(t, successor, v.SupersededBy.Serial, tc.status)
		require.Equal(t, tc.status, v.SupersededBy.Status, tc.status)

		r := b.do(t, http.MethodGet, "/verify/"+old, "", nil)
		require.Equal(t, http.StatusOK, r.Status, tc.status)
		page := string(r.Raw)
		require.Contains(t, page, "Superseded", tc.status)
		require.Contains(t, page, tc.says, tc.status)
		if tc.status != "issuing" {
			require.NotContains(t, page, "still being issued", tc.status)
		}
		if tc.linked {
			require.Contains(t, page, `<a href="/verify/`+successor+`">`+successor+`</a>`, tc.status)
		} else {
			require.NotContains(t, page, `href="/verify/`+successor+`"`, tc.status)
			require.Contains(t, page, successor, tc.status)
		}

		// Revoked later, the page still says how its successor stands.
		_, err := b.Admin.Exec(ctx, `UPDATE certificates SET status = 'revoked', revoked_reason = 'Wrong sire.', revoked_at = now()
			WHERE serial = $1`, old)
		require.NoError(t, err)
		v = decodeAs[verifyReply](t, b.do(t, http.MethodGet, "/api/v1/verify/"+old, "", nil))
		require.Equal(t, "revoked", v.Verdict, tc.status)
		require.Equal(t, tc.status, v.SupersededBy.Status, tc.status)
		page = string(b.do(t, http.MethodGet, "/verify/"+old, "", nil).Raw)
		require.Contains(t, page, "Wrong sire.", tc.status)
		require.Contains(t, page, tc.says, tc.status)
	}
}
