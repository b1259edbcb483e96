package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The hostile sweep reads the operations from the served OpenAPI document, so every endpoint
// added later is swept without anyone remembering to. For each operation it sends, one slot
// at a time, values no endpoint may accept — in each path parameter, each query parameter,
// each header the operation reads and each body field, plus an undeclared query parameter
// and malformed bodies — as an anonymous caller, as a member of another organization and as
// the owner of every object named in the path. Every answer must be a 4xx problem document,
// within hostileBound.

// hostileBound is the slowest answer a refused request may take. Refusals are decided before
// any real work, so this is generous: it allows for the race detector on a loaded machine.
const hostileBound = 2 * time.Second

// hostileStrings are refused wherever text is expected: bytes that are not UTF-8, NUL, other
// control characters, and lengths beyond any field's limit.
var hostileStrings = map[string]string{
	"invalid UTF-8":  "a\xff\xfeb",
	"NUL":            "a\x00b",
	"escape":         "a\x1b[2Jb",
	"very long":      strings.Repeat("x", 70_000),
	"lone surrogate": "\xed\xa0\x80",
}

// hostilePathValues cannot name anything: the object is not found.
var hostilePathValues = map[string]string{
	"invalid UTF-8": "%FF%FE",
	"NUL":           "a%00b",
	"very long":     strings.Repeat("z", 5000),
	"traversal":     "..%2F..%2Fetc%2Fpasswd",
	"quote":         "x'%3B--",
	"negative":      "-1",
	"newline":       "a%0Ab",
}

// hostileQueryValues are refused in any query parameter.
var hostileQueryValues = map[string]string{
	"invalid UTF-8": "%FF%FE",
	"NUL":           "a%00b",
	"very long":     strings.Repeat("q", 5000),
	"newline":       "a%0Ab",
	"escape":        "%1B%5B2J",
}

// hostileNumbers and the rest are refused as a body field of their kind.
var (
	hostileNumbers = map[string]string{
		"huge":            "99999999999999999999999999",
		"beyond float":    "1e400",
		"hugely negative": "-9223372036854775808",
		"string":          `"12"`,
		"object":          `{}`,
	}
	hostileBooleans = map[string]string{"string": `"true"`, "number": "1", "array": "[]"}
	hostileArrays   = map[string]string{
		"string": `"x"`,
		"object": `{}`,
		"huge":   "[" + strings.Repeat(`"x",`, 20_000) + `"x"]`,
		"nested": strings.Repeat("[", 64) + strings.Repeat("]", 64),
	}
	hostileObjects = map[string]string{"string": `"x"`, "array": `[]`, "nested": strings.Repeat(`{"a":`, 64) + "1" + strings.Repeat("}", 64)}
)

// hostileHeaders are what an HTTP client can put in a header and no header the API reads
// accepts: bytes that are not UTF-8, spaces inside a key, lengths beyond any limit.
var hostileHeaders = map[string]string{
	"invalid UTF-8": "k\xff\xfe",
	"spaces":        "two words here",
	"very long":     strings.Repeat("h", 8000),
}

type sweepOp struct {
	method, path string
	params       []sweepParam
	body         map[string]any // the request body's schema, resolved; nil when none
	secured      bool           // needs a bearer token
}

type sweepParam struct{ name, in, typ string }

type sweepCaller struct {
	name, token string
}

type sweepFailure struct {
	caller, op, slot, what string
	status                 int
	took                   time.Duration
	body                   string
}

