package render

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jung-kurt/gofpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// Certificate is a pedigree certificate as it is printed: what its signed snapshot says, and
// how to check it.
type Certificate struct {
	Serial string
	// VerifyURL is the public page that says whether the certificate is genuine and current;
	// the certificate prints it and its QR code.
	VerifyURL string
	// IssuedAt is when the snapshot was taken.
	IssuedAt time.Time
	// COI is the animal's inbreeding coefficient (0 to 1); nil when it could not be read.
	COI *float64
	// Chart is the animal (slot 0) and its ancestors.
	Chart Chart
	// KeyID and SHA256 name the signing key and the canonical snapshot's hash, printed for
	// people who check the certificate offline.
	KeyID, SHA256 string
	// Photo is the animal's primary photo as JPEG or PNG bytes; none when empty.
	Photo []byte
}

// CertificatePDF draws the certificate as a two-page A4 landscape PDF: the certificate itself
// (the animal, its genetics, inbreeding, breeder and owner, the serial and a QR code to the
// verify page, and the animal's photo when it has one), then its pedigree chart.
func CertificatePDF(c Certificate) ([]byte, error) {
	if len(c.Chart.Slots) == 0 || c.Chart.Slots[0] == nil {
		return nil, fmt.Errorf("certificate %s: no animal to print", c.Serial)
	}
	pdf := newPDF(c.IssuedAt)
	pdf.SetTitle("Pedigree certificate "+c.Serial, true)
	pdf.AddPage()
	a := c.Chart.Slots[0]

	pdf.SetDrawColor(40, 110, 60)
	pdf.SetLineWidth(1.2)
	pdf.Rect(margin, margin, pageW-2*margin, pageH-2*margin, "D")
	pdf.SetLineWidth(0.3)
	pdf.Rect(margin+2.5, margin+2.5, pageW-2*margin-5, pageH-2*margin-5, "D")

	pdf.SetTextColor(40, 110, 60)
	pdf.SetFont("Helvetica", "B", 24)
	pdf.Text(margin+12, margin+22, "Pedigree Certificate")
	pdf.SetTextColor(20, 20, 20)
	pdf.SetFont("Helvetica", "B", 18)
	pdf.Text(margin+12, margin+36, cp1252(cut(nameOf(a), 180, func(s string) float64 { return width(pdf)(s, true, 18) })))

	y := margin + 50.0
	row := func(label, value string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.SetTextColor(90, 90, 90)
		pdf.Text(margin+12, y, label)
		pdf.SetFont("Helvetica", "", 11)
		pdf.SetTextColor(20, 20, 20)
		pdf.Text(margin+52, y, cp1252(cut(value, 130, func(s string) float64 { return width(pdf)(s, false, 11) })))
		y += 9
	}
	row("Animal ID", a.ID)
	row("Species", a.Species)
	row("Sex", orDash(a.Sex))
	row("Hatched", orDash(a.HatchDate))
	row("Genetics", orDash(a.Genetics))
	row("Inbreeding (COI)", coiText(c.COI))
	row("Breeder", orDash(a.Breeder))
	row("Owner", orDash(a.Owner))
	row("Issued", c.IssuedAt.UTC().Format("2 January 2006"))

	qx, qy := qrOrigin()
	if err := drawQR(pdf, c.VerifyURL, qx, qy, qrSize); err != nil {
		return nil, fmt.Errorf("certificate %s: QR code: %w", c.Serial, err)
	}
	pdf.SetFont("Helvetica", "B", 14)
	pdf.SetTextColor(20, 20, 20)
	pdf.Text(qx, qy+qrSize+8, "Serial "+c.Serial)
	pdf.SetFont("Helvetica", "", 7.5)
	pdf.SetTextColor(90, 90, 90)
	pdf.Text(qx, qy+qrSize+14, cp1252(cut(c.VerifyURL, qrSize+10, func(s string) float64 { return width(pdf)(s, false, 7.5) })))

	if len(c.Photo) > 0 {
		if err := drawPhoto(pdf, c.Photo, qx, qy+qrSize+20, qrSize, pageH-margin-22-(qy+qrSize+20)); err != nil {
			return nil, fmt.Errorf("certificate %s: %w", c.Serial, err)
		}
	}

	pdf.SetFont("Helvetica", "", 7)
	pdf.Text(margin+12, pageH-margin-14, "Signed with Ed25519 key "+c.KeyID+"; canonical snapshot SHA-256 "+c.SHA256+".")
	pdf.Text(margin+12, pageH-margin-9, cp1252("Scan the code or visit the address above to check that this certificate is genuine and current."))

	addChartPage(pdf, c.Chart)
	return output(pdf, "the certificate PDF")
}

// qrSize is the printed side of the QR code, quiet zone included, in millimetres.
const qrSize = 55.0

// qrOrigin is where the QR code's top-left corner is printed on the certificate's first page.
func qrOrigin() (x, y float64) { return pageW - margin - 12 - qrSize, margin + 14 }

// drawQR draws the verify address as a QR code (medium error correction) of side size at
// x, y, quiet zone included: one filled rectangle per run of dark modules in a row. Drawn as
// vectors it prints sharp at any size, weighs a few kilobytes, and costs no image encoding
// (a 512-pixel PNG of it took most of a certificate's rendering time).
func drawQR(pdf *gofpdf.Fpdf, url string, x, y, size float64) error {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return err
	}
	bits := q.Bitmap()
	m := size / float64(len(bits))
	pdf.SetFillColor(0, 0, 0)
	for r, row := range bits {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			run := c
			for run < len(row) && row[run] {
				run++
			}
			pdf.Rect(x+float64(c)*m, y+float64(r)*m, float64(run-c)*m, m, "F")
			c = run
		}
	}
	return nil
}

// drawPhoto draws a JPEG or PNG photo as large as fits in the box at x, y, w wide and h high,
// keeping its proportions.
func drawPhoto(pdf *gofpdf.Fpdf, photo []byte, x, y, w, h float64) error {
	var typ string
	switch {
	case bytes.HasPrefix(photo, []byte("\xff\xd8\xff")):
		typ = "JPG"
	case bytes.HasPrefix(photo, []byte("\x89PNG\r\n\x1a\n")):
		typ = "PNG"
	default:
		return errors.New("the photo is neither JPEG nor PNG")
	}
	info := pdf.RegisterImageOptionsReader("photo", gofpdf.ImageOptions{ImageType: typ}, bytes.NewReader(photo))
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("photo: %w", err)
	}
	iw, ih := info.Width(), info.Height()
	if iw <= 0 || ih <= 0 || h <= 0 {
		return errors.New("the photo has no size")
	}
	dw, dh := w, w*ih/iw
	if dh > h {
		dw, dh = h*iw/ih, h
	}
	pdf.ImageOptions("photo", x+(w-dw)/2, y, dw, dh, false, gofpdf.ImageOptions{ImageType: typ}, 0, "")
	return nil
}

// nameOf is how the certificate heads an animal: its name, or its ID when it has none.
func nameOf(a *Animal) string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// coiText prints an inbreeding coefficient as a percentage.
func coiText(coi *float64) string {
	if coi == nil {
		return "not available"
	}
	return strconv.FormatFloat(*coi*100, 'f', 2, 64) + " %"
}
