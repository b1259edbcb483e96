package render_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/render"
	"github.com/reptidex/reptidex/store"
)

// drawnOn is the date every test chart is drawn on.
var drawnOn = time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)

// fixture is a pedigree as pedigree.Graph.Chart reads it, with what a chart of it must and
// must not show.
type fixture struct {
	chart pedigree.Chart
	// shown are the names and public IDs the chart must print.
	shown []string
	// hidden are names of animals the caller may not see: the chart must never print them.
	hidden []string
	// notPublic counts the positions drawn as "not public".
	notPublic int
}

// fullPedigree is a complete pedigree generations deep of ball pythons, every ancestor
// visible unless hide says otherwise for its slot (ahnentafel order); slots for which drop
// says so have no recorded animal. Slot 0 is named name.
func fullPedigree(generations int, name string, hide, drop func(slot int) bool) fixture {
	n := 1<<(generations+1) - 1
	f := fixture{}
	pos := make([]int32, n) // slot → position in the chart; -1 when dropped
	var a pedigree.Ancestors
	for k := 0; k < n; k++ {
		if k > 0 && (pos[(k-1)/2] < 0 || drop(k)) {
			pos[k] = -1
			continue
		}
		pos[k] = int32(len(a.IDs))
		a.IDs = append(a.IDs, uuid.New())
		a.Sire, a.Dam = append(a.Sire, -1), append(a.Dam, -1)
		hatched := time.Date(2015+k%10, time.Month(1+k%12), 1+k%28, 0, 0, 0, 0, time.UTC)
		sex := "male"
		if k%2 == 0 && k > 0 {
			sex = "female"
		}
		// Public IDs as long as real ones (22 characters).
		card := &store.AnimalCard{Visible: true, PublicID: fmt.Sprintf("4fTqW9zKc2NvRbHxMwPq%03d", k), Name: fmt.Sprintf("Ancestor %d", k),
			SpeciesKey: "ball-python", Sex: sex, HatchDate: &hatched, GeneticsText: "Pastel het Clown",
			OwnerName: "Bob's Balls", BreederName: "Alice Reptiles"}
		if k == 0 {
			card.Name = name
		}
		if hide(k) {
			card.Visible = false
			card.Name = fmt.Sprintf("Hidden %d", k) // must not leak even if a card carried it
			f.hidden = append(f.hidden, card.Name, card.PublicID)
			f.notPublic++
		} else {
			f.shown = append(f.shown, card.Name, card.PublicID)
		}
		f.chart.Cards = append(f.chart.Cards, card)
		if k > 0 {
			p := pos[(k-1)/2]
			if k%2 == 1 {
				a.Sire[p] = pos[k]
			} else {
				a.Dam[p] = pos[k]
			}
		}
	}
	f.chart.Ancestors = a
	return f
}

func none(int) bool { return false }

// artifactDir is where tests leave what they draw, for a person to look at:
// .testdata/artifacts/render at the repository's root.
func artifactDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".testdata", "artifacts", "render"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// poppler finds a poppler-utils tool; the renderer's tests cannot judge a PDF without it, so
// its absence fails them.
func poppler(t *testing.T, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s (Debian's poppler-utils) is needed to check the PDF: run scripts/ensure-poppler.sh", tool)
	}
	return path
}

// pdfText is the text of a PDF as pdftotext extracts it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "chart.pdf")
	require.NoError(t, os.WriteFile(file, pdf, 0o644))
	out, err := exec.Command(poppler(t, "pdftotext"), "-enc", "UTF-8", file, "-").Output()
	require.NoError(t, err, "pdftotext could not read the PDF")
	return string(out)
}

// keepPDF writes the PDF and its pages as PNG images (pdftoppm) to the artifacts, as name.pdf
// and name-1.png.
func keepPDF(t *testing.T, name string, pdf []byte) {
	t.Helper()
	dir := artifactDir(t)
	file := filepath.Join(dir, name+".pdf")
	require.NoError(t, os.WriteFile(file, pdf, 0o644))
	out, err := exec.Command(poppler(t, "pdftoppm"), "-png", "-r", "110", file, filepath.Join(dir, name)).CombinedOutput()
	require.NoError(t, err, "pdftoppm: %s", out)
	pages, err := filepath.Glob(filepath.Join(dir, name+"-*.png"))
	require.NoError(t, err)
	require.Len(t, pages, 1, "the chart is one page")
	t.Logf("the chart is drawn in %s", pages[0])
}

// chartOf is the fixture laid out for the renderer.
func chartOf(f fixture, generations int) render.Chart {
	return render.FromChart(f.chart, generations, drawnOn)
}

// thumbnail is a JPEG like the thumbnails media keeps (320 pixels on its long side), with
// noise over a gradient so that it compresses no better than a photo does.
func thumbnail(t testing.TB, w, h int) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			n := rng.IntN(48)
			img.Set(x, y, color.RGBA{uint8(x*200/w + n), uint8(y*180/h + n), uint8(90 + n), 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}))
	return b.Bytes()
}
