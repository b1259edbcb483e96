package api

import (
	"net/http"
)

// renderResource documents the drawings of records people print or look at: pedigree charts.
var renderResource = apiResource{
	Tag:   "render",
	About: "Drawings of records, as PDF or SVG: an animal's pedigree chart. They show exactly what the JSON reads show.",
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/render/pedigree/{animalID}", ID: "renderPedigree",
			Summary: "An animal's pedigree chart, as PDF or SVG",
			Description: "The animal's pedigree drawn as a classic chart on one A4 landscape page, left to right: " +
				"the animal, then for each animal its sire above its dam, generations deep. A box shows an " +
				"animal's name, public ID, sex, hatch date, genetics (trade names), breeder and owner, as " +
				"much as its column has room for (a 5-generation chart's farthest column shows name and ID); text too " +
				"long for its box is cut with an ellipsis. The chart is read as GET /api/v1/lineage/{animalID} " +
				"reads it and shows exactly what that answers: another breeder's ancestor that is not public " +
				"is drawn as \"not public\" with its species only, and a parent nobody recorded as " +
				"\"unknown\". The title names the animal, the generations and the day it was drawn; the " +
				"animal's primary photo (its thumbnail) is drawn above its box, embedded in the SVG as a " +
				"data: URI so that the file loads nothing from elsewhere. The " +
				"PDF uses the PDF core fonts (Helvetica), which hold Windows-1252 only: a character they " +
				"lack (an emoji, a CJK name) prints as \"?\"; the SVG keeps every character, its text " +
				"XML-escaped. A 5-generation PDF is some 6 kB (some 30 kB with a photo) and takes a few ms to draw. The animal " +
				"may be the organization's own or another breeder's public one. Any member of the " +
				"organization may look.",
			Params: []param{animalIDParam2,
				{Name: "format", In: "query", Description: "pdf (the default) or svg.",
					Schema: `{"type": "string", "enum": ["pdf", "svg"], "default": "pdf"}`},
				{Name: "generations", In: "query",
					Description: "How many generations of ancestors, a whole number from 3 to 5 (default 4).",
					Schema:      `{"type": "integer", "minimum": 3, "maximum": 5, "default": 4}`}},
			Responses: []reply{
				{Status: 200, Description: "The chart: a PDF (format pdf) or an SVG image (format svg), to show inline.",
					Binary: []string{"application/pdf", "image/svg+xml"},
					Headers: []header{{Name: "Content-Disposition", Required: true,
						Description: `inline, with the file's name: pedigree-{animalID}.pdf or .svg.`,
						Schema:      `{"type": "string"}`}}},
				{Status: 400, Description: "malformed-request: errors names the query parameter, the first one refused: format " +
					"(neither pdf nor svg) or generations (not a whole number from 3 to 5)."},
				lineageNotFound,
			},
		},
	},
}
