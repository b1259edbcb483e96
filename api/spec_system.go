package api

import (
	"net/http"

	"github.com/invopop/jsonschema"
)

// systemResource documents health and documentation.
var systemResource = apiResource{
	Tag:   "system",
	About: "Health and documentation. Metrics and the detailed dependency health are served to operators on the operations listener (OPS_ADDR), never by this API.",
	Schemas: []schemaDef{
		{Name: "HealthStatus", Type: liveness{}},
		{Name: "DependencyStatus", Type: dependencyStatus{}},
		{Name: "Problem", Type: Problem{}, Extend: problemTypes, Description: "An RFC 9457 problem detail, the only shape an error leaves the API in (application/problem+json, never cached).", Examples: []string{`{"type": "/docs#problem-validation-failed", "title": "Validation failed", "status": 422, "detail": "password: must be at least 10 characters and at most 1024 bytes", "instance": "/api/v1/auth/register", "request_id": "host/abc123-000001", "errors": [{"field": "password", "message": "must be 10 to 1024 characters"}]}`}},
		{Name: "FieldError", Type: FieldError{}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/health", ID: "health",
			Public:      true,
			Summary:     "Liveness check",
			Description: "Answers as long as the process serves HTTP; checks no dependency.",
			Responses: []reply{
				{Status: 200, Description: "The process is up: {\"status\": \"up\"}.", Body: liveness{}},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/health/deep", ID: "healthDeep",
			Public:  true,
			Summary: "Dependency health check",
			Description: "Says whether every dependency (such as postgres, temporal, river, s3, stripe, smtp) " +
				"answers, and nothing more: the status is down, and the answer 503, when any check is " +
				"down. The checks run concurrently, each bounded by 3 seconds, at most once per " +
				"HEALTH_CACHE_TTL (5 seconds by default) however many callers ask; callers in between " +
				"share the last run's answer. Which dependency is down, each one's latency and how it " +
				"failed are for operators: the operations listener (OPS_ADDR, not this API) answers them " +
				"on /health/deep, beside the Prometheus metrics on /metrics. Both answers are " +
				"application/json, not a problem.",
			Responses: []reply{
				{Status: 200, Description: "Every check is up: {\"status\": \"up\"}.", Body: dependencyStatus{}},
				{Status: 503, Description: "At least one check is down: {\"status\": \"down\"}.", Body: dependencyStatus{}},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/openapi.json", ID: "openAPI",
			Public:      true,
			Summary:     "This OpenAPI document",
			Description: "The OpenAPI 3.1 description of the API, as JSON. Cacheable for 60 seconds.",
			Responses: []reply{
				{Status: 200, Description: "The OpenAPI document.", Body: map[string]any{}},
			},
		},
		{
			Method: http.MethodGet, Path: "/docs", ID: "docs",
			Public:  true,
			Summary: "Human-readable API documentation",
			Description: "One self-contained HTML page rendered from this document, with the table of problem types " +
				"(anchors such as /docs#problem-validation-failed).",
			Responses: []reply{
				{Status: 200, Description: "The documentation page.", Media: "text/html"},
			},
		},
	},
}

// problemTypes lists every problem type the API answers with.
func problemTypes(s *jsonschema.Schema) {
	if typ, ok := s.Properties.Get("type"); ok {
		for _, k := range problemKinds {
			typ.Enum = append(typ.Enum, k.typeURI())
		}
	}
}
