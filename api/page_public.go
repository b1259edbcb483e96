package api

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/reptidex/reptidex/embeds"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
)

// The public pages: an animal as anyone sees it, a breeder's profile, and the widget a
// breeder's own website frames (see package embeds). They show public animals only, read
// through definer functions that answer nothing else (store/public_animals.go) and with no
// tenant, whoever is logged in; an animal that is not public is not found, exactly like one
// that does not exist. Anyone may load them, throttled per client address as search is.

const (
	// publicPageCache lets any cache keep a public page drawn for nobody logged in, and a
	// widget, for a minute: its photos' presigned links outlive it (media.DownloadExpiry).
	publicPageCache = "public, max-age=60"
	// embedScriptCache is how long a breeder's visitors keep embed.js.
	embedScriptCache = "public, max-age=3600"
	// profileAnimals bounds the animals a breeder's profile shows, newest first;
	// profileListings its active listings.
	profileAnimals  = 60
	profileListings = 24
	// widgetAnimals bounds the animals a profile's widget shows; widgetPhotos the photos of
	// an animal's widget.
	widgetAnimals = 24
	widgetPhotos  = 3
	// Heights of a widget's iframe before embed.js sets it to the widget's own.
	animalWidgetHeight  = 720
	profileWidgetHeight = 560
)

var (
	errNoPublicAnimal = newProblem(kindNotFound, "No public animal has this address. Its owner may have made it private, or the link was not copied whole.")
	errNoBreeder      = newProblem(kindNotFound, "No breeder has this address. Check that the link was copied whole.")
	errNoWidget       = newProblem(kindNotFound, "This widget is not available.")
)

// orgLink is an organization as a public page names it, with its profile's path.
type orgLink struct {
	Name string
	Path string
}

// publicListing is an active listing as a public page shows it.
type publicListing struct {
	Title string
	Price string
}

// publicAnimalView is a public animal as the pages and widgets show it.
type publicAnimalView struct {
	id       uuid.UUID
	AnimalID string
	Path     string
	Name     string
	Species  string
	Sex      string
	Genetics string
	Hatched  *time.Time
	Breeder  *orgLink
	Owner    *orgLink
	// COI is the inbreeding coefficient as a percentage; "" when a parent is unknown.
	COI      string
	Photos   []pagePhoto
	Pedigree template.HTML
	Listing  *publicListing
}

// breederView is a breeder's profile: its public animals (the newest, More when there are
// others) and its active listings.
type breederView struct {
	Name     string
	Path     string
	Animals  []publicAnimalView
	More     bool
	Listings []publicListing
}

// widgetData is what a widget page shows: an animal or a profile; neither when the widget is
// not available.
type widgetData struct {
	ID      string
	Animal  *publicAnimalView
	Profile *breederView
}

// publicAnimalPage shows a public animal: its record, breeder and owner, photos, pedigree
// chart, inbreeding and active listing.
func (s *Server) publicAnimalPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := throttled(s.limits.search, r); err != nil {
		return err
	}
	a, err := s.readPublicAnimal(r.Context(), chi.URLParam(r, "animalID"), pagePhotos)
	if err != nil {
		return err
	}
	if err := s.addCOI(r.Context(), &a); err != nil {
		return err
	}
	if err := s.addListing(r.Context(), &a); err != nil {
		return err
	}
	v.Title = orUnnamedTitle(a.Name)
	v.Data = a
	return s.renderPublicPage(w, r, "animal", v)
}

// breederPage shows an organization's profile: its name, public animals and active listings.
func (s *Server) breederPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := throttled(s.limits.search, r); err != nil {
		return err
	}
	ctx := r.Context()
	id, ref, err := store.OrganizationIDByPublicID(ctx, s.db.Pool, chi.URLParam(r, "orgID"))
	if errors.Is(err, store.ErrNotFound) {
		return errNoBreeder
	}
	if err != nil {
		return err
	}
	b, err := s.readBreeder(ctx, id, ref, profileAnimals)
	if err != nil {
		return err
	}
	ls, err := store.BrowseListings(ctx, s.db.Pool, store.BrowseFilter{Breeder: ref.PublicID, Limit: profileListings})
	if err != nil {
		return err
	}
	for _, l := range ls {
		b.Listings = append(b.Listings, viewPublicListing(l))
	}
	v.Title = b.Name
	v.Data = b
	return s.renderPublicPage(w, r, "breeder", v)
}

