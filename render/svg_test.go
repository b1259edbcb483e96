package render_test

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/render"
)

// svgText parses an SVG as XML, failing the test if it is not well-formed, and answers the
// character data of its <text> elements, one per line.
func svgText(t *testing.T, svg []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var out strings.Builder
	inText, root := false, ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the SVG is well-formed XML")
		switch v := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = v.Name.Space + " " + v.Name.Local
			}
			inText = v.Name.Local == "text"
		case xml.EndElement:
			if inText {
				out.WriteString("\n")
			}
			inText = false
		case xml.CharData:
			if inText {
				out.Write(v)
			}
		}
	}
	require.Equal(t, "http://www.w3.org/2000/svg svg", root)
	return out.String()
}

func TestSVG_IsWellFormedAndShowsOnlyWhatIsVisible(t *testing.T) {
	t.Parallel()
	f := fullPedigree(5, "Orion", func(k int) bool { return k == 3 || k == 40 }, func(k int) bool { return k == 5 })
	svg := render.SVG(chartOf(f, 5))
	require.NoError(t, os.WriteFile(filepath.Join(artifactDir(t), "pedigree-5gen.svg"), svg, 0o644))
	text := svgText(t, svg)
	for _, s := range f.shown {
		require.Contains(t, text, s)
	}
	for _, s := range f.hidden {
		require.NotContains(t, text, s)
	}
	require.Equal(t, f.notPublic, strings.Count(text, "not public")-1, "one per hidden animal, and the footer's")
	require.Contains(t, text, "unknown\n")
	require.Less(t, len(svg), 100<<10)
}

// Markup and characters XML cannot hold in a name neither break the document nor inject into it.
func TestSVG_EscapesEveryText(t *testing.T) {
	t.Parallel()
	f := fullPedigree(3, `<script>alert("x")</script> & 'Co'`, none, none)
	f.chart.Cards[1].Name = "Bell\x07 \x00nul\ufffe \xff done"
	f.chart.Cards[2].GeneticsText = "]]><!-- het &amp;"
	f.chart.Cards[3].OwnerName = "Rosé Müller 🐍"
	svg := render.SVG(chartOf(f, 3))
	require.NotContains(t, string(svg), "<script>")
	text := svgText(t, svg)
	require.Contains(t, text, `Pedigree of <script>alert("x")</script> & 'Co'`)
	require.Contains(t, text, "Bell nul \ufffd done")
	require.Contains(t, text, "]]><!-- het &amp;")
	require.Contains(t, text, "Owner: Rosé Müller 🐍")
}

func BenchmarkRenderPedigreeSVG(b *testing.B) {
	c := chartOf(fullPedigree(5, "Orion", func(k int) bool { return k%7 == 3 }, none), 5)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		size = len(render.SVG(c))
	}
	b.ReportMetric(float64(size), "svg-bytes/op")
}

// The animal's photo is embedded in the SVG as a data: URI, so that the file stays whole on
// its own, and the SVG stays small.
func TestSVG_EmbedsTheAnimalsPhoto(t *testing.T) {
	t.Parallel()
	c := chartOf(fullPedigree(4, "Orion", none, none), 4)
	c.Photo = thumbnail(t, 320, 240)
	svg := render.SVG(c)
	require.NoError(t, os.WriteFile(filepath.Join(artifactDir(t), "pedigree-photo.svg"), svg, 0o644))
	require.Contains(t, svgText(t, svg), "Pedigree of Orion")
	_, rest, ok := strings.Cut(string(svg), `href="data:image/jpeg;base64,`)
	require.True(t, ok, "the photo is embedded")
	encoded, _, ok := strings.Cut(rest, `"`)
	require.True(t, ok)
	got, err := base64.StdEncoding.DecodeString(encoded)
	require.NoError(t, err)
	require.Equal(t, c.Photo, got)
	require.Equal(t, 1, strings.Count(string(svg), "<image "))
	require.NotContains(t, string(svg), `href="http`, "nothing to load from elsewhere")
	require.Less(t, len(svg), 100<<10)

	c.Photo = []byte("GIF89a not a photo")
	require.NotContains(t, string(render.SVG(c)), "<image ", "a photo of another format is left out")
}
