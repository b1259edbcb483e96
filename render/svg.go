package render

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SVG draws the chart as an SVG image laid out like the PDF, in millimetres on an A4
// landscape page. Every text is XML-escaped; text is cut to its box with an estimate of
// Helvetica's widths, since an SVG's fonts are the viewer's. The animal's photo is embedded
// as a data: URI: the SVG loads nothing from elsewhere.
func SVG(c Chart) []byte {
	d := plan(c, estimateWidth)
	var b strings.Builder
	b.Grow(24<<10 + len(c.Photo)*4/3)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="297mm" height="210mm" viewBox="0 0 297 210" font-family="Helvetica, Arial, sans-serif">` + "\n")
	b.WriteString("<title>")
	escape(&b, d.title)
	b.WriteString("</title>\n")
	b.WriteString(`<rect width="297" height="210" fill="#fff"/>` + "\n")
	text(&b, margin, margin+6, 16*ptMM, true, "#141414", d.title)
	text(&b, margin, margin+12.5, 9*ptMM, false, "#141414", d.subtitle)
	text(&b, margin, pageH-margin+3, 6.5*ptMM, false, "#6e6e6e", d.footer)
	b.WriteString(`<g fill="none" stroke="#969696" stroke-width="0.2">` + "\n")
	for _, l := range d.links {
		xm := (l.x1 + l.x2) / 2
		b.WriteString(`<path d="M`)
		num(&b, l.x1, l.y1)
		b.WriteString("H")
		b.WriteString(fmtNum(xm))
		b.WriteString("V")
		b.WriteString(fmtNum(l.y2))
		b.WriteString("H")
		b.WriteString(fmtNum(l.x2))
		b.WriteString(`"/>` + "\n")
	}
	b.WriteString("</g>\n")
	for _, bx := range d.boxes {
		drawSVGBox(&b, bx)
	}
	if p := d.photo; p != nil {
		drawSVGPhoto(&b, p)
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// drawSVGBox draws one box as the PDF does.
func drawSVGBox(b *strings.Builder, bx box) {
	fill, stroke, sw, dash, ink := "#fff", "#5a5a5a", "0.25", "", "#141414"
	switch {
	case bx.root:
		fill, stroke, sw = "#e8f4ea", "#286e3c", "0.5"
	case bx.kind == notPublicBox:
		fill, stroke, ink = "#eee", "#969696", "#787878"
	case bx.kind == unknownBox:
		stroke, sw, dash, ink = "#aaa", "0.2", ` stroke-dasharray="0.8 0.8"`, "#787878"
	}
	frame(b, "rect", bx.x, bx.y, bx.w, bx.h)
	b.WriteString(`" fill="` + fill + `" stroke="` + stroke + `" stroke-width="` + sw + `"` + dash + "/>\n")
	lh := bx.fontPt * lineFactor * ptMM
	for j, l := range bx.lines {
		text(b, bx.x+boxPad, bx.y+boxPad+lh*float64(j+1)-lh*0.25, bx.fontPt*ptMM, l.bold, ink, l.text)
	}
}

// drawSVGPhoto embeds the photo as a data: URI, keeping the SVG one self-contained file,
// framed as the PDF frames it.
func drawSVGPhoto(b *strings.Builder, p *photo) {
	frame(b, "image", p.x, p.y, p.w, p.h)
	b.WriteString(`" preserveAspectRatio="none" href="data:image/` + p.format + `;base64,`)
	enc := base64.NewEncoder(base64.StdEncoding, b)
	_, _ = enc.Write(p.data) // a strings.Builder does not fail
	_ = enc.Close()
	b.WriteString(`"/>` + "\n")
	frame(b, "rect", p.x, p.y, p.w, p.h)
	b.WriteString(`" fill="none" stroke="#286e3c" stroke-width="0.3"/>` + "\n")
}

// frame writes the start of an element placed at (x, y) and sized w by h, in millimetres, up
// to the height's value: the caller closes its quote and writes the rest.
func frame(b *strings.Builder, tag string, x, y, w, h float64) {
	b.WriteString("<" + tag + ` x="`)
	b.WriteString(fmtNum(x))
	b.WriteString(`" y="`)
	b.WriteString(fmtNum(y))
	b.WriteString(`" width="`)
	b.WriteString(fmtNum(w))
	b.WriteString(`" height="`)
	b.WriteString(fmtNum(h))
}

// text writes one <text> element at baseline (x, y), size in millimetres.
func text(b *strings.Builder, x, y, size float64, bold bool, ink, s string) {
	b.WriteString(`<text x="`)
	b.WriteString(fmtNum(x))
	b.WriteString(`" y="`)
	b.WriteString(fmtNum(y))
	b.WriteString(`" font-size="`)
	b.WriteString(fmtNum(size))
	b.WriteString(`" fill="` + ink + `"`)
	if bold {
		b.WriteString(` font-weight="bold"`)
	}
	b.WriteString(">")
	escape(b, s)
	b.WriteString("</text>\n")
}

func num(b *strings.Builder, x, y float64) {
	b.WriteString(fmtNum(x))
	b.WriteByte(' ')
	b.WriteString(fmtNum(y))
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// escape writes s as XML character data or attribute text: the five special characters as
// references. s has been through clean, so it holds no character XML forbids.
func escape(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var ref string
		switch s[i] {
		case '&':
			ref = "&amp;"
		case '<':
			ref = "&lt;"
		case '>':
			ref = "&gt;"
		case '"':
			ref = "&quot;"
		case '\'':
			ref = "&apos;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(ref)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// estimateWidth is Helvetica's width of text, in millimetres at pt points, from its average
// advance (a little wide, so that text cut to a box still fits it in the viewer's font).
func estimateWidth(text string, bold bool, pt float64) float64 {
	em := 0.56
	if bold {
		em = 0.6
	}
	return float64(utf8.RuneCountInString(text)) * em * pt * ptMM
}
