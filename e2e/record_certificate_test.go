package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/certificate"
	"github.com/reptidex/reptidex/workflows/process"
)

// Each path a certificate can take, run end to end on the dev server, the worker, Postgres
// and object storage: requested over HTTP and issued (signed, stored, marked issued, its PDF
// downloaded by its link); started for a certificate that is not being issued; and for an
// animal archived since the request, which ends the certificate failed. Its
// history must replay against today's code; with RECORD_HISTORIES=1 it is written as the
// workflow's recorded history.
func TestCertificate_RecordsTheHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	paths := []struct {
		name string
		// drive asks for the certificate and answers its input and the breeder's token.
		drive      func(t *testing.T, s *system) (certificate.Input, string)
		failedWith string
		file       string
	}{
		{name: "issued", drive: requestCertificate, file: "issued.json"},
		{name: "not being issued", drive: unrecordedCertificate, failedWith: certificate.ErrTypeNotFound, file: "not_being_issued.json"},
		{name: "animal archived before issuing", drive: archivedAnimalCertificate, failedWith: certificate.ErrTypeNotCertifiable,
			file: "animal_archived.json"},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			tc := testkit.Temporal(t)
			in, token := p.drive(t, s)
			run := tc.GetWorkflow(context.Background(), certificate.WorkflowID(in.CertificateID), "")

			ctx, cancel := context.WithTimeout(context.Background(), processWait)
			defer cancel()
			var res certificate.Result
			err := run.Get(ctx, &res)
			end := enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
			if p.failedWith != "" {
				require.True(t, process.IsErrorType(err, p.failedWith), "failed with %v, not %s", err, p.failedWith)
				end = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
				requireFailed(t, s, in)
			} else {
				require.NoError(t, err)
				requireIssued(t, s, in, res)
				requireDownload(t, s, token, in)
			}
			h := fetchHistory(t, tc, certificate.WorkflowID(in.CertificateID), "")
			require.Equal(t, end, h.Events[len(h.Events)-1].EventType)
			requireReplays(t, h)
			if recordHistories {
				writeHistory(t, h, filepath.Join("..", "workflows", "certificate", "testdata", p.file))
			}
		})
	}
}

// breeder registers a breeder with an animal bred from a pair of theirs; it answers the
// breeder and the animal's public ID.
func breeder(t *testing.T, s *system) (person, string) {
	t.Helper()
	ada := s.register(t, "Ada", false)
	sire := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Atlas"})
	dam := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Vega"})
	return ada, s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Noodle",
		"sire_id": sire, "dam_id": dam})
}

// requestCertificate asks for a certificate of a breeder's animal over HTTP, whose process
// River starts, and answers its input as the database recorded it and the breeder's token.
func requestCertificate(t *testing.T, s *system) (certificate.Input, string) {
	t.Helper()
	ada, animal := breeder(t, s)
	primaryPhoto(t, s, ada.Token, animal)
	c := s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/animals/"+animal+"/certificates", ada.Token, nil,
		"Idempotency-Key", "certificate-1")
	in := certificate.Input{Serial: c["serial"].(string), AnimalPublicID: animal}
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT id, org_id, animal_id, requested_by
		FROM certificates WHERE serial = $1`, in.Serial).Scan(&in.CertificateID, &in.OrgID, &in.AnimalID, &in.RequestedBy))
	waitStarted(t, in)
	return in, ada.Token
}

// primaryPhoto uploads a photo of the animal and makes it the primary one, as a breeder does.
func primaryPhoto(t *testing.T, s *system, token, animal string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for x := range 400 {
		for y := range 300 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var body bytes.Buffer
	require.NoError(t, png.Encode(&body, img))
	up := s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/media/uploads", token,
		map[string]any{"animal_id": animal, "content_type": "image/png", "size": body.Len()})
	link := up["upload"].(map[string]any)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPut, link["url"].(string), bytes.NewReader(body.Bytes()))
	require.NoError(t, err)
	for k, v := range link["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	id := up["media"].(map[string]any)["id"].(string)
	s.must(t, http.StatusOK, http.MethodPost, "/api/v1/media/"+id+"/confirm", token, nil)
	s.must(t, http.StatusOK, http.MethodPatch, "/api/v1/media/"+id, token, map[string]any{"primary": true})
}

// unrecordedCertificate starts the process for a certificate of a breeder's animal that was
// never recorded as issuing.
func unrecordedCertificate(t *testing.T, s *system) (certificate.Input, string) {
	t.Helper()
	ada, animal := breeder(t, s)
	serial, err := certs.NewSerial()
	require.NoError(t, err)
	in := certificate.Input{CertificateID: uuid.New(), Serial: serial.String(), AnimalPublicID: animal}
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT a.id, a.org_id, u.id FROM animals a, users u
		WHERE a.public_id = $1 AND u.public_id = $2`, animal, ada.UserID).Scan(&in.AnimalID, &in.OrgID, &in.RequestedBy))
	_, err = certificate.Start(context.Background(), testkit.Temporal(t), s.Cfg.Temporal.TaskQueue, in)
	require.NoError(t, err)
	return in, ada.Token
}

