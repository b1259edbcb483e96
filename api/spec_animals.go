package api

import (
	"net/http"

	"github.com/invopop/jsonschema"

	"github.com/reptidex/reptidex/animals"
	"github.com/reptidex/reptidex/domain/genetics"
)

// animalResource documents an organization's animals.
var animalResource = apiResource{
	Tag:   "animals",
	About: "An organization's animals: identity, status, genetics and parents.",
	Schemas: []schemaDef{
		{Name: "Visibility", Enum: animalVisibility, Description: "Who may see an animal: public animals appear on other breeders' pedigrees and may be named as their animals' parents; organization and private animals are seen only by the organization's members (elsewhere a pedigree shows only that they exist)."},
		{Name: "CreateAnimalRequest", Type: animalInput{}, Extend: animalInputLimits, Examples: []string{`{"species": "ball-python", "sex": "male", "name": "Bumble", "hatch_date": "2023-06-01", "identifiers": {"microchip": "985141000123456"}, "genetics": "pastel spider het clown 66% poss het pied", "genetics_provenance": {"clown": "proven"}, "sire_id": "4fTqW9zKc2NvRb7Hx"}`}},
		{Name: "UpdateAnimalRequest", Type: updateAnimalRequest{}, Optional: true, Extend: animalInputLimits, Props: map[string]string{
			"species":             "The animal's species key. It cannot change: only the current key is accepted.",
			"sex":                 "Changing it checks the genetics and the parents again.",
			"name":                "At most 120 characters after trimming surrounding whitespace; an empty string clears it.",
			"hatch_date":          "The hatch date, such as 2024-05-31, not in the future; an empty string clears it. Changing it checks the parents again.",
			"identifiers":         "Microchip, tag or other identifiers under keys of your choice, such as {\"microchip\": \"985141000123456\"}: at most 20, keys of 1 to 50 bytes, values of at most 200 bytes. Replaces the whole map.",
			"status":              "archived is set only by POST /api/v1/animals/{animalID}/archive.",
			"visibility":          "Who may see the animal.",
			"genetics":            "The animal's genetics, written the way breeders write trade names and read against the species' catalogue (GET /api/v1/taxonomy/species/{species}); it replaces every claim. Case is ignored; spaces, commas, +, &, ; and / separate names; hyphens and spaces inside a name do not matter (\"Blue-eyed Leucistic\" is \"blue eyed leucistic\"); the longest known name wins (\"Lavender Albino\" is one gene). It reads: gene names and aliases as visual claims (\"Pastel Enchi\", \"Pied\" for Piebald); super forms (\"Super Pastel\"); compounds, both alleles visual (\"Lesser Mojave\" is a Blue-eyed Leucistic; a compound name several allele pairs share is refused: write the alleles); combinations (\"Bumblebee\" is Pastel and Spider); hets: \"het Clown\", where het covers the run of recessive names after it (\"het Clown Pied\"), \"double het Albino Pied\" (also \"dh\", \"triple het\" or \"th\", \"quad het\", naming exactly that many genes) and \"100% het Clown\"; possible hets, which need a percentage from 1% to below 100%: \"66% poss het Pied\" (also \"possible het\", \"pos het\", \"ph\", or \"50% het Clown\"), where 66% and 67% read as 2/3, 33% as 1/3 and anything else exactly (50% is 1/2); and the wild type: \"Normal\", \"Wild type\", \"WT\", \"Classic\" or an empty string. Saying the same thing twice counts once. The answer's genetics.text is the canonical form: \"pastel spider het clown 66% poss het pied\" reads back as \"Bumblebee het Clown 66% poss het Piebald\".",
			"genetics_provenance": "Where hets and possible hets come from, by gene key such as clown; each key must be a het or possible het of the animal once genetics is applied. Sending genetics again starts its claims without provenance, so send the provenances with it.",
			"sire_id":             "Public ID of the sire: an animal of the caller's organization or another breeder's public animal, of the same species, male, hatched before this animal when both dates are known, and neither this animal nor one of its descendants. null or an empty string clears it; omitted, the current one is kept (and checked again when sex or hatch_date change).",
			"dam_id":              "Public ID of the dam: an animal of the caller's organization or another breeder's public animal, of the same species, female, not the sire, hatched before this animal when both dates are known, and neither this animal nor one of its descendants. null or an empty string clears it; omitted, the current one is kept (and checked again when sex or hatch_date change).",
			"reference":           "Cannot change: only the animal's current value is accepted.",
		}, Examples: []string{`{"name": "Bea", "genetics": "Lesser Mojave", "dam_id": null}`}},
		{Name: "Sex", Type: genetics.Sex(""), Description: "An animal's sex; unknown until it is sexed. Sex-linked genes need male or female.", Enum: []string{"male", "female", "unknown"}},
		{Name: "Provenance", Type: genetics.Provenance(""), Description: "Where a het or possible het comes from: visual_parent (a parent showed the trait), proven (proven by producing visual offspring), statistical (inferred from the parents' genotypes).", Enum: []string{"visual_parent", "proven", "statistical"}},
		{Name: "Animal", Type: animalView{}, Examples: []string{`{"id": "7QmVbX2kLp9sT4wYz", "species": "ball-python", "sex": "male", "name": "Bumble", "hatch_date": "2023-06-01", "identifiers": {"microchip": "985141000123456"}, "status": "active", "visibility": "organization", "organization_id": "2NEpo7TZRRrLZSi2U", "breeder_organization_id": "2NEpo7TZRRrLZSi2U", "genetics": {"text": "Bumblebee het Clown 66% poss het Piebald", "visual": ["Bumblebee"], "hets": [{"gene": "clown", "name": "Clown", "probability": "1", "percent": 100, "label": "het Clown", "provenance": "proven"}, {"gene": "piebald", "name": "Piebald", "probability": "2/3", "percent": 66, "label": "66% poss het Piebald"}], "claims": [{"gene": "pastel", "kind": "visual"}, {"gene": "spider", "kind": "visual"}, {"gene": "clown", "kind": "het", "provenance": "proven"}, {"gene": "piebald", "kind": "possible_het", "probability": "2/3"}]}, "sire_id": "4fTqW9zKc2NvRb7Hx", "reference": false, "version": 1, "created_at": "2025-03-14T09:26:53Z", "updated_at": "2025-03-14T09:26:53Z"}`}},
		{Name: "AnimalGenetics", Type: geneticsView{}, Description: "An animal's genetics: canonically written, analysed, and as stored."},
		{Name: "Het", Type: hetView{}},
		{Name: "GeneticClaim", Type: genetics.Claim{}, Description: "One statement about an animal's genetics."},
		{Name: "AnimalList", Type: animalList{}},
		{Name: "SearchHit", Type: searchHitView{}},
		{Name: "SearchResults", Type: searchResponse{}},
		{Name: "ReplaceReferenceRequest", Type: replaceRequest{}, Examples: []string{`{"animal_id": "4fTqW9zKc2NvRb7Hx"}`}},
		{Name: "ReferenceReplaced", Type: referenceReplaced{}},
		{Name: "OrganizationRef", Type: orgView{}, Description: "An organization as shown on a pedigree card."},
		{Name: "AnimalCard", Type: cardView{}, Description: "An animal as pedigrees, descendants and search show it. visible is true for the caller's organization's own animals and other breeders' public ones, which show the fields below; any other animal shows only visible false, its species and note \"not public\".", Examples: []string{`{"visible": false, "species": "ball-python", "note": "not public"}`}},
		{Name: "Ownership", Type: ownershipView{}},
		{Name: "OwnershipList", Type: ownershipList{}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/animals", ID: "listAnimals",
			Summary: "List the organization's animals",
			Description: "Lists the animals of the organization the access token acts for, ordered by id, a page at " +
				"a time, with cursor pagination: pass the next_cursor of one page as cursor to get the " +
				"next; the last page has no next_cursor. Filters combine: only animals matching all of " +
				"them are listed. Archived animals are left out unless archived=true or status=archived. " +
				"Another organization's animals are never listed, not even public ones. Any member of the " +
				"organization may list.",
			Params: []param{speciesParam, {Name: "sex", In: "query",
				Description: "Only animals of this sex: male, female or unknown.",
				Schema:      `{"type": "string", "enum": ["male", "female", "unknown"]}`}, {Name: "status", In: "query",
				Description: "Only animals with this status: active, on_hold, sold, deceased, or archived (which lists " +
					"archived animals only).",
				Schema: `{"type": "string", "enum": ["active", "on_hold", "sold", "deceased", "archived"]}`}, {Name: "gene", In: "query",
				Description: "Only animals with a claim on this gene, of any kind (visual, super, het or possible het): " +
					"a gene key from the species catalogue such as clown, compared exactly (lower case). A " +
					"combination counts as its genes: a Bumblebee has claims on pastel and spider. A key no " +
					"animal claims lists nothing.",
				Schema: `{"type": "string"}`}, {Name: "archived", In: "query",
				Description: "true also lists archived animals; any other value, or none, leaves them out.",
				Schema:      `{"type": "boolean", "default": false}`}, cursorParam, limitParam},
			Responses: []reply{
				{Status: 200, Description: "One page of animals.", Body: animalList{}},
				{Status: 400, Description: "malformed-request: errors names the query parameter: species (not a known species), sex " +
					"(not one of male, female, unknown), status (not one of active, on_hold, sold, deceased, " +
					"archived), limit (not a whole number from 1 to 100) or cursor (not one this API issued)."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/animals", ID: "createAnimal",
			Summary: "Register an animal",
			Description: "Registers an animal in the organization the access token acts for, which becomes its " +
				"breeder of record (unless it is a reference animal). Only species is required: sex " +
				"defaults to unknown, status to active, visibility to organization and genetics to Normal. " +
				"The genetics are read from trade names such as \"Pastel Enchi het Clown\" and stored as " +
				"claims; the answer carries them canonically (genetics.text) and analysed (visual traits, " +
				"hets). Parents may be the organization's animals or other breeders' public ones. The " +
				"animal starts at version 1: the answer's ETag is \"v1\". Keepers, admins and owners only.",
			Body:            animalInput{},
			BodyDescription: "The new animal.",
			Responses: []reply{
				planLimitReply("the organization keeps as many animals as its plan allows (limit animals; archived and reference animals count)."),
				{Status: 201, Description: "The new animal.", Body: animalView{},
					Headers: []header{animalETag, {Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri-reference"}`,
						Description: "The new animal's URL, /api/v1/animals/{animalID}."}}},
				animalViewerForbidden,
				{Status: 422, Description: "validation-failed: errors names the field and the rule, the first one refused: species " +
					"(missing, or not a key from /api/v1/taxonomy/species); sex (not one of male, female, " +
					"unknown); name (longer than 120 characters after trimming); hatch_date (not a date such " +
					"as 2024-05-31, or in the future); identifiers (more than 20, or a key not of 1 to 50 " +
					"bytes or a value longer than 200 bytes); status (not one of active, on_hold, sold, " +
					"deceased: archived is set only by the archive operation); visibility (not one of public, " +
					"organization, private); genetics (an unknown name, with the closest known names " +
					"suggested; a malformed modifier such as 'het' with no gene after it, 'double het' with " +
					"one gene or 'poss het' without a percentage; or a genotype that cannot exist: the super " +
					"form of a gene that has none, a het of a gene that shows with one copy, a possible het's " +
					"probability outside (0, 1), a gene stated both as certain and as a possible het, a " +
					"sex-linked gene on an animal of unknown sex, two copies of a sex-linked gene on the sex " +
					"that carries one, more copies than a locus holds); genetics_provenance.<gene> (not one of " +
					"visual_parent, proven, statistical, or naming no het or possible het of the animal); " +
					"sire_id and dam_id (no animal with that ID the caller may name as a parent, another " +
					"species than the animal, a sire that is not male or a dam that is not female, a parent " +
					"not hatched before the animal when both dates are known, the animal itself, one of its " +
					"descendants, or a dam that is the sire); or an unknown field or a field of the wrong type " +
					"was sent."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/animals/search", ID: "searchAnimals",
			Summary: "Search the organization's animals",
			Description: "Finds animals of the organization the access token acts for, whatever their visibility, " +
				"archived ones included. Matches the words of an animal's name, species and canonical " +
				"genetics by full text, and, for misspellings, by trigram similarity; full-text matches " +
				"rank above fuzzy ones, best first. Pages follow each other by position (cursor " +
				"pagination: pass the next_cursor of one page as cursor; the last page has no " +
				"next_cursor), so animals changing between two requests may shift a page. Bounded: pages " +
				"reach the 1,000 best matches at most (no next_cursor past them; a cursor beyond answers " +
				"422 naming cursor), so refine q to look further. Another organization's animals are never " +
				"found here, not even public ones: use GET /api/v1/search. Any member of the organization " +
				"may search.",
			Params: []param{searchQueryParam, speciesParam, searchCursorParam, searchLimitParam},
			Responses: []reply{
				searchResults,
				searchMalformed,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/animals/{animalID}", ID: "getAnimal",
			Summary: "An animal",
			Description: "One animal of the organization the access token acts for, archived or not, with its ETag. " +
				"It carries the animal's primary photo, when it has one: its public ID and a presigned link " +
				"to its thumbnail, valid for 5 minutes. Any member of the organization may read.",
			Params: []param{animalIDParam},
			Responses: []reply{
				{Status: 200, Description: "The animal.", Body: animalView{},
					Headers: []header{animalETag}},
				animalNotFound,
			},
		},
		{
			Method: http.MethodPatch, Path: "/api/v1/animals/{animalID}", ID: "updateAnimal",
			Summary: "Change an animal",
			Description: "Changes the fields sent and keeps the others; null clears sire_id or dam_id, and an empty " +
				"string clears name or hatch_date. Optimistic concurrency: If-Match must carry the ETag of " +
				"the animal as the caller last read it. Without If-Match the answer is 428 " +
				"precondition-required, before the body, the role or the animal is looked at, and nothing " +
				"is read or written; when the animal changed since (its version moved on) the answer is " +
				"412 precondition-failed: read it again and reapply the change. As in HTTP, If-Match: * " +
				"matches whatever the current version is, and a list of ETags matches when one of them is " +
				"current. Each update adds one to version and answers the new ETag. Changing sex checks " +
				"the genetics again (a sex-linked gene depends on it), and changing sex or hatch_date " +
				"checks the kept parents again. species and reference cannot change. An archived animal " +
				"cannot change at all (409). Keepers, admins and owners only.",
			Params: []param{animalIDParam, {Name: "If-Match", In: "header", Required: true,
				Description: "The ETag of the animal being changed, as last read from a GET, POST, PATCH or archive " +
					"answer, such as \"v3\" (a weak W/\"v3\" is read the same). Required: without it the answer is " +
					"428. A comma-separated list matches when one of its ETags is current, and * matches any " +
					"current version (it skips the check: use it only to overwrite on purpose). Anything else " +
					"that is not the current ETag answers 412.",
				Schema: `{"type": "string"}`}},
			Body:            updateAnimalRequest{},
			BodyDescription: "The fields to change; every one is optional.",
			Responses: []reply{
				animalReadOnly,
				{Status: 200, Description: "The changed animal.", Body: animalView{},
					Headers: []header{animalETag}},
				animalViewerForbidden,
				animalNotFound,
				{Status: 409, Description: "conflict: the animal is archived; its record is kept for lineage and cannot change."},
				{Status: 412, Description: "precondition-failed: If-Match names no current ETag of the animal: someone changed the " +
					"animal since it was read (or the value is no ETag of this API); read it again and reapply " +
					"the change. Nothing was written."},
				{Status: 428, Description: "precondition-required: the request has no If-Match header (or an empty one). Send the " +
					"ETag of the animal as last read, so that no one else's change is overwritten; nothing was " +
					"read or written. Checked before the body, the caller's role and the animal."},
				{Status: 422, Description: "validation-failed: errors names the field and the rule, the first one refused: species " +
					"(differs from the animal's: it cannot change); reference (differs from the animal's: it " +
					"cannot change); sex (not one of male, female, unknown); name (longer than 120 characters " +
					"after trimming); hatch_date (not a date such as 2024-05-31, or in the future); " +
					"identifiers (more than 20, or a key not of 1 to 50 bytes or a value longer than 200 " +
					"bytes); status (not one of active, on_hold, sold, deceased: archived is set only by the " +
					"archive operation); visibility (not one of public, organization, private); genetics (an " +
					"unknown name, with the closest known names suggested; a malformed modifier such as 'het' " +
					"with no gene after it, 'double het' with one gene or 'poss het' without a percentage; or " +
					"a genotype that cannot exist: the super form of a gene that has none, a het of a gene " +
					"that shows with one copy, a possible het's probability outside (0, 1), a gene stated both " +
					"as certain and as a possible het, a sex-linked gene on an animal of unknown sex, two " +
					"copies of a sex-linked gene on the sex that carries one, more copies than a locus holds); " +
					"genetics_provenance.<gene> (not one of visual_parent, proven, statistical, or naming no " +
					"het or possible het of the animal); sire_id and dam_id (no animal with that ID the caller " +
					"may name as a parent, another species than the animal, a sire that is not male or a dam " +
					"that is not female, a parent not hatched before the animal when both dates are known, the " +
					"animal itself, one of its descendants, or a dam that is the sire); or an unknown field or " +
					"a field of the wrong type was sent."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/animals/{animalID}/archive", ID: "archiveAnimal",
			Summary: "Archive an animal",
			Description: "Retires an animal from the active collection: its status becomes archived, archived_at is " +
				"set and its version grows by one. The record stays, and so does every lineage link to and " +
				"from it: it remains its offspring's parent. An archived animal cannot change and is left " +
				"out of lists unless asked for. Archiving an archived animal changes nothing and answers " +
				"the same. Needs no body and no If-Match. Keepers, admins and owners only.",
			Params: []param{animalIDParam},
			Responses: []reply{
				animalReadOnly,
				{Status: 200, Description: "The archived animal.", Body: animalView{},
					Headers: []header{animalETag}},
				animalViewerForbidden,
				animalNotFound,
				{Status: 409, Description: "conflict: the animal is on hold for an open transfer or an active listing " +
					"(withdraw the listing or end the transfer first), or it changed while being archived; try again."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/animals/{animalID}/replace", ID: "replaceReferenceAnimal",
			Summary: "Replace a reference animal by the real one",
			Description: "Once an off-platform parent recorded as a reference animal is on the platform, moves " +
				"every lineage link from the reference to the real animal: each child, in any " +
				"organization, gets the real animal as sire or dam (and its version grows by one), and the " +
				"reference is retired: archived, with replaced_by set. The real animal must be another " +
				"animal of the organization or another breeder's public one, of the reference's species " +
				"and sex (any sex when the reference's is unknown), of the sex of the parent it replaces " +
				"for every child, hatched before every child when both dates are known, and not descended " +
				"from any of them. Needs no If-Match. Keepers, admins and owners only.",
			Params: []param{{Name: "animalID", In: "path",
				Description: "Public ID of the reference animal to replace (a random Base58 string, id of an Animal " +
					"with reference true). An animal of another organization answers 404, exactly like one " +
					"that does not exist.",
				Schema: `{"type": "string"}`}},
			Body:            replaceRequest{},
			BodyDescription: "The real animal.",
			Responses: []reply{
				animalReadOnly,
				{Status: 200, Description: "The retired reference and how many children were re-linked.", Body: referenceReplaced{}},
				animalViewerForbidden,
				animalNotFound,
				{Status: 409, Description: "conflict: the animal is not a reference animal, or it was already replaced."},
				{Status: 422, Description: "validation-failed: errors names the field and the rule: animal_id (missing; no other " +
					"animal with that ID the caller may link: its own, or another breeder's public animal; " +
					"another species than the reference; another sex than the reference's known one, or than " +
					"the parent it replaces for a child; hatched on or after a child's hatch date; or " +
					"descended from a child of the reference); or an unknown field or a field of the wrong " +
					"type was sent. animal_id being missing is checked before the caller's role and the " +
					"animal."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/animals/{animalID}/ownership", ID: "animalOwnership",
			Summary: "An animal's owners",
			Description: "Every organization that has owned the animal, first to current, with the transfer that " +
				"brought it.",
			Params: []param{animalIDParam},
			Responses: []reply{
				{Status: 200, Description: "The owners.", Body: ownershipList{}},
				ownAnimalNotFound,
			},
		},
	},
}

// animalInputLimits states what the decoder checks of identifiers and genetics_provenance,
// which a tag on a map cannot say.
func animalInputLimits(s *jsonschema.Schema) {
	if ids, ok := s.Properties.Get("identifiers"); ok {
		n, key, value := uint64(animals.MaxIdentifiers), uint64(animals.MaxIdentifierKey), uint64(animals.MaxIdentifierSize)
		one := uint64(1)
		ids.MaxProperties = &n
		ids.PropertyNames = &jsonschema.Schema{MinLength: &one, MaxLength: &key}
		ids.AdditionalProperties = &jsonschema.Schema{Type: "string", MaxLength: &value}
	}
	if gp, ok := s.Properties.Get("genetics_provenance"); ok {
		gp.AdditionalProperties = &jsonschema.Schema{Ref: "#/$defs/Provenance"}
	}
}

// Answers and parameters several of these operations share.
var (
	animalETag = header{Name: "ETag", Required: true, Schema: `{"type": "string", "pattern": "^\"v[0-9]+\"$"}`,
		Description: "The animal's version as a strong entity tag: \"v\" and the version, in quotes, such as \"v3\". Send it back as If-Match to update the animal."}
	animalViewerForbidden = reply{Status: 403, Description: "forbidden: the caller is a viewer of the organization; creating, changing and archiving " +
		"animals needs the keeper, admin or owner role."}
	animalNotFound = reply{Status: 404, Description: "not-found: the organization the access token acts for has no animal with this ID. Another " +
		"organization's animal answers the same, public or not."}
)
