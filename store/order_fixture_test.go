package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// fixtureOrder is an order as the schema holds it: a buyer's order of a listed animal.
type fixtureOrder struct {
	ID                  uuid.UUID
	PublicID            string
	ListingID, AnimalID uuid.UUID
	Amount, PlatformFee int64 // minor units of Currency
	Currency            string
}

// placeOrder writes, as the schema owner, a new animal of seller listed for sale by
// sellerUser (active, holding the animal, its snapshot taken) and an order of it placed by
// buyerUser for buyer, with its 'placed' timeline entry: the orders' trigger reserves the
// listing and checks that the order copies its price, currency and terms. Each call lists a
// new animal, so an organization pair can have any number of orders.
func placeOrder(t *testing.T, admin *pgxpool.Pool, sellerUser store.User, seller store.Organization,
	buyerUser store.User, buyer store.Organization, currency string) fixtureOrder {
	t.Helper()
	ctx := context.Background()
	o := fixtureOrder{ID: uuid.New(), PublicID: store.NewPublicID(), ListingID: uuid.New(), AnimalID: uuid.New(),
		Amount: 15000, PlatformFee: 1500, Currency: currency}
	animalPublicID := store.NewPublicID()
	require.NoError(t, pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
		for _, stmt := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO animals (id, public_id, org_id, species_key, sex, name, hatch_date, status, genetics_text)
				VALUES ($1, $2, $3, 'ball-python', 'female', 'Sold Sally', '2024-06-01', 'active', 'Pastel Clown')`,
				[]any{o.AnimalID, animalPublicID, seller.ID}},
			{`INSERT INTO listings (id, public_id, org_id, animal_id, price, currency, title, description,
				ships_within_days, ship_regions, live_arrival_hours, animal_public_id, animal_name, species_key, sex,
				hatch_date, genetics_text, created_by)
				VALUES ($1, $2, $3, $4, $5, $6, 'Pastel Clown female', 'Eating frozen-thawed.', 5, '{US,CA}', 48,
					$7, 'Sold Sally', 'ball-python', 'female', '2024-06-01', 'Pastel Clown', $8)`,
				[]any{o.ListingID, store.NewPublicID(), seller.ID, o.AnimalID, o.Amount, currency, animalPublicID, sellerUser.ID}},
			{`UPDATE animals SET held_by = $1 WHERE id = $2`, []any{o.ListingID, o.AnimalID}},
			{`INSERT INTO orders (id, public_id, listing_id, org_id, buyer_org_id, buyer_user_id, animal_id, amount,
				currency, platform_fee, status, ships_within_days, live_arrival_hours, ship_to, payment_due_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'placed', 5, 48, 'US', now() + interval '30 minutes')`,
				[]any{o.ID, o.PublicID, o.ListingID, seller.ID, buyer.ID, buyerUser.ID, o.AnimalID, o.Amount, currency, o.PlatformFee}},
			{`INSERT INTO order_timeline (order_id, kind, actor_user_id) VALUES ($1, 'placed', $2)`,
				[]any{o.ID, buyerUser.ID}},
		} {
			if _, err := tx.Exec(ctx, stmt.sql, stmt.args...); err != nil {
				return err
			}
		}
		return nil
	}))
	return o
}

func TestPlaceOrder_ReservesItsListingWhichHoldsTheAnimal(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	admin := testkit.AdminPool(t)
	sellerUser, seller := account(t, db, "fixture-seller")
	buyerUser, buyer := account(t, db, "fixture-buyer")
	o := placeOrder(t, admin, sellerUser, seller, buyerUser, buyer, "usd")
	var reservedBy, heldBy uuid.UUID
	require.NoError(t, admin.QueryRow(context.Background(),
		`SELECT l.reserved_by, a.held_by FROM listings l JOIN animals a ON a.id = l.animal_id WHERE l.id = $1`,
		o.ListingID).Scan(&reservedBy, &heldBy))
	require.Equal(t, o.ID, reservedBy, "the order holds the listing")
	require.Equal(t, o.ListingID, heldBy, "the listing holds the animal")

	// A second order of the same listing is refused: one buyer at a time.
	_, err := admin.Exec(context.Background(), `INSERT INTO orders (id, public_id, listing_id, org_id, buyer_org_id,
		buyer_user_id, animal_id, amount, currency, platform_fee, ships_within_days, live_arrival_hours, ship_to, payment_due_at)
		SELECT $1, $2, listing_id, org_id, buyer_org_id, buyer_user_id, animal_id, amount, currency, platform_fee,
			ships_within_days, live_arrival_hours, ship_to, payment_due_at FROM orders WHERE id = $3`,
		uuid.New(), store.NewPublicID(), o.ID)
	require.ErrorContains(t, err, "orders_open_listing_key")
}
