// Package activities holds the Temporal activities of every workflow, grouped by the
// dependency they touch; each is idempotent.
package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/onboarding"
)

// Database holds the activities that change Postgres. Jobs they cause are enqueued in the
// same transaction.
type Database struct {
	DB    *store.DB
	River *river.Client[pgx.Tx]
}

// Provision marks a new organization provisioned, records the event and enqueues the owner's
// welcome email, in one transaction. Run again, it changes nothing and reports so — except
// on a retry of the same activity, whose earlier try may have committed and lost its answer
// (a worker stopping mid-try cancels it): onboarding is the only writer of the mark and runs
// once per organization, so the provisioning found then is this onboarding's own.
func (a *Database) Provision(ctx context.Context, in onboarding.Input) (onboarding.Result, error) {
	var res onboarding.Result
	err := a.inTenant(ctx, store.Tenant{OrgID: in.OrgID}, func(tx pgx.Tx) error {
		org, err := store.OrganizationByID(ctx, tx, in.OrgID)
		if errors.Is(err, store.ErrNotFound) {
			return temporal.NewNonRetryableApplicationError("organization "+in.OrgID.String()+" does not exist", onboarding.ErrTypeNotFound, err)
		}
		if err != nil {
			return err
		}
		if res.Provisioned, err = store.MarkProvisioned(ctx, tx, org.ID); err != nil || !res.Provisioned {
			res.Provisioned = err == nil && retried(ctx)
			return err
		}
		if err := store.AppendEvent(ctx, tx, "organization.provisioned", "organization", org.PublicID, map[string]string{}); err != nil {
			return err
		}
		if _, err := a.River.InsertTx(ctx, tx, jobs.WelcomeEmailArgs{OrgID: org.ID}, nil); err != nil {
			return fmt.Errorf("enqueue welcome email: %w", err)
		}
		return nil
	})
	return res, err
}

// retried reports whether ctx is an activity's second or later try.
func retried(ctx context.Context) bool {
	return activity.IsActivity(ctx) && activity.GetInfo(ctx).Attempt > 1
}
