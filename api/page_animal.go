package api

import (
	"bytes"
	"context"
	"html/template"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/render"
	"github.com/reptidex/reptidex/store"
)

// What the pages show of an animal besides its record: its pedigree chart, drawn inline as
// SVG, and its photos.

// pageGenerations is how deep a page's pedigree chart goes: three generations stay legible
// on a phone.
const pageGenerations = 3

// pagePhotos bounds the photos a page shows.
const pagePhotos = 6

// pagePhoto is one photo as a page shows it: its thumbnail, presigned.
type pagePhoto struct {
	URL string
	Alt string
}

// asOrganization reads a chart as the organization with the ID sees it: for a party to an
// open offer of its animal, which the handler has already authorized.
func asOrganization(orgID uuid.UUID) pedigree.Authorize {
	return func(b *pgx.Batch) func() error {
		b.Queue(`SELECT set_config('app.org_id', $1, true), set_config('app.user_id', '', true)`, orgID.String())
		return func() error { return nil }
	}
}

// asPublic reads a chart as anyone sees it: public animals only. The tenant is an
// organization that does not exist, the nil UUID, rather than none: the cards' visibility
// (org_id = app_org_id() OR public) is then false for another's private animal, where no
// tenant would make it NULL.
func asPublic(b *pgx.Batch) func() error {
	b.Queue(`SELECT set_config('app.org_id', $1, true), set_config('app.user_id', '', true)`, uuid.Nil.String())
	return func() error { return nil }
}

// chartSVG draws the pedigree chart of the animal with the public ID as authorize's reader
// sees it, for a page to carry inline: every text in it is escaped by render.SVG, and it
// embeds no photo (the page shows them beside it). An animal that reader cannot see is
// pedigree.ErrNotFound.
func (s *Server) chartSVG(ctx context.Context, authorize pedigree.Authorize, publicID string) (template.HTML, pedigree.Chart, error) {
	chart, err := s.pedigree.Chart(ctx, s.db, authorize, publicID, pageGenerations)
	if err != nil {
		return "", chart, err
	}
	return drawChart(chart), chart, nil
}

// offeredChartSVG draws the chart of an animal an organization offers: the animal as its
// organization keeps it, and of its ancestors only those anyone may see. The offer shows the
// animal, not the organization's private animals behind it.
func (s *Server) offeredChartSVG(ctx context.Context, orgID uuid.UUID, publicID string) (template.HTML, error) {
	chart, err := s.pedigree.Chart(ctx, s.db, asOrganization(orgID), publicID, pageGenerations)
	if err != nil {
		return "", err
	}
	var shown []string
	for _, c := range chart.Cards[1:] {
		if c != nil && c.Visible {
			shown = append(shown, c.PublicID)
		}
	}
	var public map[string]bool
	err = s.db.InTenant(ctx, store.Tenant{OrgID: orgID}, func(tx pgx.Tx) error {
		var err error
		public, err = store.PublicAmong(ctx, tx, shown)
		return err
	})
	if err != nil {
		return "", err
	}
	for i, c := range chart.Cards[1:] {
		if c != nil && c.Visible && !public[c.PublicID] {
			chart.Cards[i+1] = &store.AnimalCard{SpeciesKey: c.SpeciesKey} // drawn "not public"
		}
	}
	return drawChart(chart), nil
}

// drawChart draws a chart read for a page, inline.
func drawChart(chart pedigree.Chart) template.HTML {
	svg := render.SVG(render.FromChart(chart, pageGenerations, time.Now().UTC()))
	if i := bytes.Index(svg, []byte("<svg")); i >= 0 {
		svg = svg[i:]
	}
	// render.SVG escapes every text it draws.
	return template.HTML(svg)
}

// animalPhotos presigns the thumbnails of an animal's first photos, read with q.
func (s *Server) animalPhotos(ctx context.Context, q store.Querier, animalID uuid.UUID, name string) ([]pagePhoto, error) {
	ms, err := store.AnimalMedia(ctx, q, animalID)
	if err != nil {
		return nil, err
	}
	var out []pagePhoto
	for _, m := range ms {
		if len(out) == pagePhotos {
			break
		}
		l, err := s.media.PresignObject(ctx, m.ThumbnailKey)
		if err != nil {
			return nil, err
		}
		out = append(out, pagePhoto{URL: l.URL, Alt: "Photo of " + name})
	}
	return out, nil
}
