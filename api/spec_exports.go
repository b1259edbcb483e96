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
		{Name: "ExportSchedule", Type: exportScheduleView{}, Description: "A schedule of the organization's exports.",
			Examples: []string{`{"id": "4fTqW9zKc2NvRbHxMwPq7Y", "frequency": "weekly", "time": "03:30", "weekday": "sunday", "time_zone": "Europe/Berlin", "paused": false, "created_at": "2026-12-05T13:00:00Z", "updated_at": "2026-12-05T13:00:00Z", "next_runs": ["2026-12-06T02:30:00Z"]}`}},
		{Name: "ExportSchedulePage", Type: exportSchedulePage{}},
		{Name: "CreateExportScheduleRequest", Type: exportScheduleRequest{}},
		{Name: "UpdateExportScheduleRequest", Type: exportSchedulePatch{}},
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
			Method: http.MethodPost, Path: "/api/v1/exports/schedules", ID: "createExportSchedule",
			Summary: "Schedule exports",
			Description: "An owner or admin schedules exports of the organization's data: daily, weekly on a weekday, or " +
				"monthly on a day of the month (1 to 28), at a time of day in an IANA time zone. At each time an export " +
				"is made as if the schedule's creator asked for it (skipped while another export runs, or once the " +
				"creator is no longer an owner or admin), and its link is sent to them. A paused schedule makes none " +
				"until resumed (PATCH). Each schedule counts against the plan's scheduled exports.",
			Body: exportScheduleRequest{},
			Responses: []reply{
				planLimitReply("the organization has as many export schedules as its plan allows (limit scheduled_exports; Free allows none)."),
				{Status: 201, Description: "The schedule.", Body: exportScheduleView{},
					Headers: []header{{Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri-reference"}`,
						Description: "The schedule's URL."}}},
				{Status: 403, Description: "forbidden: only owners and admins schedule exports."},
				{Status: 422, Description: "validation-failed: the frequency, time, weekday, day of the month or time zone is not one the schedule can keep; each field at fault is named."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/exports/schedules", ID: "listExportSchedules",
			Summary:     "The organization's export schedules",
			Description: "Every schedule of the organization's exports, oldest first, without their next runs.",
			Responses: []reply{
				{Status: 200, Description: "The schedules.", Body: exportSchedulePage{}},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/exports/schedules/{scheduleID}", ID: "getExportSchedule",
			Summary:     "An export schedule",
			Description: "One of the organization's schedules, with its next runs.",
			Params:      []param{{Name: "scheduleID", In: "path", Description: "Public ID of the schedule.", Schema: `{"type": "string"}`}},
			Responses: []reply{
				{Status: 200, Description: "The schedule.", Body: exportScheduleView{}},
				{Status: 404, Description: "not-found: the schedule is not one of the organization's."},
			},
		},
		{
			Method: http.MethodPatch, Path: "/api/v1/exports/schedules/{scheduleID}", ID: "updateExportSchedule",
			Summary: "Change, pause or resume an export schedule",
			Description: "An owner or admin changes a schedule's timing (the fields sent; a new frequency drops a weekday " +
				"or day of the month it does not take), or pauses (paused true) or resumes (paused false) it.",
			Params: []param{{Name: "scheduleID", In: "path", Description: "Public ID of the schedule.", Schema: `{"type": "string"}`}},
			Body:   exportSchedulePatch{},
			Responses: []reply{
				{Status: 200, Description: "The schedule as changed.", Body: exportScheduleView{}},
				{Status: 403, Description: "forbidden: only owners and admins schedule exports."},
				{Status: 404, Description: "not-found: the schedule is not one of the organization's."},
				{Status: 422, Description: "validation-failed: the timing as changed is not one the schedule can keep; each field at fault is named."},
			},
		},
		{
			Method: http.MethodDelete, Path: "/api/v1/exports/schedules/{scheduleID}", ID: "deleteExportSchedule",
			Summary:     "Delete an export schedule",
			Description: "An owner or admin deletes a schedule: it makes no more exports; those it made stay until they expire.",
			Params:      []param{{Name: "scheduleID", In: "path", Description: "Public ID of the schedule.", Schema: `{"type": "string"}`}},
			Responses: []reply{
				{Status: 204, Description: "Deleted."},
				{Status: 403, Description: "forbidden: only owners and admins schedule exports."},
				{Status: 404, Description: "not-found: the schedule is not one of the organization's."},
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
