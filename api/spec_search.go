package api

import (
	"net/http"
)

// searchResource documents public search.
var searchResource = apiResource{
	Tag:     "search",
	About:   "Finding public animals of every breeder, without an account.",
	Schemas: []schemaDef{},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/search", ID: "searchPublic",
			Public:  true,
			Summary: "Search every breeder's public animals",
			Description: "Finds public animals of every organization. Matches the words of an animal's name, " +
				"species and canonical genetics by full text, and, for misspellings, by trigram " +
				"similarity; full-text matches rank above fuzzy ones, best first. Pages follow each other " +
				"by position (cursor pagination: pass the next_cursor of one page as cursor; the last page " +
				"has no next_cursor), so animals changing between two requests may shift a page. Bounded: " +
				"pages reach the 1,000 best matches at most (no next_cursor past them; a cursor beyond " +
				"answers 400 naming cursor), so refine q to look further. Archived animals are left out. " +
				"Public: needs no token. Throttled per client, an IPv4 address or an IPv6 /64 " +
				"(LIMIT_SEARCH_PER_MINUTE, 60 a minute with a burst of LIMIT_SEARCH_BURST, 30).",
			Params: []param{searchQueryParam, speciesParam, searchCursorParam, searchLimitParam},
			Responses: []reply{
				searchResults,
				searchMalformed,
				{Status: 429, Description: "rate-limited: too many searches from this client (token bucket per IPv4 address or IPv6 " +
					"/64, 60 per minute with a burst of 30 by default).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds until the oldest of the hour's count leaves it."}}},
			},
		},
	},
}

// Answers and parameters several of these operations share.
var (
	searchResults   = reply{Status: 200, Description: "One page of animals found.", Body: searchResponse{}}
	searchMalformed = reply{Status: 400, Description: "malformed-request: errors names the query parameter, the first one refused: q (missing, " +
		"or not 2 to 200 characters after trimming), species (not a known species), limit (not a " +
		"whole number from 1 to 100) or cursor (not one this API issued)."}
	searchQueryParam = param{Name: "q", In: "query", Required: true,
		Description: "What to look for, 2 to 200 characters after trimming: words of the name, the species or " +
			"the genetics, such as \"bumblebee clown\" (web-search syntax: \"quoted phrases\", or, " +
			"-excluded). Misspelled words still match similar ones.",
		Schema: `{"type": "string", "minLength": 2, "maxLength": 200}`}
	searchCursorParam = param{Name: "cursor", In: "query",
		Description: "Opaque cursor: the next_cursor of the previous page. Omit for the first page. Cursors " +
			"reach the 1,000 best matches at most.",
		Schema: `{"type": "string"}`}
	searchLimitParam = param{Name: "limit", In: "query",
		Description: "Page size, a whole number from 1 to 100 (default 20).",
		Schema:      `{"type": "integer", "minimum": 1, "maximum": 100, "default": 20}`}
)
