package api

import (
	"net/http"

	"github.com/reptidex/reptidex/workflows/export"
)

// exportResource documents exports of an organization's data: asked for, listed, and read
// with their progress and download.
var exportResource = apiResource{
	Tag: "exports",
	About: "Everything an organization keeps, as CSV files and one JSON document in a ZIP, to take away at any time " +
		"(see the README.txt inside for each file).",
	Schemas: []schemaDef{
		{Name: "Export", Type: exportView{}, Description: "An export of the organization's data.",
			Examples: []string{`{"id": "9sZqL4mWc2Ht7Xk1bR5pNe", "status": "running", "created_at": "2026-12-05T13:00:00Z", "progress": {"stage": "writing", "files_done": 3, "files_total": 10, "rows": 41200}}`}},
		{Name: "ExportProgress", Type: export.Progress{}, Description: "How far a running export has gone."},
		{Name: "ExportPage", Type: exportPage{}},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/exports", ID: "requestExport",
			Summary: "Export the organization's data",
			Description: "An owner or admin asks for an export of everything the organization keeps: animals, genetics " +
				"(trade names and structured), lineage (parents of other breeders by their public IDs), pairings, " +
				"clutches, hatchlings, transfers, sales, certificates and the photos' index, as CSV files and one " +
				"JSON document in a ZIP. The answer is the export, running; GET it for its progress. Once its ZIP " +
				"is stored it is ready, and the requester is sent a download link that works for 7 days. One " +
				"export runs at a time per organization. Idempotency-Key is optional: for 24 hours the same key " +
				"answers the first answer again.",
			Params: []param{{Name: "Idempotency-Key", In: "header",
				Description: "A key of the caller's choosing that makes a retry of this request safe, remembered for 24 hours.",
				Schema:      `{"maxLength": 200, "type": "string"}`}},
			Responses: []reply{
				{Status: 202, Description: "The export, running.", Body: exportView{},
					Headers: []header{
						{Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri-reference"}`,
							Description: "The export's URL."},
						{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
							Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key, replayed."}}},
				{Status: 403, Description: "forbidden: only owners and admins export the organization's data."},
				{Status: 409, Description: "conflict: an export of the organization is already running; or a request with " +
					"this Idempotency-Key is still being handled (retry after Retry-After).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds to wait before retrying the request."}}},
				{Status: 422, Description: "validation-failed: Idempotency-Key used for another request."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/exports", ID: "listExports",
			Summary:     "The organization's exports",
			Description: "The organization's latest exports, newest first (at most 100), without progress or links.",
			Responses: []reply{
				{Status: 200, Description: "The exports.", Body: exportPage{}},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/exports/{exportID}", ID: "getExport",
			Summary: "An export",
			Description: "One of the organization's exports: while running, how far it has gone (absent when its " +
				"process cannot be asked at the moment); once ready, the ZIP's size, the rows of each file, and " +
				"a presigned download that works until the export expires, 7 days after it was ready. An expired " +
				"export's ZIP is deleted.",
			Params: []param{{Name: "exportID", In: "path", Description: "Public ID of the export.", Schema: `{"type": "string"}`}},
			Responses: []reply{
				{Status: 200, Description: "The export.", Body: exportView{}},
				{Status: 404, Description: "not-found: the export is not one of the organization's."},
			},
		},
	},
}
