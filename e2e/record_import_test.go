package e2e_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/export"
	"github.com/reptidex/reptidex/workflows/importing"
	"github.com/reptidex/reptidex/workflows/process"
)

// Each path an import can take, run end to end on the dev server, the worker, Postgres and
// object storage, over HTTP: a breeder's export imported into another organization, which
// reproduces the collection (and, imported again, updates it rather than duplicating it);
// an import cancelled; one whose file changed after it was checked, which fails; and one
// not applied in time, which expires. Its history must replay against today's code; with
// RECORD_HISTORIES=1 it is written as the workflow's recorded history.
func TestImport_RecordsTheHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	paths := []struct {
		name       string
		drive      func(t *testing.T, s *system) (importing.Input, person)
		check      func(t *testing.T, s *system, in importing.Input, p person, res importing.Result)
		failedWith string
		file       string
	}{
		{name: "applied", drive: importAnExport, check: requireReproduced, file: "applied.json"},
		{name: "cancelled", drive: cancelAnImport, check: requireCancelled, file: "cancelled.json"},
		{name: "file changed", drive: changeTheCheckedFile, failedWith: importing.ErrTypeFileChanged, file: "file_changed.json"},
		{name: "expired", drive: leaveAnImport, check: requireExpired, file: "expired.json"},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			tc := testkit.Temporal(t)
			in, breeder := p.drive(t, s)
			run := tc.GetWorkflow(context.Background(), importing.WorkflowID(in.ImportID), "")
			ctx, cancel := context.WithTimeout(context.Background(), processWait)
			defer cancel()
			var res importing.Result
			err := run.Get(ctx, &res)
			end := enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
			if p.failedWith != "" {
				require.True(t, process.IsErrorType(err, p.failedWith), "failed with %v, not %s", err, p.failedWith)
				end = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
				requireImportFailed(t, s, in, breeder)
			} else {
				require.NoError(t, err)
				p.check(t, s, in, breeder, res)
			}
			requireFileDeleted(t, s, in)
			h := fetchHistory(t, tc, importing.WorkflowID(in.ImportID), "")
			require.Equal(t, end, h.Events[len(h.Events)-1].EventType)
			requireReplays(t, h)
			if recordHistories {
				writeHistory(t, h, filepath.Join("..", "workflows", "importing", "testdata", p.file))
			}
		})
	}
}

