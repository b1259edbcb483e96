package api

import (
	"net/http"
)

// organizationResource documents an organization's settings.
var organizationResource = apiResource{
	Tag:   "organizations",
	About: "An organization's settings.",
	Schemas: []schemaDef{
		{Name: "UpdateOrganizationRequest", Type: organizationRequest{}, Examples: []string{`{"coi_warning_threshold": 0.125}`}},
		{Name: "OrganizationSettings", Type: organizationView{}},
	},
	Operations: []operation{
		{
			Method: http.MethodPatch, Path: "/api/v1/organizations/{orgID}", ID: "updateOrganization",
			Summary: "Change an organization's settings",
			Description: "Changes the organization's name and its inbreeding warning threshold (the coefficient " +
				"above which planned pairings get a coi_warning; 0.0625 unless changed), the fields sent; " +
				"the others are kept. The threshold applies to warnings from then on, including those of " +
				"pairings already planned. Owners and admins only.",
			Params:          []param{orgIDParam},
			Body:            organizationRequest{},
			BodyDescription: "The settings to change; every one is optional.",
			Responses: []reply{
				{Status: 200, Description: "The organization's settings.", Body: organizationView{}},
				{Status: 403, Description: "forbidden: the caller is neither owner nor admin of the organization."},
				organizationNotFound,
				{Status: 422, Description: "validation-failed: errors names the field and the rule, the first one refused: " +
					"coi_warning_threshold (not a coefficient from 0 to 1); transfer_expire_after_days (not 1 " +
					"to 90); transfer_remind_after_days (not 0 to 89, or not before the expiry); name (not 1 " +
					"to 120 characters after trimming); or an unknown field or a field of the wrong type was " +
					"sent. The body is checked before the caller's role."},
			},
		},
	},
}
