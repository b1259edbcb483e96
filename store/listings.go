package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/reptidex/reptidex/domain/genetics"
)

// Listing is an animal offered for sale by the organization that owns it, with its price,
// shipping terms, live-arrival guarantee and the animal as it was listed.
type Listing struct {
	ID         uuid.UUID
	PublicID   string
	OrgID      uuid.UUID
	AnimalID   uuid.UUID
	Status     string     // active, paused (by the plan), withdrawn, sold
	ReservedBy *uuid.UUID // the open order holding it; kept by the orders' trigger
	// Price in minor units of Currency (ISO 4217, lower case).
	Price            int64
	Currency         string
	Title            string
	Description      string
	ShipsWithinDays  int
	ShipRegions      []string // ISO 3166-1 alpha-2
	LiveArrivalHours int
	// The animal as listed.
	AnimalPublicID string
	AnimalName     string
	SpeciesKey     string
	Sex            genetics.Sex
	HatchDate      *time.Time
	GeneticsText   string
	CreatedBy      uuid.UUID
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	WithdrawnAt    *time.Time
	SoldAt         *time.Time

	// Read with the listing, for showing it: the selling organization.
	OrgPublicID string
	OrgName     string
}

const listingSelect = `SELECT l.id, l.public_id, l.org_id, l.animal_id, l.status::text, l.reserved_by, l.price, l.currency,
		l.title, l.description, l.ships_within_days, l.ship_regions, l.live_arrival_hours, l.animal_public_id, l.animal_name,
		l.species_key, l.sex, l.hatch_date, l.genetics_text, l.created_by, l.version, l.created_at, l.updated_at,
		l.withdrawn_at, l.sold_at, o.public_id, o.name
	FROM listings l JOIN organization_name o ON o.id = l.org_id`

func scanListing(row pgx.Row) (Listing, error) {
	var l Listing
	err := row.Scan(&l.ID, &l.PublicID, &l.OrgID, &l.AnimalID, &l.Status, &l.ReservedBy, &l.Price, &l.Currency,
		&l.Title, &l.Description, &l.ShipsWithinDays, &l.ShipRegions, &l.LiveArrivalHours, &l.AnimalPublicID, &l.AnimalName,
		&l.SpeciesKey, &l.Sex, &l.HatchDate, &l.GeneticsText, &l.CreatedBy, &l.Version, &l.CreatedAt, &l.UpdatedAt,
		&l.WithdrawnAt, &l.SoldAt, &l.OrgPublicID, &l.OrgName)
	return l, notFound(err)
}

