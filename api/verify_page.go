package api

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
)

// The public verify page, which a certificate's QR code opens: a plain page for people, with
// no script, that says whether the certificate is genuine and current and what it certifies.
// It is a page, not an operation of the API, so it lives with the other pages (pageRoutes)
// and answers every refusal, however malformed the serial, with a page rather than a problem.

// verifyPageData is what the verify page shows; without Answer, that nothing was found.
type verifyPageData struct {
	Answer *verifyAnswer
	// Status is the page's HTTP status, which picks its message when there is no answer.
	Status int
}

// Headline is the verdict in words.
func (d verifyPageData) Headline() string {
	switch d.Answer.Verdict {
	case verdictValid:
		return "Genuine and current"
	case verdictSuperseded:
		return "Superseded"
	case verdictRevoked:
		return "Revoked"
	}
	return "Cannot be verified"
}

// Tone styles the verdict.
func (d verifyPageData) Tone() string {
	switch d.Answer.Verdict {
	case verdictValid:
		return "good"
	case verdictSuperseded:
		return "ended"
	}
	return "bad"
}

// COI is the inbreeding coefficient as a percentage.
func (d verifyPageData) COI() string {
	if d.Answer.Certificate.COI == nil {
		return "unknown"
	}
	return strconv.FormatFloat(*d.Answer.Certificate.COI*100, 'f', 2, 64) + "%"
}

