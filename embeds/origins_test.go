package embeds_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/embeds"
)

func TestNormaliseOrigin_KeepsOnlySchemeHostAndPort(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string // want "" for refused
	}{
		{"https://breeder.example", "https://breeder.example"},
		{"HTTPS://Breeder.Example/", "https://breeder.example"},
		{"https://www.breeder.example:8443", "https://www.breeder.example:8443"},
		{"https://breeder.example:443", "https://breeder.example"},
		{"http://localhost:3000", "http://localhost:3000"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"http://localhost:80", "http://localhost"},
		{"https://xn--schlange-n2a.example", "https://xn--schlange-n2a.example"},
		{"http://breeder.example", ""},
		{"javascript:alert(1)", ""},
		{"javascript://breeder.example", ""},
		{"https://breeder.example/path", ""},
		{"https://breeder.example/?q=1", ""},
		{"https://breeder.example#top", ""},
		{"https://user@breeder.example", ""},
		{"*", ""},
		{"https://*.breeder.example", ""},
		{"https://breeder.example; script-src *", ""},
		{"https://breeder.example 'unsafe-inline'", ""},
		{"https://breeder.example,https://evil.example", ""},
		{"https://breeder.example:0", ""},
		{"https://breeder.example:65536", ""},
		{"https://breeder.example:", ""},
		{"https://breeder.example:08443", ""},
		{"https://breeder.example:+443", ""},
		{"https://breeder.example:84:43", ""},
		{"https://-breeder.example", ""},
		{"https://breeder..example", ""},
		{"https://breeder.example.", ""},
		{"https://intranet", ""},
		{"https://schlänge.example", ""},
		{"https://bree\x00der.example", ""},
		{"https://breeder.example\xff", ""},
		{"https://[::2]", ""},
		{"https://%62reeder.example", ""},
		{"breeder.example", ""},
		{"", ""},
		{"https://" + strings.Repeat("a", 64) + ".example", ""},
	} {
		got, problem := embeds.NormaliseOrigin(tc.in)
		require.Equal(t, tc.want, got, "%q", tc.in)
		require.Equal(t, tc.want == "", problem != "", "%q: %s", tc.in, problem)
	}
}

func TestOrigins_NamesTheListOrTheItemAtFault(t *testing.T) {
	t.Parallel()
	got, err := embeds.Origins([]string{"https://a.example", "HTTPS://A.EXAMPLE:443/", "https://b.example"})
	require.NoError(t, err)
	require.Equal(t, []string{"https://a.example", "https://b.example"}, got, "normalised, each once")

	fields := func(err error) []string {
		var fe embeds.FieldErrors
		require.True(t, errors.As(err, &fe), "%v", err)
		var out []string
		for _, f := range fe {
			out = append(out, f.Field)
		}
		return out
	}
	_, err = embeds.Origins(nil)
	require.Equal(t, []string{"allowed_origins"}, fields(err))
	_, err = embeds.Origins(make([]string, 11))
	require.Equal(t, []string{"allowed_origins"}, fields(err))
	_, err = embeds.Origins([]string{"https://a.example", "*", "https://b.example/x"})
	require.Equal(t, []string{"allowed_origins[1]", "allowed_origins[2]"}, fields(err))
}

func TestSnippet_EscapesWhatItQuotes(t *testing.T) {
	t.Parallel()
	s := embeds.Snippet("https://reptidex.example/embed/abc", "https://reptidex.example/embed.js", `"><script>x</script>`, 720)
	require.Equal(t, `<iframe src="https://reptidex.example/embed/abc" title="&#34;&gt;&lt;script&gt;x&lt;/script&gt;" loading="lazy" style="width:100%;border:0" height="720"></iframe>`+
		"\n"+`<script async src="https://reptidex.example/embed.js"></script>`, s)
}

// cspSafe is what an origin may hold once normalised: nothing a CSP header gives a meaning
// to beyond a host source.
var cspSafe = regexp.MustCompile(`^https?://([a-z0-9-]+(\.[a-z0-9-]+)*|\[::1\])(:[1-9][0-9]{0,4})?$`)

func FuzzNormaliseOrigin(f *testing.F) {
	for _, s := range []string{"https://breeder.example", "http://localhost:3000", "https://a.example:8443/", "*",
		"javascript:alert(1)", "https://a.example;x", "http://[::1]:1", "https://a.example:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, problem := embeds.NormaliseOrigin(in)
		if problem != "" {
			if got != "" {
				t.Fatalf("%q: refused (%s) but answered %q", in, problem, got)
			}
			return
		}
		if !cspSafe.MatchString(got) {
			t.Fatalf("%q: normalised to %q, which a CSP header could misread", in, got)
		}
		again, problem := embeds.NormaliseOrigin(got)
		if problem != "" || again != got {
			t.Fatalf("%q: normalised to %q, which normalises to %q (%s)", in, got, again, problem)
		}
	})
}
