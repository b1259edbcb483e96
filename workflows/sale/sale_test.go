package sale_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/sale"
)

var (
	start  = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	seller = sale.Actor{UserID: uuid.New(), OrgID: uuid.New(), Manages: true}
	buyer  = sale.Actor{UserID: uuid.New(), OrgID: uuid.New(), Manages: true}
	admin  = sale.Actor{UserID: uuid.New(), OrgID: uuid.New(), PlatformAdmin: true}
)

func input() sale.Input {
	return sale.Input{OrderID: uuid.New(), PublicID: "ord1", ListingID: uuid.New(), SellerOrgID: seller.OrgID,
		SellerName: "Scales & Tails", SellerUserID: seller.UserID, SellerAccount: "acct_seller", BuyerOrgID: buyer.OrgID,
		BuyerUserID: buyer.UserID, BuyerName: "Buyer Ranch", AnimalID: uuid.New(), AnimalName: "Banana Clown",
		Amount: 10000, Currency: "usd", PlatformFee: 500, ShipsWithinDays: 3, LiveArrivalHours: 48, PlacedAt: start,
		PaymentDueAt: start.Add(30 * time.Minute), AuthorizationWindow: 6 * 24 * time.Hour, DeliveryWait: 10 * 24 * time.Hour,
		DecisionWindow: 14 * 24 * time.Hour, AdminReminderEvery: 24 * time.Hour, EmailAfter: time.Hour, SMSAfter: 24 * time.Hour}
}

// fakes stands in for Stripe and the database. Its ledger holds the database's invariants,
// and it counts the Stripe calls by idempotency key, as Stripe would see them.
type fakes struct {
	mu       sync.Mutex
	in       sale.Input
	calls    map[string]int // Stripe call (step) → times made
	ledger   map[string]store.Movement
	stages   []sale.Stage
	moves    int
	notified []notify.Request

	captureErr, payoutErr, refundErr error
	// Hooks that fail an activity (nil: it succeeds).
	authorizeErr, releaseErr, moveErr, recordErr error
	advanceErr                                   func(sale.Stage) error
	refundFails                                  int // the first refunds that fail with refundErr
	payoutFails                                  int // the first payouts that fail with payoutErr (0: all)
	payoutSteps                                  []string
}

func newEnv(t *testing.T, in sale.Input) (*testsuite.TestWorkflowEnvironment, *fakes) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	f := &fakes{in: in, calls: map[string]int{}, ledger: map[string]store.Movement{}}
	sale.Register(env, f)
	escalation.Register(env, f)
	return env, f
}

func (f *fakes) call(step string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[step]++
}

func (f *fakes) AuthorizePayment(_ context.Context, in sale.AuthorizeInput) (sale.Authorization, error) {
	f.call("authorize")
	if f.authorizeErr != nil {
		return sale.Authorization{}, f.authorizeErr
	}
	return sale.Authorization{PaymentIntentID: "pi_1", ClientSecret: "pi_1_secret"}, nil
}

func (f *fakes) AdvanceOrder(_ context.Context, in sale.AdvanceInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.advanceErr != nil {
		if err := f.advanceErr(in.Stage); err != nil {
			return err
		}
	}
	f.stages = append(f.stages, in.Stage)
	return nil
}

// RecordMovement records m once under its key, refusing what the database's invariants refuse.
func (f *fakes) RecordMovement(_ context.Context, m sale.Movement) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.recordErr != nil && m.Kind == string(store.LedgerAuthorized) {
		return f.recordErr
	}
	key := sale.Key(m.OrderID, m.Step).String()
	mv := store.Movement{OrderID: m.OrderID, OrganizationID: m.SellerOrgID, BuyerOrganizationID: m.BuyerOrgID,
		Kind: store.LedgerKind(m.Kind), Amount: m.Amount, Currency: m.Currency, StripeObjectID: m.ObjectID, IdempotencyKey: key}
	if old, ok := f.ledger[key]; ok {
		old.StripeObjectID = mv.StripeObjectID // a retried call may be answered with another object
		if old != mv {
			return temporal.NewNonRetryableApplicationError("key holds another movement", sale.ErrTypeLedgerRefused, nil)
		}
		return nil
	}
	f.ledger[key] = mv
	t := f.totalsLocked()
	if t.Captured > t.Authorized-t.Released || t.Transferred+t.Refunded+t.Fee > t.Captured || m.Amount <= 0 {
		delete(f.ledger, key)
		return temporal.NewNonRetryableApplicationError("the ledger refuses "+m.Kind, sale.ErrTypeLedgerRefused, nil)
	}
	return nil
}

