package api_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// renderText is the text of a drawn chart: pdftotext's reading of a PDF, or the character
// data of an SVG, which must parse as XML.
func renderText(t *testing.T, r reply) string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	switch ct := r.Header.Get("Content-Type"); ct {
	case "application/pdf":
		require.True(t, bytes.HasPrefix(r.Raw, []byte("%PDF-")))
		tool, err := exec.LookPath("pdftotext")
		require.NoError(t, err, "pdftotext (poppler-utils) is needed: run scripts/ensure-poppler.sh")
		file := filepath.Join(t.TempDir(), "chart.pdf")
		require.NoError(t, os.WriteFile(file, r.Raw, 0o644))
		out, err := exec.Command(tool, "-enc", "UTF-8", file, "-").Output()
		require.NoError(t, err)
		return string(out)
	case "image/svg+xml":
		var b strings.Builder
		dec := xml.NewDecoder(bytes.NewReader(r.Raw))
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				return b.String()
			}
			require.NoError(t, err, "the SVG is well-formed XML")
			if cd, ok := tok.(xml.CharData); ok {
				b.Write(cd)
				b.WriteString("\n")
			}
		}
	default:
		t.Fatalf("a chart answered as %q", ct)
		return ""
	}
}

// The chart shows what the lineage endpoint shows: another breeder's public ancestors in full,
// their private ones as "not public" and never by name; in both formats.
func TestRenderPedigree_ShowsWhatTheLineageShows(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.newUser(t, "render-alice")
	bob := b.newUser(t, "render-bob")
	ta, tb := alice.Tokens.AccessToken, bob.Tokens.AccessToken

	granddam := b.createAnimal(t, ta, map[string]any{"species": "ball-python", "sex": "female", "name": "Secret Sérénade", "visibility": "private"})
	sire := b.createAnimal(t, ta, map[string]any{"species": "ball-python", "sex": "male", "name": "Apollo",
		"genetics": "Pastel", "visibility": "public", "dam_id": granddam.ID})
	dam := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "sex": "female", "name": "Lüna <i>&</i> 🐍"})
	child := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "sex": "male", "name": "Orion",
		"sire_id": sire.ID, "dam_id": dam.ID})

	for _, q := range []string{"", "?format=pdf&generations=5", "?format=svg", "?format=svg&generations=3"} {
		r := b.do(t, http.MethodGet, "/api/v1/render/pedigree/"+child.ID+q, tb, nil)
		text := renderText(t, r)
		for _, s := range []string{"Pedigree of Orion", child.ID, "Apollo", sire.ID, "Pastel", "Lüna", dam.ID, "not public", "unknown"} {
			require.Contains(t, text, s, "query %q", q)
		}
		require.NotContains(t, text, "Secret", "query %q", q)
		require.NotContains(t, text, granddam.ID, "query %q", q)
		require.Contains(t, r.Header.Get("Content-Disposition"), "pedigree-"+child.ID+".")
		require.Equal(t, "no-store", r.Header.Get("Cache-Control"))
		require.Contains(t, r.Header.Get("Content-Security-Policy"), "default-src 'none'")
		if r.Header.Get("Content-Type") == "image/svg+xml" {
			require.NotContains(t, string(r.Raw), "<i>", "a name's markup is escaped")
			require.Contains(t, text, "Lüna <i>&</i> 🐍")
		} else {
			require.Contains(t, text, "Lüna <i>&</i> ?", "the core fonts lack the emoji")
		}
	}
	r := b.do(t, http.MethodGet, "/api/v1/render/pedigree/"+child.ID, tb, nil)
	require.Equal(t, "application/pdf", r.Header.Get("Content-Type"), "PDF by default")
	require.Contains(t, renderText(t, r), "4 generations of ancestors", "four by default")

	// Alice sees her own private animal by name, starting from her public sire.
	require.Contains(t, renderText(t, b.do(t, http.MethodGet, "/api/v1/render/pedigree/"+sire.ID+"?format=svg", ta, nil)), "Secret Sérénade")
}

func TestRenderPedigree_RefusesWhatItMayNotDraw(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.newUser(t, "render-owner")
	bob := b.newUser(t, "render-stranger")
	private := b.createAnimal(t, alice.Tokens.AccessToken, map[string]any{"species": "ball-python", "sex": "male", "visibility": "private"})
	path := "/api/v1/render/pedigree/" + private.ID

	requireProblem(t, b.do(t, http.MethodGet, path, bob.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/render/pedigree/9xKpQ2mVbN7tLr4Wz", alice.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
	require.Equal(t, http.StatusUnauthorized, b.do(t, http.MethodGet, path, "", nil).Status)
	for _, q := range []string{"?generations=2", "?generations=6", "?generations=x", "?format=png", "?format=PDF"} {
		requireProblem(t, b.do(t, http.MethodGet, path+q, alice.Tokens.AccessToken, nil), http.StatusBadRequest, "malformed-request")
	}
	r := b.do(t, http.MethodGet, path+"?format=svg&generations=5", alice.Tokens.AccessToken, nil)
	require.Equal(t, "image/svg+xml", r.Header.Get("Content-Type"))
	require.Contains(t, renderText(t, r), "5 generations of ancestors")
}
