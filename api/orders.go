package api

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/orders"
	"github.com/reptidex/reptidex/store"
)

// maxOrderAmount is the largest price an order takes, in minor units (the listings' own
// bound): 1,000,000.00 of a two-decimal currency.
const maxOrderAmount = 100_000_000

var (
	currencyPattern = regexp.MustCompile(`^[a-z]{3}$`)
	countryPattern  = regexp.MustCompile(`^[A-Z]{2}$`)
)

type listingRef struct {
	// Public ID of the listing.
	ID    string `json:"id"`
	Title string `json:"title"`
}

type shippingTermsView struct {
	// The seller ships within this many days of the payment.
	ShipsWithinDays int `json:"ships_within_days"`
	// After delivery the buyer has this many hours to report a problem.
	LiveArrivalHours int `json:"live_arrival_hours"`
}

type shipmentView struct {
	Carrier        string    `json:"carrier"`
	TrackingNumber string    `json:"tracking_number"`
	ShippedAt      time.Time `json:"shipped_at"`
	// The carrier's delivery date, as the seller gave it: unless either side says the animal
	// arrived sooner, it is taken to have arrived then.
	ExpectedDelivery *time.Time `json:"expected_delivery,omitempty"`
}

type orderPaymentView struct {
	// The Stripe PaymentIntent that authorizes the buyer's card.
	PaymentIntentID string `json:"payment_intent_id"`
	// For the buyer's organization only: what Stripe.js confirms the card with.
	ClientSecret string `json:"client_secret,omitempty"`
}

type orderMoneyView struct {
	// ISO 4217, lower case; empty while no money has moved.
	Currency string `json:"currency"`
	// Totals of the ledger's movements, in minor units: held on the card, released from it,
	// captured, paid to the seller, refunded to the buyer, kept as the platform's fee.
	Authorized  int64 `json:"authorized"`
	Released    int64 `json:"released"`
	Captured    int64 `json:"captured"`
	Transferred int64 `json:"transferred"`
	Refunded    int64 `json:"refunded"`
	Fee         int64 `json:"fee"`
	// Captured and not yet paid to the seller, refunded or kept as the fee: what the platform
	// holds for the order.
	Held int64 `json:"held"`
	// Every authorization released or captured, and every capture paid out.
	Settled bool `json:"settled"`
}

type orderView struct {
	ID      string         `json:"id"`
	Status  string         `json:"status" jsonschema:"enum=placed,enum=awaiting_payment,enum=paid,enum=shipped,enum=delivered,enum=problem,enum=completed,enum=cancelled,enum=failed,enum=refunded"`
	Listing listingRef     `json:"listing"`
	Animal  transferAnimal `json:"animal"`
	Seller  orgView        `json:"seller"`
	Buyer   orgView        `json:"buyer"`
	// Public ID of the person who ordered.
	OrderedBy string `json:"ordered_by"`
	// The price, in minor units of currency.
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// The platform's part of the price, kept when the seller is paid.
	PlatformFee int64             `json:"platform_fee"`
	Shipping    shippingTermsView `json:"shipping"`
	// ISO 3166-1 alpha-2.
	ShipTo string `json:"ship_to"`
	// The buyer authorizes the card by then, or the order fails and the listing is free again.
	PaymentDueAt time.Time `json:"payment_due_at"`
	// Once paid: the seller ships by then, or the sale is cancelled.
	ShipBy *time.Time `json:"ship_by,omitempty"`
	// Once delivered: the buyer confirms or reports a problem by then; silence confirms.
	ArrivalWindowEndsAt *time.Time        `json:"arrival_window_ends_at,omitempty"`
	Shipment            *shipmentView     `json:"shipment,omitempty"`
	AuthorizedAt        *time.Time        `json:"authorized_at,omitempty"`
	DeliveredAt         *time.Time        `json:"delivered_at,omitempty"`
	ConfirmedAt         *time.Time        `json:"confirmed_at,omitempty"`
	Problem             string            `json:"problem,omitempty"`
	Resolution          string            `json:"resolution,omitempty"`
	DisputedAt          *time.Time        `json:"disputed_at,omitempty"`
	Outcome             string            `json:"outcome,omitempty"`
	Payment             *orderPaymentView `json:"payment,omitempty"`
	CreatedAt           time.Time         `json:"created_at"`
	EndedAt             *time.Time        `json:"ended_at,omitempty"`
	// On GET /orders/{orderID} and the answers to its updates.
	Money *orderMoneyView `json:"money,omitempty"`
	// On GET /orders/{orderID} and the answers to its updates.
	Timeline []timelineEntry `json:"timeline,omitempty"`
	// On GET /orders/{orderID}: the photos the buyer sent with a reported problem (from the
	// order's page), with downloads valid for five minutes.
	Evidence []evidenceView `json:"evidence,omitempty"`
}