func (f *fakes) CapturePayment(ctx context.Context, in sale.CaptureInput) (sale.Capture, error) {
	f.call("capture")
	if f.captureErr != nil {
		return sale.Capture{}, f.captureErr
	}
	return sale.Capture{ChargeID: "ch_1", Amount: in.Amount}, f.RecordMovement(ctx, in.Movement)
}

func (f *fakes) ReleasePayment(ctx context.Context, in sale.ReleaseInput) error {
	f.call("release")
	if f.releaseErr != nil {
		return f.releaseErr
	}
	if in.Amount == 0 {
		return nil
	}
	return f.RecordMovement(ctx, in.Movement)
}

func (f *fakes) PaySeller(ctx context.Context, in sale.PayoutInput) error {
	f.call("payout")
	f.mu.Lock()
	f.payoutSteps = append(f.payoutSteps, in.Step)
	failing := f.payoutErr != nil && (f.payoutFails == 0 || f.calls["payout"] <= f.payoutFails)
	f.mu.Unlock()
	if failing {
		return f.payoutErr
	}
	in.ObjectID = "tr_1"
	if err := f.RecordMovement(ctx, in.Movement); err != nil {
		return err
	}
	fee := in.Movement
	fee.Kind, fee.Amount, fee.Step = string(store.LedgerFee), in.Fee, in.Step+"-fee"
	return f.RecordMovement(ctx, fee)
}

func (f *fakes) RefundBuyer(ctx context.Context, in sale.RefundInput) error {
	f.call("refund")
	f.mu.Lock()
	failing := f.refundErr != nil && (f.refundFails == 0 || f.calls["refund"] <= f.refundFails)
	f.mu.Unlock()
	if failing {
		return f.refundErr
	}
	in.ObjectID = "re_1"
	return f.RecordMovement(ctx, in.Movement)
}

func (f *fakes) MoveSoldAnimal(context.Context, sale.MoveInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.moveErr != nil {
		return f.moveErr
	}
	f.moves++
	return nil
}

func (f *fakes) PlatformAdmins(context.Context) ([]uuid.UUID, error) {
	return []uuid.UUID{admin.UserID}, nil
}

func (f *fakes) RecordNotification(_ context.Context, r notify.Request) (uuid.UUID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notified = append(f.notified, r)
	return uuid.New(), nil
}

func (f *fakes) EscalateNotification(context.Context, escalation.Target) (notify.Escalation, error) {
	return notify.Escalation{Delivered: true}, nil
}

func (f *fakes) MarkNotificationActioned(context.Context, escalation.Target) error { return nil }

func (f *fakes) totals() store.LedgerTotals {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.totalsLocked()
}

func (f *fakes) totalsLocked() store.LedgerTotals {
	var t store.LedgerTotals
	for _, m := range f.ledger {
		switch m.Kind {
		case store.LedgerAuthorized:
			t.Authorized += m.Amount
		case store.LedgerAuthorizationReleased:
			t.Released += m.Amount
		case store.LedgerCaptured:
			t.Captured += m.Amount
		case store.LedgerTransferred:
			t.Transferred += m.Amount
		case store.LedgerRefunded:
			t.Refunded += m.Amount
		case store.LedgerFee:
			t.Fee += m.Amount
		}
	}
	t.Settled = t.Transferred+t.Refunded+t.Fee == t.Captured && t.Authorized == t.Released+t.Captured
	return t
}

// pay signals a payment event at d.
func pay(env *testsuite.TestWorkflowEnvironment, d time.Duration, p sale.Payment) {
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(sale.PaymentSignal, p) }, d)
}

var authorized = sale.Payment{EventID: "evt_auth", Kind: sale.PaymentAuthorized, PaymentIntentID: "pi_1", AmountCapturable: 10000}

// ask sends an update at d and keeps its outcome in *got.
func ask(env *testsuite.TestWorkflowEnvironment, d time.Duration, name string, arg any, got *error) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, fmt.Sprintf("%s-%s", name, d), &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { *got = err },
			OnComplete: func(_ interface{}, err error) { *got = err },
		}, arg)
	}, d)
}

