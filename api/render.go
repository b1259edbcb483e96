package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/render"
)

// chartFormats are the formats a pedigree chart is drawn in, by the format parameter's value.
var chartFormats = map[string]struct{ media, ext string }{
	"":    {"application/pdf", "pdf"},
	"pdf": {"application/pdf", "pdf"},
	"svg": {"image/svg+xml", "svg"},
}

// renderPedigree draws an animal's pedigree chart, 3 to 5 generations deep (default 4), as a
// PDF or an SVG, with the animal's primary photo. It reads the chart as the lineage endpoint does (pedigree.Graph.Chart, with
// the authorization in the same round trip), so it shows exactly what that answers.
func (s *Server) renderPedigree(w http.ResponseWriter, r *http.Request) error {
	format, ok := chartFormats[r.URL.Query().Get("format")]
	if !ok {
		return badParam("format", "must be pdf or svg")
	}
	gens, err := intParam(r, "generations", 4, render.MinGenerations, render.MaxGenerations)
	if err != nil {
		return err
	}
	authorize, err := batchAccess(r)
	if err != nil {
		return err
	}
	chart, err := s.pedigree.Chart(r.Context(), s.db, authorize, chi.URLParam(r, "animalID"), gens)
	if errors.Is(err, pedigree.ErrNotFound) {
		return notFound("animal")
	}
	if err != nil {
		return err
	}
	c := render.FromChart(chart, gens, time.Now().UTC())
	if key := chart.Cards[0].PhotoThumbnailKey; key != "" {
		// The photo adorns the chart: one that cannot be read leaves the chart without it.
		if c.Photo, err = s.media.ReadThumbnail(r.Context(), key); err != nil {
			s.log.WarnContext(r.Context(), "pedigree chart drawn without its photo", "media_id", chart.Cards[0].PhotoPublicID, "error", err)
		}
	}
	var body []byte
	if format.ext == "svg" {
		body = render.SVG(c)
	} else if body, err = render.PDF(c); err != nil {
		return err
	}
	return writeDrawing(w, format.media, "pedigree-"+chart.Cards[0].PublicID+"."+format.ext, body)
}

// writeDrawing answers with a drawing to show inline, filename its name when saved. A drawing
// is never a page: its policy lets it run no script and load nothing but the images it
// embeds (data: URIs).
func writeDrawing(w http.ResponseWriter, media, filename string, body []byte) error {
	w.Header().Set("Content-Type", media)
	w.Header().Set("Content-Disposition", `inline; filename="`+filename+`"`)
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}
