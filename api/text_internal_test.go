package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestDecodeJSON_NamesTheFieldOfBadText(t *testing.T) {
	t.Parallel()
	type inner struct {
		Name string `json:"name"`
	}
	type body struct {
		Name  string            `json:"name"`
		Notes string            `json:"notes" text:"multiline,max=20"`
		Items []inner           `json:"items"`
		Tags  map[string]string `json:"tags"`
		Ptr   *string           `json:"ptr"`
		Any   any               `json:"any"`
	}
	cases := []struct {
		name, body, field, message string
	}{
		{"NUL in a name", `{"name":"a\u0000b"}`, "name", "must not contain NUL characters"},
		{"NUL in free text", `{"notes":"a\u0000b"}`, "notes", "must not contain NUL characters"},
		{"invalid UTF-8", "{\"name\":\"a\xffb\"}", "name", "is not valid UTF-8"},
		{"invalid UTF-8 in a nested field", "{\"items\":[{\"name\":\"ok\"},{\"name\":\"\xc3\"}]}", "items[1].name", "is not valid UTF-8"},
		{"invalid UTF-8 in a key", "{\"tags\":{\"\xff\":\"x\"}}", "tags", "has a field name that is not valid UTF-8"},
		{"line break in a name", `{"name":"a\nb"}`, "name", "must be one line without control characters"},
		{"escape in a name", `{"name":"a\u001bb"}`, "name", "must be one line without control characters"},
		{"C1 control in a name", `{"name":"a\u0085b"}`, "name", "must be one line without control characters"},
		{"bell in free text", `{"notes":"a\u0007b"}`, "notes", "must not contain control characters other than line breaks and tabs"},
		{"free text too long", `{"notes":"` + strings.Repeat("é", 21) + `"}`, "notes", "must be at most 20 characters"},
		{"name too long", `{"name":"` + strings.Repeat("x", maxLineRunes+1) + `"}`, "name", "must be at most 1000 characters"},
		{"NUL in a nested name", `{"items":[{"name":"\u0000"}]}`, "items[0].name", "must not contain NUL characters"},
		{"NUL in a map key", `{"tags":{"a\u0000":"x"}}`, "tags.(key)", "must not contain NUL characters"},
		{"NUL in a map value", `{"tags":{"k":"x\u0000"}}`, "tags.k", "must not contain NUL characters"},
		{"NUL through a pointer", `{"ptr":"\u0000"}`, "ptr", "must not contain NUL characters"},
		{"NUL inside an untyped value", `{"any":{"deep":["\u0000"]}}`, "any.deep[0]", "must not contain NUL characters"},
		{"a repeated key", `{"name":"a","name":"b"}`, "name", "is given more than once"},
		{"a repeated nested key", `{"items":[{"name":"a","name":"b"}]}`, "items[0].name", "is given more than once"},
		{"deep nesting", `{"any":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, "any" + strings.Repeat("[0]", maxJSONDepth-1), "nests deeper than 16 levels"},
		{"a number too large", `{"items":[],"name":1e400}`, "name", "must be a string, not number"},
		{"a direction override in a name", `{"name":"gpj\u202eexe"}`, "name", "must be one line without control characters"},
		{"a direction isolate in free text", `{"notes":"a\u2067b"}`, "notes", "must not contain control characters other than line breaks and tabs"},
		{"a line separator in a name", `{"name":"a\u2028b"}`, "name", "must be one line without control characters"},
		{"too many items", `{"items":[` + strings.Repeat(`{},`, maxJSONArrayItems) + `{}]}`, "items", "has more than 1000 items"},
		{"too many items in a nested array", `{"any":[[` + strings.Repeat(`1,`, maxJSONArrayItems) + `1]]}`, "any[0]", "has more than 1000 items"},
		{"a key repeated in another case", `{"name":"a","NAME":"b"}`, "NAME", "is given more than once"},
		{"an invalid key after a good one", "{\"name\":\"x\",\"\xff\":1}", "body", "has a field name that is not valid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			var dst body
			err := decodeJSON(r, &dst)
			require.Error(t, err)
			p, ok := err.(*Problem)
			require.True(t, ok, "%T %v", err, err)
			require.Equal(t, http.StatusUnprocessableEntity, p.Status)
			require.Equal(t, []FieldError{{tc.field, tc.message}}, p.Errors)
		})
	}
}

func TestDecodeJSON_AcceptsGoodText(t *testing.T) {
	t.Parallel()
	type body struct {
		Name  string `json:"name"`
		Notes string `json:"notes" text:"multiline"`
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"name":"Ünïcödé 🐍 \u00e9 \u200fמלך\u200f","notes":"line one\r\n\tline two\u2028three"}`))
	var dst body
	require.NoError(t, decodeJSON(r, &dst))
	require.Equal(t, "line one\r\n\tline two\u2028three", dst.Notes)
}