func TestHostileSweep_EveryOperationRefusesHostileInputWithAProblem(t *testing.T) {
	t.Parallel()
	b := setup(t)

	// The owner holds one of everything a path can name; the stranger belongs elsewhere.
	owner := b.newOrg(t, "sweep-owner")
	stranger := b.newOrg(t, "sweep-stranger")
	tok := owner.Owner.Tokens.AccessToken
	sire := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "name": "Sweep Sire"})
	dam := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "name": "Sweep Dam"})
	r := b.do(t, http.MethodPost, "/api/v1/breeding/pairs", tok, map[string]any{"sire_id": sire.ID, "dam_id": dam.ID})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	pairID := r.Body["id"].(string)
	r = b.do(t, http.MethodPost, "/api/v1/breeding/pairs/"+pairID+"/clutches", tok, map[string]any{"laid_on": "2025-04-01", "eggs": 4})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	clutchID := r.Body["id"].(string)
	r = b.invite(t, tok, owner.ID, "sweep-invitee@example.com", "keeper")
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	invitationID := r.Body["id"].(string)
	r = b.message(t, tok, "Sweep")
	require.Less(t, r.Status, 300, "%s", r.Raw)
	inbox := b.inbox(t, tok, "")
	require.NotEmpty(t, inbox.Items)
	r = b.offer(t, tok, "sweep-buyer@example.com")
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	transferID := r.Body["id"].(string)
	b.readySeller(t, owner)
	listingID := b.list(t, tok, "pastel", 12000)

	fixtures := map[string]string{
		"orgID":          owner.ID,
		"userID":         owner.Owner.Tokens.UserID,
		"animalID":       sire.ID,
		"pairID":         pairID,
		"clutchID":       clutchID,
		"invitationID":   invitationID,
		"notificationID": inbox.Items[0].ID,
		"transferID":     transferID,
		"listingID":      listingID,
		"species":        "ball-python",
		"type":           "organization.message",
	}
	callers := []sweepCaller{{"anonymous", ""}, {"another organization's owner", stranger.Owner.Tokens.AccessToken}, {"the owner", tok}}

	doc := b.do(t, http.MethodGet, "/api/v1/openapi.json", "", nil)
	require.Equal(t, http.StatusOK, doc.Status)
	ops := sweepOperations(t, doc.Body)
	require.Greater(t, len(ops), 40, "the document lists every operation")

	var (
		sent     atomic.Int64
		mu       sync.Mutex
		failures []sweepFailure
		slowest  time.Duration
	)
	type job struct {
		op     sweepOp
		caller sweepCaller
		slot   string
		req    *http.Request
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				req := j.req
				if j.caller.token != "" && req.Header.Get("Authorization") == "" {
					req.Header.Set("Authorization", "Bearer "+j.caller.token)
				}
				start := time.Now()
				resp, err := b.Client.Do(req)
				took := time.Since(start)
				sent.Add(1)
				f := sweepFailure{caller: j.caller.name, op: j.op.method + " " + j.op.path, slot: j.slot, took: took}
				if err != nil {
					f.what = "no answer: " + err.Error()
				} else {
					raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
					_ = resp.Body.Close()
					f.status, f.body = resp.StatusCode, string(raw)
					switch {
					case resp.StatusCode >= 500:
						f.what = "server error"
					case resp.StatusCode < 400:
						f.what = "accepted"
					case resp.Header.Get("Content-Type") != "application/problem+json":
						f.what = "not a problem document (" + resp.Header.Get("Content-Type") + ")"
					case !isProblem(raw, resp.StatusCode):
						f.what = "a malformed problem document"
					case took > hostileBound:
						f.what = "too slow"
					default:
						if err := contractError(req, resp.StatusCode, resp.Header, raw); err != nil {
							f.what = err.Error()
						}
					}
				}
				mu.Lock()
				slowest = max(slowest, took)
				if f.what != "" {
					failures = append(failures, f)
				}
				mu.Unlock()
			}
		}()
	}

	for _, op := range ops {
		for _, c := range callers {
			path := func(override map[string]string) string {
				return fillPath(op.path, fixtures, override)
			}
			// Requests are built here, on the test's goroutine, so that a failure to build one
			// may stop the test; the workers only send them.
			send := func(slot string, build func() *http.Request) {
				jobs <- job{op: op, caller: c, slot: slot, req: build()}
			}
			newReq := func(target string, body []byte) *http.Request {
				var rd io.Reader
				if body != nil {
					rd = bytes.NewReader(body)
				}
				req, err := http.NewRequestWithContext(context.Background(), op.method, b.URL+target, rd)
				require.NoError(t, err)
				if body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				return req
			}
			baseline := sweepBaseline(op.body)

			for _, p := range op.params {
				switch p.in {
				case "path":
					for what, v := range hostilePathValues {
						target := path(map[string]string{p.name: v})
						send("path "+p.name+": "+what, func() *http.Request { return newReq(target, baseline) })
					}
				case "query":
					for what, v := range hostileQueryValues {
						target := path(nil) + "?" + url.QueryEscape(p.name) + "=" + v
						send("query "+p.name+": "+what, func() *http.Request { return newReq(target, baseline) })
					}
				case "header":
					if strings.EqualFold(p.name, "Authorization") {
						continue
					}
					for what, v := range hostileHeaders {
						name := p.name
						send("header "+name+": "+what, func() *http.Request {
							req := newReq(path(nil), baseline)
							req.Header.Set(name, v)
							return req
						})
					}
				}
			}
			if op.secured {
				for what, v := range hostileHeaders {
					send("header Authorization: "+what, func() *http.Request {
						req := newReq(path(nil), baseline)
						req.Header.Set("Authorization", "Bearer "+v)
						return req
					})
				}
			}
			for what, v := range hostileQueryValues {
				target := path(nil) + "?unheard_of=" + v
				send("undeclared query parameter: "+what, func() *http.Request { return newReq(target, baseline) })
			}
			if op.body == nil {
				continue
			}
			for field, kind := range sweepFields(op.body) {
				for what, raw := range hostileValuesOf(kind) {
					body := withField(baseline, field, raw)
					send("body "+field+": "+what, func() *http.Request { return newReq(path(nil), body) })
				}
			}
			for what, body := range malformedBodies(baseline) {
				send("body: "+what, func() *http.Request { return newReq(path(nil), body) })
			}
		}
	}
	close(jobs)
	wg.Wait()

	summary := fmt.Sprintf("hostile sweep: %d requests to %d operations as %d callers, %d not refused with a problem within %s (slowest %s)",
		sent.Load(), len(ops), len(callers), len(failures), hostileBound, slowest.Round(time.Millisecond))
	t.Log(summary)
	if out := os.Getenv("HOSTILE_SWEEP_REPORT"); out != "" {
		require.NoError(t, os.WriteFile(out, []byte(summary+"\n"), 0o644))
	}
	sort.Slice(failures, func(i, j int) bool { return failures[i].op+failures[i].slot < failures[j].op+failures[j].slot })
	var report strings.Builder
	for i, f := range failures {
		if i == 80 {
			fmt.Fprintf(&report, "... and %d more\n", len(failures)-i)
			break
		}
		fmt.Fprintf(&report, "%s as %s, %s: %s (%d in %s) %.200s\n", f.op, f.caller, f.slot, f.what, f.status, f.took.Round(time.Millisecond), f.body)
	}
	require.Empty(t, failures, "%d hostile requests were not refused with a problem:\n%s", len(failures), report.String())
}

