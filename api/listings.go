package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/marketplace"
	"github.com/reptidex/reptidex/store"
)

type moneyView struct {
	// Minor units of the currency (cents): 25000 is 250.00. At most 100000000.
	Amount int64 `json:"amount" jsonschema:"required,minimum=1,maximum=100000000"`
	// ISO 4217, lower case, as Stripe writes it.
	Currency string `json:"currency" text:"max=3" jsonschema:"required,enum=aud,enum=cad,enum=chf,enum=eur,enum=gbp,enum=nzd,enum=usd"`
}

type shippingView struct {
	// The seller ships within this many days of payment, 1 to 30.
	ShipsWithinDays int `json:"ships_within_days" jsonschema:"required,minimum=1,maximum=30"`
	// Countries the seller ships to, ISO 3166-1 alpha-2 (1 to 60; answered upper case, each once).
	Regions []string `json:"regions" jsonschema:"required,minItems=1,maxItems=60"`
}

type listingAnimal struct {
	// Public ID of the animal.
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Species  string `json:"species"`
	Sex      string `json:"sex" jsonschema:"enum=male,enum=female,enum=unknown"`
	Genetics string `json:"genetics,omitempty"`
	// YYYY-MM-DD.
	HatchDate string `json:"hatch_date,omitempty" jsonschema:"format=date"`
}

type listingView struct {
	ID     string `json:"id"`
	Status string `json:"status" jsonschema:"enum=active,enum=paused,enum=withdrawn,enum=sold"`
	// An order holds the listing: nobody else can order it until that order ends.
	Reserved    bool         `json:"reserved"`
	Price       moneyView    `json:"price"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Shipping    shippingView `json:"shipping"`
	// After delivery the buyer has this many hours to report that the animal did not
	// arrive alive and as described.
	LiveArrivalHours int `json:"live_arrival_hours"`
	// The animal as listed.
	Animal listingAnimal `json:"animal"`
	// The selling organization.
	Breeder   orgView   `json:"breeder"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// The animal's photos, primary first then in order, with links valid for 5 minutes: all of
	// them when the listing is read alone, its first one (the cover) in a browse page. Absent
	// when it has none, and from the answers to changes (read the listing for them). They are
	// the seller's: a listing no longer shows them once the animal has changed hands.
	Photos []photoView `json:"photos,omitempty"`
}

func viewListing(l store.Listing) listingView {
	v := listingView{ID: l.PublicID, Status: l.Status, Reserved: l.ReservedBy != nil,
		Price: moneyView{l.Price, l.Currency}, Title: l.Title, Description: l.Description,
		Shipping: shippingView{l.ShipsWithinDays, l.ShipRegions}, LiveArrivalHours: l.LiveArrivalHours,
		Animal: listingAnimal{ID: l.AnimalPublicID, Name: l.AnimalName, Species: l.SpeciesKey, Sex: string(l.Sex),
			Genetics: l.GeneticsText},
		Breeder: orgView{l.OrgPublicID, l.OrgName}, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
	if l.HatchDate != nil {
		v.Animal.HatchDate = l.HatchDate.Format(time.DateOnly)
	}
	return v
}

type listingPage struct {
	// Up to limit listings; [] when none.
	Items []listingView `json:"items"`
	// Present only when more listings follow: pass it as cursor for the next page.
	NextCursor string `json:"next_cursor,omitempty"`
}

type createListingRequest struct {
	// Public ID of an active animal of the caller's organization, not archived, not a
	// reference animal and not on hold.
	AnimalID    string       `json:"animal_id" text:"max=32" jsonschema:"required"`
	Price       moneyView    `json:"price" jsonschema:"required"`
	Title       string       `json:"title" text:"max=200" jsonschema:"required"`
	Description string       `json:"description,omitempty" text:"multiline,max=5000"`
	Shipping    shippingView `json:"shipping" jsonschema:"required"`
	// Hours after delivery in which the buyer may report a problem, 1 to 168.
	LiveArrivalHours int `json:"live_arrival_hours" jsonschema:"required,minimum=1,maximum=168"`
}

type updateListingRequest struct {
	Price       *moneyView    `json:"price,omitempty"`
	Title       *string       `json:"title,omitempty" text:"max=200"`
	Description *string       `json:"description,omitempty" text:"multiline,max=5000"`
	Shipping    *shippingView `json:"shipping,omitempty"`
	// Hours after delivery in which the buyer may report a problem, 1 to 168.
	LiveArrivalHours *int `json:"live_arrival_hours,omitempty" jsonschema:"minimum=1,maximum=168"`
}

// apply sets what the request gives on the listing's terms.
func (in updateListingRequest) apply(t *marketplace.Terms) {
	if in.Price != nil {
		t.Price, t.Currency = in.Price.Amount, in.Price.Currency
	}
	if in.Title != nil {
		t.Title = *in.Title
	}
	if in.Description != nil {
		t.Description = *in.Description
	}
	if in.Shipping != nil {
		t.ShipsWithinDays, t.ShipRegions = in.Shipping.ShipsWithinDays, in.Shipping.Regions
	}
	if in.LiveArrivalHours != nil {
		t.LiveArrivalHours = *in.LiveArrivalHours
	}
}

// createListing lists one of the caller's organization's animals for sale
// (marketplace.CreateListing); owners and admins only.
func (s *Server) createListing(w http.ResponseWriter, r *http.Request) error {
	var in createListingRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	op := idempotentOp{Name: "listing.create", Request: in}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) {
		var resp response
		err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
			if !a.Role.CanManageMembers() {
				return newProblem(kindForbidden, "Only owners and admins list an organization's animals for sale.")
			}
			l, err := marketplace.CreateListing(r.Context(), tx, a, marketplace.NewListing{AnimalPublicID: in.AnimalID,
				Terms: marketplace.Terms{Price: in.Price.Amount, Currency: in.Price.Currency, Title: in.Title,
					Description: in.Description, ShipsWithinDays: in.Shipping.ShipsWithinDays,
					ShipRegions: in.Shipping.Regions, LiveArrivalHours: in.LiveArrivalHours}})
			if err != nil {
				return listingProblem(err)
			}
			resp = response{Status: http.StatusCreated, Body: viewListing(l), Location: "/api/v1/marketplace/listings/" + l.PublicID}
			return k.save(r.Context(), tx, resp)
		})
		return resp, err
	})
}

