package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/transfers"
)

// An offer made outside any request (a job, a test) holds the animal, records its timeline
// and event, and enqueues the job that starts its workflow, all in the caller's transaction.
func TestTransfer_OfferOutsideARequestRecordsEverythingTheRequestDoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := serveAPI(t, testkit.Config(t))
	ada, bob := s.register(t, "Ada", false), s.register(t, "Bob", false)
	animal := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Moss"})
	var orgID, userID uuid.UUID
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT o.id, u.id FROM organizations o, users u
		WHERE o.public_id = $1 AND u.public_id = $2`, ada.OrgID, ada.UserID).Scan(&orgID, &userID))
	rc, err := river.NewClient(riverpgxv5.New(s.DB.Pool), &river.Config{Logger: testkit.Logger(t)})
	require.NoError(t, err)

	var offered store.Transfer
	require.NoError(t, s.DB.InTenant(ctx, store.Tenant{OrgID: orgID, UserID: userID}, func(tx pgx.Tx) error {
		offered, err = transfers.Offer(ctx, tx, rc, transfers.NewOffer{AnimalPublicID: animal, RecipientOrgPublicID: bob.OrgID,
			OfferedBy: userID, OrgID: orgID})
		return err
	}))

	require.Equal(t, "offered", offered.Status)
	require.True(t, offered.ExpiresAt.After(offered.CreatedAt), "the expiry comes from the organization's settings")
	const day = 24 * time.Hour
	require.Equal(t, offered.CreatedAt.Add(14*day), offered.ExpiresAt, "the default expiry, from the offer's own time")
	require.NotNil(t, offered.RemindAt)
	require.Equal(t, offered.CreatedAt.Add(7*day), *offered.RemindAt, "the default reminder, from the offer's own time")
	require.Equal(t, 1, count(t, `SELECT count(*) FROM animals WHERE public_id = $1 AND held_by = $2`, animal, offered.ID))
	require.Equal(t, 1, count(t, `SELECT count(*) FROM transfer_timeline WHERE transfer_id = $1 AND kind = 'offered'`, offered.ID))
	require.Equal(t, 1, count(t, `SELECT count(*) FROM events WHERE type = 'transfer.offered' AND aggregate_id = $1`, offered.PublicID))
	require.Equal(t, 1, count(t, `SELECT count(*) FROM river_job WHERE kind = 'start_transfer' AND args ->> 'transfer_id' = $1`,
		offered.ID.String()))

	err = s.DB.InTenant(ctx, store.Tenant{OrgID: orgID, UserID: userID}, func(tx pgx.Tx) error {
		_, err := transfers.Offer(ctx, tx, rc, transfers.NewOffer{AnimalPublicID: animal, RecipientOrgPublicID: bob.OrgID,
			OfferedBy: userID, OrgID: orgID})
		return err
	})
	require.ErrorIs(t, err, store.ErrOnHold, "a second offer of a held animal")
}
