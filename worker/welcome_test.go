package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// An owner whose mailbox the server refuses for good is not retried: the welcome job is
// cancelled after one attempt and the organization stays unwelcomed.
func TestWelcomeEmail_PermanentRefusalCancelsTheJob(t *testing.T) {
	t.Parallel()
	w, db := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	u := store.User{ID: uuid.New(), PublicID: store.NewPublicID(), Email: "gone-" + uuid.NewString()[:8] + "@" + mailsink.RejectedDomain, DisplayName: "Gone", PasswordHash: "x"}
	o := store.Organization{ID: uuid.New(), PublicID: store.NewPublicID(), Name: "Refused Vivarium", CreatedBy: u.ID}
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		if err := store.InsertUser(ctx, tx, u); err != nil {
			return err
		}
		if err := store.InsertOrganization(ctx, tx, o); err != nil {
			return err
		}
		return store.InsertMember(ctx, tx, u.ID, membership.Owner)
	}))

	_, err := w.River().Insert(ctx, jobs.WelcomeEmailArgs{OrgID: o.ID}, nil)
	require.NoError(t, err)

	var (
		state   string
		attempt int
		lastErr string
	)
	require.Eventually(t, func() bool {
		err := testkit.AdminPool(t).QueryRow(ctx, `SELECT state, attempt, coalesce(errors[array_length(errors, 1)]->>'error', '')
			FROM river_job WHERE kind = 'welcome_email' AND args->>'org_id' = $1`, o.ID.String()).Scan(&state, &attempt, &lastErr)
		return err == nil && state != "available" && state != "running"
	}, 30*time.Second, 50*time.Millisecond, "welcome job for %s was not worked", o.ID)
	require.Equal(t, "cancelled", state, "last error: %s", lastErr)
	require.Equal(t, 1, attempt)
	require.Contains(t, lastErr, "550")
	require.Nil(t, orgState(t, db, o.ID).WelcomedAt)
}
