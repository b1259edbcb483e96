package api

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
)

// The pedigree chart is the largest answer the API gives at volume, and encoding/json's
// reflection over its tree of cards took a third of the request's CPU. It is written here
// by hand instead, each animal's card once however many positions it fills, byte for byte
// as encoding/json would write
//
//	{"generations":N,"pedigree":NODE}
//
// where NODE is null or {"animal":CARD,"sire":NODE,"dam":NODE} and CARD is a cardView with
// its photo (lineage_json_internal_test.go holds the two to the same output).

// pedigreeChart and pedigreeNode are the chart as encoding/json would marshal it: the
// contract writeChart keeps, and the schema the API documents.
type pedigreeChart struct {
	// The generations asked for.
	Generations int `json:"generations" jsonschema:"minimum=1,maximum=10"`
	// The animal asked about, at the root.
	Pedigree *pedigreeNode `json:"pedigree"`
}

type pedigreeNode struct {
	Animal cardView `json:"animal"`
	// The sire's position; null when the sire is unknown or beyond the generations asked for.
	Sire *pedigreeNode `json:"sire" jsonschema:"nullable"`
	// The dam's position; null when the dam is unknown or beyond the generations asked for.
	Dam *pedigreeNode `json:"dam" jsonschema:"nullable"`
}

// writeChart answers with the chart of a, generations deep, from the cards the caller may
// see and their photos by position in a; an animal with no card (nil) is left out like an
// unknown one.
func writeChart(w http.ResponseWriter, a pedigree.Ancestors, cards []*store.AnimalCard, photos []*photoRef, gens int) error {
	buf := chartBuffers.Get().(*[]byte)
	cw := chartWriter{a: a, cards: cards, photos: photos, gens: gens, b: (*buf)[:0], spans: make([][2]int32, len(a.IDs))}
	cw.b = append(cw.b, `{"generations":`...)
	cw.b = strconv.AppendInt(cw.b, int64(gens), 10)
	cw.b = append(cw.b, `,"pedigree":`...)
	cw.node(0, 0)
	cw.b = append(cw.b, "}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(cw.b)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(cw.b) // copied to the connection: the buffer is free again
	if cap(cw.b) <= maxPooledChart {
		*buf = cw.b
		chartBuffers.Put(buf)
	}
	return err
}

// chartBuffers recycles the buffers charts are written into: a five-generation chart is
// about 15 kB, which would otherwise be allocated and cleared for every request.
var chartBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// maxPooledChart keeps the rare ten-generation chart's buffer out of the pool.
const maxPooledChart = 256 << 10

// chartWriter writes a chart into b, encoding each animal's card where it first appears and
// copying it from there where it appears again.
type chartWriter struct {
	a      pedigree.Ancestors
	cards  []*store.AnimalCard
	photos []*photoRef
	gens   int
	b      []byte
	spans  [][2]int32 // where in b each position's card was written; zero until then
}

// node writes the node at position p, depth generations from the root.
func (cw *chartWriter) node(p int32, depth int) {
	if p < 0 || cw.cards[p] == nil {
		cw.b = append(cw.b, "null"...)
		return
	}
	span := cw.spans[p]
	if span[1] == 0 {
		cw.b = append(cw.b, `{"animal":`...)
		start := len(cw.b)
		v := viewCard(*cw.cards[p])
		v.Photo = cw.photos[p]
		cw.b = appendCard(cw.b, v)
		cw.spans[p] = [2]int32{int32(start), int32(len(cw.b))}
	} else {
		cw.b = append(cw.b, `{"animal":`...)
		cw.b = append(cw.b, cw.b[span[0]:span[1]]...)
	}
	sire, dam := int32(-1), int32(-1)
	if depth < cw.gens {
		sire, dam = cw.a.Sire[p], cw.a.Dam[p]
	}
	cw.b = append(cw.b, `,"sire":`...)
	cw.node(sire, depth+1)
	cw.b = append(cw.b, `,"dam":`...)
	cw.node(dam, depth+1)
	cw.b = append(cw.b, '}')
}

// appendCard appends v as encoding/json marshals a cardView, omitempty fields and all.
func appendCard(b []byte, v cardView) []byte {
	b = append(b, `{"visible":`...)
	b = strconv.AppendBool(b, v.Visible)
	b = appendField(b, "id", v.ID)
	b = appendField(b, "name", v.Name)
	b = append(b, `,"species":`...)
	b = appendString(b, v.Species)
	b = appendField(b, "sex", v.Sex)
	b = appendField(b, "hatch_date", v.HatchDate)
	b = appendField(b, "genetics", v.Genetics)
	b = appendField(b, "status", v.Status)
	b = appendOrg(b, "owner", v.Owner)
	b = appendOrg(b, "breeder", v.Breeder)
	if v.Reference {
		b = append(b, `,"reference":true`...)
	}
	b = appendField(b, "note", v.NotPublicMsg)
	if v.Photo != nil {
		b = append(b, `,"photo":{"id":`...)
		b = appendString(b, v.Photo.ID)
		b = append(b, `,"thumbnail":`...)
		b = appendLink(b, v.Photo.Thumbnail)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendLink appends l as encoding/json marshals a linkView: the headers by key, the
// expiry as time.Time marshals itself.
func appendLink(b []byte, l linkView) []byte {
	b = append(b, `{"url":`...)
	b = appendString(b, l.URL)
	b = append(b, `,"method":`...)
	b = appendString(b, l.Method)
	if len(l.Headers) > 0 {
		b = append(b, `,"headers":{`...)
		for i, k := range slices.Sorted(maps.Keys(l.Headers)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, l.Headers[k])
		}
		b = append(b, '}')
	}
	b = append(b, `,"expires_at":"`...)
	b = l.ExpiresAt.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// appendField appends ,"key":"s" unless s is empty (omitempty).
func appendField(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":`...)
	return appendString(b, s)
}

func appendOrg(b []byte, key string, o *orgView) []byte {
	if o == nil {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":{"id":`...)
	b = appendString(b, o.ID)
	b = append(b, `,"name":`...)
	b = appendString(b, o.Name)
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string escaped as encoding/json escapes it by default:
// quotes, backslashes and control characters; <, > and & for HTML; U+2028 and U+2029; and
// invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
