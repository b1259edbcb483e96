package render_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/render"
)

// The certificate prints the animal's details, its inbreeding, the serial and the verify
// address beside a QR code image, then the pedigree chart on its second page.
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
	require.Len(t, lines, 3, "one image, the QR code, on the first page:\n%s", out)
	require.Equal(t, []string{"1", "0", "image", "512", "512"}, strings.Fields(lines[2])[:5])
}

// A certificate with no animal is refused rather than printed empty.
func TestCertificatePDF_RefusesACertificateWithoutAnAnimal(t *testing.T) {
	t.Parallel()
	_, err := render.CertificatePDF(render.Certificate{Serial: "X", VerifyURL: "https://x/verify/X"})
	require.Error(t, err)
}
