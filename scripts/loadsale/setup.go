package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/store"
)

// market is what the set-up leaves for the timed sales: the sellers and buyers, and one
// listing per sale, each with the seller who listed it and the buyer who will order it.
type market struct {
	sellers, buyers []loadgen.Account
	sales           []saleSpec
}

// saleSpec is one sale to drive: a listing, its seller and its buyer (another organization).
type saleSpec struct {
	listing       string
	seller, buyer loadgen.Account
}

// openMarket registers and verifies the sellers and buyers, gives each seller a seller
// account made ready to sell, and lists c.sales animals, spread over the sellers; sale i is
// bought by buyer i mod c.buyers. Any failure ends the run: the set-up is not measured.
func openMarket(ctx context.Context, api *loadgen.API, admin *pgxpool.Pool, c config, runID string) (market, error) {
	mail := &mailsink.Client{BaseURL: c.mailURL}
	var m market
	for i := range c.sellers + c.buyers {
		role, n := "seller", i+1
		if i >= c.sellers {
			role, n = "buyer", i-c.sellers+1
		}
		name := fmt.Sprintf("Load %s %d %s", strings.ToUpper(role[:1])+role[1:], n, runID)
		a, err := api.Register(ctx, fmt.Sprintf("loadsale-%s%d-%s@example.com", role, n, runID), name)
		if err != nil {
			return market{}, err
		}
		if role == "seller" {
			m.sellers = append(m.sellers, a)
		} else {
			m.buyers = append(m.buyers, a)
		}
	}
	for _, a := range append(append([]loadgen.Account{}, m.sellers...), m.buyers...) {
		if err := api.Verify(ctx, mail, a.Email); err != nil {
			return market{}, err
		}
	}
	for _, s := range m.sellers {
		if err := readySeller(ctx, api, admin, s); err != nil {
			return market{}, err
		}
		// Each seller lists c.sales / c.sellers animals at once; Free allows 3 active listings.
		if err := loadgen.GrantPlan(ctx, c.adminURL, s.OrgID, "business"); err != nil {
			return market{}, err
		}
	}
	listings, err := listAnimals(ctx, api, m.sellers, c, runID)
	if err != nil {
		return market{}, err
	}
	for i, l := range listings {
		m.sales = append(m.sales, saleSpec{listing: l, seller: m.sellers[i%len(m.sellers)], buyer: m.buyers[i%len(m.buyers)]})
	}
	return m, nil
}

// readySeller gives the seller's organization its seller account and makes it able to sell.
//
// In development a seller becomes ready when Stripe reports charges and payouts enabled
// (account.updated), and the API re-reads the account from Stripe rather than trusting the
// event. stripe-mock keeps no state: the account it answers always has charges and payouts
// disabled and requirements past due, so no signed account.updated can make a seller ready
// there. The set-up therefore writes what onboarding would leave — charges and payouts
// enabled, details submitted, nothing due — through the database's admin connection, as the
// end-to-end tests do, and checks that the API then says the organization can sell.
func readySeller(ctx context.Context, api *loadgen.API, admin *pgxpool.Pool, s loadgen.Account) error {
	if err := sellerAccount(ctx, api, s.Token); err != nil {
		return err
	}
	if _, err := store.MarkSellerReadyAsOwner(ctx, admin, s.OrgID); err != nil {
		return fmt.Errorf("ready the seller account of %s: %w", s.Email, err)
	}
	ok, missing, err := sellerCanSell(ctx, api, s.Token)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("seller %s still cannot sell: %s", s.Email, strings.Join(missing, "; "))
	}
	return nil
}

// listAnimals creates and lists c.sales animals, animal i by seller i mod len(sellers), with
// c.createWorkers concurrent clients, and returns the listings' IDs in that order.
func listAnimals(ctx context.Context, api *loadgen.API, sellers []loadgen.Account, c config, runID string) ([]string, error) {
	ids := make([]string, c.sales)
	err := loadgen.ForEach(ctx, len(ids), c.createWorkers, func(ctx context.Context, i int) error {
		s := sellers[i%len(sellers)]
		animal, err := api.CreateAnimal(ctx, s.Token, c.species, runID, i)
		if err == nil {
			ids[i], err = list(ctx, api, s.Token, animal, fmt.Sprintf("loadsale-%s-listing-%d", runID, i))
		}
		if err != nil {
			return fmt.Errorf("listing %d: %w", i+1, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
