package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// contract is the OpenAPI document every answer the API tests receive is checked against:
// its status must be documented for the operation, and its body must match the schema
// documented for that status.
var contract = sync.OnceValues(func() (*contractRoutes, error) {
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("image/svg+xml", openapi3filter.PlainBodyDecoder)
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	c := &contractRoutes{doc: doc}
	for path, item := range doc.Paths.Map() {
		pattern := regexp.QuoteMeta(path)
		var names []string
		for _, m := range regexp.MustCompile(`\\\{([^}]+)\\\}`).FindAllStringSubmatch(pattern, -1) {
			names = append(names, m[1])
		}
		pattern = regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(pattern, `([^/]+)`)
		c.routes = append(c.routes, contractRoute{path: path, item: item, re: regexp.MustCompile("^" + pattern + "$"), names: names})
	}
	return c, nil
})

type contractRoutes struct {
	doc    *openapi3.T
	routes []contractRoute
}

type contractRoute struct {
	path  string
	item  *openapi3.PathItem
	re    *regexp.Regexp
	names []string
}

// find is the documented operation a request reaches; a literal path wins over a template
// (/animals/search over /animals/{animalID}).
func (c *contractRoutes) find(method, path string) (*routers.Route, map[string]string) {
	var best *routers.Route
	var params map[string]string
	for _, r := range c.routes {
		m := r.re.FindStringSubmatch(path)
		op := r.item.GetOperation(method)
		if m == nil || op == nil {
			continue
		}
		if best != nil && strings.Count(best.Path, "{") <= strings.Count(r.path, "{") {
			continue
		}
		best = &routers.Route{Spec: c.doc, Path: r.path, PathItem: r.item, Method: method, Operation: op}
		params = map[string]string{}
		for i, n := range r.names {
			params[n] = m[i+1]
		}
	}
	return best, params
}

// checkContract fails the test when an answer is not what the document says the operation
// answers.
func checkContract(t *testing.T, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if err := contractError(req, status, header, body); err != nil {
		t.Errorf("%v\nbody: %.300s", err, body)
	}
}

// contractError says how an answer differs from what the document says the operation
// answers: a status it does not list, a header or a body that does not match the schema.
func contractError(req *http.Request, status int, header http.Header, body []byte) error {
	c, err := contract()
	if err != nil {
		return err
	}
	route, params := c.find(req.Method, req.URL.Path)
	if route == nil {
		return nil // not a documented operation: an unknown path or method, answered 404 or 405
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s answered %d, not as the OpenAPI document says: %w", req.Method, route.Path, status, err)
	}
	return nil
}
