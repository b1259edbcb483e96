package api

// Responses and parameters many operations share.
var (
	pageInternalError    = reply{Status: 500, Description: "An unexpected failure: a page quoting the request ID.", Media: "text/html"}
	linkTokenInvalid     = reply{Status: 422, Description: "validation-failed: the body has an unknown field, or token is not a string."}
	ownAnimalNotFound    = reply{Status: 404, Description: "not-found: the animal does not exist or belongs to another organization."}
	organizationNotFound = reply{Status: 404, Description: "not-found: the organization does not exist or the caller does not belong to it."}
	// malformedQuery, unavailable and internalError are answered by the handler funnel
	// (funnel.go, text.go) to any request, malformedBody, bodyTooLarge and
	// unsupportedMediaType by decodeJSON to any body, and unauthenticated by the authenticate
	// middleware to any operation that is not Public; every operation documents them unless
	// it describes its own answer with that status.
	malformedBody  = reply{Status: 400, Description: "malformed-request: the body is empty, cut short, not valid JSON, not a JSON object, or holds more than one JSON value; or the query string is not text."}
	malformedQuery = reply{Status: 400, Description: "malformed-request: the query string has more than 32 parameters, or one that is not valid UTF-8 text without control characters of at most 1 KiB."}
	unavailable    = reply{Status: 503, Description: "unavailable: the request's deadline passed, or a dependency cannot serve it now; it may be retried after Retry-After seconds.",
		Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`, Description: "Whole seconds to wait before retrying."}}}
	internalError        = reply{Status: 500, Description: "internal: an unexpected failure; the problem carries only the request_id to quote when reporting it."}
	bodyTooLarge         = reply{Status: 413, Description: "body-too-large: the body is larger than the server's limit (HTTP_MAX_BODY_BYTES, 1 MiB by default)."}
	unsupportedMediaType = reply{Status: 415, Description: "unsupported-media-type: Content-Type is set but is neither application/json nor a +json type."}
	unauthenticated      = reply{Status: 401, Description: "unauthenticated: no bearer token, an invalid or expired one, a session that has ended (logged out or revoked), or the token's user is no longer a member of the token's organization.", Headers: []header{{Name: "WWW-Authenticate", Schema: `{"type": "string"}`, Description: "Bearer challenge, sent when the Authorization header is missing or malformed (Bearer realm=\"reptidex\") or the access token is invalid or expired (Bearer realm=\"reptidex\", error=\"invalid_token\"). Not sent when a valid token's session has ended or its user has left the organization."}}}
	orgIDParam           = param{Name: "orgID", In: "path", Description: "Public ID of the organization (a random Base58 string, such as organization_id from a token response). It may be any organization the caller belongs to, not only the token's. Another organization's ID answers 404, exactly like one that does not exist.", Schema: `{"type": "string"}`}
	cursorParam          = param{Name: "cursor", In: "query", Description: "Opaque cursor: the next_cursor of the previous page. Omit for the first page.", Schema: `{"type": "string"}`}
	limitParam           = param{Name: "limit", In: "query", Description: "Page size, a whole number from 1 to 100 (default 50).", Schema: `{"default": 50, "maximum": 100, "minimum": 1, "type": "integer"}`}
	speciesParam         = param{Name: "species", In: "query", Description: "Only animals of this species: a key from /api/v1/taxonomy/species, such as ball-python. An unknown key answers 422.", Schema: `{"type": "string"}`}
	animalIDParam        = param{Name: "animalID", In: "path", Description: "Public ID of the animal (a random Base58 string, id of an Animal). An animal of another organization, even a public one, answers 404, exactly like one that does not exist.", Schema: `{"type": "string"}`}
	animalIDParam2       = param{Name: "animalID", In: "path", Description: "Public ID of the animal (a random Base58 string): an animal of the caller's organization, or another breeder's public animal. Another organization's animal that is not public answers 404, exactly like one that does not exist.", Schema: `{"type": "string"}`}
	transferIDParam      = param{Name: "transferID", In: "path", Description: "Public ID of the transfer. A transfer the caller is not a party to answers 404, exactly like one that does not exist.", Schema: `{"type": "string"}`}
	idempotencyKeyParam  = param{Name: "Idempotency-Key", In: "header", Description: "A key of the caller's choosing, remembered for 24 hours. Retried with the same key and body, an answer that went through gets its first answer again (same status and body, with Idempotent-Replayed: true); one whose outcome was unknown (a 5xx) is sent again under the same workflow update, so it is applied once and answered as it was instead of refused as a transfer that has ended. While the first attempt is still being handled, a retry gets 409 with Retry-After. A key names one answer of one person, acting for one organization, to one transfer.", Schema: `{"maxLength": 200, "type": "string"}`}
)
