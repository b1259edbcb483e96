package billing

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// settle moves the organization to the plan its subscription entitles it to.
func settle(ctx context.Context, tx pgx.Tx, org uuid.UUID, cause string) error {
	plan, err := SubscribedPlan(ctx, tx, org)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE organizations SET plan_key = $2 WHERE id = $1`, org, plan)
	_ = cause
	return err
}