// readPublicAnimal reads a public animal with its first photos and pedigree chart, as
// anyone sees them; any other animal is errNoPublicAnimal.
func (s *Server) readPublicAnimal(ctx context.Context, publicID string, photos int) (publicAnimalView, error) {
	a, err := store.PublicAnimalByPublicID(ctx, s.db.Pool, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return publicAnimalView{}, errNoPublicAnimal
	}
	if err != nil {
		return publicAnimalView{}, err
	}
	v := s.viewPublicAnimal(ctx, a)
	// Row-level security without a tenant shows the ready photos of public animals only.
	if v.Photos, err = s.animalPhotos(ctx, s.db.Pool, a.ID, orUnnamed(a.Card.Name)); err != nil {
		return publicAnimalView{}, err
	}
	v.Photos = v.Photos[:min(len(v.Photos), photos)]
	chart, _, err := s.chartSVG(ctx, asPublic, a.Card.PublicID)
	if errors.Is(err, pedigree.ErrNotFound) { // made private a moment ago
		return publicAnimalView{}, errNoPublicAnimal
	}
	if err != nil {
		return publicAnimalView{}, err
	}
	v.Pedigree = chart
	return v, nil
}

// viewPublicAnimal is a public animal's card as the pages show it.
func (s *Server) viewPublicAnimal(ctx context.Context, a store.PublicAnimal) publicAnimalView {
	c := a.Card
	v := publicAnimalView{id: a.ID, AnimalID: c.PublicID, Path: web.AnimalPath(c.PublicID), Name: c.Name,
		Species: s.speciesName(ctx, c.SpeciesKey), Sex: c.Sex, Genetics: c.GeneticsText, Hatched: c.HatchDate}
	if c.BreederPublicID != "" {
		v.Breeder = &orgLink{Name: c.BreederName, Path: web.BreederPath(c.BreederPublicID)}
	}
	if c.OwnerPublicID != "" {
		v.Owner = &orgLink{Name: c.OwnerName, Path: web.BreederPath(c.OwnerPublicID)}
	}
	return v
}

// addCOI adds the animal's inbreeding coefficient over its known pedigree, once both its
// parents are on record: an in-memory walk of at most lineage.MaxAncestors ancestors, a
// fraction of a millisecond. A coefficient over a pedigree cut short is a lower bound.
func (s *Server) addCOI(ctx context.Context, v *publicAnimalView) error {
	in, err := s.pedigree.Inbreeding(ctx, s.db, asPublic, v.AnimalID, completenessGenerations)
	if errors.Is(err, pedigree.ErrNotFound) {
		return errNoPublicAnimal
	}
	if err != nil {
		return err
	}
	if len(in.KnownAncestors) == 0 || in.KnownAncestors[0] < 2 {
		return nil
	}
	v.COI = strconv.FormatFloat(in.F*100, 'f', 2, 64) + "%"
	if in.Extent.Truncated {
		v.COI = "at least " + v.COI
	}
	return nil
}

