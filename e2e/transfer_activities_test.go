package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/activities"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// standingOffer is an offer made over HTTP whose workflow no worker runs (its task queue is
// its own), so that a test plays the workflow's part and calls its activities itself.
type standingOffer struct {
	act        *activities.Database
	publicID   string
	transferID uuid.UUID
	fromOrg    uuid.UUID // the offering organization
	offeredBy  uuid.UUID
	bob        uuid.UUID // the recipient, and his organization
	bobOrg     uuid.UUID
}

func offerWithoutWorker(t *testing.T) *standingOffer {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.Auth.RatePerMinute, cfg.Auth.RateBurst = 100000, 100000
	cfg.Temporal.TaskQueue += "-noworker-" + uuid.NewString()[:8]
	s := serveAPI(t, cfg)
	rc, err := river.NewClient(riverpgxv5.New(s.DB.Pool), &river.Config{Logger: testkit.Logger(t)})
	require.NoError(t, err)
	// Unverified: no worker sends the verification emails. Ada's address is verified as its
	// link would, for her organization to make offers.
	ada, bob := s.register(t, "Ada", false), s.register(t, "Bob", false)
	_, err = testkit.AdminPool(t).Exec(context.Background(), `UPDATE users SET email_verified_at = now() WHERE public_id = $1`, ada.UserID)
	require.NoError(t, err)
	animal := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Pebble"})
	o := &standingOffer{act: &activities.Database{DB: s.DB, River: rc}}
	o.publicID = offerTo(t, s, ada, map[string]any{"animal_id": animal, "recipient_organization_id": bob.OrgID})
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(),
		`SELECT t.id, t.org_id, t.offered_by, u.id, o.id FROM transfers t, users u, organizations o
		WHERE t.public_id = $1 AND u.public_id = $2 AND o.public_id = $3`, o.publicID, bob.UserID, bob.OrgID).
		Scan(&o.transferID, &o.fromOrg, &o.offeredBy, &o.bob, &o.bobOrg))
	return o
}

func (o *standingOffer) finish(status transfer.Status) error {
	f := transfer.FinishInput{TransferID: o.transferID, OrgID: o.fromOrg, Status: status, UserID: o.offeredBy}
	if status == transfer.Accepted {
		f.UserID, f.ToOrgID = o.bob, o.bobOrg
	}
	return o.act.FinishTransfer(context.Background(), f)
}

// count counts the rows of a query over the admin pool.
func count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func (o *standingOffer) events(t *testing.T, typ string) int {
	t.Helper()
	return count(t, `SELECT count(*) FROM events WHERE type = $1 AND aggregate_type = 'transfer' AND aggregate_id = $2`, typ, o.publicID)
}

func requireEndedOtherwise(t *testing.T, err error) {
	t.Helper()
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%v", err)
	require.Equal(t, transfer.ErrTypeEndedOtherwise, appErr.Type())
	require.True(t, appErr.NonRetryable(), "retrying cannot change what the database holds")
}

