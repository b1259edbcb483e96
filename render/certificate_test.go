package render_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/render"
)

// The certificate prints the animal's details, its inbreeding, the serial and the verify
// address beside its QR code (drawn as vectors: no image), then the pedigree chart on its
// second page.
func TestCertificatePDF_PrintsTheSnapshotTheSerialAndAQRCode(t *testing.T) {
	t.Parallel()
	coi := 0.125
	c := render.Certificate{Serial: "7KQ2-M9XD-4TJ8", VerifyURL: "https://reptidex.example/verify/7KQ2-M9XD-4TJ8",
		IssuedAt: drawnOn, COI: &coi, Chart: chartOf(fullPedigree(4, "Orion", none, none), 4),
		KeyID: "3f9c0a1b2c3d4e5f", SHA256: strings.Repeat("ab", 32)}
	pdf, err := render.CertificatePDF(c)
	require.NoError(t, err)
	require.Less(t, len(pdf), 100<<10, "a certificate without a photo is under 100 KB")

	text := pdfText(t, pdf)
	for _, s := range []string{"Pedigree Certificate", "Orion", "4fTqW9zKc2NvRbHxMwPq000", "ball-python",
		"Pastel het Clown", "12.50 %", "Alice Reptiles", "Bob's Balls", "Serial 7KQ2-M9XD-4TJ8",
		"https://reptidex.example/verify/7KQ2-M9XD-4TJ8", "3f9c0a1b2c3d4e5f", "14 March 2026", "Pedigree of Orion"} {
		require.Contains(t, text, s)
	}
	require.Equal(t, 2, strings.Count(text, "\f"), "two pages")

	file := filepath.Join(artifactDir(t), "certificate.pdf")
	require.NoError(t, os.WriteFile(file, pdf, 0o644))
	out, err := exec.Command(poppler(t, "pdfimages"), "-list", file).Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, 2, "no image without a photo, the QR code being vectors:\n%s", out)
}

// A certificate with no animal is refused rather than printed empty.
func TestCertificatePDF_RefusesACertificateWithoutAnAnimal(t *testing.T) {
	t.Parallel()
	_, err := render.CertificatePDF(render.Certificate{Serial: "X", VerifyURL: "https://x/verify/X"})
	require.Error(t, err)
}

// The animal's photo, JPEG or PNG, is printed beside the QR code, and the certificate with a
// photo stays under 300 KB.
func TestCertificatePDF_PrintsTheAnimalsPhoto(t *testing.T) {
	t.Parallel()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for x := 0; x < 320; x++ {
		for y := 0; y < 240; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var jpg, pngPhoto bytes.Buffer
	require.NoError(t, jpeg.Encode(&jpg, img, nil))
	require.NoError(t, png.Encode(&pngPhoto, img))
	for name, photo := range map[string][]byte{"jpeg": jpg.Bytes(), "png": pngPhoto.Bytes()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pdf, err := render.CertificatePDF(render.Certificate{Serial: "7KQ2-M9XD-4TJ8", VerifyURL: "https://x.example/verify/7KQ2-M9XD-4TJ8",
				IssuedAt: drawnOn, Chart: chartOf(fullPedigree(4, "Orion", none, none), 4), Photo: photo})
			require.NoError(t, err)
			require.Less(t, len(pdf), 300<<10)
			file := filepath.Join(artifactDir(t), "certificate-photo-"+name+".pdf")
			require.NoError(t, os.WriteFile(file, pdf, 0o644))
			out, err := exec.Command(poppler(t, "pdfimages"), "-list", file).Output()
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			require.Len(t, lines, 3, "the photo, the one image:\n%s", out)
			require.Equal(t, []string{"1", "0", "image", "320", "240"}, strings.Fields(lines[2])[:5])
		})
	}
	_, err := render.CertificatePDF(render.Certificate{Serial: "X", VerifyURL: "https://x/verify/X",
		Chart: chartOf(fullPedigree(3, "Orion", none, none), 3), Photo: []byte("GIF89a")})
	require.Error(t, err, "a photo neither JPEG nor PNG")
}
