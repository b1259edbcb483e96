package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/certs"
)

type certificateReply struct {
	Serial   string `json:"serial"`
	AnimalID string `json:"animal_id"`
	Status   string `json:"status"`
	KeyID    string `json:"key_id"`
	PDF      *struct {
		URL    string `json:"url"`
		Method string `json:"method"`
	} `json:"pdf"`
}

// An owner's request records the certificate as issuing with the job that starts its process,
// answers 202 with a serial, and replays under the same Idempotency-Key; the certificate is
// listed on its animal and read by serial, without a PDF until issued.
func TestCertificates_RequestRecordsItIssuingWithTheJobThatStartsIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "cert-ada")
	token := ada.Owner.Tokens.AccessToken
	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male", "name": "Noodle"})

	r := b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", token, "cert-1", nil)
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	c := decodeAs[certificateReply](t, r)
	_, err := certs.ParseSerial(c.Serial)
	require.NoError(t, err)
	require.Equal(t, "issuing", c.Status)
	require.Equal(t, animal.ID, c.AnimalID)
	require.Equal(t, "/api/v1/certificates/"+c.Serial, r.Header.Get("Location"))

	again := b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", token, "cert-1", nil)
	require.Equal(t, http.StatusAccepted, again.Status)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, c.Serial, decodeAs[certificateReply](t, again).Serial)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM certificates WHERE serial = $1 AND status = 'issuing'`, c.Serial))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'start_certificate' AND args->>'serial' = $1`, c.Serial))

	list := b.do(t, http.MethodGet, "/api/v1/animals/"+animal.ID+"/certificates", token, nil)
	require.Equal(t, http.StatusOK, list.Status, "%s", list.Raw)
	items := decodeAs[struct{ Items []certificateReply }](t, list).Items
	require.Len(t, items, 1)
	require.Equal(t, c.Serial, items[0].Serial)

	got := b.do(t, http.MethodGet, "/api/v1/certificates/"+c.Serial, token, nil)
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Raw)
	require.Nil(t, decodeAs[certificateReply](t, got).PDF, "no PDF while issuing")
}

// An issued certificate is read with a short-lived presigned download of its PDF.
func TestCertificates_AnIssuedCertificateLinksToItsPDF(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "cert-issued")
	token := ada.Owner.Tokens.AccessToken
	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "female"})
	c := decodeAs[certificateReply](t, b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", token, "k", nil))
	_, err := b.Admin.Exec(context.Background(), `UPDATE certificates SET status = 'issued', snapshot = '{}',
		canonical_sha256 = sha256('x'), signature = 'sig', key_id = 'key1', pdf_key = 'certificates/x/' || serial || '.pdf',
		pdf_sha256 = sha256('y'), issued_at = now() WHERE serial = $1`, c.Serial)
	require.NoError(t, err)

	got := decodeAs[certificateReply](t, b.do(t, http.MethodGet, "/api/v1/certificates/"+c.Serial, token, nil))
	require.Equal(t, "issued", got.Status)
	require.Equal(t, "key1", got.KeyID)
	require.NotNil(t, got.PDF)
	require.Equal(t, http.MethodGet, got.PDF.Method)
	require.Contains(t, got.PDF.URL, c.Serial+".pdf")
	require.True(t, strings.Contains(got.PDF.URL, "X-Amz-Signature="), "presigned: %s", got.PDF.URL)
}

// Another organization's animal or certificate is a 404; archived and reference animals are
// 422; keepers may not issue certificates.
func TestCertificates_RefusesWhatCannotBeCertified(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada, bob := b.newOrg(t, "cert-refuse-ada"), b.newOrg(t, "cert-refuse-bob")
	token := ada.Owner.Tokens.AccessToken
	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male", "visibility": "public"})
	c := decodeAs[certificateReply](t, b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", token, "k", nil))

	other := bob.Owner.Tokens.AccessToken
	requireProblem(t, b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", other, "k", nil), http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/animals/"+animal.ID+"/certificates", other, nil), http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/certificates/"+c.Serial, other, nil), http.StatusNotFound, "not-found")
	requireProblem(t, b.post(t, "/api/v1/animals/nosuchanimal/certificates", token, "n", nil), http.StatusNotFound, "not-found")

	reference := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male", "reference": true})
	requireProblem(t, b.post(t, "/api/v1/animals/"+reference.ID+"/certificates", token, "r", nil), http.StatusUnprocessableEntity, "validation-failed")
	archived := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "male"})
	require.Equal(t, http.StatusOK, b.do(t, http.MethodPost, "/api/v1/animals/"+archived.ID+"/archive", token, nil).Status)
	requireProblem(t, b.post(t, "/api/v1/animals/"+archived.ID+"/certificates", token, "a", nil), http.StatusUnprocessableEntity, "validation-failed")

	_, keeper := b.join(t, ada, "cert-keeper", "keeper")
	requireProblem(t, b.post(t, "/api/v1/animals/"+animal.ID+"/certificates", keeper.AccessToken, "k2", nil), http.StatusForbidden, "forbidden")
}
