package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
)

// pageParams reads cursor pagination: an opaque cursor (the public ID of the last row of the
// previous page, which it must decode to) and a limit of 1 to 100 (default 50).
func pageParams(r *http.Request) (after string, limit int, err error) {
	return cursorPage(r, 50, isPublicID)
}

// cursorPage reads cursor pagination whose cursor is the key of the last row of the
// previous page, which must pass valid, and a limit of 1 to 100 (default def).
func cursorPage(r *http.Request, def int, valid func(string) bool) (after string, limit int, err error) {
	limit = def
	if v := r.URL.Query().Get("limit"); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 1 || n > 100 {
			return "", 0, badParam("limit", "must be a whole number from 1 to 100")
		}
		limit = n
	}
	if c := r.URL.Query().Get("cursor"); c != "" {
		b, decErr := base64.RawURLEncoding.Strict().DecodeString(c)
		if decErr != nil || !valid(string(b)) || cursorOf(string(b)) != c {
			return "", 0, badParam("cursor", "is not a cursor this API issued")
		}
		after = string(b)
	}
	return after, limit, nil
}

func cursorOf(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

// intParam reads an optional whole-number query parameter within [lo, hi].
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badParam(name, "must be a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
	}
	return n, nil
}