func TestCheckRequestText_RefusesBadQueryParameters(t *testing.T) {
	t.Parallel()
	cases := []struct{ query, field string }{
		{"q=%00", "q"},
		{"q=%FF%FE", "q"},
		{"cursor=a%0Ab", "cursor"},
		{"q=" + strings.Repeat("x", maxQueryValueBytes+1), "q"},
		{"q=%zz", "q"},
	}
	for _, tc := range cases {
		p := checkQuery(tc.query)
		require.NotNil(t, p, tc.query)
		require.Equal(t, http.StatusBadRequest, p.Status)
		require.Equal(t, tc.field, p.Errors[0].Field)
	}
	require.NotNil(t, checkQuery(strings.Repeat("a=1&", maxQueryParams+1)))
	require.NotNil(t, checkQuery("%00=1"))
	require.Nil(t, checkQuery("q=caf%C3%A9+pied&limit=10&cursor=bzox"))
}

func TestCheckPathParam_OnlyPublicIDsNameObjects(t *testing.T) {
	t.Parallel()
	require.Nil(t, checkPathParam("animalID", "4vJ9JU1bJJE96FWSJKvHsm"))
	for _, bad := range []string{"", "a\x00b", "\xff", "0OIl", "../etc", strings.Repeat("z", 33), "abc def"} {
		p := checkPathParam("animalID", bad)
		require.NotNil(t, p, "%q", bad)
		require.Equal(t, http.StatusNotFound, p.Status)
		require.Equal(t, "animal not found", p.Detail)
	}
	require.Nil(t, checkPathParam("species", "ball_python"))
	require.NotNil(t, checkPathParam("species", "ball\x00python"))
}

func TestParseSearchCursor_IsStrictAndBounded(t *testing.T) {
	t.Parallel()
	n, ok := parseSearchCursor(searchCursor(40))
	require.True(t, ok)
	require.Equal(t, 40, n)
	_, ok = parseSearchCursor(searchCursor(10000))
	require.False(t, ok, "beyond four digits")
	for _, raw := range []string{"o:4294967296", "o:-1", "o:01", "o:", "x:1", "o:1 ", "o:+1", "o:99999999999999999999"} {
		_, ok := parseSearchCursor(b64(raw))
		require.False(t, ok, raw)
	}
}

func TestIdempotencyKey_PrintableASCIIWithinLength(t *testing.T) {
	t.Parallel()
	for _, good := range []string{"3f0c1c4e-8a4b-4d59-9d59-6c5d7f7c2b10", "order-42/step:capture", "  padded  "} {
		_, err := parseIdempotencyKey(good)
		require.NoError(t, err, good)
	}
	for _, bad := range []string{"a\x00b", "caf\xc3\xa9", "two words", strings.Repeat("k", maxIdempotencyKeyLen+1), "tab\there"} {
		_, err := parseIdempotencyKey(bad)
		require.Error(t, err, "%q", bad)
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Add("Idempotency-Key", "a")
	r.Header.Add("Idempotency-Key", "b")
	_, err := idempotencyKey(r)
	require.Error(t, err, "sent twice")
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func FuzzParseSearchCursor(f *testing.F) {
	f.Add(searchCursor(0))
	f.Add(searchCursor(searchMaxResults - 1))
	f.Add(b64("o:4294967296"))
	f.Add("!!")
	f.Fuzz(func(t *testing.T, c string) {
		n, ok := parseSearchCursor(c)
		if ok {
			require.GreaterOrEqual(t, n, 0)
			require.Less(t, n, 10000)
			require.Equal(t, c, searchCursor(n), "only cursors the API issues are accepted")
		}
	})
}

func FuzzPageCursor(f *testing.F) {
	f.Add(cursorOf("4vJ9JU1bJJE96FWSJKvHsm"))
	f.Add(b64("\x00"))
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, c string) {
		r := httptest.NewRequest(http.MethodGet, "/?cursor=x", nil)
		q := r.URL.Query()
		q.Set("cursor", c)
		r.URL.RawQuery = q.Encode()
		after, _, err := pageParams(r)
		if err == nil && c != "" {
			require.True(t, isPublicID(after), "%q", after)
		}
	})
}

