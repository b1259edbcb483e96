package api

import (
	"net/http"
)

// lineageResource documents pedigrees, descendants and inbreeding.
var lineageResource = apiResource{
	Tag:   "lineage",
	About: "Pedigrees, descendants and inbreeding, across organizations: other breeders' animals show only what is public.",
	Schemas: []schemaDef{
		{Name: "PedigreeNode", Type: pedigreeNode{}, Description: "One position of a pedigree: the animal and its parents' positions."},
		{Name: "Pedigree", Type: pedigreeChart{}, Examples: []string{`{"generations": 4, "pedigree": {"animal": {"visible": true, "id": "9xKpQ2mVbN7tLr4Wz", "name": "Orion", "species": "ball-python", "sex": "male", "genetics": "Pastel", "status": "active", "owner": {"id": "5HqZ3kWn8TyBvM2Lc", "name": "Bob's Balls"}, "breeder": {"id": "5HqZ3kWn8TyBvM2Lc", "name": "Bob's Balls"}}, "sire": {"animal": {"visible": true, "id": "4fTqW9zKc2NvRb7Hx", "name": "Apollo", "species": "ball-python", "sex": "male", "genetics": "Pastel", "status": "active", "owner": {"id": "2NEpo7TZRRrLZSi2U", "name": "Alice Reptiles"}, "breeder": {"id": "2NEpo7TZRRrLZSi2U", "name": "Alice Reptiles"}}, "sire": null, "dam": {"animal": {"visible": false, "species": "ball-python", "note": "not public"}, "sire": null, "dam": null}}, "dam": {"animal": {"visible": true, "id": "7QmVbX2kLp9sT4wYz", "name": "Luna", "species": "ball-python", "sex": "female", "genetics": "Normal", "status": "active", "owner": {"id": "5HqZ3kWn8TyBvM2Lc", "name": "Bob's Balls"}, "breeder": {"id": "5HqZ3kWn8TyBvM2Lc", "name": "Bob's Balls"}}, "sire": null, "dam": null}}}`}},
		{Name: "Descendant", Type: descendantView{}, Description: "One descendant at its nearest generation."},
		{Name: "DescendantList", Type: descendantList{}},
		{Name: "Inbreeding", Type: inbreedingResponse{}, Examples: []string{`{"animal_id": "7QmVbX2kLp9sT4wYz", "coefficient": 0.25, "percent": 25, "ancestors_considered": 4, "generations_considered": 2, "truncated": false, "completeness": 0.6, "completeness_generations": 5, "known_ancestors_per_generation": [2, 4, 0, 0, 0]}`}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/animals/{animalID}/inbreeding", ID: "getInbreeding",
			Summary: "An animal's inbreeding coefficient and pedigree completeness",
			Description: "Wright's coefficient of inbreeding F of an animal, computed over its known pedigree " +
				"across organizations (recorded ancestors public or not; only the numbers are answered, " +
				"never another breeder's hidden animals), with the pedigree completeness index of MacCluer " +
				"et al. (1983) over its last 5 generations and the number of known ancestor positions in " +
				"each of them. Ancestors nobody recorded count as unrelated founders, so F is a lower " +
				"bound: read it together with completeness. A founder (no known parents) has F 0 and " +
				"completeness 0. The animal may be one of the organization's or another breeder's public " +
				"animal. No request parameter enlarges the work: it grows with the animal's recorded " +
				"ancestry only, read from the pedigree graph the API holds in memory (about 0.6 ms for a " +
				"complete 10-generation pedigree of some 400 ancestors). Bounded: F is computed over the " +
				"nearest generations whose ancestors, counted once each at their nearest generation, " +
				"number at most 2,500 (a complete 10-generation pedigree has at most 2,046); a generation " +
				"that would pass the bound is left out whole, its animals taken as unknown, and the answer " +
				"says so (truncated true, with ancestors_considered and generations_considered), so F is " +
				"then computed on the nearer pedigree and is a lower bound of F over the whole. At the " +
				"bound the worst pedigree (every animal descending from nearly all older ones) takes a few " +
				"tens of milliseconds. Any member of the organization may ask.",
			Params: []param{animalIDParam2},
			Responses: []reply{
				{Status: 200, Description: "The animal's inbreeding.", Body: inbreedingResponse{}},
				lineageNotFound,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/lineage/{animalID}", ID: "getPedigree",
			Summary: "An animal's pedigree",
			Description: "The animal's ancestors as a tree, generations deep: each position holds the animal's card " +
				"and its sire's and dam's positions. Pedigrees cross organizations: an ancestor of the " +
				"organization, or another breeder's public one, shows its public fields; any other " +
				"ancestor shows only that it exists, its species and the note \"not public\", and the " +
				"positions above it are still shown (the lineage links stay when an animal goes private). " +
				"An ancestor reached through several lines (inbreeding) appears at each of its positions. " +
				"Each animal the caller may see carries its primary photo, when it has one: its public ID " +
				"and a presigned link to its thumbnail, valid for 5 minutes. " +
				"Bounded: at most 10 generations, so at most 2,046 ancestor positions. The animal asked " +
				"about may be the organization's own or another breeder's public one. Any member of the " +
				"organization may look.",
			Params: []param{animalIDParam2, {Name: "generations", In: "query",
				Description: "How many generations of ancestors, a whole number from 1 (parents) to 10 (default 4).",
				Schema:      `{"type": "integer", "minimum": 1, "maximum": 10, "default": 4}`}},
			Responses: []reply{
				{Status: 200, Description: "The pedigree.", Body: pedigreeChart{}},
				{Status: 400, Description: "malformed-request: errors names the query parameter: generations (not a whole number from " +
					"1 to 10)."},
				lineageNotFound,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/lineage/{animalID}/descendants", ID: "listDescendants",
			Summary: "An animal's descendants",
			Description: "The animal's offspring, their offspring and so on, generations deep, each descendant once " +
				"at its nearest generation, ordered by generation and then by an internal key; at most " +
				"limit of them, nearest generations first (the answer does not say whether more were left " +
				"out). Like pedigrees, descendants cross organizations: the organization's own and other " +
				"breeders' public descendants show their public fields, any other shows only that it " +
				"exists, its species and the note \"not public\". The animal asked about may be the " +
				"organization's own or another breeder's public one. Any member of the organization may " +
				"look.",
			Params: []param{animalIDParam2, {Name: "generations", In: "query",
				Description: "How many generations of descendants, a whole number from 1 (offspring) to 10 (default 3).",
				Schema:      `{"type": "integer", "minimum": 1, "maximum": 10, "default": 3}`}, {Name: "limit", In: "query",
				Description: "At most this many descendants, a whole number from 1 to 2000 (default 500).",
				Schema:      `{"type": "integer", "minimum": 1, "maximum": 2000, "default": 500}`}},
			Responses: []reply{
				{Status: 200, Description: "The descendants.", Body: descendantList{}},
				{Status: 400, Description: "malformed-request: errors names the query parameter, the first one refused: generations " +
					"(not a whole number from 1 to 10) or limit (not a whole number from 1 to 2000)."},
				lineageNotFound,
			},
		},
	},
}

// Answers and parameters several of these operations share.
var (
	lineageNotFound = reply{Status: 404, Description: "not-found: no animal with this ID that the organization the access token acts for may " +
		"look at: it is neither one of the organization's animals nor another breeder's public " +
		"one. Another organization's organization-only or private animal answers the same as one " +
		"that does not exist."}
)
