package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// decodeJSON reads exactly one JSON object into dst, strictly: the body must be JSON, within
// the size limit, without unknown or repeated fields, nested at most maxJSONDepth deep, with
// every field of the right type and every string valid UTF-8 text within its field's rules
// (see jsontext.go). Each failure is a problem that names what is wrong.
func decodeJSON(r *http.Request, dst any) error {
	if p := checkJSONMediaType(r); p != nil {
		return p
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeProblem(err)
	}
	if p := scanJSON(body); p != nil {
		return p
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeProblem(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return newProblem(kindMalformed, "The body must hold a single JSON object.")
	}
	if p := checkStrings(dst); p != nil {
		return p
	}
	return nil
}

// checkJSONMediaType refuses a body sent as anything but JSON (application/json or a +json
// type); a body without a Content-Type is read as JSON.
func checkJSONMediaType(r *http.Request) *Problem {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return newProblem(kindUnsupportedType, "Send the body as application/json.")
		}
	}
	return nil
}

func decodeProblem(err error) *Problem {
	var (
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooLarge):
		return newProblem(kindTooLarge, fmt.Sprintf("The body is larger than %d bytes.", tooLarge.Limit))
	case errors.As(err, &syntax):
		return newProblem(kindMalformed, fmt.Sprintf("The body is not valid JSON (at byte %d).", syntax.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return newProblem(kindMalformed, "The body is empty or cut short; send a JSON object.")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return newProblem(kindMalformed, "The body must be a JSON object.")
		}
		return invalid(FieldError{Field: typ.Field, Message: "must be " + jsonKind(typ.Type.Kind().String()) + ", not " + typ.Value})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(FieldError{Field: field, Message: "is not a known field"})
	}
	return newProblem(kindMalformed, "The body could not be read as JSON.")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int32", "int64", "uint", "uint32", "uint64", "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "another type"
}