var verifyPageTemplate = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{if .Answer}}Certificate {{.Answer.Serial}}{{else}}Certificate not found{{end}} · ReptiDex</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1d2a1f}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.1rem;margin-top:1.6rem}
.brand{color:#2b6a2f;font-weight:700;margin:0}
.verdict{font-size:1.7rem;font-weight:800;padding:1rem;border-radius:8px;margin:1rem 0}
.good{background:#e2f3df;color:#1c5a20}.ended{background:#fff1cf;color:#6e4a00}.bad{background:#fde1de;color:#8a1c12}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{color:#55645a}dd{margin:0;overflow-wrap:anywhere}
code{font-size:.85rem;overflow-wrap:anywhere}
</style></head><body>
<p class="brand">ReptiDex · pedigree certificate</p>
{{with .Answer}}<p class="verdict {{$.Tone}}">{{$.Headline}}{{if eq .Verdict "superseded"}}{{with .SupersededBy}}{{if ne .Status "failed"}} by
<a href="/verify/{{.Serial}}">{{.Serial}}</a>{{end}}{{end}}{{else if eq .Verdict "revoked"}}{{with .Revoked}}: {{.Reason}}{{end}}{{end}}</p>
{{if eq .Verdict "valid"}}<p>This certificate was issued and signed by ReptiDex and is the animal's current certificate.</p>
{{else if eq .Verdict "superseded"}}<p>This certificate was genuine, but the animal changed hands and a newer certificate
replaced it{{with .SupersededBy}}{{with .At}} on {{.UTC.Format "2 January 2006"}}{{end}}{{end}}.</p>
{{with .SupersededBy}}{{template "successor" .}}{{end}}
{{else if eq .Verdict "revoked"}}<p>ReptiDex revoked this certificate{{with .Revoked}} on {{.At.UTC.Format "2 January 2006"}}, for the reason above{{end}}.
Do not rely on it.</p>
{{with .SupersededBy}}<p>It had been superseded{{with .At}} on {{.UTC.Format "2 January 2006"}}{{end}}, the animal having changed hands.</p>
{{template "successor" .}}{{end}}
{{else}}<p>The record stored for this serial does not pass our own signature check. Do not rely on it, and tell us.</p>
{{end}}
<h2>The animal</h2>
{{with .Certificate}}<dl>
<dt>Name</dt><dd>{{or .Name "—"}}</dd>
<dt>Species</dt><dd>{{or .Species "—"}}</dd>
<dt>Sex</dt><dd>{{or .Sex "—"}}</dd>
<dt>Hatched</dt><dd>{{or .HatchDate "unknown"}}</dd>
<dt>Genetics</dt><dd>{{or .Genetics "—"}}</dd>
<dt>Sire</dt><dd>{{or .Sire "unknown"}}</dd>
<dt>Dam</dt><dd>{{or .Dam "unknown"}}</dd>
<dt>Breeder of record</dt><dd>{{or .Breeder "—"}}</dd>
<dt>Owner</dt><dd>{{or .Owner "—"}}</dd>
<dt>Inbreeding (COI)</dt><dd>{{$.COI}}</dd>
<dt>Animal ID</dt><dd>{{.AnimalID}}</dd>
</dl>{{end}}
<h2>The certificate</h2>
<dl>
<dt>Serial</dt><dd>{{.Serial}}</dd>
<dt>Issued</dt><dd>{{.IssuedAt.UTC.Format "2 January 2006 at 15:04 UTC"}}</dd>
<dt>Signed with key</dt><dd><code>{{.KeyID}}</code></dd>
<dt>Snapshot SHA-256</dt><dd><code>{{.SnapshotSHA256}}</code></dd>
</dl>
<p><a href="/api/v1/verify/{{.Serial}}">This check as JSON</a> · <a href="/api/v1/certificates/keys">The published keys</a></p>
<h2>Check it yourself</h2>
<p>You need not trust this page. Save the JSON check and the published keys, and with the
<code>reptidex</code> program run <code>reptidex verify-certificate --key keys.json check.json</code>
(add <code>--pdf certificate.pdf</code> to check the PDF too). It recomputes the signed snapshot's
canonical form and checks its Ed25519 signature, without asking ReptiDex.</p>
{{else}}{{if eq .Status 429}}<h1>Too many checks</h1>
<p>Too many certificates were checked from your address just now. Please wait a minute and try again.</p>
{{else if eq .Status 405}}<h1>Not here</h1><p>This page can only be read.</p>
{{else if eq .Status 503}}<h1>Try again in a moment</h1>
<p>We could not check the certificate just now. Please try again in a minute.</p>
{{else}}<p class="verdict bad">Not found</p>
<h1>Certificate not found</h1>
<p>No issued certificate has this serial. Check the serial printed on the certificate (it looks like
<code>7KQ2-M9XD-4HTP-R</code>; letters may be typed in either case, with or without the hyphens) and try again.</p>
<p>A certificate that is still being issued can be checked once it is ready.</p>
{{end}}{{end}}</body></html>
{{- define "successor"}}{{if eq .Status "issuing"}}<p>The newer certificate, <a href="/verify/{{.Serial}}">{{.Serial}}</a>, is still being issued; it can be checked once it is ready.</p>
{{else if eq .Status "issued"}}<p>The newer certificate, <a href="/verify/{{.Serial}}">{{.Serial}}</a>, is the animal's current certificate.</p>
{{else if eq .Status "failed"}}<p>The newer certificate, {{.Serial}}, could not be issued: the animal's new owner has no current certificate from this re-issue. They can request one.</p>
{{else if eq .Status "superseded"}}<p>The newer certificate, <a href="/verify/{{.Serial}}">{{.Serial}}</a>, has been superseded in its turn: the animal changed hands again.</p>
{{else if eq .Status "revoked"}}<p>The newer certificate, <a href="/verify/{{.Serial}}">{{.Serial}}</a>, has since been revoked by ReptiDex.</p>
{{end}}{{end}}`))

// verifyPage shows a certificate's check to the person who scanned its QR code.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.limits.verify.take(clientOf(clientIP(r))); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		s.writeVerifyPage(w, r, http.StatusTooManyRequests, verifyPageData{})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.HTTP.RequestTimeout)
	defer cancel()
	a, err := s.checkCertificate(ctx, typedSerial(r))
	switch {
	case errors.Is(err, errNoCertificate):
		s.writeVerifyPage(w, r, http.StatusNotFound, verifyPageData{})
		return
	case err != nil:
		s.log.ErrorContext(ctx, "request failed", "error", err, "method", r.Method, "path", r.URL.Path)
		w.Header().Set("Retry-After", "30")
		s.writeVerifyPage(w, r, http.StatusServiceUnavailable, verifyPageData{})
		return
	}
	s.writeVerifyPage(w, r, http.StatusOK, verifyPageData{Answer: &a})
}

// writeVerifyPage answers the verify page. It loads nothing from elsewhere, runs no script
// and may not be framed; a found certificate's page may be cached briefly.
func (s *Server) writeVerifyPage(w http.ResponseWriter, r *http.Request, status int, d verifyPageData) {
	d.Status = status
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	if status == http.StatusOK {
		h.Set("Cache-Control", verifyCacheAge)
	} else {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	if err := verifyPageTemplate.Execute(w, d); err != nil {
		s.log.ErrorContext(r.Context(), "verify page failed after its answer began", "error", err)
	}
}
