package api

import (
	"net/http"

	"github.com/invopop/jsonschema"
)

// embedResource documents the widgets an organization puts on its own website.
var embedResource = apiResource{
	Tag: "embeds",
	About: "Widgets for a breeder's own website: an iframe of one of the organization's public animals with its " +
		"pedigree chart, or of its profile's public animals, which only the origins the breeder names may frame. " +
		"The widget page (/embed/{widgetID}) sets no cookie and loads nothing that tracks; links in it open the " +
		"animal's public page (/animals/{animalID}) in a new tab. Beside the iframe, /embed.js sets its height to the " +
		"widget's.",
	Schemas: []schemaDef{
		{Name: "Embed", Type: embedView{}, Description: "A widget of the organization, with the HTML to paste into its site.",
			Examples: []string{`{"id": "5pNe9sZqL4mWc2Ht7Xk1bR", "kind": "animal", "animal_id": "7Xk1bR5pNe9sZqL4mWc2Ht", "allowed_origins": ["https://breeder.example"], "url": "https://reptidex.example/embed/5pNe9sZqL4mWc2Ht7Xk1bR", "snippet": "<iframe src=\"https://reptidex.example/embed/5pNe9sZqL4mWc2Ht7Xk1bR\" title=\"Pedigree of Bumble on ReptiDex\" loading=\"lazy\" style=\"width:100%;border:0\" height=\"720\"></iframe>\n<script async src=\"https://reptidex.example/embed.js\"></script>", "created_at": "2026-12-05T13:00:00Z"}`}},
		{Name: "EmbedPage", Type: embedPage{}},
		{Name: "CreateEmbedRequest", Type: embedRequest{}, Extend: originLimits,
			Examples: []string{`{"animal_id": "7Xk1bR5pNe9sZqL4mWc2Ht", "allowed_origins": ["https://breeder.example", "https://www.breeder.example"]}`,
				`{"kind": "profile", "allowed_origins": ["https://breeder.example"]}`}},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/embed/widgets", ID: "createEmbed",
			Summary: "Make a widget for the organization's website",
			Description: "A keeper, admin or owner makes a widget of one of the organization's public animals (animal_id; " +
				"not archived) or of its profile (kind profile: its public animals), which only the allowed origins may " +
				"frame: 1 to 10, each https://host[:port] without a path (http:// only for localhost, 127.0.0.1 and " +
				"[::1]). The answer carries the widget's URL and the snippet to paste: its iframe and the script that " +
				"sizes it. The widget shows the animal while it stays the organization's, public and not archived, and " +
				"answers 404 otherwise. An organization keeps at most 100 widgets. Idempotency-Key is optional: for 24 " +
				"hours the same key with the same body answers the first answer again.",
			Params: []param{{Name: "Idempotency-Key", In: "header",
				Description: "A key of the caller's choosing that makes a retry of this request safe, remembered for 24 hours.",
				Schema:      `{"maxLength": 200, "type": "string"}`}},
			Body: embedRequest{},
			Responses: []reply{
				{Status: 201, Description: "The widget.", Body: embedView{},
					Headers: []header{
						{Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri-reference"}`,
							Description: "The widget's URL in the API."},
						{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
							Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key and body, replayed."}}},
				{Status: 403, Description: "forbidden: viewers cannot make widgets."},
				{Status: 404, Description: "not-found: the animal is not one of the organization's."},
				{Status: 409, Description: "conflict: the organization has 100 widgets already; or a request with this " +
					"Idempotency-Key is still being handled (retry after Retry-After).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds to wait before retrying the request."}}},
				{Status: 422, Description: "validation-failed: errors names each invalid field: kind (animal or profile), " +
					"animal_id (required for an animal's widget, left out of a profile's; the animal must be public and not " +
					"archived), allowed_origins (1 to 10) or the item at fault (allowed_origins[2]: not an origin, a path, a " +
					"wildcard, plain http:// for another host than localhost, not ASCII); or Idempotency-Key used for " +
					"another request."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/embed/widgets", ID: "listEmbeds",
			Summary:     "The organization's widgets",
			Description: "Every widget of the organization, oldest first (at most 100), each with its URL and snippet.",
			Responses: []reply{
				{Status: 200, Description: "The widgets.", Body: embedPage{}},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/embed/widgets/{widgetID}", ID: "getEmbed",
			Summary:     "A widget",
			Description: "One of the organization's widgets, with its URL and snippet.",
			Params:      []param{widgetIDParam},
			Responses: []reply{
				{Status: 200, Description: "The widget.", Body: embedView{}},
				{Status: 404, Description: "not-found: the widget is not one of the organization's."},
			},
		},
		{
			Method: http.MethodDelete, Path: "/api/v1/embed/widgets/{widgetID}", ID: "deleteEmbed",
			Summary:     "Delete a widget",
			Description: "A keeper, admin or owner deletes one of the organization's widgets: wherever it is framed, its page answers 404 from then on.",
			Params:      []param{widgetIDParam},
			Responses: []reply{
				{Status: 204, Description: "Deleted."},
				{Status: 403, Description: "forbidden: viewers cannot delete widgets."},
				{Status: 404, Description: "not-found: the widget is not one of the organization's."},
			},
		},
	},
}

var widgetIDParam = param{Name: "widgetID", In: "path",
	Description: "Public ID of the widget. Another organization's widget answers 404, exactly like one that does not exist.",
	Schema:      `{"type": "string"}`}

// originLimits puts the length limit of each origin on the list's items, where it applies.
func originLimits(s *jsonschema.Schema) {
	if p, ok := s.Properties.Get("allowed_origins"); ok && p.Items != nil {
		p.Items.MaxLength, p.MaxLength = p.MaxLength, nil
	}
}