// browseListings answers a page of active listings of every organization, each with its
// cover photo, read for the whole page at once; no account needed.
func (s *Server) browseListings(w http.ResponseWriter, r *http.Request) error {
	f, limit, err := s.browseFilter(r)
	if err != nil {
		return err
	}
	ls, err := store.BrowseListings(r.Context(), s.db.Pool, f)
	if errors.Is(err, store.ErrCursorGone) {
		return badParam("cursor", "is not a cursor this API issued")
	}
	if err != nil {
		return err
	}
	out := listingPage{Items: []listingView{}}
	if len(ls) > limit {
		ls = ls[:limit]
		out.NextCursor = cursorOf(ls[limit-1].PublicID)
	}
	ids := make([]uuid.UUID, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	covers, err := store.ListingPhotos(r.Context(), s.db.Pool, ids, 1)
	if err != nil {
		return err
	}
	for _, l := range ls {
		v := viewListing(l)
		if v.Photos, err = s.viewPhotos(r, covers[l.ID]); err != nil {
			return err
		}
		out.Items = append(out.Items, v)
	}
	return writeJSON(w, http.StatusOK, out)
}

// maxBrowseGenes bounds the genes one browse asks for, each a trade name.
const maxBrowseGenes = 10

// browseFilter reads the browse's query parameters; each is a 400 naming it when wrong.
func (s *Server) browseFilter(r *http.Request) (store.BrowseFilter, int, error) {
	q := r.URL.Query()
	after, limit, err := pageParams(r)
	if err != nil {
		return store.BrowseFilter{}, 0, err
	}
	f := store.BrowseFilter{After: after, Limit: limit + 1, Sort: q.Get("sort"), Currency: q.Get("currency"), Breeder: q.Get("breeder")}
	if f.Species = q.Get("species"); f.Species != "" {
		if _, err := s.species.species(r.Context(), f.Species, "species"); err != nil {
			return f, 0, asParam(err)
		}
	}
	if g := q.Get("genes"); g != "" {
		for _, gene := range strings.Split(g, ",") {
			if gene = strings.TrimSpace(gene); gene == "" || len(gene) > 50 {
				return f, 0, badParam("genes", "must be trade names separated by commas, each 1 to 50 characters")
			}
			f.Genes = append(f.Genes, gene)
		}
		if len(f.Genes) > maxBrowseGenes {
			return f, 0, badParam("genes", "names at most 10 genes")
		}
	}
	lo, err := intParam(r, "min_price", 0, 1, marketplace.MaxPrice)
	if err != nil {
		return f, 0, err
	}
	hi, err := intParam(r, "max_price", 0, 1, marketplace.MaxPrice)
	if err != nil {
		return f, 0, err
	}
	if lo > 0 && hi > 0 && lo > hi {
		return f, 0, badParam("max_price", "must not be below min_price")
	}
	f.MinPrice, f.MaxPrice = int64(lo), int64(hi)
	switch {
	case f.Currency != "" && !slices.Contains(marketplace.Currencies, f.Currency):
		return f, 0, badParam("currency", "must be one of "+strings.Join(marketplace.Currencies, ", "))
	case f.Breeder != "" && !isPublicID(f.Breeder):
		return f, 0, badParam("breeder", "is not an organization's ID")
	case !slices.Contains([]string{"", store.SortNewest, store.SortPriceAsc, store.SortPriceDesc}, f.Sort):
		return f, 0, badParam("sort", "must be newest, price_asc or price_desc")
	}
	return f, limit, nil
}

// getListing answers an active listing to anyone, and any of its own listings to a member
// of the selling organization who sends a token, with all its animal's photos.
func (s *Server) getListing(w http.ResponseWriter, r *http.Request) error {
	var l store.Listing
	var photos map[uuid.UUID][]store.Media
	err := s.readMaybeSignedIn(r, func(q store.Querier) (err error) {
		if l, err = inPath[store.Listing, store.Querier](r, q, "listingID", "listing", store.ListingByPublicID); err != nil {
			return err
		}
		photos, err = store.ListingPhotos(r.Context(), q, []uuid.UUID{l.ID}, 0)
		return err
	})
	if err != nil {
		return err
	}
	v := viewListing(l)
	if v.Photos, err = s.viewPhotos(r, photos[l.ID]); err != nil {
		return err
	}
	w.Header().Set("ETag", etag(l.Version))
	return writeJSON(w, http.StatusOK, v)
}

// updateListing changes the price and terms of one of the caller's organization's listings
// (marketplace.UpdateListing); If-Match, when sent, must carry its current ETag.
func (s *Server) updateListing(w http.ResponseWriter, r *http.Request) error {
	var matches func(int) bool
	if r.Header.Get("If-Match") != "" {
		var err error
		if matches, err = ifMatch(r); err != nil {
			return err
		}
	}
	var in updateListingRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	return s.changeListing(w, r, func(tx pgx.Tx) (store.Listing, error) {
		return marketplace.UpdateListing(r.Context(), tx, chi.URLParam(r, "listingID"), matches, in.apply)
	})
}

// withdrawListing takes one of the caller's organization's listings off sale
// (marketplace.WithdrawListing).
func (s *Server) withdrawListing(w http.ResponseWriter, r *http.Request) error {
	return s.changeListing(w, r, func(tx pgx.Tx) (store.Listing, error) {
		return marketplace.WithdrawListing(r.Context(), tx, chi.URLParam(r, "listingID"))
	})
}

// resumeListing puts a listing the organization's plan paused back on sale, when the plan
// allows one more active listing (marketplace.ResumeListing).
func (s *Server) resumeListing(w http.ResponseWriter, r *http.Request) error {
	return s.changeListing(w, r, func(tx pgx.Tx) (store.Listing, error) {
		return marketplace.ResumeListing(r.Context(), tx, chi.URLParam(r, "listingID"))
	})
}

// changeListing runs a change to a listing for an owner or admin and answers the listing.
func (s *Server) changeListing(w http.ResponseWriter, r *http.Request, change func(pgx.Tx) (store.Listing, error)) error {
	var l store.Listing
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) (err error) {
		if !a.Role.CanManageMembers() {
			return newProblem(kindForbidden, "Only owners and admins change an organization's listings.")
		}
		l, err = change(tx)
		return listingProblem(err)
	})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(l.Version))
	return writeJSON(w, http.StatusOK, viewListing(l))
}

