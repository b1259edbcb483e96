package render

import (
	"bytes"
	"image"
	_ "image/jpeg" // the photo's size is read from its header
	_ "image/png"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The page is A4 landscape, in millimetres, for the PDF and the SVG alike.
const (
	pageW, pageH = 297.0, 210.0
	margin       = 10.0
	chartTop     = 30.0 // below the title
	chartBottom  = 198.0
	columnGap    = 4.0
	boxPad       = 0.8
	lineFactor   = 1.18 // line height as a multiple of the font size
	ptMM         = 25.4 / 72
	minFontPt    = 4.5
	maxFontPt    = 8.0
)

// Texts the chart prints for positions whose animal it may not name.
const (
	notPublicText = "not public"
	unknownText   = "unknown"
)

// boxKind says what a box holds, which sets how it is drawn.
type boxKind int

const (
	animalBox    boxKind = iota // an animal the caller may see
	notPublicBox                // an animal the caller may not see
	unknownBox                  // a parent nobody recorded
)

// line is one line of text in a box.
type line struct {
	text string
	bold bool
	// whole says the line must not be cut (an ID): the box's font is made smaller instead.
	whole bool
}

// box is one position of the chart as drawn: its frame, its text and its font size.
type box struct {
	x, y, w, h float64
	kind       boxKind
	root       bool
	fontPt     float64
	lines      []line
}

// link joins a child's box to a parent's: out of the child's right edge, into the parent's left.
type link struct{ x1, y1, x2, y2 float64 }

// photo is the animal's photo as placed on the page, its proportions kept.
type photo struct {
	x, y, w, h float64
	// format is "jpeg" or "png".
	format string
	data   []byte
}

// drawing is a chart laid out on the page, ready for a PDF or an SVG writer.
type drawing struct {
	title, subtitle, footer string
	boxes                   []box
	links                   []link
	// photo is nil when the chart has none.
	photo *photo
}

// photoGap is the room between the photo and the animal's box below it.
const photoGap = 3.0

// placePhoto places data, a JPEG or PNG, in the animal's column above its box, as large as
// fits there, bottom and left aligned to the box; nil when there is no photo, it is of
// another format, or there is no room.
func placePhoto(data []byte, root box) *photo {
	if len(data) == 0 {
		return nil
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png") || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil
	}
	room := root.y - photoGap - chartTop
	if room <= 0 {
		return nil
	}
	w, h := root.w, root.w*float64(cfg.Height)/float64(cfg.Width)
	if h > room {
		w, h = room*float64(cfg.Width)/float64(cfg.Height), room
	}
	return &photo{x: root.x, y: root.y - photoGap - h, w: w, h: h, format: format, data: data}
}

// measure answers the width in millimetres of text set in Helvetica at pt points.
type measure func(text string, bold bool, pt float64) float64

// plan lays c out on the page; text is cut to fit its box as measured by width.
func plan(c Chart, width measure) drawing {
	d := drawing{}
	root := c.Slots[0]
	if root == nil {
		root = &Animal{} // not a chart the API draws: the lineage read answers not found
	}
	name := root.Name
	if name == "" {
		name = root.ID
	}
	d.title = clean("Pedigree of " + name)
	sub := []string{root.ID, root.Species}
	if root.Sex != "" {
		sub = append(sub, root.Sex)
	}
	sub = append(sub, strconv.Itoa(c.Generations)+" generations of ancestors", "drawn "+c.Date.Format(time.DateOnly))
	d.subtitle = clean(strings.Join(sub, " · "))
	d.footer = "Other breeders' animals show only what they make public: \"not public\" marks the others, " +
		"\"unknown\" a parent nobody recorded. ReptiDex"

	cols := c.Generations + 1
	colW := (pageW - 2*margin - float64(cols-1)*columnGap) / float64(cols)
	area := chartBottom - chartTop
	placed := make([]int, len(c.Slots)) // index in d.boxes + 1; 0 when not drawn
	for k, a := range c.Slots {
		kind := animalBox
		switch {
		case k == 0:
		case c.Slots[(k-1)/2] == nil:
			continue // above an unknown parent there is nothing to draw
		case a == nil:
			kind = unknownBox
		case !a.Visible:
			kind = notPublicBox
		}
		g := bits.Len(uint(k+1)) - 1
		i := k + 1 - 1<<g
		slotH := area / float64(int(1)<<g)
		ls := linesOf(a)
		// As tall as its lines at the largest size, unless the column is too crowded.
		h := min(slotH*0.9, float64(len(ls))*maxFontPt*lineFactor*ptMM+2*boxPad)
		b := box{x: margin + float64(g)*(colW+columnGap), y: chartTop + float64(i)*slotH + (slotH-h)/2,
			w: colW, h: h, kind: kind, root: k == 0}
		b.fontPt, b.lines = fitLines(ls, colW-2*boxPad, h-2*boxPad, width)
		d.boxes = append(d.boxes, b)
		placed[k] = len(d.boxes)
		if k > 0 {
			child := d.boxes[placed[(k-1)/2]-1]
			d.links = append(d.links, link{x1: child.x + child.w, y1: child.y + child.h/2, x2: b.x, y2: b.y + b.h/2})
		}
	}
	d.photo = placePhoto(c.Photo, d.boxes[0])
	return d
}

// linesOf is what a box says of an animal (nil: unknown), most important first.
func linesOf(a *Animal) []line {
	switch {
	case a == nil:
		return []line{{text: unknownText}}
	case !a.Visible:
		return []line{{text: notPublicText, bold: true}, {text: clean(a.Species)}}
	}
	name := a.Name
	if name == "" {
		name = "(no name)"
	}
	ls := []line{{text: clean(name), bold: true}, {text: clean(a.ID), whole: true}}
	var about []string
	if a.Sex != "" {
		about = append(about, clean(a.Sex))
	}
	if a.HatchDate != "" {
		about = append(about, "hatched "+clean(a.HatchDate))
	}
	if len(about) > 0 {
		ls = append(ls, line{text: strings.Join(about, " · ")})
	}
	if a.Genetics != "" {
		ls = append(ls, line{text: clean(a.Genetics)})
	}
	if a.Breeder != "" {
		ls = append(ls, line{text: "Breeder: " + clean(a.Breeder)})
	}
	if a.Owner != "" {
		ls = append(ls, line{text: "Owner: " + clean(a.Owner)})
	}
	return ls
}

// fitLines picks the font size at which the box holds the most of ls (within the bounds of
// legibility) and drops the lines that do not fit; when only one line fits, the first two are
// joined on it (name and ID). Each line is cut to the box's width, but for a whole one, which
// makes the font smaller until it fits.
func fitLines(ls []line, w, h float64, width measure) (float64, []line) {
	pt := h / float64(len(ls)) / (lineFactor * ptMM)
	pt = max(minFontPt, min(maxFontPt, pt))
	if n := max(1, int(h/(pt*lineFactor*ptMM))); n == 1 && len(ls) > 1 {
		return fitOneLine(ls[0], ls[1], w, pt, width)
	} else if n < len(ls) {
		ls = ls[:n]
	}
	for _, l := range ls {
		if lw := width(l.text, l.bold, pt); l.whole && lw > w {
			pt *= w / lw
		}
	}
	out := make([]line, len(ls))
	for i, l := range ls {
		out[i] = line{text: cut(l.text, w, func(s string) float64 { return width(s, l.bold, pt) }), bold: l.bold}
	}
	return pt, out
}

// fitOneLine joins first and second on one line, as "first · second", cutting first to make
// room for second (an ID), or making the font smaller if second alone does not fit.
func fitOneLine(first, second line, w, pt float64, width measure) (float64, []line) {
	tail := " · " + second.text
	if tw := width(tail, first.bold, pt); tw > w {
		pt *= w / tw
	}
	room := w - width(tail, first.bold, pt)
	head := cut(first.text, room, func(s string) float64 { return width(s, first.bold, pt) })
	return pt, []line{{text: head + tail, bold: first.bold}}
}

// cut shortens s with an ellipsis until it is at most w wide.
func cut(s string, w float64, width func(string) float64) string {
	if width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if t := strings.TrimRight(string(r), " ") + "…"; width(t) <= w {
			return t
		}
	}
	return ""
}

// clean makes s safe to print: invalid UTF-8 becomes U+FFFD, and control characters, format
// characters (direction overrides among them) and non-characters are dropped. The API refuses
// them on the way in; this is the renderer's own guard, since XML cannot hold most of them.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if !printable(r) {
			ok = false
			break
		}
	}
	if ok && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if printable(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func printable(r rune) bool {
	return !unicode.IsControl(r) && !unicode.Is(unicode.Cf, r) &&
		!unicode.Is(unicode.Cs, r) && r&0xFFFE != 0xFFFE && (r < 0xFDD0 || r > 0xFDEF)
}