// isProblem says whether raw is an RFC 9457 problem with our fields and the answer's status.
func isProblem(raw []byte, status int) bool {
	var p struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
	}
	return json.Unmarshal(raw, &p) == nil && strings.HasPrefix(p.Type, "/docs#problem-") && p.Title != "" && p.Status == status
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// fillPath puts the fixture IDs into a path template, and override's raw values in place of
// the parameters it names.
func fillPath(template string, fixtures, override map[string]string) string {
	return pathParam.ReplaceAllStringFunc(template, func(m string) string {
		name := m[1 : len(m)-1]
		if v, ok := override[name]; ok {
			return v
		}
		if v, ok := fixtures[name]; ok {
			return v
		}
		return "unknown-" + name
	})
}

// sweepOperations reads every operation of the document, with its parameters and the
// resolved schema of its JSON body.
func sweepOperations(t *testing.T, doc map[string]any) []sweepOp {
	t.Helper()
	schemas, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)
	resolve := func(s map[string]any) map[string]any {
		for range 10 {
			ref, ok := s["$ref"].(string)
			if !ok {
				return s
			}
			s, _ = schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		}
		return s
	}
	var ops []sweepOp
	for path, item := range doc["paths"].(map[string]any) {
		for method, raw := range item.(map[string]any) {
			opDoc, ok := raw.(map[string]any)
			if !ok || !slices.Contains([]string{"get", "post", "put", "patch", "delete"}, method) {
				continue
			}
			op := sweepOp{method: strings.ToUpper(method), path: path}
			security, ok := opDoc["security"].([]any)
			if !ok {
				security, _ = doc["security"].([]any)
			}
			op.secured = len(security) > 0
			params, _ := opDoc["parameters"].([]any)
			if shared, ok := item.(map[string]any)["parameters"].([]any); ok {
				params = append(params, shared...)
			}
			for _, p := range params {
				pm := resolve(p.(map[string]any))
				typ := ""
				if s, ok := pm["schema"].(map[string]any); ok {
					typ, _ = resolve(s)["type"].(string)
				}
				op.params = append(op.params, sweepParam{name: pm["name"].(string), in: pm["in"].(string), typ: typ})
			}
			if rb, ok := opDoc["requestBody"].(map[string]any); ok {
				if content, ok := rb["content"].(map[string]any)["application/json"].(map[string]any); ok {
					if s, ok := content["schema"].(map[string]any); ok {
						op.body = resolveDeep(resolve(s), resolve, 0)
					}
				}
			}
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
	return ops
}

// resolveDeep resolves the references of a schema's properties and array items.
func resolveDeep(s map[string]any, resolve func(map[string]any) map[string]any, depth int) map[string]any {
	if s == nil || depth > 4 {
		return s
	}
	out := map[string]any{}
	for k, v := range s {
		out[k] = v
	}
	if props, ok := s["properties"].(map[string]any); ok {
		np := map[string]any{}
		for name, p := range props {
			if pm, ok := p.(map[string]any); ok {
				np[name] = resolveDeep(resolve(pm), resolve, depth+1)
			}
		}
		out["properties"] = np
	}
	if items, ok := s["items"].(map[string]any); ok {
		out["items"] = resolveDeep(resolve(items), resolve, depth+1)
	}
	return out
}

// schemaType is a schema's JSON type; a nullable type is listed as ["x", "null"].
func schemaType(s map[string]any) string {
	switch v := s["type"].(type) {
	case string:
		return v
	case []any:
		for _, t := range v {
			if t != "null" {
				return t.(string)
			}
		}
	}
	if _, ok := s["properties"]; ok {
		return "object"
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		if _, ok := enum[0].(string); ok {
			return "string"
		}
	}
	return ""
}

// sweepFields lists the body's fields to make hostile: each property, and each property of
// the objects in an array property (as name[0].field), with its JSON type.
func sweepFields(body map[string]any) map[string]string {
	out := map[string]string{}
	props, _ := body["properties"].(map[string]any)
	for name, p := range props {
		pm, _ := p.(map[string]any)
		typ := schemaType(pm)
		out[name] = typ
		if typ == "array" {
			items, _ := pm["items"].(map[string]any)
			if sub, ok := items["properties"].(map[string]any); ok {
				for sname, sp := range sub {
					out[name+"[0]."+sname] = schemaType(sp.(map[string]any))
				}
			}
		}
	}
	return out
}

// hostileValuesOf is what to put, as raw JSON, in a field of a JSON type.
func hostileValuesOf(kind string) map[string]string {
	out := map[string]string{}
	switch kind {
	case "integer", "number":
		for k, v := range hostileNumbers {
			out[k] = v
		}
		if kind == "integer" {
			out["fraction"] = "0.5"
		}
	case "boolean":
		for k, v := range hostileBooleans {
			out[k] = v
		}
	case "array":
		for k, v := range hostileArrays {
			out[k] = v
		}
	case "object":
		for k, v := range hostileObjects {
			out[k] = v
		}
	default: // strings, and anything the document leaves untyped
		for k, v := range hostileStrings {
			out[k] = rawJSONString(v)
		}
		out["number"], out["object"] = "12345", `{"a":1}`
	}
	return out
}

// rawJSONString quotes s as a JSON string but keeps bytes that are not UTF-8 as they are,
// as a hostile client would send them (encoding/json would replace them).
func rawJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// sweepBaseline is a body of the schema's shape, with a plausible value in each field, so a
// hostile field is judged among ordinary ones. Nil when the operation takes no body.
func sweepBaseline(body map[string]any) []byte {
	if body == nil {
		return nil
	}
	v := sampleOf(body, 0)
	raw, _ := json.Marshal(v)
	return raw
}

func sampleOf(s map[string]any, depth int) any {
	if ex, ok := s["example"]; ok {
		return ex
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	switch schemaType(s) {
	case "integer", "number":
		return 1
	case "boolean":
		return false
	case "array":
		items, _ := s["items"].(map[string]any)
		if depth > 3 || items == nil {
			return []any{}
		}
		return []any{sampleOf(items, depth+1)}
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		if depth > 3 {
			return out
		}
		for name, p := range props {
			out[name] = sampleOf(p.(map[string]any), depth+1)
		}
		return out
	}
	return "sample"
}

// withField returns the baseline body with one field, possibly inside the first element of
// an array (name[0].field), replaced by raw JSON.
func withField(baseline []byte, field, raw string) []byte {
	var body map[string]json.RawMessage
	if json.Unmarshal(baseline, &body) != nil {
		body = map[string]json.RawMessage{}
	}
	if outer, inner, ok := strings.Cut(field, "[0]."); ok {
		var items []map[string]json.RawMessage
		_ = json.Unmarshal(body[outer], &items)
		if len(items) == 0 {
			items = []map[string]json.RawMessage{{}}
		}
		items[0][inner] = json.RawMessage(raw)
		body[outer] = marshalRaw(items)
	} else {
		body[field] = json.RawMessage(raw)
	}
	return marshalRaw(body)
}

// marshalRaw encodes v without checking or rewriting the raw messages inside it.
func marshalRaw(v any) []byte {
	switch x := v.(type) {
	case map[string]json.RawMessage:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b bytes.Buffer
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			b.Write(x[k])
		}
		b.WriteByte('}')
		return b.Bytes()
	case []map[string]json.RawMessage:
		var b bytes.Buffer
		b.WriteByte('[')
		for i, m := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(marshalRaw(m))
		}
		b.WriteByte(']')
		return b.Bytes()
	}
	return nil
}

