package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
)

// openAPIDoc is the OpenAPI 3.1 description of this API, generated from api/spec*.go and the
// Go types the handlers decode and encode (spec.go says how; `make generate` rewrites it).
// Tests check it is up to date and documents exactly the routes the router serves.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the OpenAPI document.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, err := w.Write(openAPIDoc)
	return err
}

// openAPISpec is the part of the OpenAPI document the docs page renders.
type openAPISpec struct {
	Info struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description"`
	} `json:"info"`
	Paths map[string]map[string]openAPIOperation `json:"paths"`
}

type openAPIOperation struct {
	Summary     string                `json:"summary"`
	Description string                `json:"description"`
	Tags        []string              `json:"tags"`
	Security    []map[string][]string `json:"security"`
	Parameters  []struct {
		Name        string `json:"name"`
		In          string `json:"in"`
		Required    bool   `json:"required"`
		Description string `json:"description"`
	} `json:"parameters"`
	Responses map[string]struct {
		Description string `json:"description"`
	} `json:"responses"`
}

func parseOpenAPI() (openAPISpec, error) {
	var spec openAPISpec
	if err := json.Unmarshal(openAPIDoc, &spec); err != nil {
		return spec, fmt.Errorf("parse openapi.json: %w", err)
	}
	return spec, nil
}