func run(t *testing.T, env *testsuite.TestWorkflowEnvironment, in sale.Input) sale.Result {
	t.Helper()
	env.ExecuteWorkflow(sale.WorkflowName, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res sale.Result
	require.NoError(t, env.GetWorkflowResult(&res))
	return res
}

func ship(a sale.Actor) sale.ShipInput {
	return sale.ShipInput{Actor: a, Carrier: "UPS", TrackingNumber: "1Z999"}
}

// The whole sale: authorized, shipped (captured), delivered, confirmed; the seller is paid
// the price less the fee, the fee is kept, the animal moves once, and every Stripe call is
// made once.
func TestSale_CompletesWhenTheBuyerConfirms(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	var shipErr, deliveredErr, confirmErr error
	pay(env, time.Minute, authorized)
	pay(env, 2*time.Minute, authorized) // a duplicated webhook changes nothing
	ask(env, time.Hour, sale.ShipUpdate, ship(seller), &shipErr)
	ask(env, 48*time.Hour, sale.DeliveredUpdate, buyer, &deliveredErr)
	ask(env, 50*time.Hour, sale.ConfirmUpdate, buyer, &confirmErr)
	res := run(t, env, in)

	require.NoError(t, shipErr)
	require.NoError(t, deliveredErr)
	require.NoError(t, confirmErr)
	require.Equal(t, sale.Completed, res.Status)
	require.True(t, res.Moved)
	require.Equal(t, 1, f.moves)
	require.Equal(t, map[string]int{"authorize": 1, "capture": 1, "payout": 1}, f.calls)
	tot := f.totals()
	require.Equal(t, store.LedgerTotals{Authorized: 10000, Captured: 10000, Transferred: 9500, Fee: 500, Settled: true}, tot)
}

// Silence completes the sale: delivery is assumed after the delivery wait, and the
// live-arrival window passing without a problem confirms.
func TestSale_SilenceConfirmsAtTheEndOfTheWindows(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	var shipErr error
	pay(env, time.Minute, authorized)
	ask(env, time.Hour, sale.ShipUpdate, ship(seller), &shipErr)
	res := run(t, env, in)

	require.NoError(t, shipErr)
	require.Equal(t, sale.Completed, res.Status)
	require.Equal(t, start.Add(time.Hour+in.DeliveryWait+48*time.Hour), env.Now().UTC().Truncate(time.Second))
	require.True(t, f.totals().Settled)
	require.Equal(t, 1, f.moves)
}

// A declined card fails the order; the PaymentIntent is cancelled and nothing is recorded.
func TestSale_FailsOnADeclinedCard(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	pay(env, time.Minute, sale.Payment{EventID: "evt_f", Kind: sale.PaymentFailed, PaymentIntentID: "pi_1", Reason: "insufficient_funds"})
	pay(env, 2*time.Minute, authorized) // out of order, after the failure: the sale is over
	res := run(t, env, in)

	require.Equal(t, sale.Failed, res.Status)
	require.Contains(t, res.Outcome, "insufficient_funds")
	require.Equal(t, map[string]int{"authorize": 1, "release": 1}, f.calls)
	require.Equal(t, store.LedgerTotals{Settled: true}, f.totals())
}

// Unpaid at the end of the payment window, the order is cancelled and the listing freed.
func TestSale_CancelsWhenThePaymentWindowCloses(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	res := run(t, env, in)

	require.Equal(t, sale.Cancelled, res.Status)
	require.Equal(t, in.PaymentDueAt, env.Now().UTC())
	require.Equal(t, 1, f.calls["release"])
	require.Equal(t, sale.Cancelled, f.stages[len(f.stages)-1].Status)
}

// The buyer cancels before shipping: the authorization is released, and the ledger says so.
func TestSale_BuyerCancelsBeforeShippingAndTheAuthorizationIsReleased(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	var cancelErr error
	pay(env, time.Minute, authorized)
	ask(env, time.Hour, sale.CancelUpdate, sale.CancelInput{Actor: buyer, Reason: "changed my mind"}, &cancelErr)
	res := run(t, env, in)

	require.NoError(t, cancelErr)
	require.Equal(t, sale.Cancelled, res.Status)
	require.Contains(t, res.Outcome, "buyer")
	require.Equal(t, store.LedgerTotals{Authorized: 10000, Released: 10000, Settled: true}, f.totals())
	require.Zero(t, f.calls["capture"])
}

// Not shipped by the ship-by time, the sale is cancelled and the authorization released;
// the ship-by time is the listing's days or, when sooner, the authorization's window.
func TestSale_CancelsWhenTheSellerDoesNotShipInTime(t *testing.T) {
	in := input()
	in.ShipsWithinDays = 10
	env, f := newEnv(t, in)
	pay(env, time.Minute, authorized)
	res := run(t, env, in)

	require.Equal(t, sale.Cancelled, res.Status)
	require.Equal(t, start.Add(time.Minute+in.AuthorizationWindow), env.Now().UTC())
	require.Equal(t, store.LedgerTotals{Authorized: 10000, Released: 10000, Settled: true}, f.totals())
}

// A capture Stripe refuses cancels the sale and releases the authorization.
func TestSale_CancelsWhenTheCaptureIsRefused(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	f.captureErr = temporal.NewNonRetryableApplicationError("card declined", sale.ErrTypeStripeRefused, nil)
	var shipErr error
	pay(env, time.Minute, authorized)
	ask(env, time.Hour, sale.ShipUpdate, ship(seller), &shipErr)
	res := run(t, env, in)

	require.NoError(t, shipErr)
	require.Equal(t, sale.Cancelled, res.Status)
	require.Equal(t, store.LedgerTotals{Authorized: 10000, Released: 10000, Settled: true}, f.totals())
	require.Zero(t, f.moves)
}

// An authorization that lapses (Stripe cancels it) before shipping ends the sale with the
// release recorded and no call of ours.
func TestSale_AnAuthorizationThatLapsesCancelsTheSale(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	pay(env, time.Minute, authorized)
	pay(env, 24*time.Hour, sale.Payment{EventID: "evt_c", Kind: sale.PaymentCanceled, PaymentIntentID: "pi_1", Reason: "automatic"})
	res := run(t, env, in)

	require.Equal(t, sale.Cancelled, res.Status)
	require.Zero(t, f.calls["release"])
	require.Equal(t, store.LedgerTotals{Authorized: 10000, Released: 10000, Settled: true}, f.totals())
}

// A reported problem waits for an admin, who refunds part: the seller is paid the rest less
// the fee on it, and the animal moves.
func TestSale_AnAdminRefundsPartOfAReportedProblem(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	var shipErr, problemErr, strangerErr, resolveErr error
	pay(env, time.Minute, authorized)
	ask(env, time.Hour, sale.ShipUpdate, ship(seller), &shipErr)
	ask(env, 30*time.Hour, sale.ProblemUpdate, sale.ProblemInput{Actor: buyer, Reason: "arrived with a kinked tail"}, &problemErr)
	ask(env, 40*time.Hour, sale.ResolveUpdate, sale.Decision{Actor: seller, RefundAmount: 10000}, &strangerErr)
	ask(env, 50*time.Hour, sale.ResolveUpdate, sale.Decision{Actor: admin, RefundAmount: 3000, Note: "partial"}, &resolveErr)
	res := run(t, env, in)

	require.NoError(t, shipErr)
	require.NoError(t, problemErr)
	require.True(t, sale.IsRefused(strangerErr), "%v", strangerErr)
	require.NoError(t, resolveErr)
	require.Equal(t, sale.Completed, res.Status)
	require.Equal(t, store.LedgerTotals{Authorized: 10000, Captured: 10000, Refunded: 3000, Transferred: 6650, Fee: 350, Settled: true}, f.totals())
	require.Equal(t, 1, f.moves)
}

// Undecided at the end of the decision window, the buyer is refunded in full, the admins
// having been reminded; the animal does not move.
func TestSale_AnUndecidedProblemIsRefundedInFull(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	var shipErr, problemErr error
	pay(env, time.Minute, authorized)
	ask(env, time.Hour, sale.ShipUpdate, ship(seller), &shipErr)
	ask(env, 30*time.Hour, sale.ProblemUpdate, sale.ProblemInput{Actor: buyer, Reason: "never arrived"}, &problemErr)
	res := run(t, env, in)

	require.NoError(t, problemErr)
	require.Equal(t, sale.Refunded, res.Status)
	require.Equal(t, store.LedgerTotals{Authorized: 10000, Captured: 10000, Refunded: 10000, Settled: true}, f.totals())
	require.Zero(t, f.moves)
	reminders := 0
	for _, r := range f.notified {
		if r.UserID == admin.UserID && r.Type == "sale.update" {
			reminders++
		}
	}
	require.Equal(t, 13, reminders, "a reminder a day through the fourteen-day window")
}

// A payout Stripe refuses puts the sale before the admins, who refund the buyer in full.
func TestSale_ARefusedPayoutGoesToTheAdmins(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	f.payoutErr = temporal.NewNonRetryableApplicationError("account cannot receive transfers", sale.ErrTypeStripeRefused, nil)
	var shipErr, confirmErr, resolveErr error
	pay(env, time.Minute, authorized)
	ask(env, time.Hour, sale.ShipUpdate, ship(seller), &shipErr)
	ask(env, 30*time.Hour, sale.ConfirmUpdate, buyer, &confirmErr)
	ask(env, 40*time.Hour, sale.ResolveUpdate, sale.Decision{Actor: admin, RefundAmount: 10000}, &resolveErr)
	res := run(t, env, in)

	require.NoError(t, confirmErr)
	require.NoError(t, resolveErr)
	require.Equal(t, sale.Refunded, res.Status)
	require.Equal(t, store.LedgerTotals{Authorized: 10000, Captured: 10000, Refunded: 10000, Settled: true}, f.totals())
	require.Zero(t, f.moves)
}

// Updates from the wrong side or at the wrong stage are refused and change nothing.
func TestSale_RefusesUpdatesFromTheWrongSideOrStage(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	var buyerShips, earlyConfirm, noTracking, lateCancel, confirmErr, shipErr error
	pay(env, time.Minute, authorized)
	ask(env, 10*time.Minute, sale.ShipUpdate, ship(buyer), &buyerShips)
	ask(env, 20*time.Minute, sale.ConfirmUpdate, buyer, &earlyConfirm)
	ask(env, 30*time.Minute, sale.ShipUpdate, sale.ShipInput{Actor: seller}, &noTracking)
	ask(env, time.Hour, sale.ShipUpdate, ship(seller), &shipErr)
	ask(env, 2*time.Hour, sale.CancelUpdate, sale.CancelInput{Actor: buyer}, &lateCancel)
	ask(env, 3*time.Hour, sale.ConfirmUpdate, buyer, &confirmErr)
	res := run(t, env, in)

	require.True(t, sale.IsRefused(buyerShips), "%v", buyerShips)
	require.True(t, sale.IsWrongStage(earlyConfirm), "%v", earlyConfirm)
	require.True(t, sale.IsInvalid(noTracking), "%v", noTracking)
	require.NoError(t, shipErr)
	require.True(t, sale.IsWrongStage(lateCancel), "%v", lateCancel)
	require.NoError(t, confirmErr)
	require.Equal(t, sale.Completed, res.Status)
	require.Equal(t, 1, f.calls["capture"])
}

// A refund made at Stripe's dashboard in full, after capture, ends the sale as refunded.
func TestSale_ARefundInFullElsewhereEndsTheSale(t *testing.T) {
	in := input()
	env, f := newEnv(t, in)
	var shipErr error
	pay(env, time.Minute, authorized)
	ask(env, time.Hour, sale.ShipUpdate, ship(seller), &shipErr)
	pay(env, 5*time.Hour, sale.Payment{EventID: "evt_r", Kind: sale.PaymentRefunded, ChargeID: "ch_1", AmountRefunded: 10000})
	res := run(t, env, in)

	require.Equal(t, sale.Refunded, res.Status)
	require.Equal(t, store.LedgerTotals{Authorized: 10000, Captured: 10000, Refunded: 10000, Settled: true}, f.totals())
}

// Input that cannot be a sale fails at once.
func TestSale_RefusesAnInvalidInput(t *testing.T) {
	in := input()
	in.PlatformFee = in.Amount
	env, _ := newEnv(t, in)
	env.ExecuteWorkflow(sale.WorkflowName, in)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(env.GetWorkflowError(), &appErr))
	require.Equal(t, "InvalidInput", appErr.Type())
}

