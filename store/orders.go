package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Orders (table orders, migration 0020): a buyer's purchase of a listing, which the sale
// workflow runs. An open order reserves its listing (the orders' trigger keeps
// listings.reserved_by), so a listing has one buyer at a time.

// The statuses of an order: open while the sale runs, then one of four endings.
const (
	OrderPlaced          = "placed"
	OrderAwaitingPayment = "awaiting_payment"
	OrderPaid            = "paid"
	OrderShipped         = "shipped"
	OrderDelivered       = "delivered"
	OrderProblem         = "problem"
	OrderCompleted       = "completed"
	OrderCancelled       = "cancelled"
	OrderFailed          = "failed"
	OrderRefunded        = "refunded"
)

// OrderOpen reports whether an order of status s is still running.
func OrderOpen(s string) bool {
	switch s {
	case OrderPlaced, OrderAwaitingPayment, OrderPaid, OrderShipped, OrderDelivered, OrderProblem:
		return true
	}
	return false
}

// Order is a purchase of a listing.
type Order struct {
	ID                  uuid.UUID
	PublicID            string
	ListingID           uuid.UUID
	OrgID               uuid.UUID // the seller
	BuyerOrgID          uuid.UUID
	BuyerUserID         uuid.UUID
	AnimalID            uuid.UUID
	Amount              int64 // minor units
	Currency            string
	PlatformFee         int64
	Status              string
	ShipsWithinDays     int
	LiveArrivalHours    int
	ShipTo              string
	PaymentIntentID     string
	PaymentClientSecret string
	ChargeID            string
	PaymentDueAt        time.Time
	ShipBy              *time.Time
	ArrivalWindowEndsAt *time.Time
	Carrier             string
	TrackingNumber      string
	ExpectedDeliveryAt  *time.Time // the carrier's delivery date, as the seller gave it
	AuthorizedAt        *time.Time
	ShippedAt           *time.Time
	DeliveredAt         *time.Time
	ConfirmedAt         *time.Time
	Problem             string
	Resolution          string
	DisputedAt          *time.Time
	Outcome             string
	Version             int
	CreatedAt           time.Time
	UpdatedAt           time.Time
	EndedAt             *time.Time

	// Read with the order, for showing it.
	ListingPublicID string
	AnimalPublicID  string
	AnimalName      string
	SpeciesKey      string
	GeneticsText    string
	Title           string
	ListedBy        uuid.UUID // who listed the animal
	SellerPublicID  string
	SellerName      string
	BuyerPublicID   string
	BuyerName       string
	BuyerUserPublic string
	SellerAccountID string // the seller's Stripe account, when the tenant may read it
}

// OrderEntry is one line of an order's timeline.
type OrderEntry struct {
	Kind          string
	ActorPublicID string
	Detail        string
	At            time.Time
}

// Errors of placing an order, as the database refuses it.
var (
	// ErrListingNotForSale is a listing withdrawn or sold (or not visible).
	ErrListingNotForSale = errors.New("listing is not for sale")
	// ErrListingReserved is a listing another order holds.
	ErrListingReserved = errors.New("listing is reserved by another order")
	// ErrOrderEnded is a change to an order that has ended.
	ErrOrderEnded = errors.New("order has ended")
)

const orderSelect = `SELECT o.id, o.public_id, o.listing_id, o.org_id, o.buyer_org_id, o.buyer_user_id, o.animal_id,
		o.amount, o.currency, o.platform_fee, o.status::text, o.ships_within_days, o.live_arrival_hours, o.ship_to,
		coalesce(o.payment_intent_id, ''), coalesce(o.payment_client_secret, ''), coalesce(o.charge_id, ''),
		o.payment_due_at, o.ship_by, o.arrival_window_ends_at, coalesce(o.carrier, ''), coalesce(o.tracking_number, ''),
		o.expected_delivery_at,
		o.authorized_at, o.shipped_at, o.delivered_at, o.confirmed_at, coalesce(o.problem, ''), coalesce(o.resolution, ''),
		o.disputed_at, coalesce(o.outcome, ''), o.version, o.created_at, o.updated_at, o.ended_at,
		l.public_id, l.animal_public_id, l.animal_name, l.species_key, l.genetics_text, l.title, l.created_by,
		so.public_id, so.name, bo.public_id, bo.name, bu.public_id, coalesce(sa.stripe_account_id, '')
	FROM orders o
	JOIN order_listing l ON l.id = o.listing_id
	JOIN organization_name so ON so.id = o.org_id
	JOIN organization_name bo ON bo.id = o.buyer_org_id
	JOIN users bu ON bu.id = o.buyer_user_id
	LEFT JOIN seller_accounts sa ON sa.org_id = o.org_id`

