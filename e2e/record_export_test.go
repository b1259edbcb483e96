package e2e_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/export"
	"github.com/reptidex/reptidex/workflows/process"
)

// Each path an export can take, run end to end on the dev server, the worker, Postgres and
// object storage: asked for over HTTP, built, and its ZIP downloaded by its link and read;
// and started for an export that is not running, which ends failed with nothing stored. Its
// history must replay against today's code; with RECORD_HISTORIES=1 it is written as the
// workflow's recorded history.
func TestExport_RecordsTheHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	paths := []struct {
		name       string
		drive      func(t *testing.T, s *system) (export.Input, person)
		failedWith string
		file       string
	}{
		{name: "ready", drive: requestExport, file: "ready.json"},
		{name: "not running", drive: unrecordedExport, failedWith: export.ErrTypeNotFound, file: "not_running.json"},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			tc := testkit.Temporal(t)
			in, breeder := p.drive(t, s)
			run := tc.GetWorkflow(context.Background(), export.WorkflowID(in.ExportID), "")
			ctx, cancel := context.WithTimeout(context.Background(), processWait)
			defer cancel()
			var res export.Result
			err := run.Get(ctx, &res)
			end := enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
			if p.failedWith != "" {
				require.True(t, process.IsErrorType(err, p.failedWith), "failed with %v, not %s", err, p.failedWith)
				end = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
				requireNothingStored(t, s, in)
			} else {
				require.NoError(t, err)
				requireExported(t, s, in, breeder, res)
			}
			h := fetchHistory(t, tc, export.WorkflowID(in.ExportID), "")
			require.Equal(t, end, h.Events[len(h.Events)-1].EventType)
			requireReplays(t, h)
			if recordHistories {
				writeHistory(t, h, filepath.Join("..", "workflows", "export", "testdata", p.file))
			}
		})
	}
}

// exportedBreeder is a breeder with a collection worth exporting: a pair, one of them bred
// from another breeder's public animal, a clutch of theirs with a hatchling, a photo, and a
// name a spreadsheet would run as a formula.
func exportedBreeder(t *testing.T, s *system) person {
	t.Helper()
	other := s.register(t, "Otto", false)
	grandsire := s.animal(t, other.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Titan",
		"visibility": "public"})
	ada := s.register(t, "Ada", false)
	sire := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "=HYPERLINK(\"x\")",
		"genetics": "Pastel het Clown", "sire_id": grandsire})
	dam := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Vega, \"the first\"",
		"genetics": "Clown"})
	primaryPhoto(t, s, ada.Token, dam)
	pair := s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/breeding/pairs", ada.Token,
		map[string]any{"sire_id": sire, "dam_id": dam, "season": 2025, "notes": "+1 first pairing,\n\"calm\""})["id"].(string)
	clutch := s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/breeding/pairs/"+pair+"/clutches", ada.Token,
		map[string]any{"laid_on": "2025-04-12", "eggs": 6, "fertile": 5, "hatched_on": "2025-06-10", "hatched": 4})["id"].(string)
	s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/breeding/clutches/"+clutch+"/hatchlings", ada.Token,
		map[string]any{"hatchlings": []map[string]any{{"sex": "female", "name": "Pip", "looks": "Clown"}}})
	return ada
}

// requestExport asks for an export of a breeder's collection over HTTP, whose process River
// starts, and answers its input as the database recorded it.
func requestExport(t *testing.T, s *system) (export.Input, person) {
	t.Helper()
	ada := exportedBreeder(t, s)
	e := s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/exports", ada.Token, nil, "Idempotency-Key", "export-1")
	require.Equal(t, "running", e["status"])
	in := export.Input{PublicID: e["id"].(string)}
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT id, org_id, requested_by FROM exports
		WHERE public_id = $1`, in.PublicID).Scan(&in.ExportID, &in.OrgID, &in.RequestedBy))
	again := s.do(t, http.MethodPost, "/api/v1/exports", ada.Token, nil)
	if again.Status != http.StatusConflict { // the first may have finished already
		require.Equal(t, http.StatusAccepted, again.Status, "%s", again.Raw)
	}
	require.Eventually(t, func() bool {
		_, err := testkit.Temporal(t).DescribeWorkflowExecution(context.Background(), export.WorkflowID(in.ExportID), "")
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "the export's process is started")
	return in, ada
}

// unrecordedExport starts the process for an export of a breeder's collection that was never
// recorded as running.
func unrecordedExport(t *testing.T, s *system) (export.Input, person) {
	t.Helper()
	ada := s.register(t, "Ada", false)
	in := export.Input{ExportID: uuid.New(), PublicID: "unrecorded"}
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT o.id, u.id FROM organizations o, users u
		WHERE o.public_id = $1 AND u.public_id = $2`, ada.OrgID, ada.UserID).Scan(&in.OrgID, &in.RequestedBy))
	_, err := export.Start(context.Background(), testkit.Temporal(t), s.Cfg.Temporal.TaskQueue, in)
	require.NoError(t, err)
	return in, ada
}

