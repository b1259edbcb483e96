package api

import (
	"net/http"

	"github.com/reptidex/reptidex/imports"
)

// importIDParam is the path parameter naming an import.
var importIDParam = param{Name: "importID", In: "path", Description: "Public ID of the import.", Schema: `{"type": "string"}`}

// importResource documents imports of animals from a spreadsheet: uploaded, checked row by
// row, applied in batches, or cancelled.
var importResource = apiResource{
	Tag: "imports",
	About: "A collection brought in from a spreadsheet (CSV): our template (a header row of the field names breeder_id, " +
		"name, species, sex, hatch_date, genetics, sire, dam, status, visibility, microchip; breeder_id and species " +
		"required), the common marketplace inventory columns (Serial, Title, Category, Sex, Dob, Traits), or a " +
		"ReptiDex export's animals.csv. Each row is checked first and every problem named by line and column; then " +
		"the rows that can go in are applied, each whole or not at all. The breeder's own IDs (breeder_id) are the " +
		"key: importing the same file again updates rather than duplicates.",
	Schemas: []schemaDef{
		{Name: "Import", Type: importView{}, Description: "An import of animals from a spreadsheet.",
			Examples: []string{`{"id": "7hQpR2nVc8KtWx3mLs9bZe", "status": "checked", "file_name": "collection.csv", "bytes": 48211, "created_at": "2026-12-06T09:00:00Z", "checked_at": "2026-12-06T09:00:04Z", "expires_at": "2026-12-13T09:00:00Z", "report": {"encoding": "utf-8", "layout": "template", "columns": [{"header": "breeder_id", "field": "breeder_id"}, {"header": "genetics", "field": "genetics"}], "rows": 412, "valid": 410, "creates": 380, "updates": 30, "problems": [{"line": 17, "column": "genetics", "value": "Pastle", "problem": "\"Pastle\" is not a gene of Ball Python", "suggestion": "did you mean Pastel?"}], "problem_count": 2}}`}},
		{Name: "ImportReport", Type: importReportView{}, Description: "An import's dry run: every row checked, nothing written."},
		{Name: "ImportProblem", Type: imports.Problem{}, Description: "One thing wrong with a row."},
		{Name: "ImportColumn", Type: importColumn{}},
		{Name: "ImportApplied", Type: importAppliedView{}, Description: "What applying an import did, so far."},
		{Name: "ImportUpload", Type: importUploadView{}},
		{Name: "ImportPage", Type: importPage{}},
		{Name: "CreateImportRequest", Type: importRequest{}},
		{Name: "CheckImportRequest", Type: importCheckRequest{}},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/imports", ID: "startImport",
			Summary: "Start an import",
			Description: "A keeper, owner or admin declares the file to import (its size, and its name) and gets the " +
				"import, uploading, with a presigned PUT for the file (Content-Type text/csv, exactly the declared " +
				"size, for 15 minutes). Then POST .../check. An import not applied within 7 days is dropped with its " +
				"file. Idempotency-Key is optional: for 24 hours the same key answers the first answer again.",
			Params: []param{{Name: "Idempotency-Key", In: "header",
				Description: "A key of the caller's choosing that makes a retry of this request safe, remembered for 24 hours.",
				Schema:      `{"maxLength": 200, "type": "string"}`}},
			Body: importRequest{},
			Responses: []reply{
				{Status: 201, Description: "The import, uploading, and its upload.", Body: importUploadView{},
					Headers: []header{
						{Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri-reference"}`,
							Description: "The import's URL."},
						{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
							Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key, replayed."}}},
				{Status: 403, Description: "forbidden: viewers do not change the record."},
				{Status: 409, Description: "conflict: a request with this Idempotency-Key is still being handled (retry after Retry-After).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds to wait before retrying the request."}}},
				{Status: 422, Description: "validation-failed: the size or file name is out of bounds, each named; or Idempotency-Key used for another request."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/imports", ID: "listImports",
			Summary:     "The organization's imports",
			Description: "The organization's latest imports, newest first (at most 100), without their reports.",
			Responses: []reply{
				{Status: 200, Description: "The imports.", Body: importPage{}},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/imports/{importID}", ID: "getImport",
			Summary: "An import",
			Description: "One of the organization's imports: where it stands; once checked, its report (every row's " +
				"problems by line, column, value, problem and suggestion; the first 1000 listed, all counted; the rows " +
				"that would be new and those that would update); while and once applying, the batches done and the " +
				"rows recorded, updated and refused.",
			Params: []param{importIDParam},
			Responses: []reply{
				{Status: 200, Description: "The import.", Body: importView{}},
				{Status: 404, Description: "not-found: the import is not one of the organization's."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/imports/{importID}/check", ID: "checkImport",
			Summary: "Check an import's file",
			Description: "A keeper, owner or admin has the uploaded file checked, every row, without writing anything: " +
				"with the columns detected, or a mapping of their own (header → field, or ignore). It can be checked " +
				"again, with another mapping, until it is applied (at most 20 times). The answer is the import, " +
				"checking; GET it for the report.",
			Params: []param{importIDParam},
			Body:   importCheckRequest{},
			Responses: []reply{
				{Status: 202, Description: "The import, checking.", Body: importView{}},
				{Status: 403, Description: "forbidden: viewers do not change the record."},
				{Status: 404, Description: "not-found: the import is not one of the organization's."},
				{Status: 409, Description: "conflict: the file is not uploaded yet; or the import is being applied, or has ended; or it was checked 20 times."},
				{Status: 422, Description: "validation-failed: the mapping names a field an import does not read; each header at fault is named."},
				{Status: 503, Description: "unavailable: the import did not answer in time; GET it to see where it stands."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/imports/{importID}/apply", ID: "applyImport",
			Summary: "Apply a checked import",
			Description: "A keeper, owner or admin applies the checked file: its rows that can go in are written in " +
				"batches of 500, each row whole or not at all, through the same rules as the API's (a row refused " +
				"as it is applied is listed with why). A row whose breeder_id is one of the organization's animals' " +
				"updates it; any other is recorded new, within the plan's animals. The answer is the import, " +
				"applying; the creator is told when it is done.",
			Params: []param{importIDParam},
			Responses: []reply{
				{Status: 202, Description: "The import, applying.", Body: importView{}},
				{Status: 403, Description: "forbidden: viewers do not change the record."},
				{Status: 404, Description: "not-found: the import is not one of the organization's."},
				{Status: 409, Description: "conflict: the import is not checked, no row of it can go in, or it has ended."},
				{Status: 503, Description: "unavailable: the import did not answer in time; GET it to see where it stands."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/imports/{importID}/cancel", ID: "cancelImport",
			Summary:     "Cancel an import",
			Description: "A keeper, owner or admin drops an import not being applied; its file is deleted.",
			Params:      []param{importIDParam},
			Responses: []reply{
				{Status: 200, Description: "The import, cancelled.", Body: importView{}},
				{Status: 403, Description: "forbidden: viewers do not change the record."},
				{Status: 404, Description: "not-found: the import is not one of the organization's."},
				{Status: 409, Description: "conflict: the import is being applied, or has ended."},
				{Status: 503, Description: "unavailable: the import did not answer in time; GET it to see where it stands."},
			},
		},
	},
}
