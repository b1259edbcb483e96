package sale_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/process/processtest"
	"github.com/reptidex/reptidex/workflows/sale"
)

// How a Stripe call finally fails: refused by Stripe at its first try, or failing
// (unavailable) for longer than the sale keeps trying a money step (a day).
var stripeFailures = processtest.FinalFailures(
	temporal.NewNonRetryableApplicationError("stripe refused: no such payment_intent", sale.ErrTypeStripeRefused, nil), 24*time.Hour)

// errInvalidData is what activities.Classify makes of a value Postgres refuses.
var errInvalidData = temporal.NewNonRetryableApplicationError(
	`ERROR: invalid byte sequence for encoding "UTF8": 0x00 (SQLSTATE 22021)`, "InvalidData", nil)

// A payment Stripe will not set up fails the order at once; nothing was authorized, so
// nothing is released or recorded.
func TestSale_APaymentThatCannotBeSetUpFailsTheOrder(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, processtest.FinalFailures(stripeFailures[0].Err, 10*time.Minute), func(t *testing.T, fail processtest.FinalFailure) {
		in := input()
		env, f := newEnv(t, in)
		f.authorizeErr = fail.Err
		res := run(t, env, in)

		require.Equal(t, sale.Failed, res.Status)
		require.Zero(t, f.calls["release"])
		require.Equal(t, store.LedgerTotals{Settled: true}, f.totals())
		require.LessOrEqual(t, env.Now().Sub(start), fail.Within+time.Minute)
	})
}

// A capture that finally fails cancels the sale and releases the authorization: the buyer's
// card holds nothing, the listing is free again.
func TestSale_ACaptureThatFinallyFailsReleasesTheAuthorization(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, stripeFailures, func(t *testing.T, fail processtest.FinalFailure) {
		in := input()
		env, f := newEnv(t, in)
		f.captureErr = fail.Err
		var shipErr error
		pay(env, time.Minute, authorized)
		ask(env, time.Hour, sale.ShipUpdate, ship(seller), &shipErr)
		res := run(t, env, in)

		require.NoError(t, shipErr)
		require.Equal(t, sale.Cancelled, res.Status)
		require.Equal(t, store.LedgerTotals{Authorized: 10000, Released: 10000, Settled: true}, f.totals())
		// Refused, it is tried once; unavailable, again and again under the same key (the
		// test environment stops a policy without a limit at ten tries).
		require.Equal(t, min(fail.Tries, 10), f.calls["capture"])
	})
}

// A release that finally fails still ends the sale; the authorization lapses on the card by
// itself, and the platform's admins are told.
func TestSale_AReleaseThatFinallyFailsEndsTheSaleAndTellsTheAdmins(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, stripeFailures, func(t *testing.T, fail processtest.FinalFailure) {
		in := input()
		env, f := newEnv(t, in)
		f.releaseErr = fail.Err
		var cancelErr error
		pay(env, time.Minute, authorized)
		ask(env, time.Hour, sale.CancelUpdate, sale.CancelInput{Actor: seller, Reason: "sold elsewhere"}, &cancelErr)
		res := run(t, env, in)

		require.NoError(t, cancelErr)
		require.Equal(t, sale.Cancelled, res.Status)
		require.Contains(t, res.Outcome, "seller")
		require.True(t, f.alerted("release"), "the admins hear of the authorization left on the card")
	})
}

// A payout that finally fails puts the sale before the admins; undecided, the buyer is
// refunded in full at the end of the decision window and the animal stays.
func TestSale_APayoutThatFinallyFailsGoesToTheAdmins(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, stripeFailures, func(t *testing.T, fail processtest.FinalFailure) {
		in := input()
		env, f := newEnv(t, in)
		f.payoutErr = fail.Err
		var shipErr, confirmErr error
		pay(env, time.Minute, authorized)
		ask(env, time.Hour, sale.ShipUpdate, ship(seller), &shipErr)
		ask(env, 30*time.Hour, sale.ConfirmUpdate, buyer, &confirmErr)
		res := run(t, env, in)

		require.NoError(t, confirmErr)
		require.Equal(t, sale.Refunded, res.Status)
		require.Equal(t, store.LedgerTotals{Authorized: 10000, Captured: 10000, Refunded: 10000, Settled: true}, f.totals())
		require.True(t, f.alerted("settlement"))
		require.Zero(t, f.moves)
	})
}

// A refund in full at the end of the decision window that fails is tried again at the end
// of another window, the admins told each time; the money is never kept.
func TestSale_ARefundThatFailsIsTriedAgainAfterAnotherWindow(t *testing.T) {
	t.Parallel()
	processtest.EachFinalFailure(t, stripeFailures, func(t *testing.T, fail processtest.FinalFailure) {
		in := input()
		env, f := newEnv(t, in)
		// The first settlement fails every try (the test environment stops at ten); the next succeeds.
		f.refundErr, f.refundFails = fail.Err, min(fail.Tries, 10)
		var problemErr error
		pay(env, time.Minute, authorized)
		ask(env, time.Hour, sale.ShipUpdate, ship(seller), new(error))
		ask(env, 30*time.Hour, sale.ProblemUpdate, sale.ProblemInput{Actor: buyer, Reason: "dead on arrival"}, &problemErr)
		res := run(t, env, in)

		require.NoError(t, problemErr)
		require.Equal(t, sale.Refunded, res.Status)
		require.Equal(t, store.LedgerTotals{Authorized: 10000, Captured: 10000, Refunded: 10000, Settled: true}, f.totals())
		require.GreaterOrEqual(t, env.Now().Sub(start), 30*time.Hour+2*in.DecisionWindow, "the second window")
		require.True(t, f.alerted("settlement"))
	})
}

