package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
)

// The one place where every string that enters through the URL or a header the API reads is
// checked, before any handler sees it; JSON bodies are checked by decodeJSON (jsontext.go).
// The rules: valid UTF-8, no NUL and no control characters, within a length. A path that
// breaks them names nothing that exists (404); a query parameter or header that does is a
// problem naming it.

// Bounds on what a URL may carry. Every query parameter the API reads is far shorter: search
// text is at most 200 characters, cursors and tokens a few hundred bytes.
const (
	maxQueryValueBytes = 1024
	maxQueryParams     = 32
	maxPathParamBytes  = 100
	// maxPublicIDLen bounds a public ID: Base58 of 16 random bytes is 21 or 22 characters.
	maxPublicIDLen = 32
)

// pathObjects names what each path ID parameter identifies, for its 404.
var pathObjects = map[string]string{
	"animalID":       "animal",
	"orgID":          "organization",
	"userID":         "member",
	"invitationID":   "invitation",
	"pairID":         "pairing",
	"clutchID":       "clutch",
	"notificationID": "notification",
	"transferID":     "transfer",
	"listingID":      "listing",
}

// checkRequestText checks the route's path parameters and the query string.
func checkRequestText(r *http.Request) *Problem {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		for i, name := range rc.URLParams.Keys {
			if i >= len(rc.URLParams.Values) || name == "*" {
				continue
			}
			if p := checkPathParam(name, rc.URLParams.Values[i]); p != nil {
				return p
			}
		}
	}
	return checkQuery(r.URL.RawQuery)
}

func checkPathParam(name, v string) *Problem {
	if strings.HasSuffix(name, "ID") {
		if !isPublicID(v) {
			what := pathObjects[name]
			if what == "" {
				what = strings.TrimSuffix(name, "ID")
			}
			return notFound(what)
		}
		return nil
	}
	if len(v) > maxPathParamBytes || !isLine(v) {
		return notFound(name)
	}
	return nil
}

// isPublicID says whether s could be a public ID: Base58 characters, short. Anything else
// cannot name a row, so it is a 404 without asking the database.
func isPublicID(s string) bool {
	if s == "" || len(s) > maxPublicIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isBase58(s[i]) {
			return false
		}
	}
	return true
}

func isBase58(c byte) bool {
	switch {
	case c >= '1' && c <= '9':
		return true
	case c >= 'A' && c <= 'Z':
		return c != 'I' && c != 'O'
	case c >= 'a' && c <= 'z':
		return c != 'l'
	}
	return false
}

// checkQuery parses the raw query strictly: at most maxQueryParams parameters, each name and
// value well escaped, valid UTF-8 without control characters, and short.
func checkQuery(raw string) *Problem {
	if raw == "" {
		return nil
	}
	parts := strings.Split(raw, "&")
	if len(parts) > maxQueryParams {
		return newProblem(kindMalformed, "The query string has more than "+strconv.Itoa(maxQueryParams)+" parameters.")
	}
	for _, part := range parts {
		if part == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(part, "=")
		name, err := queryUnescape(rawName)
		if err != nil || len(name) > 64 || !isLine(name) {
			return newProblem(kindMalformed, "The query string has a parameter name that is not valid text.")
		}
		value, err := queryUnescape(rawValue)
		switch {
		case err != nil:
			return badParam(name, "is not correctly percent-encoded")
		case len(value) > maxQueryValueBytes:
			return badParam(name, "is longer than "+strconv.Itoa(maxQueryValueBytes)+" bytes")
		case !utf8.ValidString(value):
			return badParam(name, "is not valid UTF-8")
		case !isLine(value):
			return badParam(name, "must not contain control characters")
		}
	}
	return nil
}

// queryUnescape decodes one query component as net/url does ('+' is a space).
func queryUnescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// badParam is a 400 naming one query parameter.
func badParam(name, msg string) *Problem {
	p := newProblem(kindMalformed, name+": "+msg)
	p.Errors = []FieldError{{Field: name, Message: msg}}
	return p
}

// asParam turns a problem about an invalid field into the same problem about a query
// parameter: a 400 rather than a 422.
func asParam(err error) error {
	var p *Problem
	if errors.As(err, &p) && p.Status == kindValidation.status {
		q := *p
		q.Type, q.Title, q.Status = kindMalformed.typeURI(), kindMalformed.title, kindMalformed.status
		return &q
	}
	return err
}

// isLine says whether s is valid UTF-8 text on one line: no NUL, no control characters
// (line breaks and tabs included, and the line and paragraph separators), no direction
// overrides, no invalid bytes.
func isLine(s string) bool { return isTextOf(s, false) }

// isTextOf says whether s is valid UTF-8 text, on one line or, when lines is set, on several:
// line feeds, carriage returns and tabs are then allowed too.
func isTextOf(s string, lines bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && !(lines && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unicode.IsControl(r) || isBidiControl(r) || !lines && (r == '\u2028' || r == '\u2029') {
			return false
		}
		i += n
	}
	return true
}

// isBidiControl says whether r overrides or isolates the direction of the text around it
// (U+202A–U+202E, U+2066–U+2069): in a name, it can make what is shown differ from what is
// stored ("gpj.exe" shown as "exe.jpg"). The marks U+200E and U+200F, which right-to-left
// scripts need, are allowed.
func isBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// maxIdempotencyKeyLen bounds an Idempotency-Key; a UUID is 36 characters.
const maxIdempotencyKeyLen = 200

// idempotencyKey reads the Idempotency-Key header: printable ASCII without spaces, 1 to 200
// characters. Absent, it is "" (the caller decides whether it is required).
func idempotencyKey(r *http.Request) (string, error) {
	vs := r.Header.Values("Idempotency-Key")
	if len(vs) == 0 {
		return "", nil
	}
	if len(vs) > 1 {
		return "", invalid(FieldError{"Idempotency-Key", "must be sent once"})
	}
	return parseIdempotencyKey(vs[0])
}

// parseIdempotencyKey checks one Idempotency-Key value.
func parseIdempotencyKey(v string) (string, error) {
	v = strings.TrimSpace(v)
	if len(v) > maxIdempotencyKeyLen {
		return "", invalid(FieldError{"Idempotency-Key", "must be at most " + strconv.Itoa(maxIdempotencyKeyLen) + " characters"})
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return "", invalid(FieldError{"Idempotency-Key", "must be printable ASCII without spaces, such as a UUID"})
		}
	}
	return v, nil
}
