package api

import (
	"net/http"
)

// billingResource documents the plans and which plan an organization is on.
var billingResource = apiResource{
	Tag: "billing",
	About: "The plans organizations can be on (Free, Pro, Business), their prices and their limits. Public " +
		"to read; platform administrators edit them. The limits are listed but not enforced yet.",
	Schemas: []schemaDef{
		{Name: "PlanLimits", Type: planLimitsView{}},
		{Name: "Plan", Type: planView{}},
		{Name: "AdminPlan", Type: adminPlanView{}},
		{Name: "PlanList", Type: planList{}},
		{Name: "OrganizationPlan", Type: organizationPlanView{}},
		{Name: "UpdatePlanRequest", Type: planEditRequest{}, Examples: []string{
			`{"price_minor": 1500, "limits": {"animals": 2000, "members": null}}`}},
		{Name: "UpdatePlanLimits", Type: planLimitsEdit{}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/billing/plans", ID: "listPlans",
			Public:  true,
			Summary: "List plans",
			Description: "Every plan, in the order they are shown, with its monthly price (in minor units of its " +
				"currency) and its limits: animals, active listings, certificates per month, scheduled exports, " +
				"text messages per month and members, null meaning unlimited. Public: needs no token. The answer " +
				"may be cached for 60 seconds (Cache-Control), so an edit may take that long to show.",
			Responses: []reply{
				{Status: 200, Description: "The plans.", Body: planList{}},
			},
		},
		{
			Method: http.MethodPatch, Path: "/api/v1/admin/billing/plans/{plan}", ID: "updatePlan",
			Summary: "Edit a plan",
			Description: "Changes a plan's name, displayed price, currency, Stripe price or limits, the fields " +
				"sent; the others are kept. Within limits, an omitted limit is kept and null makes it " +
				"unlimited. Platform administrators only; the refusal of anyone else comes first, before " +
				"the body. The change is recorded with the administrator who made it.",
			Params: []param{{Name: "plan", In: "path",
				Description: "Key of the plan, such as pro (key of a Plan).",
				Schema:      `{"type": "string"}`}},
			Body:            planEditRequest{},
			BodyDescription: "The fields to change; every one is optional.",
			Responses: []reply{
				{Status: 200, Description: "The plan as edited, with its Stripe price.", Body: adminPlanView{}},
				{Status: 403, Description: "forbidden: the caller is not a platform administrator."},
				{Status: 404, Description: "not-found: no plan has this key."},
				{Status: 422, Description: "validation-failed: errors names the field and the rule, the first one refused: " +
					"name (not 1 to 60 characters after trimming); price_minor (not from 0 to 100000000); currency " +
					"(not a three-letter lower-case code); stripe_price_id (neither empty nor price_ followed by " +
					"letters and digits); limits.<limit> (not from 0 to 100000000 nor null); or an unknown field " +
					"or a field of the wrong type was sent. Nothing was written."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/organizations/{orgID}/plan", ID: "getOrganizationPlan",
			Summary: "The organization's plan",
			Description: "The plan the organization is on, with its price and limits; every organization starts " +
				"on Free. Any member may read it.",
			Params: []param{orgIDParam},
			Responses: []reply{
				{Status: 200, Description: "The organization's plan.", Body: organizationPlanView{}},
				organizationNotFound,
			},
		},
	},
}