func FuzzIdempotencyKey(f *testing.F) {
	f.Add("3f0c1c4e-8a4b-4d59-9d59-6c5d7f7c2b10")
	f.Add("a\x00b")
	f.Fuzz(func(t *testing.T, v string) {
		k, err := parseIdempotencyKey(v)
		if err != nil {
			return
		}
		require.LessOrEqual(t, len(k), maxIdempotencyKeyLen)
		for i := 0; i < len(k); i++ {
			require.True(t, k[i] > 0x20 && k[i] < 0x7f, "%q", k)
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"name":"a","items":[{"name":"b"}],"tags":{"k":"v"}}`))
	f.Add([]byte("{\"name\":\"\xff\"}"))
	f.Add([]byte(`{"name":"a","name":"a"}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]`))
	type inner struct {
		Name string `json:"name"`
	}
	type body struct {
		Name  string            `json:"name"`
		Notes string            `json:"notes" text:"multiline"`
		Items []inner           `json:"items"`
		Tags  map[string]string `json:"tags"`
		Any   any               `json:"any"`
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(raw)))
		var dst body
		if err := decodeJSON(r, &dst); err != nil {
			p, ok := err.(*Problem)
			require.True(t, ok, "every failure is a problem: %v", err)
			require.True(t, p.Status >= 400 && p.Status < 500, "%d", p.Status)
			return
		}
		all := []string{dst.Name, dst.Notes}
		for _, i := range dst.Items {
			all = append(all, i.Name)
		}
		for _, s := range all {
			require.True(t, utf8.ValidString(s), "%q", s)
			require.NotContains(t, s, "\x00")
		}
		for k, v := range dst.Tags {
			require.True(t, isLine(k) && isLine(v), "%q: %q", k, v)
		}
	})
}

// BenchmarkDecodeJSON measures what the edge checks cost a typical body: the token scan and
// the string walk on top of encoding/json's decoding.
func BenchmarkDecodeJSON(b *testing.B) {
	body := `{"species":"ball-python","sex":"female","name":"Banana Pied het Clown","hatch_date":"2024-05-02",` +
		`"identifiers":{"microchip":"985112003456789","breeder":"BP-2024-017"},"genetics":"Banana Pied 66% poss het Clown",` +
		`"genetics_provenance":{"pied":"proven_by_breeding"},"visibility":"public"}`
	type animal struct {
		Species            string            `json:"species"`
		Sex                string            `json:"sex"`
		Name               string            `json:"name"`
		HatchDate          string            `json:"hatch_date"`
		Identifiers        map[string]string `json:"identifiers"`
		Genetics           string            `json:"genetics"`
		GeneticsProvenance map[string]string `json:"genetics_provenance"`
		Visibility         string            `json:"visibility"`
	}
	b.Run("checked", func(b *testing.B) {
		for b.Loop() {
			var dst animal
			if err := decodeJSON(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)), &dst); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json alone", func(b *testing.B) {
		for b.Loop() {
			var dst animal
			if err := json.NewDecoder(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)).Body).Decode(&dst); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The free text of these requests is bounded once, by its text tag, in characters as the
// database counts them: at the limit in two-byte characters it passes, one more is refused.
func TestDecodeJSON_BoundsFreeTextOnceInCharacters(t *testing.T) {
	t.Parallel()
	cases := []struct {
		field string
		max   int
		dst   func() any
	}{
		{"message", 2000, func() any { return &createTransferRequest{} }},
		{"reason", 1000, func() any { return &declineTransferRequest{} }},
		{"body", 5000, func() any { return &messageInput{} }},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			t.Parallel()
			decode := func(n int) error {
				raw, err := json.Marshal(map[string]string{tc.field: strings.Repeat("é", n)})
				require.NoError(t, err)
				return decodeJSON(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(raw))), tc.dst())
			}
			require.NoError(t, decode(tc.max))
			var p *Problem
			require.ErrorAs(t, decode(tc.max+1), &p)
			require.Equal(t, []FieldError{{tc.field, "must be at most " + strconv.Itoa(tc.max) + " characters"}}, p.Errors)
		})
	}
}