// evidenceView is a photo sent with a reported problem.
type evidenceView struct {
	ContentType string    `json:"content_type"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	CreatedAt   time.Time `json:"created_at"`
	// Presigned GET of the photo, cleaned of its metadata.
	URL string `json:"url" jsonschema:"format=uri"`
	// Presigned GET of a JPEG at most 320 pixels a side.
	ThumbnailURL string `json:"thumbnail_url" jsonschema:"format=uri"`
}

// viewOrder shows an order to the organization viewer; only the buyer's sees the payment's
// client secret.
func viewOrder(o store.Order, viewer uuid.UUID) orderView {
	v := orderView{ID: o.PublicID, Status: o.Status, Listing: listingRef{o.ListingPublicID, o.Title},
		Animal: transferAnimal{ID: o.AnimalPublicID, Name: o.AnimalName, Species: o.SpeciesKey, Genetics: o.GeneticsText},
		Seller: orgView{o.SellerPublicID, o.SellerName}, Buyer: orgView{o.BuyerPublicID, o.BuyerName},
		OrderedBy: o.BuyerUserPublic, Amount: o.Amount, Currency: o.Currency, PlatformFee: o.PlatformFee,
		Shipping: shippingTermsView{o.ShipsWithinDays, o.LiveArrivalHours}, ShipTo: o.ShipTo, PaymentDueAt: o.PaymentDueAt,
		ShipBy: o.ShipBy, ArrivalWindowEndsAt: o.ArrivalWindowEndsAt, AuthorizedAt: o.AuthorizedAt, DeliveredAt: o.DeliveredAt,
		ConfirmedAt: o.ConfirmedAt, Problem: o.Problem, Resolution: o.Resolution, DisputedAt: o.DisputedAt,
		Outcome: o.Outcome, CreatedAt: o.CreatedAt, EndedAt: o.EndedAt}
	if o.ShippedAt != nil {
		v.Shipment = &shipmentView{o.Carrier, o.TrackingNumber, *o.ShippedAt, o.ExpectedDeliveryAt}
	}
	if o.PaymentIntentID != "" {
		v.Payment = &orderPaymentView{PaymentIntentID: o.PaymentIntentID}
		if viewer == o.BuyerOrgID {
			v.Payment.ClientSecret = o.PaymentClientSecret
		}
	}
	return v
}

// viewOrderDetail is viewOrder with the order's money and timeline.
func viewOrderDetail(d orders.Detail, viewer uuid.UUID) orderView {
	v := viewOrder(d.Order, viewer)
	m := d.Money
	v.Money = &orderMoneyView{Currency: m.Currency, Authorized: m.Authorized, Released: m.Released, Captured: m.Captured,
		Transferred: m.Transferred, Refunded: m.Refunded, Fee: m.Fee, Held: m.Held(), Settled: m.Settled}
	v.Timeline = []timelineEntry{}
	for _, e := range d.Timeline {
		v.Timeline = append(v.Timeline, timelineEntry{Kind: e.Kind, ActorID: e.ActorPublicID, Detail: e.Detail, At: e.At})
	}
	return v
}

type createOrderRequest struct {
	// Public ID of the listing.
	ListingID string `json:"listing_id" jsonschema:"required"`
	// The price the buyer was shown, in minor units: the order is refused if the listing's
	// price has changed since.
	Amount int64 `json:"amount" jsonschema:"required,minimum=1,maximum=100000000"`
	// The currency the buyer was shown, ISO 4217 lower case.
	Currency string `json:"currency" text:"max=3" jsonschema:"required,pattern=^[a-z]{3}$"`
	// The country the animal is shipped to, ISO 3166-1 alpha-2 in capitals; the seller must
	// ship there.
	ShipTo string `json:"ship_to" text:"max=2" jsonschema:"required,pattern=^[A-Z]{2}$"`
}

func (in createOrderRequest) validate() error {
	var errs []FieldError
	if in.ListingID == "" {
		errs = append(errs, FieldError{"listing_id", "is required"})
	}
	if in.Amount <= 0 || in.Amount > maxOrderAmount {
		errs = append(errs, FieldError{"amount", "must be from 1 to 100000000 (minor units)"})
	}
	if !currencyPattern.MatchString(in.Currency) {
		errs = append(errs, FieldError{"currency", "must be an ISO 4217 code in lower case, such as usd"})
	}
	if !countryPattern.MatchString(in.ShipTo) {
		errs = append(errs, FieldError{"ship_to", "must be an ISO 3166-1 alpha-2 country code in capitals, such as US"})
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	return nil
}

// createOrder places an order of a listing for the caller's organization (orders.Place):
// the listing is reserved for it and the sale starts. Idempotency-Key is required.
func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) error {
	var in createOrderRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := in.validate(); err != nil {
		return err
	}
	op := idempotentOp{Name: "order.place", Required: true, Request: in}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) {
		var resp response
		err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
			ctx := r.Context()
			if err := mayOrder(r, tx, a); err != nil {
				return err
			}
			o, err := orders.Place(ctx, tx, s.river, s.cfg.Sales, orders.NewOrder{ListingPublicID: in.ListingID,
				Amount: in.Amount, Currency: in.Currency, ShipTo: in.ShipTo, BuyerOrgID: a.OrgID, BuyerUserID: a.UserID})
			if err != nil {
				return placeProblem(err)
			}
			d, err := orders.Read(ctx, tx, o.PublicID)
			if err != nil {
				return err
			}
			resp = response{Status: http.StatusCreated, Body: viewOrderDetail(d, a.OrgID), Location: "/api/v1/orders/" + o.PublicID}
			return k.save(ctx, tx, resp)
		})
		return resp, err
	})
}

// mayOrder refuses an order from anyone but an owner or admin of the buying organization
// with a verified email address: an order commits the organization's money.
func mayOrder(r *http.Request, tx pgx.Tx, a access) error {
	if !a.Role.CanManageMembers() {
		return newProblem(kindForbidden, "Only owners and admins order for an organization.")
	}
	u, err := store.UserByID(r.Context(), tx, a.UserID)
	if err != nil {
		return err
	}
	if u.EmailVerifiedAt == nil {
		return newProblem(kindEmailUnverified, "Verify your email address before ordering: follow the link emailed at "+
			"registration, or ask for a new one with POST /api/v1/me/verify-email.")
	}
	return nil
}

// placeProblem answers an order orders.Place refused; other errors pass as they are.
func placeProblem(err error) error {
	switch {
	case errors.Is(err, orders.ErrListingNotFound):
		return notFound("listing")
	case errors.Is(err, orders.ErrOwnListing):
		return newProblem(kindConflict, "The listing is your organization's own; an organization cannot order its own listing.")
	case errors.Is(err, store.ErrListingNotForSale):
		return newProblem(kindConflict, "The listing is no longer for sale (withdrawn or sold).")
	case errors.Is(err, store.ErrListingReserved):
		return newProblem(kindConflict, "Another buyer's order holds the listing; it is free again if that order fails or is cancelled.")
	case errors.Is(err, orders.ErrPriceChanged):
		return newProblem(kindConflict, "The listing's price or currency has changed; read the listing again and order at its price.")
	case errors.Is(err, orders.ErrSellerNotReady):
		return newProblem(kindSellerNotReady, "The seller cannot take payments now (their payment account is not enabled); try again later.")
	case errors.Is(err, orders.ErrNotShipped):
		return invalid(FieldError{"ship_to", "the seller does not ship to that country"})
	}
	return err
}

// getOrder shows an order, with its money and timeline, to either party.
func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) error {
	var (
		view     orderView
		evidence []store.Evidence
	)
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		d, err := orders.Read(r.Context(), tx, chi.URLParam(r, "orderID"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("order")
		}
		view = viewOrderDetail(d, a.OrgID)
		evidence = d.Evidence
		return err
	})
	if err != nil {
		return err
	}
	for _, e := range evidence {
		original, err := s.media.PresignObject(r.Context(), e.OriginalKey)
		if err != nil {
			return err
		}
		thumbnail, err := s.media.PresignObject(r.Context(), e.ThumbnailKey)
		if err != nil {
			return err
		}
		view.Evidence = append(view.Evidence, evidenceView{ContentType: e.ContentType, Width: e.Width, Height: e.Height,
			CreatedAt: e.CreatedAt, URL: original.URL, ThumbnailURL: thumbnail.URL})
	}
	return writeJSON(w, http.StatusOK, view)
}

type orderList struct {
	Items      []orderView `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// listOrders lists the caller's organization's orders as buyer (side=buying, the default)
// or as seller (side=selling), newest first.
func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	side := store.OrderSide(r.URL.Query().Get("side"))
	switch side {
	case "":
		side = store.Buying
	case store.Buying, store.Selling:
	default:
		return badParam("side", "must be buying or selling")
	}
	out := orderList{Items: []orderView{}}
	err = s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		os, err := store.Orders(r.Context(), tx, a.OrgID, side, after, limit+1)
		if err != nil {
			return err
		}
		if len(os) > limit {
			os = os[:limit]
			out.NextCursor = cursorOf(os[limit-1].PublicID)
		}
		for _, o := range os {
			out.Items = append(out.Items, viewOrder(o, a.OrgID))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

type inventoryItemView struct {
	Listing listingRef `json:"listing"`
	// The animal as listed.
	Animal   transferAnimal `json:"animal"`
	Price    int64          `json:"price"`
	Currency string         `json:"currency"`
	// listed: open to orders; reserved: an open order holds it; sold.
	State string `json:"state" jsonschema:"enum=listed,enum=reserved,enum=sold"`
	// The order that holds it (reserved) or bought it (sold).
	OrderID  string     `json:"order_id,omitempty"`
	ListedAt time.Time  `json:"listed_at"`
	SoldAt   *time.Time `json:"sold_at,omitempty"`
}

type inventoryList struct {
	Items      []inventoryItemView `json:"items"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

// inventory lists the caller's organization's listings that are listed, reserved or sold,
// newest first, optionally of some states only (state=listed,reserved).
func (s *Server) inventory(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.InventoryFilter{After: after, Limit: limit + 1}
	if v := r.URL.Query().Get("state"); v != "" {
		for _, st := range strings.Split(v, ",") {
			if st != store.InventoryListed && st != store.InventoryReserved && st != store.InventorySold {
				return badParam("state", "must be listed, reserved or sold, or several of them separated by commas")
			}
			f.States = append(f.States, st)
		}
	}
	out := inventoryList{Items: []inventoryItemView{}}
	err = s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		items, err := store.Inventory(r.Context(), tx, f)
		if err != nil {
			return err
		}
		if len(items) > limit {
			items = items[:limit]
			out.NextCursor = cursorOf(items[limit-1].ListingPublicID)
		}
		for _, i := range items {
			out.Items = append(out.Items, inventoryItemView{Listing: listingRef{i.ListingPublicID, i.Title},
				Animal: transferAnimal{ID: i.AnimalPublicID, Name: i.AnimalName, Species: i.SpeciesKey}, Price: i.Price,
				Currency: i.Currency, State: i.State, OrderID: i.OrderPublicID, ListedAt: i.CreatedAt, SoldAt: i.SoldAt})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}
