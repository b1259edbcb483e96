package api

import "net/http"

// personalResource documents what ReptiDex holds about the caller, for the caller.
var personalResource = apiResource{
	Tag:   "personal data",
	About: "Everything ReptiDex holds about a person, for them to take away.",
	Schemas: []schemaDef{
		{Name: "PersonalExport", Type: personalExportView{}, Description: "The document of everything held about the caller.",
			Examples: []string{`{"id": "3kPq8ZrTc1MvWx6nLs2bYd", "status": "running", "created_at": "2026-12-06T09:00:00Z"}`}},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/me/export", ID: "requestPersonalExport",
			Summary: "Export your personal data",
			Description: "Anyone signed in asks for everything ReptiDex holds about them, across organizations, as one " +
				"JSON document: their account, memberships, sessions, notifications and preferences, invitations and " +
				"transfers they sent or received, orders they placed, and what they did (events and changes, without " +
				"the organizations' rows). The answer is the export, running; once stored it is ready, and they are " +
				"sent a download link that works for 7 days. One at a time.",
			Responses: []reply{
				{Status: 202, Description: "The export, running.", Body: personalExportView{},
					Headers: []header{{Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri-reference"}`,
						Description: "The export's URL."}}},
				{Status: 409, Description: "conflict: the caller's personal data is already being gathered."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/me/exports/{exportID}", ID: "getPersonalExport",
			Summary:     "Your personal data export",
			Description: "One of the caller's personal exports; once ready, its size and a presigned download that works until it expires.",
			Params:      []param{{Name: "exportID", In: "path", Description: "Public ID of the personal export.", Schema: `{"type": "string"}`}},
			Responses: []reply{
				{Status: 200, Description: "The export.", Body: personalExportView{}},
				{Status: 404, Description: "not-found: the export is not one of the caller's."},
			},
		},
	},
}
