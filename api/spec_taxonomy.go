package api

import (
	"net/http"

	"github.com/reptidex/reptidex/domain/genetics"
)

// taxonomyResource documents the species catalogues.
var taxonomyResource = apiResource{
	Tag:   "taxonomy",
	About: "The species catalogues animals' genetics are read against. Public to read; platform administrators edit them.",
	Schemas: []schemaDef{
		{Name: "SpeciesSummary", Type: speciesSummary{}},
		{Name: "SpeciesList", Type: speciesList{}},
		{Name: "SpeciesCatalogue", Type: speciesCatalogue{}},
		{Name: "SexSystem", Type: genetics.SexSystem(""), Description: "How the species determines sex, which decides how sex-linked genes pass on: ZW (females carry one copy of a sex-linked gene: snakes and many lizards), XY (males carry one copy), TSD (temperature-dependent: no sex-linked genes).", Enum: []string{"ZW", "XY", "TSD"}},
		{Name: "Species", Type: genetics.Species{}, Description: "Everything the genetics engine knows about a species."},
		{Name: "Gene", Type: genetics.Gene{}},
		{Name: "Compound", Type: genetics.Compound{}},
		{Name: "Combo", Type: genetics.Combo{}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/taxonomy/species", ID: "listSpecies",
			Public:  true,
			Summary: "List species",
			Description: "Every species the registry has a genetics catalogue for, ordered by key, with the number " +
				"of genes and the catalogue's version. Public: needs no token. Each API process caches the " +
				"catalogues for up to 30 seconds, so an edit may take that long to show.",
			Responses: []reply{
				{Status: 200, Description: "The species.", Body: speciesList{}},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/taxonomy/species/{species}", ID: "getSpecies",
			Public:  true,
			Summary: "A species' genetics catalogue",
			Description: "One species' whole catalogue: its sex system, its genes with their inheritance mode, " +
				"allelic locus, sex linkage, lethality and aliases, its compounds (names for two different " +
				"alleles of one locus) and its combinations (names for several visual traits together). " +
				"Its names are what an animal's genetics may say. Public: needs no token. Cached for up to " +
				"30 seconds like the list.",
			Params: []param{{Name: "species", In: "path",
				Description: "Key of the species, such as ball-python (key of a SpeciesSummary).",
				Schema:      `{"type": "string"}`}},
			Responses: []reply{
				{Status: 200, Description: "The catalogue and its version.", Body: speciesCatalogue{},
					Headers: []header{{Name: "ETag", Required: true, Schema: `{"type": "string", "pattern": "^\"v[0-9]+\"$"}`,
						Description: "The catalogue's version as a strong entity tag, such as \"v1\"; it changes whenever the " +
							"catalogue is edited."}}},
				speciesNotFound,
			},
		},
		{
			Method: http.MethodPut, Path: "/api/v1/taxonomy/species/{species}", ID: "replaceSpecies",
			Summary: "Edit a species' genetics catalogue",
			Description: "Replaces a species' whole catalogue, as GET /api/v1/taxonomy/species/{species} answers " +
				"its species, edited. Optimistic concurrency: If-Match must carry the ETag of the " +
				"catalogue as read (428 without it, 412 when it was edited since). The catalogue is " +
				"validated whole, and no gene any animal of the species claims, in any organization, may " +
				"be removed. Each edit adds one to the version and answers the new ETag. Platform " +
				"administrators only; the refusal of anyone else comes first, before If-Match and the " +
				"body. The body is read as JSON whatever its Content-Type.",
			Params: []param{{Name: "species", In: "path",
				Description: "Key of the species, such as ball-python; the body's key must be the same.",
				Schema:      `{"type": "string"}`}, {Name: "If-Match", In: "header", Required: true,
				Description: "The catalogue's ETag as read, such as \"v3\" (a weak W/\"v3\" is read the same). Required: " +
					"without it the answer is 428. A comma-separated list matches when one of its ETags is " +
					"current, and * matches any version. Anything else that is not the current ETag answers " +
					"412.",
				Schema: `{"type": "string"}`}},
			Body:            genetics.Species{},
			BodyDescription: "The whole catalogue.",
			Responses: []reply{
				{Status: 200, Description: "The edited catalogue and its new version.", Body: speciesCatalogue{},
					Headers: []header{{Name: "ETag", Required: true, Schema: `{"type": "string", "pattern": "^\"v[0-9]+\"$"}`,
						Description: "The catalogue's version as a strong entity tag, such as \"v1\"; it changes whenever the " +
							"catalogue is edited."}}},
				{Status: 403, Description: "forbidden: the caller is not a platform administrator."},
				speciesNotFound,
				{Status: 412, Description: "precondition-failed: If-Match names no current ETag of the catalogue: someone edited it " +
					"since it was read; read it again and reapply the change. Nothing was written."},
				{Status: 428, Description: "precondition-required: the request has no If-Match header (or an empty one). Send the " +
					"ETag of the catalogue as last read; nothing was read or written."},
				{Status: 422, Description: "validation-failed: errors names the field and the rule: key (not the species in the " +
					"path); genes (the catalogue is inconsistent: a gene without key or name, listed twice, of " +
					"an unknown mode, with a super form when it is not incomplete dominant or without one when " +
					"it is, sex-linked in a species without sex chromosomes, a polygenic trait with a locus, " +
					"sex linkage or lethality, a locus mixing sex-linked and autosomal genes, a compound that " +
					"is not two different alleles of one known locus, or a combination requiring an unknown " +
					"trait, all reported under genes; or it drops a gene animals claim); or an unknown field " +
					"or a field of the wrong type was sent."},
			},
		},
	},
}

// Answers and parameters several of these operations share.
var (
	speciesNotFound = reply{Status: 404, Description: "not-found: no species has this key."}
)
