package transfer_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/workflows/process/processtest"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// errInvalidData is what activities.Classify makes of a value Postgres refuses, such as a
// reason holding a NUL.
var errInvalidData = temporal.NewNonRetryableApplicationError(
	`end transfer: ERROR: invalid byte sequence for encoding "UTF8": 0x00 (SQLSTATE 22021)`, "InvalidData", nil)

// How an activity finally fails: refused for good at its first try, or failing (retryable)
// for longer than the workflow keeps trying (an hour).
var finalFailures = processtest.FinalFailures(errInvalidData, time.Hour)

// A decline, cancel or expiry the database cannot record as given is released: the
// transfer ends as asked, without the reason, its animal no longer held, and the answer
// and both sides are told so — the workflow neither retries forever nor fails.
func TestTransfer_AnEndingThatCannotBeRecordedIsReleased(t *testing.T) {
	t.Parallel()
	endings := []struct {
		name string
		at   time.Duration
		// end sends the update that ends the transfer, if one does.
		end  func(env *testsuite.TestWorkflowEnvironment, at time.Duration) *outcome
		want transfer.Status
		by   uuid.UUID
	}{
		{"declined with a reason", 8 * day, func(env *testsuite.TestWorkflowEnvironment, at time.Duration) *outcome {
			return update(env, at, transfer.DeclineUpdate, transfer.DeclineInput{Actor: buyer, Reason: "No room\x00 this season"})
		}, transfer.Declined, buyer.UserID},
		{"cancelled", time.Hour, func(env *testsuite.TestWorkflowEnvironment, at time.Duration) *outcome {
			return update(env, at, transfer.CancelUpdate, sellerAdmin)
		}, transfer.Cancelled, sellerAdmin.UserID},
		{"expired", 14 * day, nil, transfer.Expired, uuid.Nil},
	}
	for _, e := range endings {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			processtest.EachFinalFailure(t, finalFailures, func(t *testing.T, fail processtest.FinalFailure) {
				env, f := newEnv(t)
				f.finishErr = func(transfer.FinishInput) error { return fail.Err }
				var answer *outcome
				if e.end != nil {
					answer = e.end(env, e.at)
				}
				in := offer()
				env.ExecuteWorkflow(transfer.WorkflowName, in)

				require.Equal(t, transfer.Result{Status: e.want}, result(t, env), "ended as asked, without the reason")
				require.Empty(t, f.finishes, "the ending was never recorded as given")
				require.Equal(t, []transfer.ReleaseInput{{TransferID: in.TransferID, OrgID: seller, Status: e.want, UserID: e.by}}, f.releases)
				require.GreaterOrEqual(t, f.released, e.at)
				require.LessOrEqual(t, f.released, e.at+fail.Within, "released once the ending was given up")
				if answer != nil {
					require.True(t, answer.done)
					require.NoError(t, answer.rejected)
					require.NoError(t, answer.err)
					require.Equal(t, transfer.Result{Status: e.want}, answer.result)
				}
				outcomes := f.recordsOf("transfer.outcome")
				require.Len(t, outcomes, 2, "both sides hear how it ended")
				for _, o := range outcomes {
					require.NotContains(t, o.Body, "No room", "nothing the database refused is sent on")
				}
			})
		})
	}
}

// An ending whose release fails too fails the workflow, within the bounds of both tries:
// the offer's expiry sweep ends the transfer once it is past its expiry.
func TestTransfer_AnEndingWhoseReleaseFailsTooFailsTheWorkflow(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, finalFailures, func(t *testing.T, fail processtest.FinalFailure) {
		env, f := newEnv(t)
		f.finishErr = func(transfer.FinishInput) error { return fail.Err }
		f.releaseErr = fail.Err
		decline := update(env, 8*day, transfer.DeclineUpdate, transfer.DeclineInput{Actor: buyer, Reason: "No room\x00"})
		env.ExecuteWorkflow(transfer.WorkflowName, offer())
		require.True(t, env.IsWorkflowCompleted())
		require.Error(t, env.GetWorkflowError())
		require.True(t, decline.done)
		require.Error(t, decline.err, "the answer is told it did not go through")
		require.LessOrEqual(t, decline.at, 8*day+2*fail.Within, "the finish and the release were each given up in time")
		require.Empty(t, f.recordsOf("transfer.outcome"), "what did not happen is not announced")
	})
}

// Recipients that cannot be looked up leave the offer standing without telling anyone:
// it can still be answered or cancelled, and it expires on time.
func TestTransfer_RecipientsThatCannotBeFoundLeaveTheOfferStanding(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, finalFailures, func(t *testing.T, fail processtest.FinalFailure) {
		env, f := newEnv(t)
		f.recipientsErr = fail.Err
		env.ExecuteWorkflow(transfer.WorkflowName, offer())
		require.Equal(t, transfer.Expired, result(t, env).Status)
		require.Empty(t, f.recordsOf("transfer.offered"))
		require.Empty(t, f.recordsOf("transfer.reminder"))
		require.Len(t, f.finishes, 1, "the expiry released the animal")
		require.Len(t, f.recordsOf("transfer.outcome"), 1, "the offering side hears how it ended")
	})
	t.Run("and the recipient can still answer", func(t *testing.T) {
		t.Parallel()
		env, f := newEnv(t)
		f.recipientsErr = errInvalidData
		decline := update(env, time.Hour, transfer.DeclineUpdate, transfer.DeclineInput{Actor: buyer, Reason: "No room"})
		env.ExecuteWorkflow(transfer.WorkflowName, offer())
		require.Equal(t, transfer.Declined, result(t, env).Status)
		require.NoError(t, decline.err)
	})
}

// A reminder that cannot be noted on the timeline does not stop the transfer.
func TestTransfer_AReminderThatCannotBeNotedDoesNotStopTheTransfer(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, finalFailures, func(t *testing.T, fail processtest.FinalFailure) {
		env, f := newEnv(t)
		f.noteErr = fail.Err
		env.ExecuteWorkflow(transfer.WorkflowName, offer())
		require.Equal(t, transfer.Expired, result(t, env).Status)
		require.Len(t, f.recordsOf("transfer.reminder"), 1)
		require.Empty(t, f.notes)
		require.Equal(t, 14*day, f.tried["transfer.outcome"], "the offer expired on time")
	})
}