// The carrier's delivery date the seller gives places the assumed delivery: silent, the
// live-arrival window opens then, not at the end of the delivery wait; a date past the wait
// counts for nothing.
func TestSale_TheCarriersDateIsWhenTheAnimalIsTakenToHaveArrived(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		expected time.Duration // after shipping
		arrived  time.Duration
	}{
		{"two days", 48 * time.Hour, 48 * time.Hour},
		{"past the delivery wait", 30 * 24 * time.Hour, 10 * 24 * time.Hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := input()
			env, f := newEnv(t, in)
			shipped := start.Add(time.Hour)
			pay(env, time.Minute, authorized)
			ask(env, time.Hour, sale.ShipUpdate, sale.ShipInput{Actor: seller, Carrier: "UPS", TrackingNumber: "1Z",
				ExpectedDelivery: shipped.Add(c.expected)}, new(error))
			res := run(t, env, in)

			require.Equal(t, sale.Completed, res.Status)
			var delivered sale.Stage
			for _, s := range f.stages {
				if s.Status == sale.Delivered {
					delivered = s
				}
			}
			require.Equal(t, shipped.Add(c.arrived), delivered.DeliveredAt.UTC())
			require.Equal(t, shipped.Add(c.arrived+48*time.Hour), env.Now().UTC(), "then the live-arrival window")
		})
	}
}