// archivedAnimalCertificate records a certificate as issuing for an animal its breeder then
// archived, and starts its process.
func archivedAnimalCertificate(t *testing.T, s *system) (certificate.Input, string) {
	t.Helper()
	ada, animal := breeder(t, s)
	s.must(t, http.StatusOK, http.MethodPost, "/api/v1/animals/"+animal+"/archive", ada.Token, nil)
	serial, err := certs.NewSerial()
	require.NoError(t, err)
	in := certificate.Input{CertificateID: uuid.New(), Serial: serial.String(), AnimalPublicID: animal}
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT a.id, a.org_id, u.id FROM animals a, users u
		WHERE a.public_id = $1 AND u.public_id = $2`, animal, ada.UserID).Scan(&in.AnimalID, &in.OrgID, &in.RequestedBy))
	require.NoError(t, s.Admin(context.Background(), `INSERT INTO certificates (id, serial, org_id, animal_id, requested_by)
		VALUES ($1, $2, $3, $4, $5)`, in.CertificateID, in.Serial, in.OrgID, in.AnimalID, in.RequestedBy))
	_, err = certificate.Start(context.Background(), testkit.Temporal(t), s.Cfg.Temporal.TaskQueue, in)
	require.NoError(t, err)
	return in, ada.Token
}

// requireFailed checks a certificate that could not be issued: its row, when it has one,
// failed; no PDF stored under its key; and the requester told.
func requireFailed(t *testing.T, s *system, in certificate.Input) {
	t.Helper()
	ctx := context.Background()
	admin := testkit.AdminPool(t)
	var status string
	err := admin.QueryRow(ctx, `SELECT status FROM certificates WHERE id = $1`, in.CertificateID).Scan(&status)
	if !errors.Is(err, pgx.ErrNoRows) {
		require.NoError(t, err)
		require.Equal(t, "failed", status)
	}
	_, err = objstore.New(s.Cfg.S3).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.Cfg.S3.Bucket),
		Key: aws.String(certificate.PDFKey(in.OrgID, in.Serial))})
	require.Error(t, err, "no PDF is stored")
	var told int
	require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND type = 'certificate.outcome'
		AND title LIKE '%could not be issued'`, in.RequestedBy).Scan(&told))
	require.Equal(t, 1, told)
}

// waitStarted waits for River to start the certificate's process.
func waitStarted(t *testing.T, in certificate.Input) {
	t.Helper()
	tc := testkit.Temporal(t)
	require.Eventually(t, func() bool {
		_, err := tc.DescribeWorkflowExecution(context.Background(), certificate.WorkflowID(in.CertificateID), "")
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "the certificate's process is started")
}

// requireDownload reads the issued certificate over HTTP and downloads its PDF by the
// presigned link, byte for byte the one stored.
func requireDownload(t *testing.T, s *system, token string, in certificate.Input) {
	t.Helper()
	c := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/certificates/"+in.Serial, token, nil)
	require.Equal(t, "issued", c["status"])
	link, ok := c["pdf"].(map[string]any)
	require.True(t, ok, "an issued certificate links to its PDF: %v", c)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, link["url"].(string), nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	pdf, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, object(t, objstore.New(s.Cfg.S3), s.Cfg.S3.Bucket, certificate.PDFKey(in.OrgID, in.Serial)), pdf)
	list := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/animals/"+in.AnimalPublicID+"/certificates", token, nil)
	require.Len(t, list["items"], 1)
}

// requireIssued checks an issued certificate: the row issued with its hash, signature and
// key; the PDF and the signed record in the bucket, the record verifying with the published
// key and naming the animal and its parents; and the requester told.
func requireIssued(t *testing.T, s *system, in certificate.Input, res certificate.Result) {
	t.Helper()
	ctx := context.Background()
	var status, keyID, pdfKey string
	var canonicalSum, pdfSum []byte
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT status, key_id, pdf_key, canonical_sha256, pdf_sha256
		FROM certificates WHERE id = $1`, in.CertificateID).Scan(&status, &keyID, &pdfKey, &canonicalSum, &pdfSum))
	require.Equal(t, "issued", status)
	require.Equal(t, s.CertKeys.SigningKeyID(), keyID)
	require.Equal(t, res.PDFKey, pdfKey)
	require.Len(t, canonicalSum, 32)
	require.Len(t, pdfSum, 32)

	bucket := objstore.New(s.Cfg.S3)
	pdf := object(t, bucket, s.Cfg.S3.Bucket, pdfKey)
	require.Equal(t, "%PDF-", string(pdf[:5]))
	require.Equal(t, 1, bytes.Count(pdf, []byte("/Subtype /Image")), "the photo, the one image: the QR code is drawn as vectors")
	rec, err := certs.ParseRecord(object(t, bucket, s.Cfg.S3.Bucket, certificate.RecordKey(in.OrgID, in.Serial)))
	require.NoError(t, err)
	published, err := json.Marshal(s.CertKeys.Published())
	require.NoError(t, err)
	verifier, err := certs.ParsePublishedKeys(published)
	require.NoError(t, err)
	require.NoError(t, verifier.VerifyRecord(rec))
	var snap certificate.Snapshot
	require.NoError(t, json.Unmarshal(rec.Snapshot, &snap))
	require.Equal(t, in.Serial, snap.Serial)
	require.Equal(t, "Noodle", snap.Pedigree[0].Name)
	require.Equal(t, "Atlas", snap.Pedigree[1].Name)
	require.Equal(t, "Vega", snap.Pedigree[2].Name)
	require.NotNil(t, snap.COI)
	require.NotEmpty(t, snap.Photo, "the primary photo is named")

	var told int
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT count(*) FROM notifications
		WHERE user_id = $1 AND type = 'certificate.outcome'`, in.RequestedBy).Scan(&told))
	require.Equal(t, 1, told)
}

// object reads an object from the bucket.
func object(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	require.NoError(t, err, "object %s", key)
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	require.NoError(t, out.Body.Close())
	return b
}