func scanOrder(row pgx.Row) (Order, error) {
	var o Order
	err := row.Scan(&o.ID, &o.PublicID, &o.ListingID, &o.OrgID, &o.BuyerOrgID, &o.BuyerUserID, &o.AnimalID,
		&o.Amount, &o.Currency, &o.PlatformFee, &o.Status, &o.ShipsWithinDays, &o.LiveArrivalHours, &o.ShipTo,
		&o.PaymentIntentID, &o.PaymentClientSecret, &o.ChargeID,
		&o.PaymentDueAt, &o.ShipBy, &o.ArrivalWindowEndsAt, &o.Carrier, &o.TrackingNumber,
		&o.ExpectedDeliveryAt,
		&o.AuthorizedAt, &o.ShippedAt, &o.DeliveredAt, &o.ConfirmedAt, &o.Problem, &o.Resolution,
		&o.DisputedAt, &o.Outcome, &o.Version, &o.CreatedAt, &o.UpdatedAt, &o.EndedAt,
		&o.ListingPublicID, &o.AnimalPublicID, &o.AnimalName, &o.SpeciesKey, &o.GeneticsText, &o.Title, &o.ListedBy,
		&o.SellerPublicID, &o.SellerName, &o.BuyerPublicID, &o.BuyerName, &o.BuyerUserPublic, &o.SellerAccountID)
	return o, notFound(err)
}

