package api

import "net/http"

// personalResource documents what ReptiDex holds about the caller, for the caller.
var personalResource = apiResource{
	Tag:   "personal data",
	About: "Everything ReptiDex holds about a person, for them to take away; and the deletion of their account.",
	Schemas: []schemaDef{
		{Name: "PersonalExport", Type: personalExportView{}, Description: "The document of everything held about the caller.",
			Examples: []string{`{"id": "3kPq8ZrTc1MvWx6nLs2bYd", "status": "running", "created_at": "2026-12-06T09:00:00Z"}`}},
		{Name: "Deletion", Type: deletionView{}, Description: "Where the deletion of the caller's account stands.",
			Examples: []string{`{"status": "scheduled", "erase_at": "2027-01-05T09:00:00Z", "organizations": [{"id": "5nKq2ZrTc1MvWx6nLs2bYd", "name": "Ada's Reptiles", "fate": "handed_over", "heir": "Bob"}]}`}},
		{Name: "DeletionOrganization", Type: deletionOrganization{}},
		{Name: "DeletionRequest", Type: deletionRequest{}},
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
		{
			Method: http.MethodPost, Path: "/api/v1/me/deletion", ID: "requestDeletion",
			Summary: "Delete your account",
			Description: "The caller asks, with their password, for their account to be deleted. It is erased after 30 " +
				"days, in which they can keep it (DELETE); they are told now, 3 days before, and when it is done. Erasing " +
				"replaces their name, address and phone number with a pseudonym wherever they were recorded (what they " +
				"did in organizations stays, under the pseudonym), ends their sessions and memberships, and hands each " +
				"organization where they are the last owner to its longest-standing other member (admins first), who " +
				"is told; one with no other member is closed, its record kept and its listings withdrawn.",
			Body: deletionRequest{},
			Responses: []reply{
				{Status: 202, Description: "The deletion, scheduled, with what it would do to the caller's organizations.", Body: deletionView{}},
				{Status: 409, Description: "conflict: the account is already to be deleted; or an organization it would close pays a subscription, which must be cancelled first."},
				{Status: 429, Description: "rate-limited: too many credential attempts from this client (token bucket per IPv4 " +
					"address or IPv6 /64, as for logging in).",
					Headers: []header{{Name: "Retry-After", Required: true, Schema: `{"type": "integer", "minimum": 1}`,
						Description: "Whole seconds to wait before the next attempt from this address will be accepted."}}},
				{Status: 422, Description: "validation-failed: the password is not the account's."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/me/deletion", ID: "getDeletion",
			Summary:     "Your account's deletion",
			Description: "Whether the caller's account is to be deleted and when, and what erasing it would do to the organizations where they are the last owner, as things stand.",
			Responses: []reply{
				{Status: 200, Description: "The deletion.", Body: deletionView{}},
			},
		},
		{
			Method: http.MethodDelete, Path: "/api/v1/me/deletion", ID: "cancelDeletion",
			Summary:     "Keep your account",
			Description: "The caller cancels the deletion of their account within its grace; they are told.",
			Responses: []reply{
				{Status: 200, Description: "The account, no longer to be deleted.", Body: deletionView{}},
				{Status: 409, Description: "conflict: the account is not to be deleted, or its erasure has begun."},
				{Status: 503, Description: "unavailable: the deletion did not answer in time; GET it to see where it stands."},
			},
		},
	},
}