// listingProblem answers what the listing commands refused; other errors pass as they are.
func listingProblem(err error) error {
	var fields marketplace.FieldErrors
	var notListable *marketplace.NotListableError
	switch {
	case errors.As(err, &fields):
		return invalidFields(fields)
	case errors.Is(err, marketplace.ErrAnimalNotFound):
		return notFound("animal")
	case errors.Is(err, marketplace.ErrListingNotFound):
		return notFound("listing")
	case errors.As(err, &notListable):
		return newProblem(kindConflict, "The animal cannot be listed: "+notListable.Reason+".")
	case errors.Is(err, store.ErrOnHold):
		return newProblem(kindConflict, "The animal is on hold for a transfer or another listing until that one ends.")
	case errors.Is(err, marketplace.ErrReserved):
		return newProblem(kindConflict, "An order holds the listing; it cannot change or be withdrawn until that order ends.")
	case errors.Is(err, marketplace.ErrListingPaused):
		return newProblem(kindConflict, "The listing is paused by the organization's plan; resume it (POST "+
			"/api/v1/marketplace/listings/{listingID}/resume) within the plan's active-listing limit, or upgrade.")
	case errors.Is(err, marketplace.ErrListingClosed):
		return newProblem(kindConflict, "The listing is no longer active; list the animal again to sell it.")
	case errors.Is(err, store.ErrStale):
		return newProblem(kindPrecondition, "The listing changed since you read it; fetch it again and reapply your change.")
	}
	return sellerProblem(err)
}