// uploadImport starts an import of file as the breeder and uploads the file by the link
// answered, as a client would; it answers the import's public ID.
func uploadImport(t *testing.T, s *system, p person, name string, file []byte) string {
	t.Helper()
	r := s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/imports", p.Token, map[string]any{"size": len(file), "file_name": name})
	im := r["import"].(map[string]any)
	require.Equal(t, "uploading", im["status"])
	id := im["id"].(string)
	early := s.do(t, http.MethodPost, "/api/v1/imports/"+id+"/check", p.Token, map[string]any{})
	require.Equal(t, http.StatusConflict, early.Status, "not uploaded yet: %s", early.Raw)
	up := r["upload"].(map[string]any)
	req, err := http.NewRequestWithContext(context.Background(), up["method"].(string), up["url"].(string), bytes.NewReader(file))
	require.NoError(t, err)
	for k, v := range up["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	req.ContentLength = int64(len(file))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return id
}

// checkImport has an uploaded import checked and waits for its report.
func checkImport(t *testing.T, s *system, p person, id string, mapping map[string]string) map[string]any {
	t.Helper()
	r := s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/imports/"+id+"/check", p.Token, map[string]any{"mapping": mapping})
	require.Contains(t, []any{"checking", "checked"}, r["status"])
	return waitImport(t, s, p, id, "checked")
}

// waitImport waits for an import to stand at status, and answers it.
func waitImport(t *testing.T, s *system, p person, id, status string) map[string]any {
	t.Helper()
	var im map[string]any
	require.Eventually(t, func() bool {
		im = s.must(t, http.StatusOK, http.MethodGet, "/api/v1/imports/"+id, p.Token, nil)
		return im["status"] == status
	}, 30*time.Second, 50*time.Millisecond, "import %s never %s", id, status)
	return im
}

// importInput is the process input of an import as recorded.
func importInput(t *testing.T, publicID string) importing.Input {
	t.Helper()
	in := importing.Input{PublicID: publicID}
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT id, org_id, created_by, object_key, file_name,
		expires_at FROM imports WHERE public_id = $1`, publicID).Scan(&in.ImportID, &in.OrgID, &in.CreatedBy, &in.ObjectKey,
		&in.FileName, &in.ExpiresAt))
	return in
}

// importAnExport exports a breeder's collection, and imports the export's animals.csv into
// a new breeder's organization: checked, then applied.
func importAnExport(t *testing.T, s *system) (importing.Input, person) {
	t.Helper()
	ein, ada := requestExport(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), processWait)
	defer cancel()
	var res export.Result
	require.NoError(t, testkit.Temporal(t).GetWorkflow(ctx, export.WorkflowID(ein.ExportID), "").Get(ctx, &res))
	e := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/exports/"+ein.PublicID, ada.Token, nil)
	_, files := unzip(t, fetch(t, e["download"].(map[string]any)["url"].(string)))

	bea := s.register(t, "Bea", false)
	id := uploadImport(t, s, bea, "animals.csv", files["animals.csv"])
	im := checkImport(t, s, bea, id, nil)
	report := im["report"].(map[string]any)
	require.Equal(t, "export", report["layout"])
	require.EqualValues(t, 3, report["rows"])
	require.EqualValues(t, 3, report["valid"])
	require.EqualValues(t, 3, report["creates"])
	require.Empty(t, report["problems"], "%v", report["problems"])
	applying := s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/imports/"+id+"/apply", bea.Token, nil)
	require.Contains(t, []any{"applying", "applied"}, applying["status"])
	again := s.do(t, http.MethodPost, "/api/v1/imports/"+id+"/apply", bea.Token, nil)
	require.Equal(t, http.StatusConflict, again.Status, "applied once: %s", again.Raw)
	t.Cleanup(func() { requireImportedAgain(t, s, bea, files["animals.csv"]) })
	in := importInput(t, id)
	exportedFrom.Store(in.ImportID, ada.OrgID)
	return in, bea
}

// exportedFrom maps each import of an export to the organization the export is of.
var exportedFrom sync.Map

// animalRow is an animal as the round trip compares it.
type animalRow struct {
	Name, Species, Sex, Genetics, Hatched, Sire, Dam, Visibility string
}

// collectionOf reads an organization's animals by name, their parents named by name within
// it, or by public ID outside it.
func collectionOf(t *testing.T, orgPublicID string) map[string]animalRow {
	t.Helper()
	rows, err := testkit.AdminPool(t).Query(context.Background(), `SELECT a.name, a.species_key, a.sex, a.genetics_text,
			coalesce(a.hatch_date::text, ''), coalesce(coalesce(s.name, s.public_id), ''), coalesce(coalesce(d.name, d.public_id), ''),
			a.visibility
		FROM animals a JOIN organizations o ON o.id = a.org_id
		LEFT JOIN animals s ON s.id = a.sire_id LEFT JOIN animals d ON d.id = a.dam_id
		WHERE o.public_id = $1`, orgPublicID)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]animalRow{}
	for rows.Next() {
		var r animalRow
		require.NoError(t, rows.Scan(&r.Name, &r.Species, &r.Sex, &r.Genetics, &r.Hatched, &r.Sire, &r.Dam, &r.Visibility))
		out[r.Name] = r
	}
	require.NoError(t, rows.Err())
	return out
}

// requireReproduced checks the round trip: the new organization holds the exported
// collection, animal for animal (names, species, sex, genetics, hatch dates), with its
// lineage within the collection and to the other breeder's public animal; the breeder is
// told, and the import shows what it did.
func requireReproduced(t *testing.T, s *system, in importing.Input, bea person, res importing.Result) {
	t.Helper()
	require.Equal(t, importing.Result{Stage: importing.Applied, Applied: importing.Totals{Created: 3}}, res)
	adaOrg, ok := exportedFrom.Load(in.ImportID)
	require.True(t, ok, "the organization whose export was imported")
	want, got := collectionOf(t, adaOrg.(string)), collectionOf(t, bea.OrgID)
	require.Len(t, want, 3)
	require.Equal(t, want, got)
	require.Equal(t, "=HYPERLINK(\"x\")", got["Pip"].Sire, "the name the export neutralised comes back as it was")
	require.NotEmpty(t, got[`=HYPERLINK("x")`].Sire, "the other breeder's public animal")

	im := waitImport(t, s, bea, in.PublicID, "applied")
	applied := im["applied"].(map[string]any)
	require.EqualValues(t, 1, applied["batches"])
	require.EqualValues(t, 1, applied["batches_done"])
	require.EqualValues(t, 3, applied["created"])
	m := s.waitMail(t, bea.Email, "Your import is done")
	require.Contains(t, m.Text, "The import of animals.csv: 3 animals recorded new, 0 updated.")
}

// requireImportedAgain imports the same file a second time into the same organization: every
// row updates its animal, none is recorded twice.
func requireImportedAgain(t *testing.T, s *system, bea person, file []byte) {
	t.Helper()
	before := collectionOf(t, bea.OrgID)
	id := uploadImport(t, s, bea, "animals.csv", file)
	report := checkImport(t, s, bea, id, nil)["report"].(map[string]any)
	require.EqualValues(t, 0, report["creates"])
	require.EqualValues(t, 3, report["updates"])
	s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/imports/"+id+"/apply", bea.Token, nil)
	applied := waitImport(t, s, bea, id, "applied")["applied"].(map[string]any)
	require.EqualValues(t, 0, applied["created"])
	require.EqualValues(t, 3, applied["updated"])
	require.Equal(t, before, collectionOf(t, bea.OrgID))
}

// template is a small file of our template.
const template = "breeder_id,name,species,sex,hatch_date,genetics,sire,dam\n" +
	"BP-1,Atlas,Ball Python,male,2021-05-01,Pastel,,\n" +
	"BP-2,Nova,Ball Python,female,2021-06-01,Clown,,\n" +
	"BP-3,Pip,Ball Python,female,2024-06-01,Pastel het Clown,BP-1,BP-2\n"

// cancelAnImport checks an import, then cancels it.
func cancelAnImport(t *testing.T, s *system) (importing.Input, person) {
	t.Helper()
	ada := s.register(t, "Ada", false)
	id := uploadImport(t, s, ada, "collection.csv", []byte(template))
	report := checkImport(t, s, ada, id, map[string]string{"name": "ignore"})["report"].(map[string]any)
	require.EqualValues(t, 3, report["valid"])
	require.Contains(t, report["columns"], map[string]any{"header": "name"}, "the name ignored")
	im := s.must(t, http.StatusOK, http.MethodPost, "/api/v1/imports/"+id+"/cancel", ada.Token, nil)
	require.Equal(t, "cancelled", im["status"])
	return importInput(t, id), ada
}

func requireCancelled(t *testing.T, s *system, in importing.Input, ada person, res importing.Result) {
	t.Helper()
	require.Equal(t, importing.Result{Stage: importing.Cancelled}, res)
	require.Equal(t, "cancelled", waitImport(t, s, ada, in.PublicID, "cancelled")["status"])
	r := s.do(t, http.MethodPost, "/api/v1/imports/"+in.PublicID+"/apply", ada.Token, nil)
	require.Equal(t, http.StatusConflict, r.Status)
	require.Empty(t, collectionOf(t, ada.OrgID), "nothing applied")
}

// changeTheCheckedFile checks an import, then replaces its file with another before it is
// applied.
func changeTheCheckedFile(t *testing.T, s *system) (importing.Input, person) {
	t.Helper()
	ada := s.register(t, "Ada", false)
	id := uploadImport(t, s, ada, "collection.csv", []byte(template))
	checkImport(t, s, ada, id, nil)
	in := importInput(t, id)
	other := strings.Replace(template, "Atlas", "Atlas the Second", 1)
	require.NoError(t, objstore.Put(context.Background(), objstore.New(s.Cfg.S3), s.Cfg.S3.Bucket, in.ObjectKey, "text/csv", []byte(other)))
	s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/imports/"+id+"/apply", ada.Token, nil)
	return in, ada
}

// requireImportFailed checks an import that failed: marked failed with why, nothing applied, and
// the breeder told.
func requireImportFailed(t *testing.T, s *system, in importing.Input, ada person) {
	t.Helper()
	im := waitImport(t, s, ada, in.PublicID, "failed")
	require.Contains(t, im["problem"], "the file is not the one checked")
	require.Empty(t, collectionOf(t, ada.OrgID))
	s.waitMail(t, ada.Email, "Your import could not be finished")
}

// leaveAnImport records an import that expires in two seconds and starts its process,
// and nothing more.
func leaveAnImport(t *testing.T, s *system) (importing.Input, person) {
	t.Helper()
	ada := s.register(t, "Ada", false)
	in := importing.Input{ImportID: uuid.New(), PublicID: store.NewPublicID(), FileName: "collection.csv",
		ExpiresAt: time.Now().Add(2 * time.Second).UTC().Truncate(time.Millisecond)}
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT o.id, u.id FROM organizations o, users u
		WHERE o.public_id = $1 AND u.public_id = $2`, ada.OrgID, ada.UserID).Scan(&in.OrgID, &in.CreatedBy))
	in.ObjectKey = importing.ObjectKey(in.OrgID, in.ImportID)
	_, err := testkit.AdminPool(t).Exec(context.Background(), `INSERT INTO imports (id, public_id, org_id, created_by, file_name,
		bytes, object_key, expires_at) VALUES ($1, $2, $3, $4, $5, 10, $6, $7)`, in.ImportID, in.PublicID, in.OrgID, in.CreatedBy,
		in.FileName, in.ObjectKey, in.ExpiresAt)
	require.NoError(t, err)
	_, err = importing.Start(context.Background(), testkit.Temporal(t), s.Cfg.Temporal.TaskQueue, in)
	require.NoError(t, err)
	return in, ada
}

func requireExpired(t *testing.T, s *system, in importing.Input, ada person, res importing.Result) {
	t.Helper()
	require.Equal(t, importing.Result{Stage: importing.Expired}, res)
	require.Equal(t, "expired", waitImport(t, s, ada, in.PublicID, "expired")["status"])
	m := s.waitMail(t, ada.Email, "Your import expired")
	require.Contains(t, m.Text, "collection.csv was not applied within 7 days")
}

// requireFileDeleted checks that an ended import's file is gone.
func requireFileDeleted(t *testing.T, s *system, in importing.Input) {
	t.Helper()
	_, err := objstore.New(s.Cfg.S3).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(s.Cfg.S3.Bucket),
		Key: aws.String(in.ObjectKey)})
	require.Error(t, err, "the file is deleted once the import ends")
}
