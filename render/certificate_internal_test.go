package render

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
	"github.com/stretchr/testify/require"
)

// The certificate's QR code, drawn as vectors, is the verify address's QR code module for
// module: the first page, rasterized by pdftoppm, is dark at the centre of each dark module
// (quiet zone included) and light at the centre of each light one.
func TestCertificatePDF_DrawsTheVerifyAddressAsAQRCode(t *testing.T) {
	t.Parallel()
	pdftoppm, err := exec.LookPath("pdftoppm")
	require.NoError(t, err, "pdftoppm (Debian's poppler-utils) is needed to check the PDF: run scripts/ensure-poppler.sh")
	url := "https://reptidex.example/verify/7KQ2-M9XD-4TJ8-R"
	pdf, err := CertificatePDF(Certificate{Serial: "7KQ2-M9XD-4TJ8-R", VerifyURL: url,
		Chart: Chart{Generations: 3, Slots: append([]*Animal{{Visible: true, ID: "a", Name: "Orion"}}, make([]*Animal, 14)...)}})
	require.NoError(t, err)

	dir := t.TempDir()
	file := filepath.Join(dir, "certificate.pdf")
	require.NoError(t, os.WriteFile(file, pdf, 0o644))
	const dpi = 200
	out, err := exec.Command(pdftoppm, "-png", "-gray", "-r", "200", "-f", "1", "-l", "1", "-singlefile", file, filepath.Join(dir, "page")).CombinedOutput()
	require.NoError(t, err, "pdftoppm: %s", out)
	f, err := os.Open(filepath.Join(dir, "page.png"))
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	page, err := png.Decode(f)
	require.NoError(t, err)

	q, err := qrcode.New(url, qrcode.Medium)
	require.NoError(t, err)
	bits := q.Bitmap()
	x0, y0 := qrOrigin()
	m := qrSize / float64(len(bits))
	px := func(mm float64) int { return int(mm / 25.4 * dpi) }
	dark := 0
	for r, row := range bits {
		for c, want := range row {
			g := image.Point{px(x0 + (float64(c)+0.5)*m), px(y0 + (float64(r)+0.5)*m)}
			lum, _, _, _ := page.At(g.X, g.Y).RGBA()
			require.Equal(t, want, lum < 0x8000, "module (%d, %d)", r, c)
			if want {
				dark++
			}
		}
	}
	require.Greater(t, dark, 100, "a QR code of the address has more than a hundred dark modules")
}