func collectListings(rows pgx.Rows, err error) ([]Listing, error) {
	if err != nil {
		return nil, fmt.Errorf("list listings: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Listing, error) { return scanListing(r) })
}

// InsertListing records an active listing of the transaction's organization and returns it
// as ListingByID reads it. A second open listing of the animal is ErrOnHold.
func InsertListing(ctx context.Context, tx pgx.Tx, l Listing) (Listing, error) {
	_, err := tx.Exec(ctx, `INSERT INTO listings (id, public_id, org_id, animal_id, price, currency, title, description,
			ships_within_days, ship_regions, live_arrival_hours, animal_public_id, animal_name, species_key, sex, hatch_date,
			genetics_text, created_by)
		VALUES ($1, $2, app_org_id(), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		l.ID, l.PublicID, l.AnimalID, l.Price, l.Currency, l.Title, l.Description, l.ShipsWithinDays, l.ShipRegions,
		l.LiveArrivalHours, l.AnimalPublicID, l.AnimalName, l.SpeciesKey, l.Sex, l.HatchDate, l.GeneticsText, l.CreatedBy)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "listings_open_animal_key" {
		return Listing{}, ErrOnHold
	}
	if err != nil {
		return Listing{}, fmt.Errorf("insert listing: %w", err)
	}
	return ListingByID(ctx, tx, l.ID)
}

// ListingByID reads a listing the caller may see: any active one, and every one of the
// tenant organization.
func ListingByID(ctx context.Context, q Querier, id uuid.UUID) (Listing, error) {
	return scanListing(q.QueryRow(ctx, listingSelect+` WHERE l.id = $1`, id))
}

// ListingByPublicID reads a listing the caller may see, by public ID: any active one, and
// every one of the tenant organization.
func ListingByPublicID(ctx context.Context, q Querier, publicID string) (Listing, error) {
	return scanListing(q.QueryRow(ctx, listingSelect+` WHERE l.public_id = $1`, publicID))
}

// LockListing reads one of the tenant organization's listings by public ID and holds its
// row until the transaction ends, so that a change decided on what it read is not raced by
// an order reserving it (the orders' trigger locks the same row). Another organization's
// listing is ErrNotFound.
func LockListing(ctx context.Context, tx pgx.Tx, publicID string) (Listing, error) {
	l, err := scanListing(tx.QueryRow(ctx, listingSelect+` WHERE l.public_id = $1 AND l.org_id = app_org_id() FOR UPDATE OF l`, publicID))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Listing{}, fmt.Errorf("lock listing: %w", err)
	}
	return l, err
}

// UpdateListing writes the price and terms of one of the tenant organization's active
// listings if its stored version is still expected, and returns it as it now stands; a
// version that moved on is ErrStale.
func UpdateListing(ctx context.Context, tx pgx.Tx, l Listing, expected int) (Listing, error) {
	tag, err := tx.Exec(ctx, `UPDATE listings SET price = $3, currency = $4, title = $5, description = $6,
			ships_within_days = $7, ship_regions = $8, live_arrival_hours = $9, version = version + 1, updated_at = now()
		WHERE id = $1 AND version = $2 AND status = 'active'`,
		l.ID, expected, l.Price, l.Currency, l.Title, l.Description, l.ShipsWithinDays, l.ShipRegions, l.LiveArrivalHours)
	if err != nil {
		return Listing{}, fmt.Errorf("update listing: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return Listing{}, ErrStale
	}
	return ListingByID(ctx, tx, l.ID)
}

// WithdrawListing ends one of the tenant organization's active or paused, unreserved
// listings and releases its animal's hold; it reports false, changing nothing, when the
// listing is neither or an order holds it.
func WithdrawListing(ctx context.Context, tx pgx.Tx, id uuid.UUID) (bool, error) {
	var animalID uuid.UUID
	err := tx.QueryRow(ctx, `UPDATE listings SET status = 'withdrawn', withdrawn_at = now(), paused_at = NULL,
			version = version + 1, updated_at = now()
		WHERE id = $1 AND status IN ('active', 'paused') AND reserved_by IS NULL RETURNING animal_id`, id).Scan(&animalID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("withdraw listing: %w", err)
	}
	if err := ReleaseAnimal(ctx, tx, animalID, id); err != nil {
		return false, err
	}
	return true, nil
}

// ReleaseAnimal ends the hold holder has on one of the tenant organization's animals; an
// animal held by something else, or by nothing, is left as it is.
func ReleaseAnimal(ctx context.Context, tx pgx.Tx, animalID, holder uuid.UUID) error {
	if _, err := tx.Exec(ctx, `UPDATE animals SET held_by = NULL, version = version + 1, updated_at = now()
		WHERE id = $1 AND held_by = $2`, animalID, holder); err != nil {
		return fmt.Errorf("release hold: %w", err)
	}
	return nil
}

// OwnListings lists a page of the tenant organization's listings, whatever their status
// (status narrows it when not empty), newest first; after is the public ID of the last
// listing of the previous page.
func OwnListings(ctx context.Context, q Querier, status, after string, limit int) ([]Listing, error) {
	args := []any{limit, status}
	where := ` WHERE l.org_id = app_org_id() AND ($2 = '' OR l.status::text = $2)`
	if after != "" {
		where += ` AND (l.created_at, l.id) < (SELECT p.created_at, p.id FROM listings p WHERE p.public_id = $3 AND p.org_id = app_org_id())`
		args = append(args, after)
	}
	rows, err := q.Query(ctx, listingSelect+where+` ORDER BY l.created_at DESC, l.id DESC LIMIT $1`, args...)
	return collectListings(rows, err)
}

// The orders of a browse.
const (
	SortNewest    = "newest"
	SortPriceAsc  = "price_asc"
	SortPriceDesc = "price_desc"
)

// ErrCursorGone is a browse cursor naming no listing at all. A listing withdrawn or sold
// since its page was read still places the next page (listing_position).
var ErrCursorGone = errors.New("the cursor names no listing")

// BrowseFilter selects a page of active listings.
type BrowseFilter struct {
	Species  string   // species key; "" for any
	Genes    []string // trade names that must all appear in the genetics, any case
	MinPrice int64    // minor units; 0 for no bound
	MaxPrice int64    // minor units; 0 for no bound
	Currency string   // ISO 4217 lower case; "" for any
	Breeder  string   // public ID of the selling organization; "" for any
	Sort     string   // SortNewest (default), SortPriceAsc, SortPriceDesc
	After    string   // public ID of the last listing of the previous page
	Limit    int
}

// BrowseListings lists a page of active listings, of every organization, in the filter's
// order: newest first, or by price and then ID either way, so that pages follow each other
// stably. The cursor's sort key is read from the database, also for a listing sold or
// withdrawn since; a cursor naming no listing is ErrCursorGone.
func BrowseListings(ctx context.Context, q Querier, f BrowseFilter) ([]Listing, error) {
	args := []any{f.Limit}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := []string{`l.status = 'active'`}
	if f.Species != "" {
		where = append(where, `l.species_key = `+arg(f.Species))
	}
	for _, g := range f.Genes {
		where = append(where, `lower(l.genetics_text) LIKE `+arg("%"+escapeLike(strings.ToLower(g))+"%"))
	}
	if f.MinPrice > 0 {
		where = append(where, `l.price >= `+arg(f.MinPrice))
	}
	if f.MaxPrice > 0 {
		where = append(where, `l.price <= `+arg(f.MaxPrice))
	}
	if f.Currency != "" {
		where = append(where, `l.currency = `+arg(f.Currency))
	}
	if f.Breeder != "" {
		where = append(where, `o.public_id = `+arg(f.Breeder))
	}
	order := `l.created_at DESC, l.id DESC`
	if f.After != "" {
		var at time.Time
		var price int64
		var id uuid.UUID
		err := q.QueryRow(ctx, `SELECT created_at, price, id FROM listing_position($1)`, f.After).Scan(&at, &price, &id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, ErrCursorGone
		}
		if err != nil {
			return nil, fmt.Errorf("read browse cursor: %w", err)
		}
		switch f.Sort {
		case SortPriceAsc:
			where = append(where, `(l.price, l.id) > (`+arg(price)+`, `+arg(id)+`)`)
		case SortPriceDesc:
			where = append(where, `(l.price, l.id) < (`+arg(price)+`, `+arg(id)+`)`)
		default:
			where = append(where, `(l.created_at, l.id) < (`+arg(at)+`, `+arg(id)+`)`)
		}
	}
	switch f.Sort {
	case SortPriceAsc:
		order = `l.price, l.id`
	case SortPriceDesc:
		order = `l.price DESC, l.id DESC`
	}
	rows, err := q.Query(ctx, listingSelect+` WHERE `+strings.Join(where, ` AND `)+` ORDER BY `+order+` LIMIT $1`, args...)
	return collectListings(rows, err)
}

// escapeLike makes s match itself literally inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListingPhotos reads the ready photos of the listings' animals that the caller may see on
// them (listing_photos: on an active listing, or on any of the tenant organization's), by
// listing, primary first then in order; at most perListing of each, or all when it is 0.
// The photos are read as their listings show them: public ID, size, primary and objects.
func ListingPhotos(ctx context.Context, q Querier, listingIDs []uuid.UUID, perListing int) (map[uuid.UUID][]Media, error) {
	out := make(map[uuid.UUID][]Media, len(listingIDs))
	if len(listingIDs) == 0 {
		return out, nil
	}
	var limit *int
	if perListing > 0 {
		limit = &perListing
	}
	rows, err := q.Query(ctx, `SELECT listing_id, public_id, width, height, original_key, thumbnail_key, is_primary
		FROM listing_photos($1, $2)`, binaryUUIDs(listingIDs), limit)
	if err != nil {
		return nil, fmt.Errorf("read listing photos: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var listingID uuid.UUID
		m := Media{Status: "ready"}
		if err := rows.Scan(&listingID, &m.PublicID, &m.Width, &m.Height, &m.OriginalKey, &m.ThumbnailKey, &m.Primary); err != nil {
			return nil, fmt.Errorf("read listing photos: %w", err)
		}
		out[listingID] = append(out[listingID], m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read listing photos: %w", err)
	}
	return out, nil
}
