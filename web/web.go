// Package web holds the pages for people: the templates the API's page handlers fill, and
// the one stylesheet and two small scripts they load. Everything is embedded in the binary,
// so the pages need no build step and no file beside the program.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html static/*
var files embed.FS

// Pages are the parsed templates, each page with the layout it is drawn in.
type Pages struct {
	pages  map[string]*template.Template
	assets map[string]asset
}

type asset struct {
	body        []byte
	contentType string
	version     string
}

// Load parses every template. A template that does not parse is a programming error: Load
// panics, and the tests load them all.
func Load() *Pages {
	p := &Pages{pages: map[string]*template.Template{}, assets: map[string]asset{}}
	statics, err := fs.Glob(files, "static/*")
	if err != nil {
		panic(err)
	}
	for _, name := range statics {
		body, err := files.ReadFile(name)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		p.assets[path.Base(name)] = asset{body: body, contentType: contentType(name), version: hex.EncodeToString(sum[:6])}
	}
	funcs := template.FuncMap{
		"asset": p.assetURL,
		"date":  func(t time.Time) string { return t.UTC().Format("2 January 2006") },
		"when":  func(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") },
		"money": Money,
		"percent": func(f float64) string {
			return strconv.FormatFloat(f*100, 'f', 2, 64) + "%"
		},
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html"))
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" || base == "widget" {
			continue
		}
		p.pages[base] = template.Must(template.Must(layout.Clone()).ParseFS(files, name))
	}
	// The widget is drawn in a frame on another site: it has a layout of its own.
	p.pages["widget"] = template.Must(template.New("widget.html").Funcs(funcs).ParseFS(files, "templates/widget.html"))
	return p
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	return "application/octet-stream"
}

// assetURL is the address of a static file, with its content's version, so that it can be
// cached for good.
func (p *Pages) assetURL(name string) (string, error) {
	a, ok := p.assets[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + name + "?v=" + a.version, nil
}

// Render writes the page name drawn with data.
func (p *Pages) Render(w io.Writer, name string, data any) error {
	t, ok := p.pages[name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	root := "layout.html"
	if name == "widget" {
		root = "widget.html"
	}
	if err := t.ExecuteTemplate(w, root, data); err != nil {
		return fmt.Errorf("page %s: %w", name, err)
	}
	return nil
}

// Static serves the static files under /static/. A request that names the current version
// may be cached for a year; any other for five minutes.
func (p *Pages) Static() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := p.assets[strings.TrimPrefix(r.URL.Path, "/static/")]
		if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("ETag", `"`+a.version+`"`)
		if r.URL.Query().Get("v") == a.version {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, max-age=300")
		}
		if r.Header.Get("If-None-Match") == `"`+a.version+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(a.body)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(a.body)
		}
	})
}

// Script is the body of a static script, for a page that hands it out as it is (the embed
// snippet's sizing script).
func (p *Pages) Script(name string) []byte { return p.assets[name].body }

// Money is an amount in minor units with its currency, as a person reads it: 250.00 USD.
func Money(amount int64, currency string) string {
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, amount/100, amount%100, strings.ToUpper(currency))
}

// View is what every page is drawn with: the page's own Data and what the layout shows.
type View struct {
	Title string
	// Person is who is logged in; nil for nobody.
	Person *Person
	// CSRF is the token each of the page's forms carries.
	CSRF string
	// Path is the page's own path, where logging in returns to.
	Path string
	// Banner is a message at the top of the page: what an action did, or why it failed.
	Banner *Banner
	// Errors are the form's fields at fault, by field name; Form what was sent in them.
	Errors map[string]string
	Form   map[string]string
	// Status is the page's HTTP status.
	Status int
	Data   any
}

// Person is the person logged in, and the organization their session acts for.
type Person struct {
	Name         string
	Email        string
	Verified     bool
	Organization string
}

// Banner is a message at the top of a page, in a tone: good, warn or bad.
type Banner struct {
	Tone string
	Text string
}

// Field is the value sent in a form's field, for a page drawn again after a refusal.
func (v View) Field(name string) string { return v.Form[name] }

// Error is what is wrong with a form's field, or "".
func (v View) Error(name string) string { return v.Errors[name] }
