package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// heldOffer records an open offer of a new animal, expiring at expires, with no workflow.
func heldOffer(t *testing.T, db *store.DB, u store.User, o store.Organization, expires time.Time) (store.Transfer, uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	animal := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: "ball-python", Sex: genetics.Male,
		Status: "active", Visibility: "organization", GeneticsText: "Normal"}
	var tr store.Transfer
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		if err := store.InsertAnimal(ctx, tx, animal); err != nil {
			return err
		}
		var err error
		tr, err = store.InsertTransfer(ctx, tx, store.Transfer{ID: uuid.New(), PublicID: store.NewPublicID(), AnimalID: animal.ID,
			AnimalPublicID: animal.PublicID, SpeciesKey: "ball-python", OfferedBy: u.ID, RecipientEmail: "someone@example.com",
			ExpiresAt: expires})
		if err != nil {
			return err
		}
		return store.HoldAnimal(ctx, tx, animal.ID, tr.ID)
	}))
	return tr, animal.ID
}

// A transfer whose workflow is gone (never started, terminated, failed) is ended by the
// sweep once well past its expiry, and its animal released; others are left alone.
func TestSweepTransfers_EndsOverdueTransfersWithoutAWorkflow(t *testing.T) {
	t.Parallel()
	_, db := setup(t)
	u, o := organizationWithoutOnboarding(t, db)
	overdue, overdueAnimal := heldOffer(t, db, u, o, time.Now().Add(-jobs.SweepGrace-time.Minute))
	open, openAnimal := heldOffer(t, db, u, o, time.Now().Add(time.Hour))

	w := &jobs.SweepTransfersWorker{DB: db, Temporal: testkit.Temporal(t)}
	require.NoError(t, w.Work(context.Background(), &river.Job[jobs.SweepTransfersArgs]{}))
	require.NoError(t, w.Work(context.Background(), &river.Job[jobs.SweepTransfersArgs]{}), "sweeping again changes nothing")

	admin := testkit.AdminPool(t)
	state := func(transferID, animalID uuid.UUID) (status string, held bool) {
		require.NoError(t, admin.QueryRow(context.Background(), `SELECT t.status::text, a.held_by IS NOT NULL
			FROM transfers t JOIN animals a ON a.id = $2 WHERE t.id = $1`, transferID, animalID).Scan(&status, &held))
		return status, held
	}
	status, held := state(overdue.ID, overdueAnimal)
	require.Equal(t, "expired", status)
	require.False(t, held, "the animal is released")
	status, held = state(open.ID, openAnimal)
	require.Equal(t, "offered", status)
	require.True(t, held)
	var events int
	require.NoError(t, admin.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE type = 'transfer.expired' AND aggregate_id = $1`,
		overdue.PublicID).Scan(&events))
	require.Equal(t, 1, events)
}
