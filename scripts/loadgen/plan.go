package loadgen

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
)

// GrantPlan grants the organization with this public ID the plan planKey as support does
// (billing.Grant), through the database at databaseURL: a load run holds far more animals,
// listings and certificates in one organization than Free allows, and the set-up is not
// what it measures.
func GrantPlan(ctx context.Context, databaseURL, orgPublicID, planKey string) error {
	db, err := store.Open(ctx, databaseURL, 2)
	if err != nil {
		return err
	}
	defer db.Close()
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	if err != nil {
		return fmt.Errorf("river insert client: %w", err)
	}
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		orgID, _, err := store.OrganizationIDByPublicID(ctx, tx, orgPublicID)
		if err != nil {
			return fmt.Errorf("organization %s: %w", orgPublicID, err)
		}
		if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: orgID}); err != nil {
			return err
		}
		_, err = billing.Grant(ctx, tx, &notify.Notifier{River: rc}, orgID, planKey)
		return err
	})
	if err != nil {
		return fmt.Errorf("grant %s the %s plan: %w", orgPublicID, planKey, err)
	}
	return nil
}
