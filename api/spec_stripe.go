package api

import (
	"net/http"

	"github.com/stripe/stripe-go/v76"
)

// stripeResource documents the door Stripe's webhooks come in by.
var stripeResource = apiResource{
	Tag:   "stripe",
	About: "Stripe's webhook deliveries to the platform: verified, kept once, routed by type.",
	Schemas: []schemaDef{
		{Name: "StripeEvent", Type: stripe.Event{}, Description: "A Stripe event as Stripe sends it (API version 2023-10-16); " +
			"only the fields the platform reads are listed, and any other is kept as sent.",
			JSON: `{"type": "object", "required": ["id", "type", "api_version", "created"], "additionalProperties": true,
				"properties": {
					"id": {"type": "string", "maxLength": 255, "description": "The event's id (evt_...), processed once."},
					"type": {"type": "string", "maxLength": 255, "description": "What happened, e.g. account.updated."},
					"api_version": {"type": "string", "enum": ["2023-10-16"], "description": "The API version the event is rendered in."},
					"account": {"type": "string", "description": "The connected account the event happened on; absent for the platform's own."},
					"created": {"type": "integer", "description": "When Stripe created the event, in Unix seconds."},
					"data": {"type": "object", "description": "The object the event is about, and its previous attributes."}
				}}`},
		{Name: "StripeReceipt", Type: stripeReceipt{}},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/stripe/webhooks", ID: "receiveStripeWebhook", Public: true,
			Summary: "Receive a Stripe webhook event",
			Description: "Stripe posts the platform's events here (configure the endpoint with API version 2023-10-16 " +
				"and its signing secret as STRIPE_WEBHOOK_SECRET). No bearer token: the Stripe-Signature header is " +
				"the credential, an HMAC-SHA256 over '<t>.<body>' with the endpoint's secret, and a signature more " +
				"than 300 s old is refused as a possible replay. Each event is kept once, for audit: a repeated " +
				"delivery of an event id answers 200 with duplicate true and is not processed again; an event of " +
				"a type the platform does not act on answers 200 and is kept. An event whose processing fails " +
				"is not kept, and the error answer makes Stripe deliver it again.",
			Params: []param{{Name: "Stripe-Signature", In: "header", Required: true,
				Description: "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>, as Stripe sends it.",
				Schema:      `{"type": "string", "maxLength": 1000}`}},
			Body:            stripe.Event{},
			BodyDescription: "The event, byte for byte as Stripe signed it.",
			Responses: []reply{
				{Status: 200, Description: "Received: kept and processed, or a repeat of an event received before.", Body: stripeReceipt{}},
				{Status: 400, Description: "malformed-request: the detail names the check that failed: Stripe-Signature missing " +
					"or not t=...,v1=...; no signature matching the body (forged, altered, or another secret); a " +
					"timestamp more than 300 s old (stale or replayed); a body that is not a JSON event; an " +
					"api_version other than 2023-10-16; an event without id, type or created."},
			},
		},
	},
}