// requireExported checks a ready export: its row, its ZIP downloaded by the link GET
// answers and read back (every file, the formula neutralised, the other breeder's parent by
// its public ID, the JSON document agreeing with the CSV), its written files deleted, and the
// requester told with the link.
func requireExported(t *testing.T, s *system, in export.Input, ada person, res export.Result) {
	t.Helper()
	e := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/exports/"+in.PublicID, ada.Token, nil)
	require.Equal(t, "ready", e["status"])
	require.EqualValues(t, res.Bytes, e["bytes"])
	download, ok := e["download"].(map[string]any)
	require.True(t, ok, "a ready export links to its ZIP: %v", e)
	expires, err := time.Parse(time.RFC3339, e["expires_at"].(string))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(export.Expiry), expires, time.Minute)
	body := fetch(t, download["url"].(string))
	require.Len(t, body, int(res.Bytes))

	names, files := unzip(t, body)
	want := []string{"README.txt", "manifest.json"}
	for _, f := range export.Files {
		want = append(want, f+".csv")
	}
	require.Equal(t, append(want, "reptidex.json"), names)

	animals := readCSV(t, files["animals.csv"])
	require.Len(t, animals, 4, "the pair and the hatchling, with the header")
	byName := map[string]map[string]string{}
	for _, row := range animals[1:] {
		m := map[string]string{}
		for i, c := range animals[0] {
			m[c] = row[i]
		}
		byName[m["name"]] = m
	}
	require.Contains(t, byName, `'=HYPERLINK("x")`, "a formula is neutralised")
	require.Contains(t, byName, "Vega, \"the first\"", "commas and quotes kept")
	require.Equal(t, "Pastel het Clown", byName[`'=HYPERLINK("x")`]["genetics"])
	lineage := readCSV(t, files["lineage.csv"])
	require.Equal(t, []string{"animal_id", "parent", "parent_id", "parent_owner_id", "parent_visible", "in_collection"}, lineage[0])
	var outside, inside int
	for _, row := range lineage[1:] {
		if row[5] == "false" {
			outside++
			require.Equal(t, byName[`'=HYPERLINK("x")`]["id"], row[0])
			require.NotEmpty(t, row[2], "another breeder's public animal by its public ID")
		} else {
			inside++
		}
	}
	require.Equal(t, 1, outside)
	require.Equal(t, 2, inside, "the hatchling's sire and dam")
	require.Len(t, readCSV(t, files["genetics.csv"]), 1+2+1+1, "pastel and het clown, clown, and the hatchling's clown")
	require.Len(t, readCSV(t, files["pairings.csv"]), 2)
	require.Equal(t, "'+1 first pairing,\n\"calm\"", readCSV(t, files["pairings.csv"])[1][5])
	require.Len(t, readCSV(t, files["clutches.csv"]), 2)
	require.Len(t, readCSV(t, files["hatchlings.csv"]), 2)
	require.Len(t, readCSV(t, files["media.csv"]), 2)

	var doc map[string]any
	require.NoError(t, json.Unmarshal(files["reptidex.json"], &doc))
	require.Equal(t, "reptidex-export", doc["format"])
	require.Equal(t, ada.OrgID, doc["organization"].(map[string]any)["id"])
	docAnimals := doc["animals"].([]any)
	require.Len(t, docAnimals, 3)
	for _, a := range docAnimals {
		a := a.(map[string]any)
		if a["name"] == `=HYPERLINK("x")` {
			require.Len(t, a["genetics_claims"], 2, "the JSON document holds the genetics structured")
		}
	}
	var manifest struct {
		Files []struct {
			Name string
			Rows int64
		}
	}
	require.NoError(t, json.Unmarshal(files["manifest.json"], &manifest))
	require.Len(t, manifest.Files, len(export.Files))
	require.Equal(t, int64(3), manifest.Files[0].Rows)

	c := objstore.New(s.Cfg.S3)
	left, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(s.Cfg.S3.Bucket),
		Prefix: aws.String(export.PartsPrefix(in.OrgID, in.ExportID))})
	require.NoError(t, err)
	require.Empty(t, left.Contents, "the written files are deleted once the ZIP is stored")

	m := s.waitMail(t, ada.Email, "Your export is ready to download")
	require.Contains(t, m.Text, strings.Split(download["url"].(string), "?")[0], "the email carries the link")
	list := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/exports", ada.Token, nil)
	require.Len(t, list["items"], 1)
}

// requireNothingStored checks an export that could not be built: no ZIP under its key and
// nothing written under its files' prefix.
func requireNothingStored(t *testing.T, s *system, in export.Input) {
	t.Helper()
	c := objstore.New(s.Cfg.S3)
	_, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(s.Cfg.S3.Bucket),
		Key: aws.String(export.ObjectKey(in.OrgID, in.ExportID))})
	require.Error(t, err, "no ZIP is stored")
	left, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(s.Cfg.S3.Bucket),
		Prefix: aws.String(export.PartsPrefix(in.OrgID, in.ExportID))})
	require.NoError(t, err)
	require.Empty(t, left.Contents)
}

// unzip reads a ZIP: its files' names in order, and each file's bytes by name.
func unzip(t *testing.T, body []byte) ([]string, map[string][]byte) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	require.NoError(t, err)
	var names []string
	files := map[string][]byte{}
	for _, f := range z.File {
		names = append(names, f.Name)
		r, err := f.Open()
		require.NoError(t, err)
		files[f.Name], err = io.ReadAll(r)
		require.NoError(t, err)
		require.NoError(t, r.Close())
	}
	return names, files
}

// fetch downloads a URL.
func fetch(t *testing.T, url string) []byte {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	return b
}

// readCSV reads an exported CSV file, which starts with a UTF-8 byte order mark.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	require.True(t, bytes.HasPrefix(b, []byte("\xef\xbb\xbf")), "a byte order mark")
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	require.NoError(t, err)
	return rows
}
