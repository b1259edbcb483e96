package api

import (
	"encoding/json"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
)

// newDocTestServer builds a server without a database: enough to walk its routes and to
// exercise everything that answers before a handler touches a dependency.
func newDocTestServer(t *testing.T, mutate func(*config.Config)) *Server {
	t.Helper()
	cfg, err := config.Load()
	require.NoError(t, err)
	if mutate != nil {
		mutate(&cfg)
	}
	return newServer(Deps{
		Config:   cfg,
		Registry: prometheus.NewRegistry(),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

// oasDoc is the whole OpenAPI document, generically.
type oasDoc = map[string]any

func loadOpenAPI(t *testing.T) oasDoc {
	t.Helper()
	var doc oasDoc
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc), "openapi.json must be valid JSON")
	return doc
}

func obj(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	require.Truef(t, ok, "%s must be a JSON object, is %T", what, v)
	return m
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// docOp is one documented operation.
type docOp struct {
	method, path string // method lowercase, path as in the document
	op           map[string]any
}

func (o docOp) String() string { return strings.ToUpper(o.method) + " " + o.path }

func docOperations(t *testing.T, doc oasDoc) []docOp {
	t.Helper()
	var out []docOp
	for path, item := range obj(t, doc["paths"], "paths") {
		for key, v := range obj(t, item, "paths."+path) {
			require.Containsf(t, httpMethods, key,
				"paths.%s.%s: only operations belong in a path item here (the docs page parses every key as one)", path, key)
			out = append(out, docOp{method: key, path: path, op: obj(t, v, "paths."+path+"."+key)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// resolvePointer follows a local JSON pointer such as #/components/schemas/Problem.
func resolvePointer(doc oasDoc, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// collectRefs returns every $ref in v with the location it was found at.
func collectRefs(v any, at string, out map[string][]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "$ref" {
				if s, ok := e.(string); ok {
					out[s] = append(out[s], at)
				} else {
					out["<non-string $ref>"] = append(out["<non-string $ref>"], at)
				}
				continue
			}
			collectRefs(e, at+"/"+k, out)
		}
	case []any:
		for i, e := range x {
			collectRefs(e, at+"/"+strconv.Itoa(i), out)
		}
	}
}

// routeSet is what the router serves: "METHOD pattern".
func routeSet(t *testing.T, s *Server) map[string]bool {
	t.Helper()
	routes, err := s.Routes()
	require.NoError(t, err)
	require.NotEmpty(t, routes)
	set := map[string]bool{}
	for _, r := range routes {
		set[strings.ToUpper(r[0])+" "+r[1]] = true
	}
	return set
}

// TestOpenAPIDocumentIsValid checks the document's structure: version, resolvable
// references, complete operations, security and the problem shape of every error.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)

	version, _ := doc["openapi"].(string)
	require.True(t, strings.HasPrefix(version, "3."), "openapi must be a 3.x version, is %q", version)
	info := obj(t, doc["info"], "info")
	for _, k := range []string{"title", "version", "description"} {
		require.NotEmptyf(t, info[k], "info.%s is rendered on /docs and must be set", k)
	}

	// Every $ref resolves to an existing component, and every schema is used.
	refs := map[string][]string{}
	collectRefs(doc, "#", refs)
	require.NotEmpty(t, refs)
	for ref, at := range refs {
		require.Truef(t, strings.HasPrefix(ref, "#/components/"), "$ref %q (at %v) must point into components", ref, at)
		_, ok := resolvePointer(doc, ref)
		require.Truef(t, ok, "$ref %q (at %v) does not resolve", ref, at)
	}
	components := obj(t, doc["components"], "components")
	schemas := obj(t, components["schemas"], "components.schemas")
	for name := range schemas {
		_, used := refs["#/components/schemas/"+name]
		require.Truef(t, used, "schema %s is never used", name)
	}
	for _, name := range []string{"TokenResponse", "RegisterRequest", "LoginRequest", "RefreshRequest",
		"LogoutRequest", "Me", "OrgMembership", "Member", "MemberList", "CreateInvitationRequest",
		"ChangeMemberRequest", "DependencyStatus", "Problem", "FieldError"} {
		require.Containsf(t, schemas, name, "components.schemas.%s is missing", name)
	}

	bearer := obj(t, obj(t, components["securitySchemes"], "securitySchemes")["bearerAuth"], "bearerAuth")
	require.Equal(t, "http", bearer["type"])
	require.Equal(t, "bearer", bearer["scheme"])
	require.Equal(t, "JWT", bearer["bearerFormat"])

	ops := docOperations(t, doc)
	require.NotEmpty(t, ops)
	operationIDs := map[string]string{}
	placeholder := regexp.MustCompile(`\{([^}]+)\}`)
	for _, o := range ops {
		for _, k := range []string{"summary", "description", "operationId"} {
			s, _ := o.op[k].(string)
			require.NotEmptyf(t, s, "%s: %s must be set", o, k)
		}
		id := o.op["operationId"].(string)
		require.NotContainsf(t, operationIDs, id, "%s: operationId %q already used by %s", o, id, operationIDs[id])
		operationIDs[id] = o.String()

		// Security is explicit: [] for public operations, bearerAuth for the others.
		sec, ok := o.op["security"].([]any)
		require.Truef(t, ok, "%s: security must be set explicitly ([] when public)", o)
		if len(sec) > 0 {
			require.Equalf(t, []any{map[string]any{"bearerAuth": []any{}}}, sec, "%s: security", o)
		}

		// Path placeholders are documented as required path parameters, inline (the docs
		// page does not follow $refs), and nothing else is "in: path".
		params, _ := o.op["parameters"].([]any)
		pathParams := map[string]bool{}
		for i, p := range params {
			pm := obj(t, p, o.String()+" parameter")
			require.NotContainsf(t, pm, "$ref", "%s: parameter %d must be inline for /docs", o, i)
			require.NotEmptyf(t, pm["description"], "%s: parameter %v needs a description", o, pm["name"])
			require.Containsf(t, pm, "schema", "%s: parameter %v needs a schema", o, pm["name"])
			if pm["in"] == "path" {
				require.Equalf(t, true, pm["required"], "%s: path parameter %v must be required", o, pm["name"])
				pathParams[pm["name"].(string)] = true
			}
		}
		want := map[string]bool{}
		for _, m := range placeholder.FindAllStringSubmatch(o.path, -1) {
			want[m[1]] = true
		}
		require.Equalf(t, want, pathParams, "%s: path parameters", o)

		// Request bodies are JSON objects that refuse unknown fields, except Stripe's events,
		// which Stripe writes and adds fields to: the signature, not the shape, admits them.
		if rb, ok := o.op["requestBody"]; ok && o.String() != "POST /api/v1/stripe/webhooks" {
			content := obj(t, obj(t, rb, o.String()+" requestBody")["content"], o.String()+" requestBody.content")
			media := obj(t, content["application/json"], o.String()+" requestBody application/json")
			ref, _ := obj(t, media["schema"], "schema")["$ref"].(string)
			schema, ok := resolvePointer(doc, ref)
			require.Truef(t, ok, "%s: request body schema must be a $ref to a component", o)
			require.Equalf(t, false, obj(t, schema, ref)["additionalProperties"],
				"%s: %s must set additionalProperties: false (the API refuses unknown fields)", o, ref)
		}

		// Every response is described inline; errors are problems.
		responses := obj(t, o.op["responses"], o.String()+" responses")
		require.NotEmptyf(t, responses, "%s: responses", o)
		for code, r := range responses {
			rm := obj(t, r, o.String()+" "+code)
			require.NotContainsf(t, rm, "$ref", "%s %s: responses must be inline for /docs", o, code)
			require.NotEmptyf(t, rm["description"], "%s %s: description", o, code)
			n, err := strconv.Atoi(code)
			require.NoErrorf(t, err, "%s: response code %q must be a number", o, code)
			if n < 400 || (o.String() == "GET /api/v1/health/deep" && n == http.StatusServiceUnavailable) {
				continue // the deep health check answers 503 with its status, not a problem
			}
			content := obj(t, rm["content"], o.String()+" "+code+" content")
			if _, page := content["text/html"]; page && len(content) == 1 {
				continue // a page that an emailed link opens in a browser tells its errors in HTML
			}
			if _, page := content["text/html"]; page {
				require.Lenf(t, content, 2, "%s %s: an error is a problem, and a page to a form", o, code)
			} else {
				require.Lenf(t, content, 1, "%s %s: an error has one content type", o, code)
			}
			media := obj(t, content["application/problem+json"], o.String()+" "+code+" application/problem+json")
			require.Equalf(t, "#/components/schemas/Problem", obj(t, media["schema"], "schema")["$ref"], "%s %s", o, code)
		}
	}
}

// TestOpenAPIDocumentsEveryRoute checks that every route the router serves is documented.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	s := newDocTestServer(t, nil)
	doc := loadOpenAPI(t)
	paths := obj(t, doc["paths"], "paths")

	routes, err := s.Routes()
	require.NoError(t, err)
	require.NotEmpty(t, routes)
	for _, r := range routes {
		method, pattern := strings.ToLower(r[0]), r[1]
		require.NotEqualf(t, "/metrics", pattern, "the public API never serves metrics (%s): the operations listener does", r[0])
		item, ok := paths[pattern]
		require.Truef(t, ok, "route %s %s is not documented under paths", r[0], pattern)
		require.Containsf(t, obj(t, item, pattern), method, "route %s %s is not documented under paths.%s.%s", r[0], pattern, pattern, method)
	}
	require.NotContains(t, paths, "/metrics", "the operations listener's endpoints are not part of the public API")
}

// TestOpenAPIHasNoPhantomOperations checks that every documented operation is one the
// router serves, both by its route table and by matching a concrete request.
func TestOpenAPIHasNoPhantomOperations(t *testing.T) {
	t.Parallel()
	s := newDocTestServer(t, nil)
	served := routeSet(t, s)
	mux, ok := s.router.(*chi.Mux)
	require.True(t, ok, "the router is a *chi.Mux")
	example := strings.NewReplacer("{orgID}", "2NEpo7TZRRrLZSi2U", "{userID}", "9Ajdvzr5Xmqz1yM2N")
	for _, o := range docOperations(t, loadOpenAPI(t)) {
		method := strings.ToUpper(o.method)
		require.Truef(t, served[method+" "+o.path], "%s is documented but the router does not serve it", o)
		require.Truef(t, mux.Match(chi.NewRouteContext(), method, example.Replace(o.path)),
			"%s is documented but no route matches %s %s", o, method, example.Replace(o.path))
	}
}

// TestOpenAPIDocumentsAuthenticationAndRateLimits checks, against the live router, that
// exactly the operations behind authentication declare bearerAuth and document a 401 with
// WWW-Authenticate, and that exactly the rate-limited ones document a 429 with Retry-After.
func TestOpenAPIDocumentsAuthenticationAndRateLimits(t *testing.T) {
	t.Parallel()
	s := newDocTestServer(t, func(c *config.Config) {
		c.Auth.RatePerMinute, c.Auth.RateBurst = 1, 1
		c.Limits.SearchPerMinute, c.Limits.SearchBurst = 1, 1
	})
	h := s.Handler()
	example := strings.NewReplacer("{orgID}", "2NEpo7TZRRrLZSi2U", "{userID}", "9Ajdvzr5Xmqz1yM2N")
	for _, o := range docOperations(t, loadOpenAPI(t)) {
		// No credentials and no body: nothing here reaches the (absent) database.
		do := func() *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(strings.ToUpper(o.method), example.Replace(o.path), nil))
			return rec
		}
		first := do()
		second := do() // the burst is 1: a rate-limited route refuses this one

		responses := obj(t, o.op["responses"], o.String()+" responses")
		sec, _ := o.op["security"].([]any)
		authenticated := first.Code == http.StatusUnauthorized && strings.HasPrefix(first.Header().Get("WWW-Authenticate"), "Bearer")
		require.Equalf(t, authenticated, len(sec) > 0,
			"%s: security says authenticated=%v, the router answered %d without a token", o, len(sec) > 0, first.Code)
		if authenticated {
			r401 := obj(t, responses["401"], o.String()+" 401")
			require.Containsf(t, obj(t, r401["headers"], o.String()+" 401 headers"), "WWW-Authenticate", "%s 401", o)
			require.Equal(t, "application/problem+json", first.Header().Get("Content-Type"))
		}

		limited := second.Code == http.StatusTooManyRequests
		_, documented := responses["429"]
		// A limit per address answers before authentication; a limit per account only after it.
		require.Truef(t, limited == documented || (documented && authenticated),
			"%s: 429 documented=%v, rate limited=%v", o, documented, limited)
		if limited {
			require.NotEmpty(t, second.Header().Get("Retry-After"))
			r429 := obj(t, responses["429"], o.String()+" 429")
			require.Containsf(t, obj(t, r429["headers"], o.String()+" 429 headers"), "Retry-After", "%s 429", o)
		}
	}
}

// TestOpenAPIProblemTypes checks that the Problem schema lists exactly the problem types the
// API has, and that every documented error response names a type with its status.
func TestOpenAPIProblemTypes(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	problem := obj(t, obj(t, obj(t, doc["components"], "components")["schemas"], "schemas")["Problem"], "Problem")
	typ := obj(t, obj(t, problem["properties"], "Problem.properties")["type"], "Problem.properties.type")

	var want []any
	bySlug := map[string]problemKind{}
	for _, k := range problemKinds {
		want = append(want, k.typeURI())
		bySlug[k.slug] = k
	}
	require.ElementsMatch(t, want, typ["enum"], "Problem.type enum must list every problem kind")

	slugPrefix := regexp.MustCompile(`^([a-z-]+):`)
	for _, o := range docOperations(t, doc) {
		for code, r := range obj(t, o.op["responses"], "responses") {
			rm := obj(t, r, code)
			content, _ := rm["content"].(map[string]any)
			if _, isProblem := content["application/problem+json"]; !isProblem {
				continue
			}
			desc, _ := rm["description"].(string)
			m := slugPrefix.FindStringSubmatch(desc)
			require.NotNilf(t, m, "%s %s: a problem response's description starts with its type, e.g. 'not-found: ...'", o, code)
			k, ok := bySlug[m[1]]
			require.Truef(t, ok, "%s %s: %q is not a problem type", o, code, m[1])
			require.Equalf(t, strconv.Itoa(k.status), code, "%s: problem type %s answers %d", o, k.slug, k.status)
		}
	}
}

// TestOpenAPIServedDocumentMatchesFile checks the API serves the embedded file byte for byte.
func TestOpenAPIServedDocumentMatchesFile(t *testing.T) {
	t.Parallel()
	s := newDocTestServer(t, nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	require.Equal(t, openAPIDoc, rec.Body.Bytes())
	require.True(t, json.Valid(rec.Body.Bytes()))
}

// TestDocsPageRendersDocument checks /docs renders every documented operation and every
// problem type anchor.
func TestDocsPageRendersDocument(t *testing.T) {
	t.Parallel()
	s := newDocTestServer(t, nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/docs", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html"), rec.Header().Get("Content-Type"))
	body := rec.Body.String()

	doc := loadOpenAPI(t)
	info := obj(t, doc["info"], "info")
	require.Contains(t, body, template.HTMLEscapeString(info["title"].(string)))
	require.Contains(t, body, template.HTMLEscapeString(info["version"].(string)))
	for _, o := range docOperations(t, doc) {
		require.Containsf(t, body, `<span class="path">`+template.HTMLEscapeString(o.path)+`</span>`, "/docs lacks %s", o)
		anchor := o.method + strings.NewReplacer("/", "-", "{", "", "}", "").Replace(o.path)
		require.Containsf(t, body, `id="`+anchor+`"`, "/docs lacks the anchor of %s", o)
		require.Containsf(t, body, template.HTMLEscapeString(o.op["summary"].(string)), "/docs lacks the summary of %s", o)
	}
	require.NotEmpty(t, problemKinds)
	for _, k := range problemKinds {
		require.Containsf(t, body, `id="problem-`+k.slug+`"`, "/docs lacks the problem type %s", k.slug)
	}
	require.Contains(t, body, `id="problem-validation-failed"`)
}
