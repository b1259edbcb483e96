package render

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/text/encoding/charmap"
)

// PDF draws the chart as a one-page A4 landscape PDF. It uses the PDF core fonts, which are
// not embedded (keeping the file small) and hold Windows-1252 only: text is translated to it,
// and a character it lacks (an emoji, a CJK name) prints as "?". The animal's photo, when
// the chart has one, is drawn above its box.
func PDF(c Chart) ([]byte, error) {
	pdf := newPDF(c.Date)
	addChartPage(pdf, c)
	return output(pdf, "the pedigree PDF")
}

// newPDF starts an A4 landscape document dated date, in the core fonts.
func newPDF(date time.Time) *gofpdf.Fpdf {
	pdf := gofpdf.New("L", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCreator("ReptiDex", false)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(margin, margin, margin)
	return pdf
}

// output writes the document, naming what it is in an error.
func output(pdf *gofpdf.Fpdf, what string) ([]byte, error) {
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("writing %s: %w", what, err)
	}
	return out.Bytes(), nil
}

// width measures text in Helvetica in pdf.
func width(pdf *gofpdf.Fpdf) measure {
	return func(text string, bold bool, pt float64) float64 {
		pdf.SetFont("Helvetica", style(bold), pt)
		return pdf.GetStringWidth(cp1252(text))
	}
}

// addChartPage adds a page with the chart on it, titled.
func addChartPage(pdf *gofpdf.Fpdf, c Chart) {
	width := width(pdf)
	d := plan(c, width)
	pdf.SetTitle(d.title, true)
	pdf.AddPage()

	pdf.SetTextColor(20, 20, 20)
	pdf.SetFont("Helvetica", "B", 16)
	pdf.Text(margin, margin+6, cp1252(cut(d.title, pageW-2*margin, func(s string) float64 { return width(s, true, 16) })))
	pdf.SetFont("Helvetica", "", 9)
	pdf.Text(margin, margin+12.5, cp1252(d.subtitle))
	pdf.SetFont("Helvetica", "", 6.5)
	pdf.SetTextColor(110, 110, 110)
	pdf.Text(margin, pageH-margin+3, cp1252(d.footer))

	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	for _, l := range d.links {
		xm := (l.x1 + l.x2) / 2
		pdf.Line(l.x1, l.y1, xm, l.y1)
		pdf.Line(xm, l.y1, xm, l.y2)
		pdf.Line(xm, l.y2, l.x2, l.y2)
	}
	for _, b := range d.boxes {
		drawPDFBox(pdf, b)
	}
	if p := d.photo; p != nil {
		opts := gofpdf.ImageOptions{ImageType: map[string]string{"jpeg": "JPG", "png": "PNG"}[p.format]}
		pdf.RegisterImageOptionsReader("chart-photo", opts, bytes.NewReader(p.data))
		pdf.ImageOptions("chart-photo", p.x, p.y, p.w, p.h, false, opts, 0, "")
		pdf.SetDrawColor(40, 110, 60)
		pdf.SetLineWidth(0.3)
		pdf.Rect(p.x, p.y, p.w, p.h, "D")
	}
}

// drawPDFBox draws one box: its frame, filled by kind, and its lines.
func drawPDFBox(pdf *gofpdf.Fpdf, b box) {
	switch {
	case b.root:
		pdf.SetFillColor(232, 244, 234)
		pdf.SetDrawColor(40, 110, 60)
		pdf.SetLineWidth(0.5)
	case b.kind == animalBox:
		pdf.SetFillColor(255, 255, 255)
		pdf.SetDrawColor(90, 90, 90)
		pdf.SetLineWidth(0.25)
	case b.kind == notPublicBox:
		pdf.SetFillColor(238, 238, 238)
		pdf.SetDrawColor(150, 150, 150)
		pdf.SetLineWidth(0.25)
	default:
		pdf.SetFillColor(255, 255, 255)
		pdf.SetDrawColor(170, 170, 170)
		pdf.SetLineWidth(0.2)
		pdf.SetDashPattern([]float64{0.8, 0.8}, 0)
	}
	pdf.Rect(b.x, b.y, b.w, b.h, "FD")
	pdf.SetDashPattern(nil, 0)
	if b.kind == animalBox {
		pdf.SetTextColor(20, 20, 20)
	} else {
		pdf.SetTextColor(120, 120, 120)
	}
	lh := b.fontPt * lineFactor * ptMM
	for j, l := range b.lines {
		pdf.SetFont("Helvetica", style(l.bold), b.fontPt)
		pdf.Text(b.x+boxPad, b.y+boxPad+lh*float64(j+1)-lh*0.25, cp1252(l.text))
	}
}

func style(bold bool) string {
	if bold {
		return "B"
	}
	return ""
}

// cp1252 translates UTF-8 text to the core fonts' Windows-1252, a character it lacks as "?".
func cp1252(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if c, ok := charmap.Windows1252.EncodeRune(r); ok {
			b.WriteByte(c)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}
