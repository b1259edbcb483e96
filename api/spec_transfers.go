package api

import (
	"net/http"
)

// transferResource documents handing an animal to another breeder.
var transferResource = apiResource{
	Tag:   "transfers",
	About: "Handing an animal to another breeder: offer, accept, decline, cancel.",
	Schemas: []schemaDef{
		{Name: "TransferAnimal", Type: transferAnimal{}, Description: "The animal as offered."},
		{Name: "TimelineEntry", Type: timelineEntry{}},
		{Name: "Transfer", Type: transferView{}},
		{Name: "TransferList", Type: transferList{}},
		{Name: "CreateTransferRequest", Type: createTransferRequest{}},
		{Name: "AcceptTransferRequest", Type: acceptTransferRequest{}},
		{Name: "DeclineTransferRequest", Type: declineTransferRequest{}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/transfers", ID: "listTransfers",
			Summary: "List transfers",
			Description: "Transfers the caller's organization offered (outgoing) and those offered to it or to the " +
				"caller's verified email address (incoming), newest first, a page at a time.",
			Params: []param{{Name: "direction", In: "query",
				Description: "incoming or outgoing; omit for both.",
				Schema:      `{"type": "string", "enum": ["incoming", "outgoing"]}`}, cursorParam, limitParam},
			Responses: []reply{
				{Status: 200, Description: "One page of transfers.", Body: transferList{}},
				{Status: 400, Description: "malformed-request: direction is not incoming or outgoing; limit or cursor is invalid."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/transfers", ID: "createTransfer",
			Summary: "Offer an animal to another breeder",
			Description: "An owner or admin offers one of the organization's animals to an email address (the " +
				"person need not have an account yet: they register, verify the address, then accept) or " +
				"to another organization (its owners and admins are told). The animal goes on hold: no " +
				"other transfer and no change to its record until the transfer ends. The recipient is " +
				"notified in-app and by email (escalating to SMS for those who chose it), reminded after " +
				"the organization's reminder delay (7 days by default) and the offer expires after its " +
				"expiry (14 days). Idempotency-Key is required: for 24 hours the same key with the same " +
				"body gets the first answer again (201 with the same body and Location, and " +
				"Idempotent-Replayed: true); with another body, 422; while the first request with the key " +
				"is still being handled, 409 with Retry-After. A refused offer (4xx) leaves its key free. " +
				"An organization none of whose owners has verified their email address offers nothing " +
				"outside it (an address of one of its own members is inside). Offers are limited per hour " +
				"per organization, per offering account, and per recipient (email mailbox or organization) " +
				"both from this organization and from all organizations.",
			Params: []param{{Name: "Idempotency-Key", In: "header", Required: true,
				Description: "A key of the caller's choosing, remembered for 24 hours, per organization, caller and " +
					"operation; a repeated offer with the same key and body gets the first answer again.",
				Schema: `{"type": "string", "maxLength": 200}`}},
			Body: createTransferRequest{},
			Responses: []reply{
				{Status: 201, Description: "The offer, made.", Body: transferView{},
					Headers: []header{{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
						Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key " +
							"and body, replayed."}}},
				{Status: 403, Description: "forbidden: only owners and admins offer an organization's animals; or email-not-verified: " +
					"none of the organization's owners has verified their email address yet; the owner follows " +
					"the link emailed at registration (or asks for a new one with POST " +
					"/api/v1/me/verify-email). Organizations are free to create: this ties what one sends to " +
					"strangers to a mailbox someone reads."},
				ownAnimalNotFound,
				{Status: 409, Description: "conflict: the animal is archived, or on hold for another transfer; or a request with this " +
					"Idempotency-Key (and the same caller and organization) is still being handled; retry " +
					"after Retry-After seconds to get its answer (with Retry-After).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds to wait before retrying the request."}}},
				{Status: 422, Description: "validation-failed: Idempotency-Key missing, or used in the last 24 hours for another " +
					"offer; animal_id missing or a reference animal; not exactly one of recipient_email and " +
					"recipient_organization_id; an invalid email; an unknown organization or the animal's own; " +
					"a message over 2,000 characters."},
				{Status: 429, Description: "rate-limited: an hourly limit of offers is reached: per organization " +
					"(LIMIT_OFFERS_PER_ORG_HOUR, 1,000 by default), per offering account across all its " +
					"organizations (LIMIT_OFFERS_PER_ACCOUNT_HOUR, 1,000), per recipient email mailbox from " +
					"this organization (LIMIT_OFFERS_PER_RECIPIENT_HOUR, 10) or from all organizations " +
					"(LIMIT_OFFERS_PER_RECIPIENT_ALL_HOUR, 20), or per recipient organization from this " +
					"organization (LIMIT_OFFERS_PER_RECIPIENT_ORG_HOUR, 500) or from all organizations " +
					"(LIMIT_OFFERS_PER_RECIPIENT_ORG_ALL_HOUR, 2,000); the refusal for a count across " +
					"organizations says nothing of what other organizations sent. A mailbox is the address " +
					"lowercased, without a +tag, and at Gmail without dots. Retry-After says when the oldest " +
					"counted offer leaves the hour (to the quarter hour for a count across organizations).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds until the oldest of the hour's count leaves it."}}},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/transfers/{transferID}", ID: "getTransfer",
			Summary: "One transfer with its timeline",
			Description: "A transfer as its parties see it, with its status and timeline, read from the database " +
				"(kept consistent with the workflow).",
			Params: []param{transferIDParam},
			Responses: []reply{
				{Status: 200, Description: "The transfer.", Body: transferView{}},
				transferNotFound,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/transfers/{transferID}/accept", ID: "acceptTransfer",
			Summary: "Accept an offer",
			Description: "The recipient accepts into one of their organizations where they are an owner or admin " +
				"(for an offer to an organization, that organization). The animal's record moves to it " +
				"before the answer: its genetics, lineage links and history, in one transaction, with the " +
				"ownership history, audit and the animal.transferred event; its breeder of record stays. " +
				"Two accepts racing: one wins, the other gets 409.",
			Params: []param{transferIDParam, idempotencyKeyParam},
			Body:   acceptTransferRequest{},
			Responses: []reply{
				{Status: 200, Description: "Accepted: the animal is the receiving organization's.", Body: transferView{},
					Headers: []header{{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
						Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key " +
							"and body, replayed."}}},
				{Status: 403, Description: "forbidden: only the recipient (with a verified email matching the offer, or an owner or " +
					"admin of the organization it was offered to) may accept, into an organization where they " +
					"are an owner or admin."},
				transferNotFound,
				transferEnded,
				{Status: 422, Description: "validation-failed: organization_id is required; Idempotency-Key over 200 characters or " +
					"used for another answer to this transfer."},
				transferUnanswered,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/transfers/{transferID}/decline", ID: "declineTransfer",
			Summary: "Decline an offer",
			Description: "The recipient declines, with a reason the offering organization is told. The animal's " +
				"hold is released.",
			Params: []param{transferIDParam, idempotencyKeyParam},
			Body:   declineTransferRequest{},
			Responses: []reply{
				{Status: 200, Description: "Declined.", Body: transferView{},
					Headers: []header{{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
						Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key " +
							"and body, replayed."}}},
				{Status: 403, Description: "forbidden: only the recipient may decline."},
				transferNotFound,
				transferEnded,
				{Status: 422, Description: "validation-failed: reason is over 1,000 characters; Idempotency-Key over 200 characters " +
					"or used for another answer to this transfer."},
				transferUnanswered,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/transfers/{transferID}/cancel", ID: "cancelTransfer",
			Summary: "Withdraw an offer",
			Description: "An owner or admin of the offering organization withdraws the offer; the animal's hold is " +
				"released and both sides are told.",
			Params: []param{transferIDParam, idempotencyKeyParam},
			Responses: []reply{
				{Status: 200, Description: "Cancelled.", Body: transferView{},
					Headers: []header{{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
						Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key " +
							"and body, replayed."}}},
				{Status: 403, Description: "forbidden: only an owner or admin of the offering organization may cancel."},
				transferNotFound,
				transferEnded,
				{Status: 422, Description: "validation-failed: Idempotency-Key over 200 characters or used for another answer to this " +
					"transfer."},
				transferUnanswered,
			},
		},
	},
}

// Answers and parameters several of these operations share.
var (
	transferNotFound = reply{Status: 404, Description: "not-found: no such transfer, or the caller is not a party to it (an offer to an email " +
		"address shows once that address is verified)."}
	transferEnded = reply{Status: 409, Description: "conflict: the transfer already ended (the detail says how: accepted, declined, cancelled " +
		"or expired) or is being accepted by someone else; or a request with this Idempotency-Key " +
		"(and the same caller and organization) is still being handled; retry after Retry-After " +
		"seconds to get its answer (with Retry-After).",
		Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
			Description: "Seconds to wait before retrying the request."}}}
	transferUnanswered = reply{Status: 503, Description: "unavailable: the workflow did not answer within 20 s, or Temporal or the database is " +
		"unavailable; the outcome will show on GET /api/v1/transfers/{transferID}.",
		Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
			Description: "Whole seconds to wait before retrying."}}}
)