// InsertOrder places an order in the buyer's tenant. The database checks that the listing is
// open, unreserved and the seller's, that the order copies its price and terms, and reserves
// it: a listing no longer for sale is ErrListingNotForSale, one another order holds
// ErrListingReserved.
func InsertOrder(ctx context.Context, tx pgx.Tx, o Order) (Order, error) {
	_, err := tx.Exec(ctx, `INSERT INTO orders (id, public_id, listing_id, org_id, buyer_org_id, buyer_user_id, animal_id,
			amount, currency, platform_fee, ships_within_days, live_arrival_hours, ship_to, payment_due_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		o.ID, o.PublicID, o.ListingID, o.OrgID, o.BuyerOrgID, o.BuyerUserID, o.AnimalID,
		o.Amount, o.Currency, o.PlatformFee, o.ShipsWithinDays, o.LiveArrivalHours, o.ShipTo, o.PaymentDueAt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.ConstraintName {
		case "order_listing_open":
			return Order{}, ErrListingNotForSale
		case "order_listing_reserved", "orders_open_listing_key":
			return Order{}, ErrListingReserved
		}
	}
	if err != nil {
		return Order{}, fmt.Errorf("insert order: %w", err)
	}
	if err := AppendOrderEntry(ctx, tx, o.ID, "placed", &o.BuyerUserID, ""); err != nil {
		return Order{}, err
	}
	return OrderByID(ctx, tx, o.ID)
}

// OrderByID reads an order the tenant is a party to.
func OrderByID(ctx context.Context, q Querier, id uuid.UUID) (Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, orderSelect+` WHERE o.id = $1`, id))
	if err != nil {
		return Order{}, fmt.Errorf("read order %s: %w", id, err)
	}
	return o, nil
}

// OrderByPublicID reads an order the tenant is a party to.
func OrderByPublicID(ctx context.Context, q Querier, publicID string) (Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, orderSelect+` WHERE o.public_id = $1`, publicID))
	if err != nil {
		return Order{}, fmt.Errorf("read order %s: %w", publicID, err)
	}
	return o, nil
}

// OrderSide is which side of its orders an organization lists.
type OrderSide string

// The sides.
const (
	Buying  OrderSide = "buying"
	Selling OrderSide = "selling"
)

// Orders lists the tenant's orders on one side, newest first, after the order afterPublicID
// (empty: from the start), at most limit.
func Orders(ctx context.Context, q Querier, orgID uuid.UUID, side OrderSide, afterPublicID string, limit int) ([]Order, error) {
	column := "o.buyer_org_id"
	if side == Selling {
		column = "o.org_id"
	}
	rows, err := q.Query(ctx, orderSelect+` WHERE `+column+` = $1
			AND ($2 = '' OR (o.created_at, o.id) < (SELECT created_at, id FROM orders WHERE public_id = $2))
		ORDER BY o.created_at DESC, o.id DESC LIMIT $3`, orgID, afterPublicID, limit)
	if err != nil {
		return nil, fmt.Errorf("list %s orders: %w", side, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Order, error) { return scanOrder(r) })
}

// OrderStage is what the sale records as an order reaches a stage: the new status (empty:
// unchanged), the fields that stage sets (zero: unchanged), and the timeline entry.
type OrderStage struct {
	Status              string
	PaymentIntentID     string
	PaymentClientSecret string
	ChargeID            string
	ShipBy              *time.Time
	ArrivalWindowEndsAt *time.Time
	Carrier             string
	TrackingNumber      string
	ExpectedDelivery    *time.Time
	AuthorizedAt        *time.Time
	ShippedAt           *time.Time
	DeliveredAt         *time.Time
	ConfirmedAt         *time.Time
	Problem             string
	Resolution          string
	Outcome             string
	// The timeline entry: kind (empty: none), who (nil: the platform) and what.
	Kind   string
	Actor  *uuid.UUID
	Detail string
}

// AdvanceOrder records a stage of an order, once: run again with the same stage it changes
// nothing (the timeline keeps one entry per kind and detail). An order that has ended takes
// no other status (ErrOrderEnded); its timeline may still grow.
func AdvanceOrder(ctx context.Context, tx pgx.Tx, orderID uuid.UUID, s OrderStage) error {
	var status string
	if err := tx.QueryRow(ctx, `SELECT status::text FROM orders WHERE id = $1 FOR UPDATE`, orderID).Scan(&status); err != nil {
		return fmt.Errorf("lock order %s: %w", orderID, notFound(err))
	}
	if s.Status != "" && s.Status != status && !OrderOpen(status) {
		return fmt.Errorf("%w: %s cannot become %s", ErrOrderEnded, status, s.Status)
	}
	_, err := tx.Exec(ctx, `UPDATE orders SET
			status = coalesce(nullif($2, '')::order_status, status),
			payment_intent_id = coalesce(nullif($3, ''), payment_intent_id),
			payment_client_secret = coalesce(nullif($4, ''), payment_client_secret),
			charge_id = coalesce(nullif($5, ''), charge_id),
			ship_by = coalesce($6, ship_by),
			arrival_window_ends_at = coalesce($7, arrival_window_ends_at),
			carrier = coalesce(nullif($8, ''), carrier),
			tracking_number = coalesce(nullif($9, ''), tracking_number),
			authorized_at = coalesce(authorized_at, $10),
			shipped_at = coalesce(shipped_at, $11),
			delivered_at = coalesce(delivered_at, $12),
			confirmed_at = coalesce(confirmed_at, $13),
			problem = coalesce(nullif($14, ''), problem),
			resolution = coalesce(nullif($15, ''), resolution),
			outcome = coalesce(nullif($16, ''), outcome),
			expected_delivery_at = coalesce($17, expected_delivery_at),
			ended_at = CASE WHEN order_status_open(coalesce(nullif($2, '')::order_status, status)) THEN NULL
			                ELSE coalesce(ended_at, now()) END,
			version = version + 1, updated_at = now()
		WHERE id = $1`, orderID, s.Status, s.PaymentIntentID, s.PaymentClientSecret, s.ChargeID, s.ShipBy,
		s.ArrivalWindowEndsAt, s.Carrier, s.TrackingNumber, s.AuthorizedAt, s.ShippedAt, s.DeliveredAt, s.ConfirmedAt,
		s.Problem, s.Resolution, s.Outcome, s.ExpectedDelivery)
	if err != nil {
		return fmt.Errorf("advance order %s to %s: %w", orderID, s.Status, err)
	}
	if s.Kind == "" {
		return nil
	}
	return AppendOrderEntry(ctx, tx, orderID, s.Kind, s.Actor, s.Detail)
}

// AppendOrderEntry adds an entry to an order's timeline, once per kind and detail.
func AppendOrderEntry(ctx context.Context, tx pgx.Tx, orderID uuid.UUID, kind string, actor *uuid.UUID, detail string) error {
	_, err := tx.Exec(ctx, `INSERT INTO order_timeline (order_id, kind, actor_user_id, detail) VALUES ($1, $2, $3, $4)
		ON CONFLICT (order_id, kind, detail) DO NOTHING`, orderID, kind, actor, detail)
	if err != nil {
		return fmt.Errorf("append to order timeline: %w", err)
	}
	return nil
}

// OrderTimeline reads an order's timeline, oldest first.
func OrderTimeline(ctx context.Context, q Querier, orderID uuid.UUID) ([]OrderEntry, error) {
	rows, err := q.Query(ctx, `SELECT e.kind, coalesce(u.public_id, ''), e.detail, e.at
		FROM order_timeline e LEFT JOIN users u ON u.id = e.actor_user_id
		WHERE e.order_id = $1 ORDER BY e.id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read order timeline: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OrderEntry, error) {
		var e OrderEntry
		return e, r.Scan(&e.Kind, &e.ActorPublicID, &e.Detail, &e.At)
	})
}

// OrderParties is an order's ID and its two organizations, read in any tenant: the webhook
// runs before it knows one, with the order named by a Stripe object's metadata
// (order_parties) or by its PaymentIntent (order_of_payment_intent, the first order
// created with it). Nothing else of the order is read.
type OrderParties struct {
	ID, SellerOrgID, BuyerOrgID uuid.UUID
}

