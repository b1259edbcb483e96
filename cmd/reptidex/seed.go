package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
)

// The demo account `reptidex seed` creates and `reptidex dev` prints.
const (
	demoEmail    = "demo@reptidex.local"
	demoPassword = "reptidex-demo-2026"
	demoName     = "Demo Keeper"
	demoOrg      = "Demo Vivarium"
)

// seed creates the demo organization and user unless they exist, and says how to log in.
func (a *app) seed(ctx context.Context, db *store.DB) (string, error) {
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{Logger: a.log.With("component", "river")})
	if err != nil {
		return "", fmt.Errorf("river insert client: %w", err)
	}
	user, org, err := accounts.Register(ctx, db, rc, accounts.NewAccount{
		Email: demoEmail, Password: demoPassword, DisplayName: demoName, OrganizationName: demoOrg,
	}, nil)
	state := "created"
	if errors.Is(err, store.ErrConflict) {
		state = "already there"
		user, org, err = demoAccount(ctx, db)
	}
	if err != nil {
		return "", fmt.Errorf("seed demo account: %w", err)
	}
	// The demo organization is on Business, granted as support grants comp accounts, so that
	// trying things out meets no plan limit.
	err = db.InTenant(ctx, store.Tenant{OrgID: org.ID, UserID: user.ID}, func(tx pgx.Tx) error {
		_, err := billing.Grant(ctx, tx, &notify.Notifier{River: rc}, org.ID, "business")
		return err
	})
	if err != nil {
		return "", fmt.Errorf("grant the demo organization Business: %w", err)
	}
	// In development, Pro and Business can be subscribed to through stripe-mock, which takes
	// any price; elsewhere a platform admin sets the real prices.
	for key, price := range map[string]string{"pro": "price_reptidexdevpro", "business": "price_reptidexdevbusiness"} {
		if a.cfg.Env != "development" {
			break
		}
		if err := store.SetDevelopmentPrice(ctx, db.Pool, key, price); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("demo organization %q (%s) on Business: log in as %s with password %s", demoOrg, state, demoEmail, demoPassword), nil
}

// demoAccount finds the demo user and their organization, seeded before.
func demoAccount(ctx context.Context, db *store.DB) (store.User, store.Organization, error) {
	u, err := store.UserByEmail(ctx, db.Pool, demoEmail)
	if err != nil {
		return store.User{}, store.Organization{}, err
	}
	var org store.Organization
	err = db.InTenant(ctx, store.Tenant{UserID: u.ID}, func(tx pgx.Tx) error {
		orgs, err := store.OrganizationsOfUser(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.Name == demoOrg {
				org, err = store.OrganizationByID(ctx, tx, o.OrgID)
				return err
			}
		}
		return fmt.Errorf("the demo user has no organization named %q", demoOrg)
	})
	return u, org, err
}

func (a *app) runSeed(ctx context.Context) error {
	db, err := a.openDB(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	msg, err := a.seed(ctx, db)
	if err != nil {
		return err
	}
	fmt.Println(msg)
	return nil
}