// An ownership move the database refuses completes the sale (the seller was paid) and
// tells the admins, who move the record by hand.
func TestSale_AMoveThatIsRefusedCompletesAndTellsTheAdmins(t *testing.T) {
	t.Parallel()
	in := input()
	env, f := newEnv(t, in)
	f.moveErr = temporal.NewNonRetryableApplicationError("animal of order ord1 is not held by its listing", sale.ErrTypeMoveRefused, nil)
	pay(env, time.Minute, authorized)
	ask(env, time.Hour, sale.ShipUpdate, ship(seller), new(error))
	ask(env, 30*time.Hour, sale.ConfirmUpdate, buyer, new(error))
	res := run(t, env, in)

	require.Equal(t, sale.Completed, res.Status)
	require.False(t, res.Moved)
	require.Contains(t, res.Outcome, "could not move")
	require.True(t, f.totals().Settled)
	require.True(t, f.alerted("move"))
}

// An authorization the ledger refuses to record is released and the order fails.
func TestSale_AnAuthorizationThatCannotBeRecordedIsReleased(t *testing.T) {
	t.Parallel()
	in := input()
	env, f := newEnv(t, in)
	f.recordErr = temporal.NewNonRetryableApplicationError("the ledger refuses", sale.ErrTypeLedgerRefused, nil)
	pay(env, time.Minute, authorized)
	res := run(t, env, in)

	require.Equal(t, sale.Failed, res.Status)
	require.Equal(t, 1, f.calls["release"])
	require.Equal(t, store.LedgerTotals{Settled: true}, f.totals())
}

// Shipping details the database refuses are left out and the stage recorded without them; a
// stage that cannot be recorded at all is passed over and the sale goes on; only its
// ending must be recorded.
func TestSale_AStageThatCannotBeRecordedDoesNotStopTheSale(t *testing.T) {
	t.Parallel()
	in := input()
	env, f := newEnv(t, in)
	f.advanceErr = func(s sale.Stage) error {
		switch {
		case s.Carrier != "":
			return errInvalidData
		case s.Status == sale.Delivered:
			return errInvalidData
		}
		return nil
	}
	pay(env, time.Minute, authorized)
	ask(env, time.Hour, sale.ShipUpdate, sale.ShipInput{Actor: seller, Carrier: "UPS\x00", TrackingNumber: "1Z"}, new(error))
	res := run(t, env, in)

	require.Equal(t, sale.Completed, res.Status)
	var shipped *sale.Stage
	for i := range f.stages {
		if f.stages[i].Status == sale.Shipped {
			shipped = &f.stages[i]
		}
	}
	require.NotNil(t, shipped, "the shipment is recorded without what was refused")
	require.Empty(t, shipped.Carrier)
	require.Equal(t, "the details given could not be recorded", shipped.Detail)
}

// alerted reports whether the admins were told of what.
func (f *fakes) alerted(what string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.notified {
		if r.UserID == admin.UserID && strings.Contains(r.DedupKey, "/alert/"+what+"/") {
			return true
		}
	}
	return false
}

// A sale stopped by the platform (its workflow cancelled) gives back what it holds before it
// ends: before capture the authorization is released, after it the buyer is refunded.
func TestSale_ASaleStoppedByThePlatformGivesBackWhatItHolds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		shipped bool
		want    store.LedgerTotals
		status  sale.Status
	}{
		{"before capture", false, store.LedgerTotals{Authorized: 10000, Released: 10000, Settled: true}, sale.Cancelled},
		{"after capture", true, store.LedgerTotals{Authorized: 10000, Captured: 10000, Refunded: 10000, Settled: true}, sale.Refunded},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := input()
			env, f := newEnv(t, in)
			pay(env, time.Minute, authorized)
			if c.shipped {
				ask(env, time.Hour, sale.ShipUpdate, ship(seller), new(error))
			}
			env.RegisterDelayedCallback(env.CancelWorkflow, 2*time.Hour)
			env.ExecuteWorkflow(sale.WorkflowName, in)

			require.True(t, env.IsWorkflowCompleted())
			require.True(t, temporal.IsCanceledError(env.GetWorkflowError()), "%v", env.GetWorkflowError())
			require.Equal(t, c.want, f.totals())
			require.Equal(t, c.status, f.stages[len(f.stages)-1].Status, "the order's row says how it ended")
		})
	}
}

// Stripe answers a key it refused with the same refusal: after a refused payout, the admins'
// decision pays the seller under a new key, and the money moves once.
func TestSale_ASettlementAfterARefusalTakesNewKeys(t *testing.T) {
	t.Parallel()
	in := input()
	env, f := newEnv(t, in)
	f.payoutErr = stripeFailures[0].Err
	f.payoutFails = 1
	var resolveErr error
	pay(env, time.Minute, authorized)
	ask(env, time.Hour, sale.ShipUpdate, ship(seller), new(error))
	ask(env, 30*time.Hour, sale.ConfirmUpdate, buyer, new(error))
	ask(env, 40*time.Hour, sale.ResolveUpdate, sale.Decision{Actor: admin, RefundAmount: 0, Note: "account fixed"}, &resolveErr)
	res := run(t, env, in)

	require.NoError(t, resolveErr)
	require.Equal(t, sale.Completed, res.Status)
	require.Equal(t, []string{"payout", "payout-1"}, f.payoutSteps)
	require.Equal(t, store.LedgerTotals{Authorized: 10000, Captured: 10000, Transferred: 9500, Fee: 500, Settled: true}, f.totals())
	require.Equal(t, 1, f.moves)
}
