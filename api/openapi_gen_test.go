package api

import (
	"context"
	"flag"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

var updateOpenAPI = flag.Bool("update", false, "rewrite openapi.json from api/spec*.go (make generate)")

// TestOpenAPIDocumentIsGenerated checks that openapi.json is what api/spec*.go and the Go
// types generate today; `make generate` rewrites it.
func TestOpenAPIDocumentIsGenerated(t *testing.T) {
	t.Parallel()
	got, err := generateOpenAPI("..")
	require.NoError(t, err)
	if *updateOpenAPI {
		require.NoError(t, os.WriteFile("openapi.json", got, 0o644))
		return
	}
	require.Equal(t, string(got), string(openAPIDoc), "api/openapi.json is not what api/spec*.go generate: run make generate")
}

// TestOpenAPIDocumentFollowsTheSpecification loads the document as an OpenAPI 3.1 client
// would and validates it: every reference, schema, parameter and example.
func TestOpenAPIDocumentFollowsTheSpecification(t *testing.T) {
	t.Parallel()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPIDoc)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background(), openapi3.EnableExamplesValidation()))
}

// TestOpenAPIGeneratorRefusesAnUnnamedType checks that an answer of a struct type no
// resource names is refused rather than documented under a Go name.
func TestOpenAPIGeneratorRefusesAnUnnamedType(t *testing.T) {
	t.Parallel()
	type stray struct {
		A string `json:"a"`
	}
	g := newSpecGenerator(nil)
	_, err := g.operation("system", operation{Method: "GET", Path: "/x", ID: "x", Summary: "x", Description: "x",
		Responses: []reply{{Status: 200, Description: "x", Body: stray{}}}})
	require.ErrorContains(t, err, "stray has no schema")
}
