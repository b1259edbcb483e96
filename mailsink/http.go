package mailsink

import (
	"encoding/json"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// HTTP server timeouts.
const (
	httpReadHeaderTimeout = 5 * time.Second
	httpReadTimeout       = 30 * time.Second
	httpWriteTimeout      = 60 * time.Second
	httpIdleTimeout       = 2 * time.Minute
)

// newHTTPServer returns the HTTP server for the API, the index page and the imitation of the
// SMS provider under /sms.
// unasked holds the HTTP connections accepted that have not sent a request yet. Nothing of
// theirs is in flight, so a shutdown closes them at once (http.Server would otherwise wait
// until each is 5 s old to take it as idle, which a client's spare connection, dialled but
// never used, makes every shutdown wait for).
type unasked struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// track follows a connection's state (http.Server.ConnState).
func (u *unasked) track(c net.Conn, state http.ConnState) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if state == http.StateNew {
		u.conns[c] = struct{}{}
	} else {
		delete(u.conns, c)
	}
}

// closeAll closes the connections that have not sent a request (http.Server.RegisterOnShutdown).
func (u *unasked) closeAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for c := range u.conns {
		_ = c.Close() // it is being dropped; a failed close changes nothing
		delete(u.conns, c)
	}
}

func newHTTPServer(st *store, sms *smsStore, logger *slog.Logger) *http.Server {
	a := &api{store: st, sms: sms, logger: logger}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("GET /api/messages", a.list)
	mux.HandleFunc("DELETE /api/messages", a.clear)
	mux.HandleFunc("GET /api/messages/{id}", a.get)
	mux.HandleFunc("GET /api/messages/{id}/raw", a.raw)
	mux.HandleFunc("POST /sms/2010-04-01/Accounts/{sid}/Messages.json", a.createSMS)
	mux.HandleFunc("GET /sms/2010-04-01/Accounts/{account}", a.getSMSAccount)
	mux.HandleFunc("GET /api/sms", a.listSMS)
	mux.HandleFunc("DELETE /api/sms", a.clearSMS)
	fresh := &unasked{conns: map[net.Conn]struct{}{}}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: httpReadHeaderTimeout,
		ReadTimeout:       httpReadTimeout,
		WriteTimeout:      httpWriteTimeout,
		IdleTimeout:       httpIdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ConnState:         fresh.track,
	}
	srv.RegisterOnShutdown(fresh.closeAll)
	return srv
}

// api holds the HTTP handlers.
type api struct {
	store  *store
	sms    *smsStore
	logger *slog.Logger
}

// list serves GET /api/messages?to=addr.
func (a *api) list(w http.ResponseWriter, r *http.Request) {
	a.writeJSON(w, http.StatusOK, a.store.list(r.URL.Query().Get("to")))
}

// get serves GET /api/messages/{id} with decoded bodies.
func (a *api) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	msg, raw, ok := a.store.get(id)
	if !ok {
		a.writeError(w, http.StatusNotFound, "message not found")
		return
	}
	text, html, err := extractBodies(raw)
	if err != nil {
		// Serve what could be decoded; a malformed body is the sender's bug.
		a.logger.Warn("mailsink: decoding message body", "id", id, "err", err)
	}
	a.writeJSON(w, http.StatusOK, MessageDetail{Message: msg, Text: text, HTML: html})
}

// raw serves GET /api/messages/{id}/raw as message/rfc822.
func (a *api) raw(w http.ResponseWriter, r *http.Request) {
	_, raw, ok := a.store.get(r.PathValue("id"))
	if !ok {
		a.writeError(w, http.StatusNotFound, "message not found")
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
	if _, err := w.Write(raw); err != nil {
		a.logger.Debug("mailsink: writing raw message", "id", r.PathValue("id"), "err", err)
	}
}

// clear serves DELETE /api/messages.
func (a *api) clear(w http.ResponseWriter, _ *http.Request) {
	if err := a.store.clear(); err != nil {
		a.logger.Error("mailsink: clearing messages", "err", err)
		a.writeError(w, http.StatusInternalServerError, "messages cleared but some files could not be deleted")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// indexTmpl renders the developer page at GET /.
var indexTmpl = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>mailsink</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}</style>
</head>
<body>
<h1>mailsink: {{len .}} message(s)</h1>
{{if .}}<table>
<tr><th>Received</th><th>To</th><th>Subject</th><th></th></tr>
{{range .}}<tr><td>{{.ReceivedAt.Local.Format "2006-01-02 15:04:05"}}</td><td>{{range $i, $to := .To}}{{if $i}}, {{end}}{{$to}}{{end}}</td><td><a href="/api/messages/{{.ID}}">{{if .Subject}}{{.Subject}}{{else}}(no subject){{end}}</a></td><td><a href="/api/messages/{{.ID}}/raw">raw</a></td></tr>
{{end}}</table>{{else}}<p>No messages yet.</p>{{end}}
</body>
</html>
`))

// index serves the HTML message list, newest first.
func (a *api) index(w http.ResponseWriter, _ *http.Request) {
	msgs := a.store.list("")
	slices.Reverse(msgs)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := indexTmpl.Execute(w, msgs); err != nil {
		a.logger.Warn("mailsink: rendering index", "err", err)
	}
}

// writeJSON writes v as a JSON response.
func (a *api) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		a.logger.Debug("mailsink: writing JSON response", "err", err)
	}
}

// writeError writes a JSON error body.
func (a *api) writeError(w http.ResponseWriter, status int, msg string) {
	a.writeJSON(w, status, map[string]string{"error": msg})
}
