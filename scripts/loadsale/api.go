package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/reptidex/reptidex/scripts/loadgen"
)

// sellerAccount gives the token's organization its Stripe Connect account (stripe-mock's).
func sellerAccount(ctx context.Context, api *loadgen.API, token string) error {
	return api.Expect(ctx, http.StatusCreated, nil, http.MethodPost, "/api/v1/marketplace/seller-account", token,
		map[string]string{"country": "US"})
}

// sellerCanSell reads whether the token's organization can sell, and what it misses.
func sellerCanSell(ctx context.Context, api *loadgen.API, token string) (bool, []string, error) {
	var out struct {
		CanSell bool     `json:"can_sell"`
		Missing []string `json:"missing"`
	}
	err := api.Expect(ctx, http.StatusOK, &out, http.MethodGet, "/api/v1/marketplace/seller-account", token, nil)
	return out.CanSell, out.Missing, err
}

// listing is what every listing of a run sells for, and where to.
const (
	price    = 25_000
	currency = "usd"
	shipTo   = "US"
)

// list puts the animal up for sale at price, shipping to shipTo, and returns the listing's ID.
func list(ctx context.Context, api *loadgen.API, token, animal, key string) (string, error) {
	var out loadgen.CreatedID
	err := api.Expect(ctx, http.StatusCreated, &out, http.MethodPost, "/api/v1/marketplace/listings", token, map[string]any{
		"animal_id": animal, "price": map[string]any{"amount": price, "currency": currency}, "title": "Load sale " + key,
		"shipping": map[string]any{"ships_within_days": 3, "regions": []string{shipTo}}, "live_arrival_hours": 48,
	}, "Idempotency-Key", key)
	if err == nil && out.ID == "" {
		err = fmt.Errorf("list animal %s: no id in the answer", animal)
	}
	return out.ID, err
}

// order is what the driver reads of an order.
type order struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Payment *struct {
		PaymentIntentID string `json:"payment_intent_id"`
	} `json:"payment"`
}

// paymentIntent is the order's PaymentIntent, or "" while the sale has not asked for payment.
func (o order) paymentIntent() string {
	if o.Payment == nil {
		return ""
	}
	return o.Payment.PaymentIntentID
}
