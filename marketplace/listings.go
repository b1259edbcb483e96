package marketplace

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/store"
)

// Listings: an organization that can sell (RequireSeller) offers one of its active animals
// at a price, with its shipping terms and live-arrival guarantee. The listing holds the
// animal (animals.held_by) while it is open, so that it is neither transferred separately
// nor archived; withdrawing releases it. An order reserves a listing through the orders'
// trigger, never through these commands, and a reserved listing neither changes nor is
// withdrawn.

// MaxPrice is the highest price a listing may ask, in minor units (1,000,000.00 of a
// currency with cents), as the database also refuses.
const MaxPrice = 100_000_000

// Currencies are the ISO 4217 codes a listing may be priced in, lower case as Stripe
// writes them: those of the countries the platform's sellers are onboarded in.
var Currencies = []string{"aud", "cad", "chf", "eur", "gbp", "nzd", "usd"}

// Bounds of a listing's fields, as the database also checks them.
const (
	MaxTitle            = 200
	MaxDescription      = 5000
	MaxShipsWithinDays  = 30
	MaxShipRegions      = 60
	MaxLiveArrivalHours = 168
)

// Refusals of the listing commands.
var (
	ErrListingNotFound = errors.New("listing not found")
	ErrAnimalNotFound  = errors.New("animal not found")
	ErrNotListable     = errors.New("the animal cannot be listed")
	ErrListingClosed   = errors.New("the listing is no longer active")
	ErrListingPaused   = errors.New("the listing is paused by the organization's plan")
	ErrReserved        = errors.New("an order holds the listing")
)

// FieldError is a listing field that is not valid, named as the request names it.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors are every invalid field of one request.
type FieldErrors []FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, 0, len(e))
	for _, f := range e {
		parts = append(parts, f.Error())
	}
	return "invalid listing: " + strings.Join(parts, "; ")
}

// NotListableError says why an animal cannot be listed: it is not active, archived, a
// reference animal or on hold (ErrNotListable for errors.Is; store.ErrOnHold too when held).
type NotListableError struct{ Reason string }

func (e *NotListableError) Error() string { return ErrNotListable.Error() + ": " + e.Reason }

// Is makes every NotListableError ErrNotListable.
func (e *NotListableError) Is(target error) bool { return target == ErrNotListable }

// Terms are what a seller sets of a listing: its price and shipping terms.
type Terms struct {
	Price            int64 // minor units
	Currency         string
	Title            string
	Description      string
	ShipsWithinDays  int
	ShipRegions      []string
	LiveArrivalHours int
}

// NewListing is a listing of one of the transaction's organization's animals.
type NewListing struct {
	AnimalPublicID string
	Terms
}

var regionCode = regexp.MustCompile(`^[A-Z]{2}$`)

// normalize validates the terms and returns them as stored: currency lower case, regions
// upper case and each once, in the order given; every invalid field is named.
func (t Terms) normalize() (Terms, error) {
	var errs FieldErrors
	bad := func(field, msg string) { errs = append(errs, FieldError{field, msg}) }
	if t.Price <= 0 || t.Price > MaxPrice {
		bad("price.amount", fmt.Sprintf("must be a whole number of minor units (cents) from 1 to %d", MaxPrice))
	}
	t.Currency = strings.ToLower(strings.TrimSpace(t.Currency))
	if !slices.Contains(Currencies, t.Currency) {
		bad("price.currency", "must be one of "+strings.Join(Currencies, ", ")+" (ISO 4217)")
	}
	t.Title = strings.TrimSpace(t.Title)
	if n := utf8.RuneCountInString(t.Title); n < 1 || n > MaxTitle {
		bad("title", fmt.Sprintf("must be 1 to %d characters", MaxTitle))
	}
	if utf8.RuneCountInString(t.Description) > MaxDescription {
		bad("description", fmt.Sprintf("must be at most %d characters", MaxDescription))
	}
	if t.ShipsWithinDays < 1 || t.ShipsWithinDays > MaxShipsWithinDays {
		bad("shipping.ships_within_days", fmt.Sprintf("must be from 1 to %d days", MaxShipsWithinDays))
	}
	regions, badRegion := make([]string, 0, len(t.ShipRegions)), false
	for _, r := range t.ShipRegions {
		r = strings.ToUpper(strings.TrimSpace(r))
		if badRegion = !regionCode.MatchString(r); badRegion {
			bad("shipping.regions", "each must be a country code, ISO 3166-1 alpha-2, e.g. US")
			break
		}
		if !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
	}
	t.ShipRegions = regions
	if !badRegion && (len(regions) < 1 || len(regions) > MaxShipRegions) {
		bad("shipping.regions", fmt.Sprintf("must list 1 to %d countries", MaxShipRegions))
	}
	if t.LiveArrivalHours < 1 || t.LiveArrivalHours > MaxLiveArrivalHours {
		bad("live_arrival_hours", fmt.Sprintf("must be from 1 to %d hours", MaxLiveArrivalHours))
	}
	if len(errs) > 0 {
		return t, errs
	}
	return t, nil
}