// Attempts at recording an acceptance that overlap (a retried activity whose first try is
// still running) write its event once; an ending the database does not hold is refused.
func TestFinishTransfer_OverlappingAttemptsRecordTheEndingOnce(t *testing.T) {
	t.Parallel()
	o := offerWithoutWorker(t)
	ctx := context.Background()
	requireEndedOtherwise(t, o.finish(transfer.Accepted)) // nothing has moved yet
	require.NoError(t, o.act.MoveOwnership(ctx, transfer.MoveInput{TransferID: o.transferID, FromOrgID: o.fromOrg,
		ToOrgID: o.bobOrg, UserID: o.bob}))

	// The events table is held while the attempts start, so that each runs as far as it
	// can before any writes: as far as the transfer's lock, or to writing the event.
	admin := testkit.AdminPool(t)
	hold, err := admin.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = hold.Rollback(ctx) }()
	_, err = hold.Exec(ctx, `LOCK TABLE events IN SHARE MODE`)
	require.NoError(t, err)

	const attempts = 8
	var wg sync.WaitGroup
	errs := make(chan error, attempts)
	for range attempts {
		wg.Go(func() { errs <- o.finish(transfer.Accepted) })
	}
	require.Eventually(t, func() bool {
		return count(t, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
			AND (query LIKE '%FROM transfers WHERE id = $1 FOR UPDATE%' OR query LIKE '%INSERT INTO events%')`) >= attempts
	}, 10*time.Second, 10*time.Millisecond, "the attempts line up")
	require.NoError(t, hold.Commit(ctx))
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 1, o.events(t, "transfer.accepted"))

	requireEndedOtherwise(t, o.finish(transfer.Expired))
	require.Zero(t, o.events(t, "transfer.expired"))
	requireEndedOtherwise(t, o.act.FinishTransfer(ctx, transfer.FinishInput{TransferID: o.transferID, OrgID: o.fromOrg,
		Status: transfer.Accepted, UserID: o.bob, ToOrgID: uuid.New()}))
	require.Equal(t, 1, count(t, `SELECT count(*) FROM transfers WHERE id = $1 AND status = 'accepted'`, o.transferID))
}

// Every ending marks the offer acted on; once the transfer has ended its timeline takes no
// more notes, and another ending is refused.
func TestFinishTransfer_CancelMarksTheOfferActedOnAndClosesTheTimeline(t *testing.T) {
	t.Parallel()
	o := offerWithoutWorker(t)
	ctx := context.Background()
	offerID, err := o.act.RecordNotification(ctx, notify.Request{DedupKey: "transfer/" + o.transferID.String() + "/offer/" + o.bob.String(),
		Type: "transfer.offered", OrgID: o.fromOrg, UserID: o.bob, Title: "Ada's Reptiles offers you Pebble"})
	require.NoError(t, err)
	note := func(kind string) error {
		return o.act.NoteTransfer(ctx, transfer.NoteInput{TransferID: o.transferID, OrgID: o.fromOrg, Kind: kind, Detail: kind})
	}
	timeline := func() []string {
		rows, err := testkit.AdminPool(t).Query(ctx, `SELECT kind FROM transfer_timeline WHERE transfer_id = $1 ORDER BY id`, o.transferID)
		require.NoError(t, err)
		var kinds []string
		for rows.Next() {
			var k string
			require.NoError(t, rows.Scan(&k))
			kinds = append(kinds, k)
		}
		require.NoError(t, rows.Err())
		return kinds
	}

	require.NoError(t, note("reminded"))
	require.NoError(t, note("reminded"), "a note is written once")
	require.NoError(t, o.finish(transfer.Cancelled))
	require.NoError(t, o.finish(transfer.Cancelled), "run again, it changes nothing")
	require.NoError(t, note("late"))
	require.Equal(t, []string{"offered", "reminded", "cancelled"}, timeline())
	require.Equal(t, 1, o.events(t, "transfer.cancelled"))
	require.Equal(t, 1, count(t, `SELECT count(*) FROM notifications WHERE id = $1 AND actioned_at IS NOT NULL`, offerID),
		"the cancelled offer no longer asks for an action")

	requireEndedOtherwise(t, o.finish(transfer.Expired))
	requireEndedOtherwise(t, o.finish(transfer.Accepted))
}

// An account whose email address is not verified is not who an offer to that address is
// for: the offer goes to the address alone, never to the account's inbox.
func TestTransfer_OfferToAnUnverifiedAccountsAddressGoesToTheAddressAlone(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", false)
	animal := s.animal(t, ada.Token, map[string]any{"species": "corn-snake", "sex": "female", "name": "Clover"})
	id := offerTo(t, s, ada, map[string]any{"animal_id": animal, "recipient_email": bob.Email})
	s.waitMail(t, bob.Email, "Ada's Reptiles offers you Clover")

	offers := `SELECT count(*) FROM notifications n JOIN transfers t ON n.dedup_key LIKE 'transfer/' || t.id || '/offer/%'
		WHERE t.public_id = $1`
	require.Equal(t, 1, count(t, offers+` AND n.user_id IS NULL AND lower(n.email) = lower($2)`, id, bob.Email))
	require.Zero(t, count(t, offers+` AND n.user_id IS NOT NULL`, id))
	inbox := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/notifications", bob.Token, nil)
	require.NotContains(t, string(mustJSON(t, inbox)), `"type":"transfer.offered"`)
}

// A reason Postgres refuses fails the finish for good (not retried), and the release that
// follows ends the transfer as asked without it, once: the animal is no longer held.
func TestReleaseTransfer_EndsWhatTheFinishCouldNotRecord(t *testing.T) {
	t.Parallel()
	o := offerWithoutWorker(t)
	ctx := context.Background()
	err := o.act.FinishTransfer(ctx, transfer.FinishInput{TransferID: o.transferID, OrgID: o.fromOrg,
		Status: transfer.Declined, Reason: "No room\x00", UserID: o.bob})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, activities.ErrTypeInvalidData, appErr.Type())
	require.True(t, appErr.NonRetryable(), "retrying cannot store a NUL")
	require.Equal(t, 1, count(t, `SELECT count(*) FROM animals a JOIN transfers t ON t.animal_id = a.id
		WHERE t.id = $1 AND a.held_by = t.id AND t.status = 'offered'`, o.transferID), "nothing was written")

	require.ErrorAs(t, o.act.ReleaseTransfer(ctx, transfer.ReleaseInput{TransferID: o.transferID, OrgID: o.fromOrg,
		Status: transfer.Accepted}), &appErr, "an acceptance is never released")
	release := transfer.ReleaseInput{TransferID: o.transferID, OrgID: o.fromOrg, Status: transfer.Declined, UserID: o.bob}
	require.NoError(t, o.act.ReleaseTransfer(ctx, release))
	require.NoError(t, o.act.ReleaseTransfer(ctx, release), "run again, it changes nothing")
	require.Equal(t, 1, count(t, `SELECT count(*) FROM animals a JOIN transfers t ON t.animal_id = a.id
		WHERE t.id = $1 AND a.held_by IS NULL AND t.status = 'declined' AND t.reason IS NULL AND t.ended_by = $2`, o.transferID, o.bob))
	require.Equal(t, 1, o.events(t, "transfer.declined"))
	require.Equal(t, 1, count(t, `SELECT count(*) FROM transfer_timeline WHERE transfer_id = $1 AND kind = 'declined'
		AND detail LIKE '%could not be recorded%'`, o.transferID))
	requireEndedOtherwise(t, o.finish(transfer.Cancelled))
}
