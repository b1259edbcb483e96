package exports_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/exports"
	"github.com/reptidex/reptidex/store"
)

var columns = []store.ExportColumn{{Name: "id", CSV: true}, {Name: "name", CSV: true}, {Name: "season", CSV: true},
	{Name: "coi", CSV: true}, {Name: "public", CSV: true}, {Name: "created_at", CSV: true},
	{Name: "identifiers", JSON: true, CSV: true}, {Name: "claims", JSON: true}}

// write writes rows through a FileWriter and returns the CSV file and the JSON array.
func write(t *testing.T, rows ...[]any) ([]byte, []byte) {
	t.Helper()
	var c, j bytes.Buffer
	w, err := exports.NewFileWriter(&c, &j)
	require.NoError(t, err)
	require.NoError(t, w.Header(columns))
	for _, r := range rows {
		require.NoError(t, w.Row(r))
	}
	require.NoError(t, w.Close())
	require.Equal(t, int64(len(rows)), w.Rows())
	return c.Bytes(), j.Bytes()
}

// A row is written to the CSV file and the JSON array alike: cells that would run as formulas
// neutralised in the CSV and kept as they are in the JSON, JSON columns as JSON, a JSON-only
// column out of the CSV, times in UTC, nulls empty.
func TestFileWriter_WritesEachRowAsCSVAndJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 5, 14, 30, 0, 0, time.FixedZone("CET", 3600))
	c, j := write(t,
		[]any{"a1", "=HYPERLINK(\"x\")", int32(2025), 0.125, true, at, `{"breeder_id": "B-1"}`, `[{"gene": "clown"}]`},
		[]any{"a2", "Vega, \"the first\"\nline", nil, nil, false, at, "{}", "[]"},
	)
	require.True(t, bytes.HasPrefix(c, []byte("\xef\xbb\xbf")))
	rows, err := csv.NewReader(bytes.NewReader(c[3:])).ReadAll()
	require.NoError(t, err)
	require.Equal(t, [][]string{
		{"id", "name", "season", "coi", "public", "created_at", "identifiers"},
		{"a1", `'=HYPERLINK("x")`, "2025", "0.125", "true", "2026-12-05T13:30:00Z", `{"breeder_id": "B-1"}`},
		{"a2", "Vega, \"the first\"\nline", "", "", "false", "2026-12-05T13:30:00Z", ""},
	}, rows)

	var objs []map[string]any
	require.NoError(t, json.Unmarshal(j, &objs), "%s", j)
	require.Len(t, objs, 2)
	require.Equal(t, `=HYPERLINK("x")`, objs[0]["name"])
	require.Equal(t, float64(2025), objs[0]["season"])
	require.Equal(t, map[string]any{"breeder_id": "B-1"}, objs[0]["identifiers"])
	require.Equal(t, []any{map[string]any{"gene": "clown"}}, objs[0]["claims"])
	require.Equal(t, "2026-12-05T13:30:00Z", objs[0]["created_at"])
	require.Nil(t, objs[1]["season"])
	require.Equal(t, map[string]any{}, objs[1]["identifiers"])
}

// No rows is a header alone and an empty array.
func TestFileWriter_NoRowsIsAHeaderAndAnEmptyArray(t *testing.T) {
	t.Parallel()
	c, j := write(t)
	require.Equal(t, "\xef\xbb\xbfid,name,season,coi,public,created_at,identifiers\n", string(c))
	require.Equal(t, "[]", string(j))
}

func TestFileWriter_RefusesARowOfAnotherWidth(t *testing.T) {
	t.Parallel()
	w, err := exports.NewFileWriter(io.Discard, io.Discard)
	require.NoError(t, err)
	require.NoError(t, w.Header(columns))
	require.Error(t, w.Row([]any{"a1"}))
}

// The ZIP holds the README, the manifest, each part's CSV in order and the JSON document,
// which is the manifest's fields and each part's array under its name.
func TestWriteZip_HoldsEachFileAndOneJSONDocument(t *testing.T) {
	t.Parallel()
	opened := map[string]bool{}
	part := func(name, csvText, jsonText string) exports.Part {
		open := func(s, what string) func() (io.ReadCloser, error) {
			return func() (io.ReadCloser, error) { opened[what] = true; return io.NopCloser(strings.NewReader(s)), nil }
		}
		return exports.Part{Name: name, Rows: 1, ReadAt: time.Date(2026, 12, 5, 13, 0, 0, 0, time.UTC),
			CSV: open(csvText, name+".csv"), JSON: open(jsonText, name+".json")}
	}
	var out bytes.Buffer
	err := exports.WriteZip(&out, exports.Manifest{ExportID: "e1", Organization: exports.Organization{ID: "o1", Name: "Ada's"},
		ExportedAt: time.Date(2026, 12, 5, 13, 1, 0, 0, time.UTC)},
		[]exports.Part{part("animals", "id\na1\n", `[{"id":"a1"}]`), part("lineage", "animal_id\n", `[]`)})
	require.NoError(t, err)
	want := []string{"README.txt", "manifest.json", "animals.csv", "lineage.csv", "reptidex.json"}
	require.Len(t, opened, 4)

	z, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	require.NoError(t, err)
	files := map[string]string{}
	var names []string
	for _, f := range z.File {
		r, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		names = append(names, f.Name)
		files[f.Name] = string(b)
	}
	require.Equal(t, want, names)
	require.Equal(t, "id\na1\n", files["animals.csv"])
	var doc struct {
		exports.Manifest
		Animals []map[string]string `json:"animals"`
		Lineage []any               `json:"lineage"`
	}
	require.NoError(t, json.Unmarshal([]byte(files["reptidex.json"]), &doc), files["reptidex.json"])
	require.Equal(t, exports.Format, doc.Format)
	require.Equal(t, "Ada's", doc.Organization.Name)
	require.Equal(t, []map[string]string{{"id": "a1"}}, doc.Animals)
	require.Empty(t, doc.Lineage)
	require.Len(t, doc.Files, 2)
	require.Equal(t, "animals.csv", doc.Files[0].CSV)
	var m exports.Manifest
	require.NoError(t, json.Unmarshal([]byte(files["manifest.json"]), &m))
	require.Equal(t, doc.Manifest, m)
	require.Contains(t, files["README.txt"], "lineage.csv")
}

// A part that cannot be opened fails the ZIP, naming the entry.
func TestWriteZip_APartThatCannotBeReadFailsIt(t *testing.T) {
	t.Parallel()
	broken := exports.Part{Name: "animals", CSV: func() (io.ReadCloser, error) { return nil, io.ErrUnexpectedEOF }}
	err := exports.WriteZip(io.Discard, exports.Manifest{}, []exports.Part{broken})
	require.ErrorContains(t, err, "animals.csv")
}
