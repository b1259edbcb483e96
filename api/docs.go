package api

import (
	"html/template"
	"net/http"
	"sort"
	"strings"
)

// docsPage renders the OpenAPI document as one self-contained HTML page (no scripts, no
// assets from elsewhere), with the problem types the API answers with.
var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Spec.Info.Title}} API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2a1f}
h1{margin-bottom:0}code,.path{font-family:ui-monospace,monospace}
.op{border:1px solid #d5dcd2;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}
.m{display:inline-block;min-width:4.2rem;font-weight:700;text-transform:uppercase}
.get{color:#2b6a2f}.post{color:#8a5a00}.patch{color:#6a3d8a}.delete{color:#a12a2a}
table{border-collapse:collapse}td,th{text-align:left;padding:.2rem .8rem .2rem 0;vertical-align:top}
.lock{font-size:.85em;color:#6b6b6b}
</style></head><body>
<h1>{{.Spec.Info.Title}}</h1><p>Version {{.Spec.Info.Version}} · <a href="/api/v1/openapi.json">openapi.json</a></p>
<p>{{.Spec.Info.Description}}</p>
{{range .Ops}}<div class="op" id="{{.Anchor}}"><span class="m {{.Method}}">{{.Method}}</span> <span class="path">{{.Path}}</span>
{{if .Op.Security}}<span class="lock">· bearer token</span>{{end}}
<p><strong>{{.Op.Summary}}</strong>{{if .Op.Description}}<br>{{.Op.Description}}{{end}}</p>
{{if .Op.Parameters}}<table><tr><th>Parameter</th><th>In</th><th></th></tr>{{range .Op.Parameters}}<tr><td><code>{{.Name}}</code>{{if .Required}} *{{end}}</td><td>{{.In}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
<table>{{range .Codes}}<tr><td><code>{{.Code}}</code></td><td>{{.Description}}</td></tr>{{end}}</table></div>
{{end}}
<h2>Problems</h2>
<p>Every error is <code>application/problem+json</code> (RFC 9457) with one of these stable types, a
<code>detail</code>, the <code>request_id</code>, and for invalid input an <code>errors</code> list naming each field.</p>
<table>{{range .Problems}}<tr id="problem-{{.Slug}}"><td><code>{{.Status}}</code></td><td><code>/docs#problem-{{.Slug}}</code></td><td>{{.Title}}</td></tr>{{end}}</table>
</body></html>`))

type docsOp struct {
	Method, Path, Anchor string
	Op                   openAPIOperation
	Codes                []struct{ Code, Description string }
}

// docs serves the human documentation page.
func (s *Server) docs(w http.ResponseWriter, r *http.Request) error {
	spec, err := parseOpenAPI()
	if err != nil {
		return err
	}
	var ops []docsOp
	for path, methods := range spec.Paths {
		for method, op := range methods {
			d := docsOp{Method: method, Path: path, Op: op,
				Anchor: method + strings.NewReplacer("/", "-", "{", "", "}", "").Replace(path)}
			for code, resp := range op.Responses {
				d.Codes = append(d.Codes, struct{ Code, Description string }{code, resp.Description})
			}
			sort.Slice(d.Codes, func(i, j int) bool { return d.Codes[i].Code < d.Codes[j].Code })
			ops = append(ops, d)
		}
	}
	order := map[string]int{"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return order[ops[i].Method] < order[ops[j].Method]
	})
	type problemRow struct {
		Slug, Title string
		Status      int
	}
	problems := make([]problemRow, 0, len(problemKinds))
	for _, k := range problemKinds {
		problems = append(problems, problemRow{k.slug, k.title, k.status})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return docsPage.Execute(w, map[string]any{"Spec": spec, "Ops": ops, "Problems": problems})
}
