package api

import "net/http"

// attemptKeyParam is the optional Idempotency-Key of a request that asks Stripe for something.
var attemptKeyParam = param{Name: "Idempotency-Key", In: "header",
	Description: "A key of the caller's choosing: a retry of the request with the same key repeats the same " +
		"call to Stripe rather than making another.",
	Schema: `{"maxLength": 200, "type": "string"}`}

// seeOther are the answers of a link that opens a page at Stripe: a redirect for a browser,
// the URL for a client that asks for JSON.
func seeOther(what string) []reply {
	return []reply{
		{Status: 200, Description: "With Accept: application/json, " + what + " to open.", Body: stripeLinkView{}},
		{Status: 303, Description: "See Other: Location is " + what + ".",
			Headers: []header{{Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri"}`,
				Description: what}}},
	}
}

var (
	billingForbidden = reply{Status: 403, Description: "forbidden: only the organization's owners and admins manage its subscription."}
	noSubscription   = reply{Status: 409, Description: "conflict: the organization has no live subscription (subscribe first), " +
		"or Stripe refused the change; nothing changed."}
	badAttemptKey = reply{Status: 422, Description: "validation-failed: Idempotency-Key is sent twice, longer than 200 " +
		"characters, or not printable ASCII without spaces."}
)

// subscriptionResource documents the organization's subscription: subscribing, changing plan,
// cancelling, the billing portal and the invoices.
var subscriptionResource = apiResource{
	Tag: "subscriptions",
	About: "The caller's organization's subscription, paid through Stripe Billing. Subscribing opens a Stripe " +
		"Checkout page; changes are asked of Stripe and apply when Stripe confirms them by webhook, which is " +
		"also how renewals, failed payments and cancellations arrive. A failed renewal never cuts access: a " +
		"dunning process reminds the owners on days 3, 7 and 12 and, if the invoice is still unpaid after 14 " +
		"days, moves the organization to Free with nothing deleted; paying restores the plan at once.",
	Schemas: []schemaDef{
		{Name: "Billing", Type: billingView{}},
		{Name: "Subscription", Type: subscriptionView{}},
		{Name: "Invoice", Type: invoiceView{}},
		{Name: "InvoiceList", Type: invoiceList{}},
		{Name: "CheckoutRequest", Type: checkoutRequest{}, Examples: []string{`{"plan": "pro"}`}},
		{Name: "Checkout", Type: checkoutView{}},
		{Name: "PlanChangeRequest", Type: planChangeRequest{}, Examples: []string{`{"plan": "business"}`}},
		{Name: "StripeLink", Type: stripeLinkView{}},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/billing/checkout", ID: "startCheckout",
			Summary: "Subscribe to a plan",
			Description: "Opens a Stripe Checkout page where the organization subscribes to the plan; the " +
				"organization's Stripe customer is created the first time. The plan applies when Stripe tells " +
				"that the subscription is active. Owners and admins only.",
			Params:          []param{attemptKeyParam},
			Body:            checkoutRequest{},
			BodyDescription: "The plan to subscribe to.",
			Responses: []reply{
				{Status: 201, Description: "The Checkout page to open.", Body: checkoutView{}},
				billingForbidden,
				{Status: 409, Description: "conflict: the organization already has a live subscription (change its plan " +
					"instead), or Stripe refused the request."},
				{Status: 422, Description: "validation-failed: plan is missing, not a plan, or cannot be subscribed to (Free, or a " +
					"plan without a Stripe price); or the body or Idempotency-Key is malformed."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/billing/subscription", ID: "getSubscription",
			Summary: "The organization's subscription",
			Description: "The plan whose limits apply now and the subscription as Stripe last told it (null when the " +
				"organization never subscribed). Any member may read it.",
			Responses: []reply{
				{Status: 200, Description: "The plan and the subscription.", Body: billingView{}},
			},
		},
		{
			Method: http.MethodPatch, Path: "/api/v1/billing/subscription", ID: "changeSubscriptionPlan",
			Summary: "Change plan",
			Description: "Moves the subscription to another plan, the rest of the period prorated. The new plan " +
				"applies when Stripe confirms the change. Also while a renewal is unpaid: dunning goes on. Owners " +
				"and admins only.",
			Params:          []param{attemptKeyParam},
			Body:            planChangeRequest{},
			BodyDescription: "The new plan.",
			Responses: []reply{
				{Status: 202, Description: "The change is asked of Stripe; the subscription as it stands.", Body: subscriptionView{}},
				billingForbidden,
				{Status: 409, Description: "conflict: no live subscription, already on that plan, or Stripe refused the change."},
				{Status: 422, Description: "validation-failed: plan is missing, not a plan, or cannot be subscribed to."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/billing/subscription/cancel", ID: "cancelSubscription",
			Summary: "Cancel the subscription",
			Description: "A subscription in good standing runs to the end of the period paid for and then ends (it " +
				"may be resumed until then). One whose renewal is unpaid ends now and its open invoices are " +
				"voided, so nobody is charged after cancelling; the organization moves to Free, nothing deleted. " +
				"Owners and admins only.",
			Params: []param{attemptKeyParam},
			Responses: []reply{
				{Status: 202, Description: "The cancellation is asked of Stripe; the subscription as it stands.", Body: subscriptionView{}},
				billingForbidden, noSubscription, badAttemptKey,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/billing/subscription/resume", ID: "resumeSubscription",
			Summary:     "Keep a subscription that was to end",
			Description: "Undoes a cancellation at the end of the period, before the period ends. Owners and admins only.",
			Params:      []param{attemptKeyParam},
			Responses: []reply{
				{Status: 202, Description: "The resumption is asked of Stripe; the subscription as it stands.", Body: subscriptionView{}},
				billingForbidden, noSubscription, badAttemptKey,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/billing/portal", ID: "openBillingPortal",
			Summary: "Open the billing portal",
			Description: "Sends the caller to a new Stripe Customer Portal session, where the payment method is " +
				"changed and invoices are seen. Each request makes a fresh session, so the link in an email " +
				"still works whenever it is clicked. Owners and admins only.",
			Responses: append(seeOther("the Customer Portal session"),
				billingForbidden,
				reply{Status: 409, Description: "conflict: the organization has no billing account yet (never subscribed)."},
			),
		},
		{
			Method: http.MethodGet, Path: "/api/v1/billing/invoices", ID: "listInvoices",
			Summary:     "List invoices",
			Description: "The subscription's invoices, newest first, as Stripe last told them. Owners and admins only.",
			Params: []param{
				{Name: "cursor", In: "query", Description: "next_cursor of the previous page.", Schema: `{"type": "string"}`},
				{Name: "limit", In: "query", Description: "Invoices per page, 1 to 100 (default 20).",
					Schema: `{"type": "integer", "minimum": 1, "maximum": 100}`}},
			Responses: []reply{
				{Status: 200, Description: "A page of invoices.", Body: invoiceList{}},
				{Status: 400, Description: "malformed-request: limit is not a whole number from 1 to 100, or cursor is not one this API issued."},
				billingForbidden,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/billing/invoices/{invoice}/pay", ID: "payInvoice",
			Summary: "Pay or authenticate an invoice",
			Description: "Sends the caller to the invoice's page at Stripe, where it is paid, or the payment " +
				"authenticated when the bank asks. Owners and admins only.",
			// Not named invoiceID: path parameters named *ID are our public IDs, and Stripe's are not.
			Params: []param{{Name: "invoice", In: "path", Description: "Stripe's ID of the invoice (in_...).", Schema: `{"type": "string"}`}},
			Responses: append(seeOther("the invoice's payment page"),
				billingForbidden,
				reply{Status: 404, Description: "not-found: the invoice is not one of the organization's."},
				reply{Status: 409, Description: "conflict: the invoice has nothing left to pay."},
			),
		},
	},
}
