package api

import (
	"net/http"
)

// breedingResource documents pairings, clutches and hatchlings.
var breedingResource = apiResource{
	Tag:   "breeding",
	About: "Pairings with their predicted offspring and inbreeding, clutches, hatches and hatchlings.",
	Schemas: []schemaDef{
		{Name: "CreatePairingRequest", Type: pairingRequest{}, Examples: []string{`{"sire_id": "4fTqW9zKc2NvRb7Hx", "dam_id": "7QmVbX2kLp9sT4wYz", "season": 2025}`}},
		{Name: "Clutch", Type: clutchView{}, Examples: []string{`{"id": "8WcLr3NbT6yQpK2Hs", "pairing_id": "3JvNq8XtKc5RmZ7Pw", "laid_on": "2025-04-01", "eggs": 6, "fertile": 5, "infertile": 1, "hatched_on": "2025-05-28", "hatched": 4, "hatch_rate": 0.8, "hatchlings_registered": 3}`}},
		{Name: "Pairing", Type: pairingView{}},
		{Name: "PairingList", Type: pairingList{}},
		{Name: "CreateClutchRequest", Type: clutchRequest{}, Description: "fertile and infertile together cannot exceed eggs.", Examples: []string{`{"laid_on": "2025-04-01", "eggs": 6, "fertile": 5, "infertile": 1}`}},
		{Name: "UpdateClutchRequest", Type: updateClutchRequest{}, Optional: true, Props: map[string]string{
			"laid_on":    "When the eggs were laid, such as 2025-04-12, at most a day in the future. Cannot be cleared.",
			"eggs":       "Eggs laid.",
			"fertile":    "Eggs known fertile.",
			"infertile":  "Eggs known infertile.",
			"hatched_on": "When the clutch hatched, not before laid_on and at most a day in the future; an empty string clears it.",
			"hatched":    "Eggs hatched, at most fertile, and not fewer than the hatchlings already registered.",
		}, Description: "The fields to change; the others are kept, and null keeps a field too. The whole clutch is checked again.", Examples: []string{`{"hatched_on": "2025-05-28", "hatched": 4}`}},
		{Name: "HatchlingInput", Type: hatchlingInput{}},
		{Name: "CreateHatchlingsRequest", Type: hatchlingsRequest{}, Examples: []string{`{"hatchlings": [{"sex": "male", "looks": "Pastel Clown", "name": "Pip"}, {"sex": "female", "looks": "Pastel"}, {"looks": ""}]}`}},
		{Name: "HatchlingList", Type: hatchlingList{}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/breeding/pairs", ID: "listPairings",
			Summary: "List the organization's pairings",
			Description: "Lists the pairings of the organization the access token acts for, ordered by id, a page " +
				"at a time, with cursor pagination: pass the next_cursor of one page as cursor to get the " +
				"next; the last page has no next_cursor. Listed pairings carry neither prediction nor " +
				"clutches: GET one for those. coi_warning is worded against the organization's current " +
				"threshold. Any member of the organization may list.",
			Params: []param{cursorParam, limitParam},
			Responses: []reply{
				{Status: 200, Description: "One page of pairings.", Body: pairingList{}},
				{Status: 400, Description: "malformed-request: errors names the query parameter: limit (not a whole number from 1 to " +
					"100) or cursor (not one this API issued)."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/breeding/pairs", ID: "createPairing",
			Summary: "Plan a pairing",
			Description: "Plans a pairing of a sire and a dam in the organization the access token acts for. The " +
				"parents may be the organization's animals or other breeders' public ones, a male and a " +
				"female of one species. The answer carries the predicted offspring (as from POST " +
				"/api/v1/genetics/predict, within its bounds: summarised beyond 256 joint outcomes; a " +
				"pairing of more than 32 genes is refused with 422), the inbreeding coefficient the " +
				"offspring would have (stored with the pairing as offspring_coi; computed over the " +
				"parents' nearest generations within 2,500 ancestors, prediction.offspring_coi_pedigree " +
				"saying whether more were left out) and, when that is above the organization's threshold " +
				"(coi_warning_threshold, 6.25% unless changed), a coi_warning; a warning does not refuse " +
				"the pairing. status defaults to planned. Keepers, admins and owners only.",
			Body:            pairingRequest{},
			BodyDescription: "The pairing.",
			Responses: []reply{
				{Status: 201, Description: "The new pairing, with its prediction.", Body: pairingView{},
					Headers: []header{{Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri-reference"}`,
						Description: "The new pairing's URL, /api/v1/breeding/pairs/{pairID}."}}},
				breedingViewerForbidden,
				{Status: 422, Description: "validation-failed: errors names the field and the rule, the first one refused: status " +
					"(not one of planned, active, completed, cancelled); notes (longer than 2000 characters); " +
					"season (not a year from 1900 to 2200); sire_id or dam_id (missing; no animal with that ID " +
					"that the organization may pair: its own, or another breeder's public animal; a sire that " +
					"is not male or a dam that is not female; a dam of another species than the sire); " +
					"genetics (the parents hold more than 32 genes (loci) between them); or an unknown field " +
					"or a field of the wrong type was sent. status, notes and season are checked before the " +
					"caller's role."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/breeding/pairs/{pairID}", ID: "getPairing",
			Summary: "A pairing",
			Description: "One pairing of the organization the access token acts for, with its clutches (oldest " +
				"first; [] when none) and the prediction of its offspring, computed again from the " +
				"parents' current genetics within the bounds of POST /api/v1/genetics/predict (summarised " +
				"beyond them, so a read costs a few milliseconds at most). offspring_coi is the value " +
				"stored when the pairing was planned; prediction.offspring_coi is computed now, so the two " +
				"differ when the parents' pedigree changed since. prediction is absent when a parent is no " +
				"longer one the organization may pair (another breeder's animal that is no longer public) " +
				"or the parents' genetics changed past what can be predicted. Any member of the " +
				"organization may read.",
			Params: []param{pairIDParam},
			Responses: []reply{
				{Status: 200, Description: "The pairing.", Body: pairingView{}},
				pairingNotFound,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/breeding/pairs/{pairID}/clutches", ID: "createClutch",
			Summary: "Record a clutch",
			Description: "Records a clutch laid by a pairing of the organization: the laying date and the eggs, and " +
				"as far as known how many are fertile and infertile, and the hatch. Counts not sent are 0; " +
				"hatch_rate is hatched / fertile once any egg is known fertile. Any pairing of the " +
				"organization may get clutches, whatever its status. Keepers, admins and owners only.",
			Params:          []param{pairIDParam},
			Body:            clutchRequest{},
			BodyDescription: "The clutch.",
			Responses: []reply{
				{Status: 201, Description: "The new clutch.", Body: clutchView{}},
				breedingViewerForbidden,
				pairingNotFound,
				{Status: 422, Description: "validation-failed: errors names the field and the rule, the first one refused: eggs " +
					"(missing); laid_on (missing or empty); laid_on (not a date such as 2025-04-12, or more " +
					"than a day in the future); hatched_on (not a date, more than a day in the future, or " +
					"before laid_on); eggs, fertile, infertile or hatched (not a whole number from 0 to 500); " +
					"fertile (fertile and infertile eggs together exceed eggs); hatched (more than fertile); " +
					"or an unknown field or a field of the wrong type was sent. The body is checked before the " +
					"caller's role and the pairing."},
			},
		},
		{
			Method: http.MethodPatch, Path: "/api/v1/breeding/clutches/{clutchID}", ID: "updateClutch",
			Summary: "Record fertility and hatch results",
			Description: "Changes the fields of a clutch that are sent and keeps the others, then checks the whole " +
				"clutch again: fertile and infertile eggs cannot exceed the eggs, hatched cannot exceed " +
				"fertile, hatched_on cannot precede laid_on, and hatched cannot fall below the hatchlings " +
				"already registered from the clutch. An empty hatched_on clears it; null leaves a field as " +
				"it is. Needs no If-Match. Keepers, admins and owners only.",
			Params:          []param{clutchIDParam},
			Body:            updateClutchRequest{},
			BodyDescription: "The fields to change; every one is optional.",
			Responses: []reply{
				{Status: 200, Description: "The changed clutch.", Body: clutchView{}},
				breedingViewerForbidden,
				clutchNotFound,
				{Status: 422, Description: "validation-failed: errors names the field and the rule, the first one refused: laid_on " +
					"(an empty string: it cannot be cleared); laid_on (not a date such as 2025-04-12, or more " +
					"than a day in the future); hatched_on (not a date, more than a day in the future, or " +
					"before laid_on); eggs, fertile, infertile or hatched (not a whole number from 0 to 500); " +
					"fertile (fertile and infertile eggs together exceed eggs); hatched (more than fertile); " +
					"hatched (fewer than the hatchlings already registered from the clutch); or an unknown " +
					"field or a field of the wrong type was sent."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/breeding/clutches/{clutchID}/hatchlings", ID: "createHatchlings",
			Summary: "Register hatchlings of a clutch",
			Description: "Registers hatchlings of a clutch as animals of the organization, all or nothing: each " +
				"gets the pairing's sire and dam as parents, the clutch, the organization as breeder of " +
				"record, the clutch's hatched_on as hatch date (none when it is not recorded), status " +
				"active and version 1. Give what each hatchling shows (looks, in trade names; empty for a " +
				"normal-looking one): it must be an outcome the pairing can produce (checked gene by gene, " +
				"so however many joint outcomes the pairing has, summarised or not), and the hatchling " +
				"inherits that outcome's hets (certain ones with provenance visual_parent) and possible " +
				"hets (provenance statistical, with their probability). When the pairing's offspring " +
				"differ by sex (a sex-linked gene), each hatchling's sex is needed. At most the clutch's " +
				"hatched count can be registered in all: record the hatch first (PATCH " +
				"/api/v1/breeding/clutches/{clutchID}). Keepers, admins and owners only.",
			Params:          []param{clutchIDParam},
			Body:            hatchlingsRequest{},
			BodyDescription: "The hatchlings.",
			Responses: []reply{
				planLimitReply("the hatchlings would take the organization beyond the animals its plan allows (limit animals); none is registered."),
				{Status: 201, Description: "The registered hatchlings, in the order given.", Body: hatchlingList{}},
				breedingViewerForbidden,
				clutchNotFound,
				{Status: 422, Description: "validation-failed: errors names the field and the rule, the first one refused: hatchlings " +
					"(none or more than 100, or more than the clutch's hatched count less the hatchlings " +
					"already registered); visibility (not one of public, organization, private); " +
					"hatchlings[i].sex (not one of male, female, unknown, or missing while the pairing's " +
					"offspring differ by sex); hatchlings[i].looks (an unknown name, with the closest known " +
					"names suggested; a het or possible het, since those come from the pairing; a genotype " +
					"that cannot exist; or a look that is not a possible outcome of the pairing); " +
					"hatchlings[i].name (longer than 120 characters after trimming); sire_id or dam_id (a " +
					"parent of the pairing is no longer one the organization may pair: another breeder's " +
					"animal that is no longer public); or an unknown field or a field of the wrong type was " +
					"sent. hatchlings and visibility are checked before the caller's role and the clutch."},
			},
		},
	},
}

// Answers and parameters several of these operations share.
var (
	pairingNotFound = reply{Status: 404, Description: "not-found: the organization the access token acts for has no pairing with this ID. " +
		"Another organization's pairing answers the same."}
	clutchNotFound = reply{Status: 404, Description: "not-found: the organization the access token acts for has no clutch with this ID. Another " +
		"organization's clutch answers the same."}
	breedingViewerForbidden = reply{Status: 403, Description: "forbidden: the caller is a viewer of the organization; planning pairings and recording " +
		"clutches, hatches and hatchlings needs the keeper, admin or owner role."}
	pairIDParam = param{Name: "pairID", In: "path",
		Description: "Public ID of the pairing (a random Base58 string, id of a Pairing). A pairing of another " +
			"organization answers 404, exactly like one that does not exist.",
		Schema: `{"type": "string"}`}
	clutchIDParam = param{Name: "clutchID", In: "path",
		Description: "Public ID of the clutch (a random Base58 string, id of a Clutch). A clutch of another " +
			"organization answers 404, exactly like one that does not exist.",
		Schema: `{"type": "string"}`}
)