// OrderPartiesByID finds an order's parties by its ID.
func OrderPartiesByID(ctx context.Context, q Querier, orderID uuid.UUID) (OrderParties, error) {
	return orderParties(ctx, q, "order_parties", orderID, "order "+orderID.String())
}

// OrderPartiesByPaymentIntent finds the parties of the order a PaymentIntent was created for.
func OrderPartiesByPaymentIntent(ctx context.Context, q Querier, paymentIntentID string) (OrderParties, error) {
	return orderParties(ctx, q, "order_of_payment_intent", paymentIntentID, "the order of payment "+paymentIntentID)
}

// OrderPartiesForAdmin finds an order's parties by its public ID for a platform admin (the
// transaction's acting user), who is no party to it; to anyone else it is ErrNotFound.
func OrderPartiesForAdmin(ctx context.Context, q Querier, publicID string) (OrderParties, error) {
	return orderParties(ctx, q, "order_parties_for_admin", publicID, "order "+publicID+" for a platform admin")
}

// orderParties reads an order's parties through fn, one of the functions that answer them
// (id, org_id, buyer_org_id) outside the order's tenants.
func orderParties(ctx context.Context, q Querier, fn string, arg any, what string) (OrderParties, error) {
	var p OrderParties
	err := q.QueryRow(ctx, `SELECT id, org_id, buyer_org_id FROM `+fn+`($1)`, arg).Scan(&p.ID, &p.SellerOrgID, &p.BuyerOrgID)
	if err != nil {
		return OrderParties{}, fmt.Errorf("find %s: %w", what, notFound(err))
	}
	return p, nil
}

// SellAnimal moves the animal of a paid order to the buyer, through the transfers' move,
// acting for the buyer's organization and the person who ordered. Run again it moves
// nothing and returns false. A move that cannot happen is ErrMoveRefused.
func SellAnimal(ctx context.Context, tx pgx.Tx, orderID uuid.UUID) (bool, error) {
	var moved bool
	err := tx.QueryRow(ctx, `SELECT sell_animal($1)`, orderID).Scan(&moved)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "55000" || pgErr.Code == "42501" || pgErr.Code == "P0002") {
		return false, fmt.Errorf("%w: %s", ErrMoveRefused, pgErr.Message)
	}
	if err != nil {
		return false, fmt.Errorf("sell the animal of order %s: %w", orderID, err)
	}
	return moved, nil
}

// FlagDispute records that the buyer disputed the order's payment with their card issuer,
// once, and answers the order's public ID: empty when it was flagged before.
func FlagDispute(ctx context.Context, tx pgx.Tx, orderID uuid.UUID, detail string) (publicID string, err error) {
	err = tx.QueryRow(ctx, `UPDATE orders SET disputed_at = now(), version = version + 1, updated_at = now()
		WHERE id = $1 AND disputed_at IS NULL RETURNING public_id`, orderID).Scan(&publicID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("flag dispute on order %s: %w", orderID, err)
	}
	return publicID, AppendOrderEntry(ctx, tx, orderID, "disputed", nil, detail)
}

// PlatformAdminIDs lists the platform's administrators, who decide reported problems.
func PlatformAdminIDs(ctx context.Context, q Querier) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, `SELECT a FROM platform_admin_ids() a`)
	if err != nil {
		return nil, fmt.Errorf("list platform admins: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// ListingForOrder is what an order needs of a listing: its terms, whether another order
// holds it, and whether its seller can take payments now.
type ListingForOrder struct {
	ID               uuid.UUID
	OrgID            uuid.UUID
	AnimalID         uuid.UUID
	Status           string
	Reserved         bool
	Price            int64
	Currency         string
	ShipsWithinDays  int
	LiveArrivalHours int
	ShipRegions      []string
	SellerReady      bool
}

// ListingToOrder reads a listing the tenant may see (an active one, or its own) for an order.
func ListingToOrder(ctx context.Context, q Querier, publicID string) (ListingForOrder, error) {
	var l ListingForOrder
	err := q.QueryRow(ctx, `SELECT id, org_id, animal_id, status::text, reserved_by IS NOT NULL, price, currency,
			ships_within_days, live_arrival_hours, ship_regions, seller_can_sell(org_id)
		FROM listings WHERE public_id = $1`, publicID).Scan(&l.ID, &l.OrgID, &l.AnimalID, &l.Status, &l.Reserved,
		&l.Price, &l.Currency, &l.ShipsWithinDays, &l.LiveArrivalHours, &l.ShipRegions, &l.SellerReady)
	if err != nil {
		return ListingForOrder{}, fmt.Errorf("read listing %s: %w", publicID, notFound(err))
	}
	return l, nil
}
