package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds on a JSON body, beyond its size: nesting deeper than any request needs, and strings
// longer than any field allows unless the field says otherwise.
const (
	maxJSONDepth = 16
	// maxJSONArrayItems bounds one array: the longest any request needs holds 100 items
	// (hatchlings), and refusing at the 1,001st keeps a hostile array from costing more.
	maxJSONArrayItems = 1000
	// maxLineRunes bounds a one-line string field (names, keys, emails, IDs) without a
	// stated limit of its own.
	maxLineRunes = 1000
	// maxTextRunes bounds a free-text field (tagged text:"multiline").
	maxTextRunes = 10000
)

// scanJSON walks a body's tokens before it is decoded and names the first field that breaks
// the rules decoding cannot see: bytes that are not UTF-8 in a string or key, a key given
// twice in one object, nesting deeper than maxJSONDepth. It does not judge the body's syntax;
// decoding does that.
func scanJSON(body []byte) *Problem {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		object  bool
		keys    map[string]struct{}
		index   int
		nextKey bool // in an object: the next string is a key
		key     string
	}
	var stack []*frame
	path := func(extra string) string {
		var b strings.Builder
		for _, f := range stack {
			if f.object {
				if f.key == "" {
					continue
				}
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else if f.index >= 0 {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		if extra != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(extra)
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	// valueDone moves the enclosing container past one complete value; an array past its
	// bound is a problem.
	valueDone := func() *Problem {
		if len(stack) == 0 {
			return nil
		}
		top := stack[len(stack)-1]
		if top.object {
			top.nextKey = true
			return nil
		}
		top.index++
		if top.index > maxJSONArrayItems {
			top.index = -1 // name the array, not an item
			return invalid(FieldError{path(""), "has more than " + strconv.Itoa(maxJSONArrayItems) + " items"})
		}
		return nil
	}
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF or a syntax error: decoding reports the latter
		}
		end := dec.InputOffset()
		raw := body[prev:end]
		prev = end
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxJSONDepth {
					return invalid(FieldError{path(""), "nests deeper than " + strconv.Itoa(maxJSONDepth) + " levels"})
				}
				f := &frame{object: t == '{', nextKey: t == '{'}
				if f.object {
					f.keys = map[string]struct{}{}
				}
				stack = append(stack, f)
			case '}', ']':
				stack = stack[:len(stack)-1]
				if p := valueDone(); p != nil {
					return p
				}
			}
		case string:
			top := (*frame)(nil)
			if len(stack) > 0 {
				top = stack[len(stack)-1]
			}
			if top != nil && top.object && top.nextKey {
				if !utf8.Valid(raw) {
					top.key = ""
					return invalid(FieldError{path(""), "has a field name that is not valid UTF-8"})
				}
				// Fields are matched to a struct's ignoring case, so keys that differ only in
				// case are the same field given twice ("role" and "ROLE").
				folded := strings.ToLower(t)
				if _, dup := top.keys[folded]; dup {
					top.key = t
					return invalid(FieldError{path(""), "is given more than once"})
				}
				top.keys[folded] = struct{}{}
				top.key = t
				top.nextKey = false
				continue
			}
			if !utf8.Valid(raw) {
				return invalid(FieldError{path(""), "is not valid UTF-8"})
			}
			if p := valueDone(); p != nil {
				return p
			}
		default:
			if p := valueDone(); p != nil {
				return p
			}
		}
	}
}

// textRules is what a string field may hold: one line or several, and how many characters.
type textRules struct {
	multiline bool
	max       int
}

// rulesOf reads a field's `text` tag: "multiline" allows line breaks and tabs, "max=N" sets
// its length in characters. Untagged strings are one line of at most maxLineRunes.
func rulesOf(tag string) textRules {
	r := textRules{max: maxLineRunes}
	for _, part := range strings.Split(tag, ",") {
		switch {
		case part == "multiline":
			r.multiline = true
			if r.max == maxLineRunes {
				r.max = maxTextRunes
			}
		case strings.HasPrefix(part, "max="):
			if n, err := strconv.Atoi(strings.TrimPrefix(part, "max=")); err == nil && n > 0 {
				r.max = n
			}
		}
	}
	return r
}

func (tr textRules) check(field, s string) *Problem {
	ok := isTextOf(s, tr.multiline)
	switch {
	case !ok && strings.IndexByte(s, 0) >= 0:
		return invalid(FieldError{field, "must not contain NUL characters"})
	case !ok && tr.multiline:
		return invalid(FieldError{field, "must not contain control characters other than line breaks and tabs"})
	case !ok:
		return invalid(FieldError{field, "must be one line without control characters"})
	case len(s) > tr.max && utf8.RuneCountInString(s) > tr.max:
		return invalid(FieldError{field, "must be at most " + strconv.Itoa(tr.max) + " characters"})
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// checkStrings walks a decoded value and checks every string in it, map keys included,
// against its field's rules, naming the first that breaks them.
func checkStrings(v any) *Problem {
	return walkStrings(reflect.ValueOf(v), "", textRules{max: maxLineRunes})
}

func walkStrings(v reflect.Value, path string, rules textRules) *Problem {
	name := path
	if name == "" {
		name = "body"
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkStrings(v.Elem(), path, rules)
	case reflect.String:
		return rules.check(name, v.String())
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw bytes (json.RawMessage): scanned for UTF-8; their decoder checks the rest
		}
		for i := 0; i < v.Len(); i++ {
			if p := walkStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]", rules); p != nil {
				return p
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String {
				if p := (textRules{max: maxLineRunes}).check(joinPath(path, "(key)"), k.String()); p != nil {
					return p
				}
			}
			keyName := joinPath(path, k.String())
			if k.Kind() != reflect.String || !isLine(k.String()) {
				keyName = joinPath(path, "(value)")
			}
			if p := walkStrings(iter.Value(), keyName, rules); p != nil {
				return p
			}
		}
	case reflect.Struct:
		t := v.Type()
		// A type that decodes itself keeps its parent's name for what it holds.
		custom := reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if jsonName == "-" {
				continue
			}
			fieldPath := path
			switch {
			case custom:
			case f.Anonymous && jsonName == "":
			case jsonName != "":
				fieldPath = joinPath(path, jsonName)
			default:
				fieldPath = joinPath(path, f.Name)
			}
			fr := rules
			if tag, ok := f.Tag.Lookup("text"); ok || !custom {
				fr = rulesOf(tag)
			}
			if p := walkStrings(v.Field(i), fieldPath, fr); p != nil {
				return p
			}
		}
	}
	return nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