// malformedBodies are whole bodies no operation accepts.
func malformedBodies(baseline []byte) map[string][]byte {
	first := "x"
	var body map[string]json.RawMessage
	if json.Unmarshal(baseline, &body) == nil {
		for k := range body {
			first = k
			break
		}
	}
	dup := append([]byte(`{"`+first+`":1,`), bytes.TrimPrefix(baseline, []byte("{"))...)
	if !bytes.HasPrefix(baseline, []byte("{")) || len(body) == 0 {
		dup = []byte(`{"` + first + `":1,"` + first + `":2}`)
	}
	return map[string][]byte{
		"a duplicated key":         dup,
		"deep nesting":             []byte(strings.Repeat(`{"a":`, 10_000) + "1" + strings.Repeat("}", 10_000)),
		"deep array nesting":       []byte(`{"` + first + `":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "}"),
		"not an object":            []byte(`[1,2,3]`),
		"a bare string":            []byte(`"x"`),
		"cut short":                []byte(`{"` + first + `":`),
		"empty":                    []byte(``),
		"a key that is not UTF-8":  []byte("{\"\xff\xfe\":1}"),
		"two objects":              []byte(`{}{}`),
		"larger than the limit":    append(append([]byte(`{"`+first+`":"`), bytes.Repeat([]byte("x"), 2<<20)...), '"', '}'),
		"NUL outside of a string":  []byte("{\x00}"),
		"a number beyond float64":  []byte(`{"` + first + `":1e999999}`),
		"an unknown field":         []byte(`{"no_such_field_anywhere":true}`),
		"an unknown field, hidden": append([]byte(`{"no_such_field_anywhere":true,`), bytes.TrimPrefix(baseline, []byte("{"))...),
	}
}