// CreateListing lists one of the caller's organization's animals for sale, in tx: the
// organization must be able to sell (a *NotReadyError otherwise), the animal its own and
// active, neither archived, a reference animal nor on hold. The listing takes a copy of the
// animal as buyers see it and holds the animal; its event is listing.created. Beyond the
// active listings its plan allows, it is refused with a *billing.LimitError.
func CreateListing(ctx context.Context, tx pgx.Tx, a store.Access, in NewListing) (store.Listing, error) {
	terms, err := in.Terms.normalize()
	if err != nil {
		return store.Listing{}, err
	}
	if err := RequireSeller(ctx, tx, a.OrgID); err != nil {
		return store.Listing{}, err
	}
	animal, err := store.AnimalByPublicID(ctx, tx, in.AnimalPublicID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && animal.OrgID != a.OrgID) {
		return store.Listing{}, ErrAnimalNotFound
	}
	if err != nil {
		return store.Listing{}, err
	}
	switch {
	case animal.IsReference:
		return store.Listing{}, &NotListableError{"a reference animal is a lineage record, not an animal to sell"}
	case animal.ArchivedAt != nil:
		return store.Listing{}, &NotListableError{"the animal is archived"}
	case animal.Status != "active":
		return store.Listing{}, &NotListableError{"the animal is " + strings.ReplaceAll(animal.Status, "_", " ") + ", not active"}
	case animal.HeldBy != nil:
		return store.Listing{}, store.ErrOnHold
	}
	if err := billing.Check(ctx, tx, billing.ActiveListings, 1); err != nil {
		return store.Listing{}, err
	}
	l := store.Listing{ID: uuid.New(), PublicID: store.NewPublicID(), AnimalID: animal.ID, Price: terms.Price,
		Currency: terms.Currency, Title: terms.Title, Description: terms.Description, ShipsWithinDays: terms.ShipsWithinDays,
		ShipRegions: terms.ShipRegions, LiveArrivalHours: terms.LiveArrivalHours, AnimalPublicID: animal.PublicID,
		AnimalName: animal.Name, SpeciesKey: animal.SpeciesKey, Sex: animal.Sex, HatchDate: animal.HatchDate,
		GeneticsText: animal.GeneticsText, CreatedBy: a.UserID}
	if err := store.HoldAnimal(ctx, tx, animal.ID, l.ID); err != nil {
		return store.Listing{}, err
	}
	stored, err := store.InsertListing(ctx, tx, l)
	if err != nil {
		return store.Listing{}, err
	}
	err = store.AppendEvent(ctx, tx, "listing.created", "listing", stored.PublicID, map[string]any{
		"animal_id": stored.AnimalPublicID, "price": stored.Price, "currency": stored.Currency})
	return stored, err
}

