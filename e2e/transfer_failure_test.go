package e2e_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// refusedReason is a decline reason Postgres refuses for good: text may not hold a NUL.
const refusedReason = "No room\x00 this season"

// declineWithARefusedReason offers an animal to Bob's organization and has Bob decline it
// with refusedReason, sent straight to the workflow as the API would send it (the API's own
// checks of the text are not what is tried here: whatever reaches the workflow must not
// leave it retrying). It returns the offering person, the animal and the transfer.
func declineWithARefusedReason(t *testing.T, s *system) (ada person, animal, publicID string, transferID uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)
	animal = s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Pebble"})
	publicID = offerTo(t, s, ada, map[string]any{"animal_id": animal, "recipient_organization_id": bob.OrgID})
	s.waitMail(t, bob.Email, "Ada's Reptiles offers you Pebble")

	var adaOrg, bobID, bobOrg uuid.UUID
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT t.id, t.org_id, u.id, o.id FROM transfers t, users u, organizations o
		WHERE t.public_id = $1 AND u.public_id = $2 AND o.public_id = $3`, publicID, bob.UserID, bob.OrgID).
		Scan(&transferID, &adaOrg, &bobID, &bobOrg))
	var in transfer.Input
	require.NoError(t, s.DB.InTenant(ctx, store.Tenant{OrgID: adaOrg}, func(tx pgx.Tx) error {
		tr, err := store.TransferByID(ctx, tx, transferID)
		in = transfer.InputOf(tr, s.Cfg.Notify)
		return err
	}))

	// Retried forever, the decline would never be answered: the wait is bounded.
	answerCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := transfer.Answer(answerCtx, testkit.Temporal(t), s.Cfg.Temporal.TaskQueue, in, transfer.DeclineUpdate, "",
		transfer.DeclineInput{Actor: transfer.Actor{UserID: bobID, OrgID: bobOrg, OrgRoleManages: true}, Reason: refusedReason})
	require.NoError(t, err, "the decline is answered")
	require.Equal(t, transfer.Result{Status: transfer.Declined}, res, "declined, without the reason the database refused")
	return ada, animal, publicID, transferID
}

// A transfer whose ending the database refuses for good (here a decline whose reason holds
// a NUL) ends, on the real dev server and Postgres: the workflow completes instead of
// retrying, the animal is no longer held, and the offering organization edits it and
// offers it again.
func TestTransfer_AnEndingTheDatabaseRefusesReleasesTheAnimal(t *testing.T) {
	t.Parallel()
	s := start(t)
	ctx := context.Background()
	ada, animal, publicID, transferID := declineWithARefusedReason(t, s)

	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var res transfer.Result
	require.NoError(t, testkit.Temporal(t).GetWorkflow(waitCtx, transfer.WorkflowID(transferID), "").Get(waitCtx, &res),
		"the workflow completes")
	require.Equal(t, transfer.Declined, res.Status)

	var held bool
	var status, reason string
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT a.held_by IS NOT NULL, t.status::text, coalesce(t.reason, '')
		FROM transfers t JOIN animals a ON a.id = t.animal_id WHERE t.id = $1`, transferID).Scan(&held, &status, &reason))
	require.False(t, held, "the animal is not held")
	require.Equal(t, "declined", status)
	require.Empty(t, reason)

	view := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/transfers/"+publicID, ada.Token, nil)
	require.Equal(t, []string{"offered", "declined"}, timelineKinds(view))
	entries := view["timeline"].([]any)
	require.Contains(t, entries[1].(map[string]any)["detail"], "could not be recorded")
	s.waitMail(t, ada.Email, "The transfer of Pebble was declined")

	// The offering organization has its animal back: it edits it, offers it again and
	// cancels that offer.
	s.must(t, http.StatusOK, http.MethodPatch, "/api/v1/animals/"+animal, ada.Token, map[string]any{"name": "Pebble II"}, "If-Match", "*")
	carol := s.register(t, "Carol", false)
	again := offerTo(t, s, ada, map[string]any{"animal_id": animal, "recipient_organization_id": carol.OrgID})
	cancelled := s.must(t, http.StatusOK, http.MethodPost, "/api/v1/transfers/"+again+"/cancel", ada.Token, nil)
	require.Equal(t, "cancelled", cancelled["status"])
}