// addListing adds the animal's active listing, if it has one.
func (s *Server) addListing(ctx context.Context, v *publicAnimalView) error {
	l, err := store.ActiveListingOfAnimal(ctx, s.db.Pool, v.id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	pl := viewPublicListing(l)
	v.Listing = &pl
	return nil
}

func viewPublicListing(l store.Listing) publicListing {
	return publicListing{Title: l.Title, Price: web.Money(l.Price, l.Currency)}
}

// readBreeder reads an organization's newest public animals, at most limit.
func (s *Server) readBreeder(ctx context.Context, id uuid.UUID, ref store.OrganizationRef, limit int) (breederView, error) {
	b := breederView{Name: ref.Name, Path: web.BreederPath(ref.PublicID)}
	animals, err := store.PublicAnimalsOf(ctx, s.db.Pool, id, limit+1)
	if err != nil {
		return b, err
	}
	if len(animals) > limit {
		animals, b.More = animals[:limit], true
	}
	for _, a := range animals {
		b.Animals = append(b.Animals, s.viewPublicAnimal(ctx, a))
	}
	return b, nil
}

// speciesName is a species' common name, or its key when the catalogue cannot say.
func (s *Server) speciesName(ctx context.Context, key string) string {
	all, _, err := s.species.get(ctx)
	if r, ok := all[key]; err == nil && ok && r.Name != "" {
		return r.Name
	}
	return key
}

func orUnnamedTitle(name string) string {
	if name == "" {
		return "An unnamed animal"
	}
	return name
}

// renderPublicPage draws a public page as renderPage does. Drawn for nobody logged in (no
// session cookie sent, and none cleared), it may be cached for a minute, by anyone: it is
// the same for everyone. It may still not be framed: the widget is the page to frame.
func (s *Server) renderPublicPage(w http.ResponseWriter, r *http.Request, name string, v *web.View) error {
	h := w.Header()
	h.Add("Vary", "Cookie")
	if _, err := r.Cookie(sessionCookie); err != nil && v.Person == nil && h.Get("Set-Cookie") == "" {
		h.Set("Cache-Control", publicPageCache)
	}
	return s.renderPage(w, r, http.StatusOK, name, v)
}

// widgetPage draws an embed's widget for the breeder's site that frames it: the animal's
// card and pedigree chart, or the profile's public animals. It neither reads nor sets a
// cookie and loads nothing from elsewhere but the photos; only the embed's origins may frame
// it, and links open ReptiDex in a new tab. A widget not available (no such embed, deleted,
// or its animal no longer the organization's public animal) is a small 404 page no one may
// frame.
func (s *Server) widgetPage(w http.ResponseWriter, r *http.Request) {
	if p := checkRequestText(r); p != nil {
		s.writeWidget(w, r, p.Status, nil, widgetData{})
		return
	}
	if err := throttled(s.limits.search, r); err != nil {
		s.widgetFailed(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.HTTP.RequestTimeout)
	defer cancel()
	d, origins, err := s.readWidget(ctx, chi.URLParam(r, "widgetID"))
	if err != nil {
		s.widgetFailed(w, r.WithContext(ctx), err)
		return
	}
	s.writeWidget(w, r, http.StatusOK, origins, d)
}

// readWidget reads what the widget shows and the origins that may frame it.
func (s *Server) readWidget(ctx context.Context, publicID string) (widgetData, []string, error) {
	wg, err := store.WidgetByPublicID(ctx, s.db.Pool, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return widgetData{}, nil, errNoWidget
	}
	if err != nil {
		return widgetData{}, nil, err
	}
	d := widgetData{ID: publicID}
	switch wg.Kind {
	case embeds.KindAnimal:
		a, err := s.readPublicAnimal(ctx, wg.AnimalPublicID, widgetPhotos)
		if errors.Is(err, errNoPublicAnimal) {
			return widgetData{}, nil, errNoWidget
		}
		if err != nil {
			return widgetData{}, nil, err
		}
		d.Animal = &a
	default:
		b, err := s.readBreeder(ctx, wg.OrgID, store.OrganizationRef{PublicID: wg.OrgPublicID, Name: wg.OrgName}, widgetAnimals)
		if err != nil {
			return widgetData{}, nil, err
		}
		d.Profile = &b
	}
	// The database holds only origins the API normalised; checked again here, as they go into
	// a header.
	var origins []string
	for _, o := range wg.AllowedOrigins {
		if n, problem := embeds.NormaliseOrigin(o); problem == "" && n == o {
			origins = append(origins, o)
		}
	}
	return d, origins, nil
}

// widgetFailed answers a widget that cannot be drawn with its status: a problem's own, 503
// for a deadline or an unavailable dependency, or 500 with the error logged.
func (s *Server) widgetFailed(w http.ResponseWriter, r *http.Request, err error) {
	var p *Problem
	switch {
	case errors.As(err, &p):
	case isUnavailable(err):
		s.log.WarnContext(r.Context(), "widget deadline passed or a dependency is unavailable", "error", err, "path", r.URL.Path)
		p = unavailableProblem()
	default:
		s.log.ErrorContext(r.Context(), "widget failed", "error", err, "path", r.URL.Path)
		p = newProblem(kindInternal, "Something went wrong on our side.")
	}
	if p.Status == http.StatusTooManyRequests || p.Status == http.StatusServiceUnavailable {
		retry := p.retryAfter
		if retry <= 0 {
			retry = unavailableRetryAfter
		}
		w.Header().Set("Retry-After", retryAfterSeconds(retry))
	}
	s.writeWidget(w, r, p.Status, nil, widgetData{})
}

// writeWidget draws the widget page at status, framed only by origins ('none' when there
// are none).
func (s *Server) writeWidget(w http.ResponseWriter, r *http.Request, status int, origins []string, d widgetData) {
	v := &web.View{Status: status, Data: d, Title: "Not available"}
	switch {
	case d.Animal != nil:
		v.Title = "Pedigree of " + orUnnamedTitle(d.Animal.Name)
	case d.Profile != nil:
		v.Title = d.Profile.Name
	}
	var b bytes.Buffer
	if err := s.pages.Render(&b, "widget", v); err != nil {
		s.log.ErrorContext(r.Context(), "widget failed to draw", "error", err)
		status, origins, b = http.StatusInternalServerError, nil, bytes.Buffer{}
		b.WriteString("<!doctype html><title>Not available</title>")
	}
	ancestors := "'none'"
	if len(origins) > 0 {
		ancestors = strings.Join(origins, " ")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data: "+s.photoOrigin+
		"; script-src 'self'; frame-ancestors "+ancestors+"; base-uri 'none'; form-action 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	if status == http.StatusOK {
		h.Set("Cache-Control", publicPageCache)
	} else {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// embedScript serves embed.js, which a breeder's site loads beside a widget's iframe to size
// it. It is the same for everyone, so any cache may keep it for an hour, and any site may
// load it.
func (s *Server) embedScript(w http.ResponseWriter, r *http.Request) {
	body := s.pages.Script("embed.js")
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", embedScriptCache)
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
