package api

import (
	"net/http"
)

// billingResource documents the plans and which plan an organization is on.
var billingResource = apiResource{
	Tag: "billing",
	About: "The plans organizations can be on (Free, Pro, Business), their prices and their limits. Public " +
		"to read; platform administrators edit them and grant them to organizations. Every limited action " +
		"checks its limit in its own transaction and answers 402 plan-limit beyond it, naming the limit, " +
		"the plan, used, allowed and upgrade_url. After a downgrade nothing is deleted: listings beyond the " +
		"limit are paused, animals beyond it stay readable but read-only, and an upgrade restores both at once.",
	Schemas: []schemaDef{
		{Name: "PlanLimits", Type: planLimitsView{}},
		{Name: "Plan", Type: planView{}},
		{Name: "AdminPlan", Type: adminPlanView{}},
		{Name: "PlanList", Type: planList{}},
		{Name: "OrganizationPlan", Type: organizationPlanView{}},
		{Name: "UpdatePlanRequest", Type: planEditRequest{}, Examples: []string{
			`{"price_minor": 1500, "limits": {"animals": 2000, "members": null}}`}},
		{Name: "UpdatePlanLimits", Type: planLimitsEdit{}},
		{Name: "PlanGrantRequest", Type: planGrantRequest{}, Examples: []string{`{"plan": "business"}`}},
		{Name: "PlanGrant", Type: planGrantView{}},
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
			Method: http.MethodPut, Path: "/api/v1/admin/organizations/{orgID}/plan-grant", ID: "grantPlan",
			Summary: "Grant an organization a plan",
			Description: "Support grants an organization a plan (a comp account): the organization is then on the " +
				"better of the granted plan and the plan it subscribes to, with the effects of the move: paused " +
				"listings back on sale up to the new limit on the way up; on the way down, the newest active " +
				"listings beyond the limit paused (never one an order holds) and animals beyond the limit " +
				"read-only. The change is audited, recorded as an event and told to the organization's owners, " +
				"once; granting the plan already granted changes nothing. Platform administrators only; the " +
				"refusal of anyone else comes first, before the body.",
			Params:          []param{adminOrgIDParam},
			Body:            planGrantRequest{},
			BodyDescription: "The plan to grant.",
			Responses: []reply{
				{Status: 200, Description: "The organization's plan now, the grant, and the listings the change paused or resumed.", Body: planGrantView{}},
				{Status: 403, Description: "forbidden: the caller is not a platform administrator."},
				{Status: 404, Description: "not-found: no organization has this ID."},
				{Status: 422, Description: "validation-failed: plan is missing or not the key of a plan; or an unknown field " +
					"or a field of the wrong type was sent. Nothing was written."},
			},
		},
		{
			Method: http.MethodDelete, Path: "/api/v1/admin/organizations/{orgID}/plan-grant", ID: "ungrantPlan",
			Summary: "Remove an organization's granted plan",
			Description: "Removes the plan support granted: the organization goes back to the plan it subscribes to " +
				"(Free without a subscription), with the effects of the move, as when granting. Removing no grant " +
				"changes nothing. Platform administrators only.",
			Params: []param{adminOrgIDParam},
			Responses: []reply{
				{Status: 200, Description: "The organization's plan now, and the listings the change paused or resumed.", Body: planGrantView{}},
				{Status: 403, Description: "forbidden: the caller is not a platform administrator."},
				{Status: 404, Description: "not-found: no organization has this ID."},
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

// adminOrgIDParam names any organization, for platform administrators.
var adminOrgIDParam = param{Name: "orgID", In: "path",
	Description: "Public ID of the organization (a random Base58 string).", Schema: `{"type": "string"}`}

// planLimitReply is the 402 of an operation a plan's limit can refuse; what says when.
func planLimitReply(what string) reply {
	return reply{Status: 402, Description: "plan-limit: " + what + " The problem names the limit, the plan, used and " +
		"allowed, and upgrade_url where the plans are listed (/api/v1/billing/plans)."}
}

// animalReadOnly is the 402 of a change to an animal beyond the organization's plan.
var animalReadOnly = planLimitReply("the organization keeps more animals than its plan allows (after a downgrade, or " +
	"animals received) and this one is beyond the first it allows by when they came in (limit animals): it stays " +
	"readable, listable and transferable, but its record cannot change until the organization upgrades or moves animals out.")
