package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/reptidex/reptidex/accounts"
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
	_, _, err = accounts.Register(ctx, db, rc, accounts.NewAccount{
		Email: demoEmail, Password: demoPassword, DisplayName: demoName, OrganizationName: demoOrg,
	}, nil)
	state := "created"
	if errors.Is(err, store.ErrConflict) {
		state, err = "already there", nil
	}
	if err != nil {
		return "", fmt.Errorf("seed demo account: %w", err)
	}
	return fmt.Sprintf("demo organization %q (%s): log in as %s with password %s", demoOrg, state, demoEmail, demoPassword), nil
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
