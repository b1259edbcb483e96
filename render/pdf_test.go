package render_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/render"
)

// Every animal the caller may see is printed by name and ID; every other one as "not public",
// and its name never.
func TestPDF_PrintsWhatIsVisibleAndHidesTheRest(t *testing.T) {
	t.Parallel()
	for gens := render.MinGenerations; gens <= render.MaxGenerations; gens++ {
		t.Run(fmt.Sprintf("%d generations", gens), func(t *testing.T) {
			t.Parallel()
			f := fullPedigree(gens, "Orion", func(k int) bool { return k == 4 || k == 9 || k == 2*(1<<gens)-2 },
				func(k int) bool { return k == 6 || k == 1<<gens })
			pdf, err := render.PDF(chartOf(f, gens))
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(string(pdf), "%PDF-"))
			keepPDF(t, fmt.Sprintf("pedigree-%dgen", gens), pdf)

			text := pdfText(t, pdf)
			require.Contains(t, text, "Pedigree of Orion")
			require.Contains(t, text, fmt.Sprintf("%d generations of ancestors", gens))
			require.Contains(t, text, "drawn 2026-03-14")
			for _, s := range f.shown {
				require.Contains(t, text, s)
			}
			for _, s := range f.hidden {
				require.NotContains(t, text, s)
			}
			require.Equal(t, f.notPublic, strings.Count(text, "not public")-1, "one per hidden animal, and the footer's")
			require.GreaterOrEqual(t, strings.Count(text, "unknown"), 2, "the dropped parents")
		})
	}
}

// The root's box has room for everything the card shows.
func TestPDF_PrintsTheAnimalsDetails(t *testing.T) {
	t.Parallel()
	f := fullPedigree(4, "Orion", none, none)
	pdf, err := render.PDF(chartOf(f, 4))
	require.NoError(t, err)
	text := pdfText(t, pdf)
	for _, s := range []string{"4fTqW9zKc2NvRbHxMwPq000", "male · hatched 2015-01-01", "Pastel het Clown", "Breeder: Alice Reptiles", "Owner: Bob's Balls"} {
		require.Contains(t, text, s)
	}
}

// The core fonts hold Windows-1252: accents print as they are, anything else as "?", and
// control characters are dropped; nothing garbles the file.
func TestPDF_TranslatesUTF8ToTheCoreFonts(t *testing.T) {
	t.Parallel()
	f := fullPedigree(3, "Rosé Müller 🐍", none, none)
	f.chart.Cards[1].Name = "Ünïcödé ßœ€ 名前"
	f.chart.Cards[2].Name = "Bell\x07 and\u202e tab\x1b"
	f.chart.Cards[3].GeneticsText = "Piebald \xff het Clown"
	pdf, err := render.PDF(chartOf(f, 3))
	require.NoError(t, err)
	keepPDF(t, "pedigree-utf8", pdf)
	text := pdfText(t, pdf)
	require.Contains(t, text, "Pedigree of Rosé Müller ?")
	require.Contains(t, text, "Ünïcödé ßœ€ ??")
	require.Contains(t, text, "Bell and tab")
	require.Contains(t, text, "Piebald ? het Clown")
}

// A long name is cut to its box with an ellipsis rather than running over its neighbours.
func TestPDF_CutsTextToItsBox(t *testing.T) {
	t.Parallel()
	f := fullPedigree(5, "Orion", none, none)
	long := strings.Repeat("Supercalifragilistic ", 6)
	f.chart.Cards[len(f.chart.Cards)-1].Name = long
	pdf, err := render.PDF(chartOf(f, 5))
	require.NoError(t, err)
	text := pdfText(t, pdf)
	require.NotContains(t, text, strings.TrimSpace(long))
	require.Contains(t, text, "Supercalifragilistic")
	require.Contains(t, text, "… · 4fTqW9zKc2NvRbHxMwPq062", "the name is cut, never the ID")
}

// A certificate carries a chart: it must stay well under the 100 KB budget.
func TestPDF_StaysUnderTheSizeBudget(t *testing.T) {
	t.Parallel()
	pdf, err := render.PDF(chartOf(fullPedigree(5, "Orion", none, none), 5))
	require.NoError(t, err)
	require.Less(t, len(pdf), 100<<10)
}

func BenchmarkRenderPedigreePDF(b *testing.B) {
	c := chartOf(fullPedigree(5, "Orion", func(k int) bool { return k%7 == 3 }, none), 5)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		pdf, err := render.PDF(c)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "pdf-bytes/op")
}

// The animal's photo is drawn above its box, the text is extracted as before, and the chart
// with a photo stays within the certificate's budget with a photo (300 KB).
func TestPDF_DrawsTheAnimalsPhotoAboveItsBox(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{320, 240}, {240, 320}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			f := fullPedigree(4, "Orion", func(k int) bool { return k == 5 }, none)
			c := chartOf(f, 4)
			c.Photo = thumbnail(t, size[0], size[1])
			pdf, err := render.PDF(c)
			require.NoError(t, err)
			require.Less(t, len(pdf), 300<<10)
			name := fmt.Sprintf("pedigree-photo-%dx%d", size[0], size[1])
			keepPDF(t, name, pdf)

			text := pdfText(t, pdf)
			require.Contains(t, text, "Pedigree of Orion")
			for _, s := range f.shown {
				require.Contains(t, text, s)
			}
			for _, s := range f.hidden {
				require.NotContains(t, text, s)
			}
			out, err := exec.Command(poppler(t, "pdfimages"), "-list", filepath.Join(artifactDir(t), name+".pdf")).Output()
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			require.Len(t, lines, 3, "one image, the photo:\n%s", out)
			require.Equal(t, []string{"1", "0", "image", fmt.Sprint(size[0]), fmt.Sprint(size[1])}, strings.Fields(lines[2])[:5])
		})
	}
}

// A photo that is not a JPEG or PNG is left out rather than failing the chart.
func TestPDF_LeavesOutAPhotoOfAnotherFormat(t *testing.T) {
	t.Parallel()
	c := chartOf(fullPedigree(3, "Orion", none, none), 3)
	c.Photo = []byte("GIF89a not a photo")
	pdf, err := render.PDF(c)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "chart.pdf")
	require.NoError(t, os.WriteFile(file, pdf, 0o644))
	out, err := exec.Command(poppler(t, "pdfimages"), "-list", file).Output()
	require.NoError(t, err)
	require.Len(t, strings.Split(strings.TrimSpace(string(out)), "\n"), 2, "no image:\n%s", out)
	require.Contains(t, pdfText(t, pdf), "Pedigree of Orion")
}

// BenchmarkRenderPedigreePDFWithPhoto is the chart of GET /api/v1/render/pedigree with the
// animal's thumbnail: budget under 10 ms and under 300 KB.
func BenchmarkRenderPedigreePDFWithPhoto(b *testing.B) {
	c := chartOf(fullPedigree(5, "Orion", func(k int) bool { return k%7 == 3 }, none), 5)
	c.Photo = thumbnail(b, 320, 240)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		pdf, err := render.PDF(c)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "pdf-bytes/op")
}