// UpdateListing changes the price and terms of one of the caller's organization's
// listings, in tx, while it is active and no order holds it (ErrListingClosed,
// ErrReserved): change edits the terms as they stand, which are then validated as at
// listing. matches says whether the version the caller read is the current one (nil: any);
// one that moved on is store.ErrStale.
func UpdateListing(ctx context.Context, tx pgx.Tx, publicID string, matches func(version int) bool, change func(*Terms)) (store.Listing, error) {
	l, err := lockListing(ctx, tx, publicID)
	if err != nil {
		return store.Listing{}, err
	}
	switch {
	case l.Status == "paused":
		return store.Listing{}, ErrListingPaused
	case l.Status != "active":
		return store.Listing{}, ErrListingClosed
	case l.ReservedBy != nil:
		return store.Listing{}, ErrReserved
	case matches != nil && !matches(l.Version):
		return store.Listing{}, store.ErrStale
	}
	t := Terms{Price: l.Price, Currency: l.Currency, Title: l.Title, Description: l.Description,
		ShipsWithinDays: l.ShipsWithinDays, ShipRegions: l.ShipRegions, LiveArrivalHours: l.LiveArrivalHours}
	change(&t)
	terms, err := t.normalize()
	if err != nil {
		return store.Listing{}, err
	}
	l.Price, l.Currency, l.Title, l.Description = terms.Price, terms.Currency, terms.Title, terms.Description
	l.ShipsWithinDays, l.ShipRegions, l.LiveArrivalHours = terms.ShipsWithinDays, terms.ShipRegions, terms.LiveArrivalHours
	updated, err := store.UpdateListing(ctx, tx, l, l.Version)
	if err != nil {
		return store.Listing{}, err
	}
	err = store.AppendEvent(ctx, tx, "listing.updated", "listing", updated.PublicID, map[string]any{
		"price": updated.Price, "currency": updated.Currency})
	return updated, err
}

// WithdrawListing takes one of the caller's organization's listings off sale, in tx, and
// releases its animal; its event is listing.withdrawn. A listing an order holds is
// ErrReserved; a sold one ErrListingClosed. A withdrawn one is answered as it is.
func WithdrawListing(ctx context.Context, tx pgx.Tx, publicID string) (store.Listing, error) {
	l, err := lockListing(ctx, tx, publicID)
	if err != nil {
		return store.Listing{}, err
	}
	switch {
	case l.Status == "withdrawn":
		return l, nil
	case l.Status != "active" && l.Status != "paused":
		return store.Listing{}, ErrListingClosed
	case l.ReservedBy != nil:
		return store.Listing{}, ErrReserved
	}
	withdrawn, err := store.WithdrawListing(ctx, tx, l.ID)
	if err != nil {
		return store.Listing{}, err
	}
	if !withdrawn {
		return store.Listing{}, fmt.Errorf("withdraw listing %s: it changed while locked", l.PublicID)
	}
	if err := store.AppendEvent(ctx, tx, "listing.withdrawn", "listing", l.PublicID,
		map[string]string{"animal_id": l.AnimalPublicID}); err != nil {
		return store.Listing{}, err
	}
	return store.ListingByID(ctx, tx, l.ID)
}

// lockListing holds one of the transaction's organization's listings; another
// organization's, or none, is ErrListingNotFound.
func lockListing(ctx context.Context, tx pgx.Tx, publicID string) (store.Listing, error) {
	l, err := store.LockListing(ctx, tx, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Listing{}, ErrListingNotFound
	}
	return l, err
}

// ResumeListing puts one of the caller's organization's listings that its plan paused back
// on sale, in tx, when the plan allows one more active listing (a *billing.LimitError
// otherwise); its event is listing.resumed. An active listing is answered as it is; a
// withdrawn or sold one is ErrListingClosed.
func ResumeListing(ctx context.Context, tx pgx.Tx, publicID string) (store.Listing, error) {
	l, err := lockListing(ctx, tx, publicID)
	if err != nil {
		return store.Listing{}, err
	}
	switch l.Status {
	case "active":
		return l, nil
	case "paused":
	default:
		return store.Listing{}, ErrListingClosed
	}
	if err := billing.Check(ctx, tx, billing.ActiveListings, 1); err != nil {
		return store.Listing{}, err
	}
	if _, err := store.ResumeListing(ctx, tx, l.ID); err != nil {
		return store.Listing{}, err
	}
	if err := store.AppendEvent(ctx, tx, "listing.resumed", "listing", l.PublicID,
		map[string]string{"cause": "seller"}); err != nil {
		return store.Listing{}, err
	}
	return store.ListingByID(ctx, tx, l.ID)
}
