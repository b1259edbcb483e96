package api

import (
	"net/http"
)

// stripeUnavailable is the answer when Stripe could not be reached or answered 5xx, after
// the client's retries.
var stripeUnavailable = reply{Status: 503, Description: "unavailable: Stripe could not answer (unreachable, timing " +
	"out or failing) after the retries, or the request's deadline passed, or another dependency cannot serve it now; retry after Retry-After seconds.",
	Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
		Description: "Seconds to wait before retrying the request."}}}

// marketplaceResource documents selling: the organization's seller account.
var marketplaceResource = apiResource{
	Tag: "marketplace",
	About: "Selling: the organization's seller account, a Stripe Connect Express account through which it is " +
		"paid. An organization lists and sells only once charges and payouts are enabled on it; until then " +
		"listing and selling answer 409 seller-not-ready, naming what is missing.",
	Schemas: []schemaDef{
		{Name: "SellerAccountRequest", Type: sellerAccountRequest{}},
		{Name: "SellerAccount", Type: sellerAccountView{}, Description: "The organization's seller account as Stripe last reported it."},
		{Name: "OnboardingLink", Type: onboardingLinkView{}},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/marketplace/seller-account", ID: "createSellerAccount",
			Summary: "Create the organization's seller account",
			Description: "An owner or admin gives the organization its Stripe Connect Express account, in the seller's " +
				"country, with the email address of its longest-standing owner (Stripe prefills onboarding with it). " +
				"Once: when the organization has one, the answer is that account (200), whoever asks again; the " +
				"Stripe request's idempotency key is the organization's, so a retry or a concurrent request never " +
				"creates a second account. Then onboard through POST " +
				"/api/v1/marketplace/seller-account/onboarding-link.",
			Body: sellerAccountRequest{},
			Responses: []reply{
				{Status: 201, Description: "Created.", Body: sellerAccountView{}},
				{Status: 200, Description: "The organization already had it: the account as it stands.", Body: sellerAccountView{}},
				{Status: 403, Description: "forbidden: only owners and admins manage the organization's seller account."},
				{Status: 409, Description: "conflict: the organization's seller account is in another country; a Stripe " +
					"account's country never changes."},
				{Status: 422, Description: "validation-failed: country is not two capital letters (ISO 3166-1 alpha-2) or " +
					"is one Stripe does not accept."},
				stripeUnavailable,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/marketplace/seller-account", ID: "getSellerAccount",
			Summary: "The organization's seller account",
			Description: "The seller account as Stripe last reported it (account.updated): charges and payouts enabled, " +
				"details submitted, the requirements Stripe has due, and whether the organization can sell, with " +
				"what is missing when it cannot. Any member may read it.",
			Responses: []reply{
				{Status: 200, Description: "The seller account.", Body: sellerAccountView{}},
				{Status: 404, Description: "not-found: the organization has no seller account yet."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/marketplace/seller-account/onboarding-link", ID: "createOnboardingLink",
			Summary: "A fresh onboarding link",
			Description: "An owner or admin gets a new Stripe onboarding link (an Account Link of type " +
				"account_onboarding) for the organization's seller account: each link works once and expires " +
				"within minutes, so ask for one on each click. Stripe sends the person back to PUBLIC_BASE_URL's " +
				"/seller/onboarding/return when they finish or leave, and to /seller/onboarding/refresh when the " +
				"link has expired or was used (ask for a new one there). What they submitted reaches the account's " +
				"status through account.updated.",
			Responses: []reply{
				{Status: 201, Description: "A new link.", Body: onboardingLinkView{}},
				{Status: 403, Description: "forbidden: only owners and admins manage the organization's seller account."},
				{Status: 404, Description: "not-found: the organization has no seller account yet; create it first."},
				stripeUnavailable,
			},
		},
	},
}
