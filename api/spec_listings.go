package api

import (
	"net/http"
)

// listingResource documents listings: animals offered for sale, browsed without an account.
var listingResource = apiResource{
	Tag: "listings",
	About: "Animals for sale. An organization that can sell (its seller account has charges and payouts " +
		"enabled) lists one of its active animals at a price in minor units of a currency, with shipping terms " +
		"and a live-arrival guarantee. While a listing is active it holds the animal: the animal cannot be " +
		"transferred separately, archived or changed (409). Anyone may browse active listings without an account.",
	Schemas: []schemaDef{
		{Name: "Money", Type: moneyView{}, Description: "An amount in minor units of a currency."},
		{Name: "Shipping", Type: shippingView{}, Description: "How the seller ships."},
		{Name: "ListingAnimal", Type: listingAnimal{}, Description: "The animal as it was listed."},
		{Name: "Listing", Type: listingView{}, Description: "An animal offered for sale."},
		{Name: "ListingPage", Type: listingPage{}},
		{Name: "CreateListingRequest", Type: createListingRequest{}},
		{Name: "UpdateListingRequest", Type: updateListingRequest{},
			Description: "The fields to change; those left out stay as they are. The result is checked as at listing."},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/marketplace/listings", ID: "createListing",
			Summary: "List an animal for sale",
			Description: "An owner or admin lists one of the organization's animals: active, not archived, not a " +
				"reference animal and not on hold. The organization must be able to sell (409 seller-not-ready " +
				"names what is missing). The listing keeps the animal's name, species, sex, hatch date and genetics " +
				"as buyers see them, and holds the animal until it is withdrawn or sold. Currency is one of aud, " +
				"cad, chf, eur, gbp, nzd, usd; regions are upper-cased and each kept once. Idempotency-Key is " +
				"optional: for 24 hours the same key with the same body answers the first answer again.",
			Params: []param{{Name: "Idempotency-Key", In: "header",
				Description: "A key of the caller's choosing that makes a retry of this request safe, remembered for 24 hours.",
				Schema:      `{"maxLength": 200, "type": "string"}`}},
			Body: createListingRequest{},
			Responses: []reply{
				planLimitReply("the organization has as many active listings as its plan allows (limit active_listings)."),
				{Status: 201, Description: "Listed.", Body: listingView{},
					Headers: []header{
						{Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri-reference"}`,
							Description: "The listing's URL."},
						{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
							Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key and body, replayed."}}},
				{Status: 403, Description: "forbidden: only owners and admins list an organization's animals."},
				{Status: 404, Description: "not-found: the animal is not one of the organization's."},
				{Status: 409, Description: "seller-not-ready: the organization cannot sell yet, naming what is missing; or " +
					"conflict: the animal is archived, not active, a reference animal, or on hold for a transfer or " +
					"another listing; or a request with this Idempotency-Key is still being handled (retry after Retry-After).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds to wait before retrying the request."}}},
				{Status: 422, Description: "validation-failed: errors names each invalid field: price.amount (1 to " +
					"100000000 minor units), price.currency, title (1 to 200 characters), description (at most " +
					"5,000), shipping.ships_within_days (1 to 30), shipping.regions (1 to 60 ISO 3166-1 alpha-2 " +
					"codes), live_arrival_hours (1 to 168); or Idempotency-Key used for another request."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/marketplace/listings", ID: "browseListings",
			Public:  true,
			Summary: "Browse listings",
			Description: "Active listings of every organization, newest first or by price. Filters combine: species, " +
				"genes (every one named must appear in the genetics, any case), a price range in minor units, " +
				"currency and breeder. Pages follow each other by the sort key of the last listing (cursor " +
				"pagination: pass next_cursor as cursor; the last page has none); listings of the same price " +
				"follow each other by ID, so no listing is skipped or repeated. A cursor whose listing has since " +
				"been withdrawn or sold answers 400. Each listing carries its cover photo (its animal's " +
				"primary photo, else its first), with presigned links valid for 5 minutes. Public: needs no " +
				"token. Throttled per client together with search (LIMIT_SEARCH_PER_MINUTE).",
			Params: []param{
				{Name: "species", In: "query", Description: "A species key, such as ball-python.", Schema: `{"type": "string"}`},
				{Name: "genes", In: "query", Description: "Trade names of genes separated by commas, such as clown,pastel " +
					"(at most 10, each 1 to 50 characters); every one must appear in the listing's genetics.",
					Schema: `{"type": "string"}`},
				{Name: "min_price", In: "query", Description: "Lowest price, in minor units.",
					Schema: `{"type": "integer", "minimum": 1, "maximum": 100000000}`},
				{Name: "max_price", In: "query", Description: "Highest price, in minor units; not below min_price.",
					Schema: `{"type": "integer", "minimum": 1, "maximum": 100000000}`},
				{Name: "currency", In: "query", Description: "Only listings priced in this currency (ISO 4217, lower case).",
					Schema: `{"type": "string", "enum": ["aud", "cad", "chf", "eur", "gbp", "nzd", "usd"]}`},
				{Name: "breeder", In: "query", Description: "Public ID of the selling organization.", Schema: `{"type": "string"}`},
				{Name: "sort", In: "query", Description: "newest (default), price_asc or price_desc.",
					Schema: `{"type": "string", "enum": ["newest", "price_asc", "price_desc"], "default": "newest"}`},
				{Name: "cursor", In: "query", Description: "Opaque cursor: the next_cursor of the previous page, with the same filters and sort.",
					Schema: `{"type": "string"}`},
				{Name: "limit", In: "query", Description: "Page size, a whole number from 1 to 100 (default 50).",
					Schema: `{"type": "integer", "minimum": 1, "maximum": 100, "default": 50}`},
			},
			Responses: []reply{
				{Status: 200, Description: "One page of listings.", Body: listingPage{}},
				{Status: 400, Description: "malformed-request: errors names the query parameter refused: species (unknown), " +
					"genes, min_price, max_price, currency, breeder, sort, limit or cursor (not one this API issued, " +
					"or its listing is no longer listed)."},
				listingsRateLimited,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/marketplace/listings/{listingID}", ID: "getListing",
			Public:  true,
			Summary: "A listing",
			Description: "An active listing, to anyone. A member of the selling organization who sends a token also " +
				"sees its withdrawn and sold listings; to anyone else they answer 404. The ETag carries the " +
				"listing's version, for If-Match on PATCH. It carries all its animal's photos, primary first then " +
				"in order, with presigned links valid for 5 minutes, whether or not the animal is public: " +
				"listing an animal shows its photos. Public: a token is optional, and checked when sent. " +
				"Throttled per client together with search.",
			Params: []param{listingIDParam},
			Responses: []reply{
				{Status: 200, Description: "The listing.", Body: listingView{}, Headers: []header{listingETag}},
				{Status: 401, Description: "unauthenticated: a token was sent but is invalid or expired, or its session has ended; " +
					"send none to read as anyone.",
					Headers: []header{{Name: "WWW-Authenticate", Schema: `{"type": "string"}`, Description: "Bearer realm=\"reptidex\"."}}},
				{Status: 404, Description: "not-found: no listing the caller may see has this ID."},
				listingsRateLimited,
			},
		},
		{
			Method: http.MethodPatch, Path: "/api/v1/marketplace/listings/{listingID}", ID: "updateListing",
			Summary: "Change a listing",
			Description: "An owner or admin changes the price, title, description, shipping or live-arrival hours of " +
				"one of the organization's active listings, while no order holds it. Fields left out stay; the " +
				"result is validated as at listing. If-Match is optional: when sent, it must carry the listing's " +
				"current ETag (412 otherwise).",
			Params: []param{listingIDParam, {Name: "If-Match", In: "header",
				Description: "The ETag of the listing as read (\"v3\"), or *.", Schema: `{"type": "string"}`}},
			Body: updateListingRequest{},
			Responses: []reply{
				{Status: 200, Description: "The listing, changed.", Body: listingView{}, Headers: []header{listingETag}},
				{Status: 403, Description: "forbidden: only owners and admins change an organization's listings."},
				{Status: 404, Description: "not-found: the listing is not one of the organization's."},
				{Status: 409, Description: "conflict: the listing is withdrawn or sold, paused by the organization's plan (resume it first), or an order holds it."},
				{Status: 412, Description: "precondition-failed: the listing changed since the ETag sent in If-Match."},
				{Status: 422, Description: "validation-failed: errors names each invalid field, as when listing."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/marketplace/listings/{listingID}/withdraw", ID: "withdrawListing",
			Summary: "Withdraw a listing",
			Description: "An owner or admin takes one of the organization's listings off sale (an active or a paused one); the animal is free " +
				"again. Refused while an order holds the listing. Withdrawing a withdrawn listing answers it as it is.",
			Params: []param{listingIDParam},
			Responses: []reply{
				{Status: 200, Description: "The listing, withdrawn.", Body: listingView{}, Headers: []header{listingETag}},
				{Status: 403, Description: "forbidden: only owners and admins change an organization's listings."},
				{Status: 404, Description: "not-found: the listing is not one of the organization's."},
				{Status: 409, Description: "conflict: an order holds the listing, or it was sold."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/marketplace/listings/{listingID}/resume", ID: "resumeListing",
			Summary: "Resume a paused listing",
			Description: "An owner or admin puts back on sale a listing the organization's plan paused (status " +
				"paused: when a plan allows fewer active listings than are active, the newest beyond the limit " +
				"are paused, never one an order holds; an upgrade resumes them at once, oldest first). Resuming " +
				"needs room under the plan's active-listing limit. A paused listing keeps its animal held and " +
				"can be withdrawn. Resuming an active listing answers it as it is.",
			Params: []param{listingIDParam},
			Responses: []reply{
				{Status: 200, Description: "The listing, active.", Body: listingView{}, Headers: []header{listingETag}},
				planLimitReply("the organization has as many active listings as its plan allows (limit active_listings)."),
				{Status: 403, Description: "forbidden: only owners and admins change an organization's listings."},
				{Status: 404, Description: "not-found: the listing is not one of the organization's."},
				{Status: 409, Description: "conflict: the listing was withdrawn or sold."},
			},
		},
	},
}

// Parameters and answers the listing operations share.
var (
	listingIDParam = param{Name: "listingID", In: "path", Description: "Public ID of the listing (id of a Listing). " +
		"A listing the caller may not see answers 404, exactly like one that does not exist.", Schema: `{"type": "string"}`}
	listingETag = header{Name: "ETag", Required: true, Schema: `{"type": "string"}`,
		Description: "The listing's version, such as \"v2\"."}
	listingsRateLimited = reply{Status: 429, Description: "rate-limited: too many requests from this client (shared with search: " +
		"a token bucket per IPv4 address or IPv6 /64, 60 per minute with a burst of 30 by default).",
		Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
			Description: "Seconds until the client may send again."}}}
)
