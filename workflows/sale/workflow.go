package sale

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process"
)

// How long the sale keeps at what it does not wait on forever.
const (
	// Database steps are short transactions; one failing for an hour meets an outage, and
	// the sale takes its failure path (a stage not recorded, a notification done without).
	databaseGiveUp = time.Hour
	// Asking Stripe for the payment: the buyer is waiting to pay.
	authorizeGiveUp = 10 * time.Minute
	// Capturing, paying the seller, refunding and releasing: money that must move, tried
	// for a day under the same key before a platform admin is told to see to it.
	moneyGiveUp = 24 * time.Hour
)

// run is the state of one sale.
type run struct {
	in Input
	st State

	paymentIntent string
	charge        string
	authorized    int64 // on the card, as recorded
	shipBy        time.Time
	shippedAt     time.Time
	deliverBy     time.Time // when delivery is taken to have happened
	deliveredAt   time.Time
	arrivalEnds   time.Time

	// What people and Stripe asked, waiting for the main loop.
	payments  []Payment
	ship      *ShipInput
	delivered *Actor
	confirm   *Actor
	problem   *ProblemInput
	cancel    *CancelInput
	decision  *Decision

	// recorded is the last status the order's row was given (or given up on).
	recorded Status
	// refusedSettlements counts the settlements Stripe refused a call of: each later one
	// makes its calls under new keys (Stripe answers a key it refused with the same refusal),
	// and after maxAutoRefunds the sale stops refunding on its own and waits for the admins.
	refusedSettlements int
	// settling is true while the captured money is being paid out: nothing a party or an
	// admin sends then would be acted on.
	settling bool

	// The escalations of what asks someone to act, by dedup key, and their keys in the
	// order they started (the workflow never ranges over a map).
	escalations   map[string]workflow.ChildWorkflowFuture
	escalationKey []string
	admins        []uuid.UUID
}

// Workflow runs one sale from the order to its end.
func Workflow(ctx workflow.Context, in Input) (Result, error) {
	if in.OrderID == uuid.Nil || in.SellerOrgID == uuid.Nil || in.BuyerOrgID == uuid.Nil || in.BuyerUserID == uuid.Nil ||
		in.SellerOrgID == in.BuyerOrgID || in.Amount <= 0 || in.PlatformFee < 0 || in.PlatformFee >= in.Amount ||
		in.Currency == "" || in.SellerAccount == "" || in.PaymentDueAt.IsZero() || in.ShipsWithinDays < 1 ||
		in.LiveArrivalHours < 1 || in.AuthorizationWindow <= 0 || in.DeliveryWait <= 0 || in.DecisionWindow <= 0 {
		return Result{}, temporal.NewNonRetryableApplicationError("a sale needs an order between two organizations, a price, a seller account and its terms", "InvalidInput", nil)
	}
	r := &run{in: in, st: State{Status: Placed}, escalations: map[string]workflow.ChildWorkflowFuture{}}
	if err := r.register(ctx); err != nil {
		return Result{}, err
	}
	ctx = workflow.WithActivityOptions(ctx, databaseOptions())

	stages := []struct {
		status Status
		run    func(workflow.Context) error
	}{
		{Placed, r.authorize},
		{AwaitingPayment, r.awaitPayment},
		{Paid, r.awaitShipment},
		{Shipped, r.awaitDelivery},
		{Delivered, r.awaitArrival},
		{Problem, r.awaitDecision},
	}
	for !r.st.Status.Ended() {
		before := r.st.Status
		for _, s := range stages {
			if s.status == r.st.Status {
				if err := s.run(ctx); err != nil {
					if temporal.IsCanceledError(err) || ctx.Err() != nil {
						return r.abandon(ctx)
					}
					return Result{}, err
				}
				break
			}
		}
		if r.st.Status == before {
			return Result{}, fmt.Errorf("the sale made no progress at %s", before)
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return Result{}, err
	}
	r.stopEscalations(ctx)
	r.announce(ctx)
	return r.st, nil
}

// databaseOptions are the options of the sale's database activities.
func databaseOptions() workflow.ActivityOptions {
	return process.DatabaseActivity(databaseGiveUp, ErrTypeLedgerRefused, ErrTypeMoveRefused, ErrTypeEndedOtherwise,
		escalation.ErrTypeInvalid)
}

// stripe gives ctx the options of a Stripe activity that gives up after giveUp.
func stripe(ctx workflow.Context, giveUp time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, process.StripeActivity(giveUp, ErrTypeStripeRefused, ErrTypeLedgerRefused))
}

// authorize asks Stripe for the order's PaymentIntent (manual capture, on the platform) and
// hands the buyer its client secret. A PaymentIntent that cannot be created ends the order
// as failed: nothing was taken, and the listing is free again.
func (r *run) authorize(ctx workflow.Context) error {
	var auth Authorization
	err := workflow.ExecuteActivity(stripe(ctx, authorizeGiveUp), AuthorizeActivity, AuthorizeInput{OrderID: r.in.OrderID,
		PublicID: r.in.PublicID, Amount: r.in.Amount, Currency: r.in.Currency}).Get(ctx, &auth)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return r.end(ctx, Failed, "the payment could not be set up with the card processor", uuid.Nil)
	}
	r.paymentIntent = auth.PaymentIntentID
	return r.advance(ctx, Stage{Status: AwaitingPayment, PaymentIntentID: auth.PaymentIntentID,
		PaymentClientSecret: auth.ClientSecret, Kind: "payment_requested", Detail: "the buyer is asked to authorize the card"})
}

// awaitPayment waits for the card's authorization until the payment window closes, which
// ends the reservation.
func (r *run) awaitPayment(ctx workflow.Context) error {
	for r.st.Status == AwaitingPayment {
		ok, err := workflow.AwaitWithTimeout(ctx, r.until(ctx, r.in.PaymentDueAt), func() bool {
			return len(r.payments) > 0 || r.cancel != nil
		})
		switch {
		case err != nil:
			return err
		case r.cancel != nil:
			return r.cancelBeforeCapture(ctx)
		case !ok:
			return r.releaseAndEnd(ctx, Cancelled, "the card was not authorized within the payment window", uuid.Nil)
		}
		p := r.nextPayment()
		switch p.Kind {
		case PaymentAuthorized:
			if err := r.takeAuthorization(ctx, p); err != nil {
				return err
			}
		case PaymentFailed:
			return r.releaseAndEnd(ctx, Failed, "the card was declined"+because(p.Reason), uuid.Nil)
		case PaymentCanceled:
			return r.end(ctx, Cancelled, "the payment was cancelled at the card processor"+because(p.Reason), uuid.Nil)
		}
	}
	return nil
}

// takeAuthorization records the authorization and asks the seller to ship. An authorization for
// another amount than the order's is released and the order fails.
func (r *run) takeAuthorization(ctx workflow.Context, p Payment) error {
	if p.AmountCapturable != r.in.Amount {
		return r.releaseAndEnd(ctx, Failed, fmt.Sprintf("the card was authorized for %d, not the %d ordered", p.AmountCapturable, r.in.Amount), uuid.Nil)
	}
	err := workflow.ExecuteActivity(ctx, RecordActivity, r.movement(store.LedgerAuthorized, p.AmountCapturable, r.paymentIntent, "authorized")).Get(ctx, nil)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return r.releaseAndEnd(ctx, Failed, "the authorization could not be recorded", uuid.Nil)
	}
	r.authorized = p.AmountCapturable
	now := workflow.Now(ctx)
	r.shipBy = now.Add(time.Duration(r.in.ShipsWithinDays) * 24 * time.Hour)
	if captureBy := now.Add(r.in.AuthorizationWindow); captureBy.Before(r.shipBy) {
		r.shipBy = captureBy
	}
	if err := r.advance(ctx, Stage{Status: Paid, AuthorizedAt: now, ShipBy: r.shipBy, Kind: "paid",
		Detail: "the card was authorized; the platform holds the payment"}); err != nil {
		return err
	}
	r.escalate(ctx, shipMessage(r.in, r.shipBy))
	r.notify(ctx, paidMessage(r.in, r.shipBy))
	return nil
}

// awaitShipment waits for the seller to ship, until the ship-by time (the listing's days, or
// sooner the card authorization's window): shipped, the payment is captured.
func (r *run) awaitShipment(ctx workflow.Context) error {
	for r.st.Status == Paid {
		ok, err := workflow.AwaitWithTimeout(ctx, r.until(ctx, r.shipBy), func() bool {
			return r.ship != nil || r.cancel != nil || len(r.payments) > 0
		})
		switch {
		case err != nil:
			return err
		case r.cancel != nil:
			return r.cancelBeforeCapture(ctx)
		case r.ship != nil:
			return r.capture(ctx)
		case !ok:
			return r.releaseAndEnd(ctx, Cancelled, "the seller did not ship in time", uuid.Nil)
		}
		if p := r.nextPayment(); p.Kind == PaymentCanceled {
			// The authorization lapsed or was cancelled at Stripe: nothing is held any more.
			if err := r.recordRelease(ctx, r.authorized); err != nil {
				return err
			}
			return r.end(ctx, Cancelled, "the card's authorization ended before the seller shipped"+because(p.Reason), uuid.Nil)
		}
	}
	return nil
}

// capture takes the authorized payment into the platform's balance as the seller ships. A
// capture Stripe refuses for good releases what is left of the authorization and cancels
// the sale.
func (r *run) capture(ctx workflow.Context) error {
	ship := r.ship
	var c Capture
	err := workflow.ExecuteActivity(stripe(ctx, moneyGiveUp), CaptureActivity, CaptureInput{
		Movement: r.movement(store.LedgerCaptured, r.authorized, r.paymentIntent, "capture"), PaymentIntentID: r.paymentIntent,
	}).Get(ctx, &c)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		workflow.GetLogger(ctx).Error("the payment could not be captured; the sale is cancelled", "order", r.in.PublicID, "error", err)
		r.ship = nil
		return r.releaseAndEnd(ctx, Cancelled, "the payment could not be captured when the seller shipped", ship.Actor.UserID)
	}
	r.charge, r.st.Captured = c.ChargeID, c.Amount
	r.shippedAt = workflow.Now(ctx)
	r.deliverBy = r.shippedAt.Add(r.in.DeliveryWait)
	if d := ship.ExpectedDelivery; !d.IsZero() && d.After(r.shippedAt) && d.Before(r.deliverBy) {
		r.deliverBy = d
	}
	r.actioned(ctx, shipKey(r.in))
	if err := r.advance(ctx, Stage{Status: Shipped, ChargeID: c.ChargeID, Carrier: ship.Carrier,
		TrackingNumber: ship.TrackingNumber, ExpectedDelivery: ship.ExpectedDelivery, ShippedAt: r.shippedAt, Kind: "shipped", Actor: ship.Actor.UserID,
		Detail: ship.Carrier + " " + ship.TrackingNumber}); err != nil {
		return err
	}
	r.notify(ctx, shippedMessage(r.in, ship.Carrier, ship.TrackingNumber))
	return nil
}

// awaitDelivery waits for either side to say the animal arrived; at the carrier's date, or
// after the delivery wait, it is taken to have arrived. The buyer may report a problem (it never arrived) meanwhile.
func (r *run) awaitDelivery(ctx workflow.Context) error {
	for r.st.Status == Shipped {
		ok, err := workflow.AwaitWithTimeout(ctx, r.until(ctx, r.deliverBy), func() bool {
			return r.delivered != nil || r.confirm != nil || r.problem != nil || len(r.payments) > 0
		})
		if err != nil {
			return err
		}
		if len(r.payments) > 0 {
			if err := r.refundedElsewhere(ctx, r.nextPayment()); err != nil {
				return err
			}
			continue
		}
		now := workflow.Now(ctx)
		r.deliveredAt = now
		if r.problem != nil {
			return r.reportProblem(ctx)
		}
		detail, actor := "the delivery date passed; the animal is taken to have arrived", uuid.Nil
		if ok && r.delivered != nil {
			detail, actor = "marked delivered", r.delivered.UserID
		} else if ok && r.confirm != nil {
			detail, actor = "the buyer confirmed the arrival", r.confirm.UserID
		}
		r.arrivalEnds = now.Add(time.Duration(r.in.LiveArrivalHours) * time.Hour)
		if err := r.advance(ctx, Stage{Status: Delivered, DeliveredAt: now, ArrivalWindowEndsAt: r.arrivalEnds,
			Kind: "delivered", Actor: actor, Detail: detail}); err != nil {
			return err
		}
		if r.confirm == nil {
			r.escalate(ctx, confirmMessage(r.in, r.arrivalEnds))
		}
	}
	return nil
}

// awaitArrival waits, through the live-arrival window, for the buyer to confirm or report a
// problem; silence until its end confirms.
func (r *run) awaitArrival(ctx workflow.Context) error {
	for r.st.Status == Delivered {
		ok, err := workflow.AwaitWithTimeout(ctx, r.until(ctx, r.arrivalEnds), func() bool {
			return r.confirm != nil || r.problem != nil || len(r.payments) > 0
		})
		switch {
		case err != nil:
			return err
		case len(r.payments) > 0:
			if err := r.refundedElsewhere(ctx, r.nextPayment()); err != nil {
				return err
			}
			continue
		case r.problem != nil:
			return r.reportProblem(ctx)
		}
		actor, detail := uuid.Nil, "the live-arrival window passed without a problem reported"
		if ok {
			actor, detail = r.confirm.UserID, "the buyer confirmed the animal arrived alive and as described"
		}
		r.actioned(ctx, confirmKey(r.in))
		if err := r.advance(ctx, Stage{ConfirmedAt: workflow.Now(ctx), Kind: "confirmed", Actor: actor, Detail: detail}); err != nil {
			return err
		}
		return r.settle(ctx, Decision{RefundAmount: r.st.Refunded, Note: detail})
	}
	return nil
}

// reportProblem records the buyer's report and asks the platform's admins to decide.
func (r *run) reportProblem(ctx workflow.Context) error {
	p := r.problem
	r.actioned(ctx, confirmKey(r.in))
	if err := r.advance(ctx, Stage{Status: Problem, DeliveredAt: r.deliveredAt, Problem: p.Reason, Kind: "problem_reported",
		Actor: p.Actor.UserID, Detail: p.Reason}); err != nil {
		return err
	}
	r.askAdmins(ctx, p.Reason, 0)
	return nil
}

// maxAutoRefunds bounds the refunds in full the sale tries on its own for an undecided
// problem; farFuture is the decision time once it has stopped trying (admins are still
// reminded, and their decision still settles the sale).
const maxAutoRefunds = 3

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// awaitDecision waits for a platform admin's decision on a reported problem, reminding them
// as it waits; undecided at the end of the decision window, the buyer is refunded in full.
func (r *run) awaitDecision(ctx workflow.Context) error {
	decideBy := workflow.Now(ctx).Add(r.in.DecisionWindow)
	reminders, autoRefunds := 0, 0
	for r.st.Status == Problem {
		next := decideBy
		remind := r.in.AdminReminderEvery > 0
		if at := workflow.Now(ctx).Add(r.in.AdminReminderEvery); remind && at.Before(decideBy) {
			next = at
		} else {
			remind = false
		}
		ok, err := workflow.AwaitWithTimeout(ctx, r.until(ctx, next), func() bool {
			return r.decision != nil || len(r.payments) > 0
		})
		switch {
		case err != nil:
			return err
		case len(r.payments) > 0:
			if err := r.refundedElsewhere(ctx, r.nextPayment()); err != nil {
				return err
			}
			continue
		case ok:
			d := *r.decision
			r.decision = nil
			for _, admin := range r.admins {
				r.actioned(ctx, decideKey(r.in, admin))
			}
			if err := r.settle(ctx, d); err != nil {
				return err
			}
			continue
		case remind:
			reminders++
			r.askAdmins(ctx, "", reminders)
			continue
		}
		d := Decision{RefundAmount: r.st.Captured, Note: "no decision within the decision window: the buyer is refunded in full"}
		if err := r.settle(ctx, d); err != nil {
			return err
		}
		if r.st.Status == Problem {
			// Even the refund in full could not be made: the admins were told. The sale
			// tries again at the end of another decision window, at most maxAutoRefunds
			// times; after that only an admin's decision settles it.
			autoRefunds++
			decideBy = workflow.Now(ctx).Add(r.in.DecisionWindow)
			if autoRefunds >= maxAutoRefunds {
				decideBy = farFuture
			}
		}
	}
	return nil
}

// settle pays out the captured money as d says: the refund to the buyer, the rest to the
// seller less the platform's fee on it, and the animal to the buyer unless the refund is in
// full. A payout Stripe refuses puts the sale back before the admins.
func (r *run) settle(ctx workflow.Context, d Decision) error {
	r.settling = true
	defer func() { r.settling = false }()
	if refund := d.RefundAmount - r.st.Refunded; refund > 0 {
		err := workflow.ExecuteActivity(stripe(ctx, moneyGiveUp), RefundActivity, RefundInput{
			Movement:        r.movement(store.LedgerRefunded, refund, r.paymentIntent, r.settlementStep("refund-"+strconv.FormatInt(d.RefundAmount, 10))),
			PaymentIntentID: r.paymentIntent,
		}).Get(ctx, nil)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return r.backToAdmins(ctx, "the refund of the buyer failed: "+err.Error(), err)
		}
		r.st.Refunded += refund
	}
	toSeller := r.st.Captured - r.st.Refunded
	if toSeller == 0 {
		return r.end(ctx, Refunded, "the buyer was refunded in full"+because(d.Note), d.Actor.UserID)
	}
	fee := r.in.PlatformFee * toSeller / r.in.Amount
	err := workflow.ExecuteActivity(stripe(ctx, moneyGiveUp), PayoutActivity, PayoutInput{
		Movement: r.movement(store.LedgerTransferred, toSeller-fee, r.charge, r.settlementStep("payout")), Fee: fee,
		Destination: r.in.SellerAccount, ChargeID: r.charge, TransferGroup: TransferGroup(r.in.OrderID),
	}).Get(ctx, nil)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return r.backToAdmins(ctx, "the payout to the seller failed: "+err.Error(), err)
	}
	r.st.PaidOut = toSeller - fee
	err = workflow.ExecuteActivity(ctx, MoveActivity, MoveInput{OrderID: r.in.OrderID, BuyerOrgID: r.in.BuyerOrgID,
		BuyerUserID: r.in.BuyerUserID}).Get(ctx, nil)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		workflow.GetLogger(ctx).Error("the sold animal did not move to the buyer; the admins are told", "order", r.in.PublicID, "error", err)
		r.alertAdmins(ctx, "move", "The record of the animal sold by order "+r.in.PublicID+" could not move to the buyer: "+err.Error())
		return r.end(ctx, Completed, "the seller was paid; the animal's record could not move and a platform admin sees to it", d.Actor.UserID)
	}
	r.st.Moved = true
	outcome := "the seller was paid and the animal's record moved to the buyer"
	if r.st.Refunded > 0 {
		outcome = fmt.Sprintf("the buyer was refunded %d and the seller paid the rest; the animal's record moved to the buyer", r.st.Refunded)
	}
	return r.end(ctx, Completed, outcome+because(d.Note), d.Actor.UserID)
}

// settlementStep is the step of a settlement's call: after a settlement Stripe refused, a
// new one, so that the next settlement is not answered with the stored refusal.
func (r *run) settlementStep(step string) string {
	if r.refusedSettlements == 0 {
		return step
	}
	return step + "-" + strconv.Itoa(r.refusedSettlements)
}

// backToAdmins puts a sale whose settlement failed before the platform's admins again.
func (r *run) backToAdmins(ctx workflow.Context, why string, err error) error {
	if process.IsErrorType(err, ErrTypeStripeRefused) {
		r.refusedSettlements++
	}
	workflow.GetLogger(ctx).Error("the sale could not settle; the admins decide", "order", r.in.PublicID, "why", why)
	if r.st.Status != Problem {
		if err := r.advance(ctx, Stage{Status: Problem, Problem: why, Kind: "settlement_failed", Detail: why}); err != nil {
			return err
		}
	}
	r.alertAdmins(ctx, "settlement", "Order "+r.in.PublicID+" could not settle: "+why)
	return nil
}

// refundedElsewhere takes in a refund made outside the sale (from Stripe's dashboard): what
// it returned is recorded, and a refund in full ends the sale.
func (r *run) refundedElsewhere(ctx workflow.Context, p Payment) error {
	if p.Kind != PaymentRefunded || p.AmountRefunded <= r.st.Refunded || r.st.Captured == 0 {
		return nil
	}
	amount := min(p.AmountRefunded, r.st.Captured) - r.st.Refunded
	err := workflow.ExecuteActivity(ctx, RecordActivity, r.movement(store.LedgerRefunded, amount, p.ChargeID,
		"refunded-"+strconv.FormatInt(p.AmountRefunded, 10))).Get(ctx, nil)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		// The refund happened at Stripe whatever the ledger says: the sale goes on from it,
		// and the admins record it by hand.
		workflow.GetLogger(ctx).Error("a refund made at Stripe could not be recorded", "order", r.in.PublicID, "error", err)
		r.alertAdmins(ctx, "refund-record", fmt.Sprintf("A refund of %d made at the card processor for order %s could not be recorded in the ledger: %v", amount, r.in.PublicID, err))
	}
	r.st.Refunded += amount
	if r.st.Refunded < r.st.Captured {
		return r.advance(ctx, Stage{Kind: "refunded", Detail: fmt.Sprintf("%d refunded at the card processor", r.st.Refunded)})
	}
	return r.end(ctx, Refunded, "the payment was refunded in full at the card processor", uuid.Nil)
}

// cancelBeforeCapture ends the sale as a party asked, releasing the authorization.
func (r *run) cancelBeforeCapture(ctx workflow.Context) error {
	c := r.cancel
	return r.releaseAndEnd(ctx, Cancelled, "cancelled by the "+r.side(c.Actor)+because(c.Reason), c.Actor.UserID)
}

// releaseAndEnd releases the card's authorization (cancelling the PaymentIntent) and ends
// the sale. The release runs on a disconnected context, so that it is made even while the
// workflow is being cancelled; one that fails for good is left to lapse on the card, and
// the admins are told.
func (r *run) releaseAndEnd(ctx workflow.Context, status Status, outcome string, actor uuid.UUID) error {
	if r.paymentIntent != "" {
		dctx, _ := workflow.NewDisconnectedContext(ctx)
		err := workflow.ExecuteActivity(stripe(dctx, moneyGiveUp), ReleaseActivity, ReleaseInput{
			Movement:        r.movement(store.LedgerAuthorizationReleased, r.authorized, r.paymentIntent, "release"),
			PaymentIntentID: r.paymentIntent, Reason: cancellationReason(actor != uuid.Nil),
		}).Get(dctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Error("the authorization could not be released; it lapses on the card", "order", r.in.PublicID, "error", err)
			r.alertAdmins(dctx, "release", "The card authorization of order "+r.in.PublicID+" could not be released: "+err.Error())
		}
	}
	return r.end(ctx, status, outcome, actor)
}

// recordRelease records that the card's authorization ended without a call of ours.
func (r *run) recordRelease(ctx workflow.Context, amount int64) error {
	if amount == 0 {
		return nil
	}
	err := workflow.ExecuteActivity(ctx, RecordActivity,
		r.movement(store.LedgerAuthorizationReleased, amount, r.paymentIntent, "release")).Get(ctx, nil)
	if err != nil && ctx.Err() == nil {
		// Nothing is held on the card any more, whatever the ledger says: the sale ends, and
		// the admins record the release by hand.
		workflow.GetLogger(ctx).Error("a lapsed authorization could not be recorded", "order", r.in.PublicID, "error", err)
		r.alertAdmins(ctx, "release-record", "The lapsed card authorization of order "+r.in.PublicID+" could not be recorded in the ledger: "+err.Error())
		return nil
	}
	return err
}

// abandon ends a sale whose workflow is being cancelled: what it holds is given back (on a
// disconnected context) before the cancellation is reported.
func (r *run) abandon(ctx workflow.Context) (Result, error) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	switch {
	case r.st.Status.Ended():
	case r.st.Captured == 0:
		_ = r.releaseAndEnd(dctx, Cancelled, "the sale was stopped by the platform", uuid.Nil)
	default:
		_ = r.settle(dctx, Decision{RefundAmount: r.st.Captured, Note: "the sale was stopped by the platform"})
	}
	return r.st, temporal.NewCanceledError()
}

// end records the sale's ending on the order (which frees or sells the listing).
func (r *run) end(ctx workflow.Context, status Status, outcome string, actor uuid.UUID) error {
	r.st.Outcome = outcome
	return r.advance(ctx, Stage{Status: status, Outcome: outcome, Kind: string(status), Actor: actor, Detail: outcome})
}

// advance moves the sale to the stage's status and records the stage in the buyer's tenant.
// The sale takes updates for its new status at once (a seller who reads "paid" a moment
// before the sale has noted it may ship), but answers them (answer) only once the order's row
// shows the stage (recorded), so that a request reading the row after its answer sees it. What a
// person gave that the database refuses (activities.Classify's InvalidData) is left out and the stage recorded
// without it. A stage that still cannot be recorded is logged and the sale carries on, its
// query saying where it stands; only an ending that cannot be recorded fails the workflow,
// for an operator to see, since the order's row would go on saying it is open.
func (r *run) advance(ctx workflow.Context, s Stage) error {
	if ctx.Err() != nil {
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	if s.Status != "" {
		r.st.Status = s.Status
		defer func() { r.recorded = s.Status }()
	}
	record := func(s Stage) error {
		return workflow.ExecuteActivity(ctx, AdvanceActivity, AdvanceInput{OrderID: r.in.OrderID, OrgID: r.in.BuyerOrgID, Stage: s}).Get(ctx, nil)
	}
	err := record(s)
	if err != nil && process.IsErrorType(err, errTypeInvalidData) && s.given() {
		workflow.GetLogger(ctx).Warn("a stage's details were refused; it is recorded without them", "order", r.in.PublicID, "error", err)
		err = record(s.withoutGiven())
	}
	if err != nil && !s.Status.Ended() {
		workflow.GetLogger(ctx).Error("a stage of the order was not recorded; the sale carries on", "order", r.in.PublicID,
			"status", s.Status, "kind", s.Kind, "error", err)
		return nil
	}
	return err
}

// errTypeInvalidData is the application error type activities.Classify gives data the
// database refuses for good.
const errTypeInvalidData = "InvalidData"

// given reports whether s carries text a person gave.
func (s Stage) given() bool {
	return s.Carrier != "" || s.TrackingNumber != "" || s.Problem != "" || s.Resolution != "" || s.Detail != "" || s.Outcome != ""
}

// withoutGiven is s without the text people gave, its timeline entry saying so.
func (s Stage) withoutGiven() Stage {
	s.Carrier, s.TrackingNumber, s.Problem, s.Resolution, s.Outcome = "", "", "", "", ""
	s.Detail = "the details given could not be recorded"
	return s
}

// movement is a movement of the order's money under the key of step.
func (r *run) movement(kind store.LedgerKind, amount int64, object, step string) Movement {
	return Movement{OrderID: r.in.OrderID, SellerOrgID: r.in.SellerOrgID, BuyerOrgID: r.in.BuyerOrgID, Kind: string(kind),
		Amount: amount, Currency: r.in.Currency, ObjectID: object, Step: step}
}

// until is how long from now until t, at least a millisecond (a time past fires at once).
func (r *run) until(ctx workflow.Context, t time.Time) time.Duration {
	return max(t.Sub(workflow.Now(ctx)), time.Millisecond)
}

// nextPayment takes the oldest payment event waiting.
func (r *run) nextPayment() Payment {
	p := r.payments[0]
	r.payments = r.payments[1:]
	return p
}

// side names the party an actor acts for.
func (r *run) side(a Actor) string {
	if a.OrgID == r.in.SellerOrgID {
		return "seller"
	}
	return "buyer"
}

// cancellationReason is the cancellation_reason Stripe is given for an ending: a party's
// cancellation is requested_by_customer; a declined card, an unpaid payment window or a
// seller who did not ship abandon the payment.
func cancellationReason(byParty bool) string {
	if byParty {
		return "requested_by_customer"
	}
	return "abandoned"
}

// because appends ": why" when there is a why.
func because(why string) string {
	if why == "" {
		return ""
	}
	return ": " + why
}

// askAdmins tells the platform's admins a problem waits for their decision (the nth
// reminder when n > 0).
func (r *run) askAdmins(ctx workflow.Context, reason string, n int) {
	if r.admins == nil {
		if err := workflow.ExecuteActivity(ctx, AdminsActivity).Get(ctx, &r.admins); err != nil {
			workflow.GetLogger(ctx).Error("the platform's admins could not be found", "order", r.in.PublicID, "error", err)
			return
		}
	}
	for _, admin := range r.admins {
		if n == 0 {
			r.escalate(ctx, decideMessage(r.in, admin, reason))
			continue
		}
		r.notify(ctx, decideReminder(r.in, admin, n))
	}
}

// alertAdmins tells the platform's admins of something the sale could not do itself.
func (r *run) alertAdmins(ctx workflow.Context, what, body string) {
	if r.admins == nil {
		if err := workflow.ExecuteActivity(ctx, AdminsActivity).Get(ctx, &r.admins); err != nil {
			workflow.GetLogger(ctx).Error("the platform's admins could not be found", "order", r.in.PublicID, "error", err)
			return
		}
	}
	for _, admin := range r.admins {
		r.notify(ctx, alertMessage(r.in, admin, what, body))
	}
}

// escalate starts the escalation of a message that asks someone to act; the sale tells it
// when they did (actioned).
func (r *run) escalate(ctx workflow.Context, req notify.Request) {
	if _, started := r.escalations[req.DedupKey]; started {
		return
	}
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, escalation.ChildOptions(req.DedupKey)),
		escalation.WorkflowName, escalation.Input{Notification: req, EmailAfter: r.in.EmailAfter, SMSAfter: r.in.SMSAfter})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("an escalation did not start; the sale carries on without it",
			"order", r.in.PublicID, "dedup_key", req.DedupKey, "error", err)
		return
	}
	r.escalations[req.DedupKey] = child
	r.escalationKey = append(r.escalationKey, req.DedupKey)
}

// actioned tells the escalation of key (if any) that its action happened.
func (r *run) actioned(ctx workflow.Context, key string) {
	if child, ok := r.escalations[key]; ok {
		_ = child.SignalChildWorkflow(ctx, escalation.ActionedSignal, nil).Get(ctx, nil)
		delete(r.escalations, key)
	}
}

// stopEscalations tells every escalation still running that the sale is over.
func (r *run) stopEscalations(ctx workflow.Context) {
	for _, k := range r.escalationKey {
		r.actioned(ctx, k)
	}
}

// announce tells both sides how the sale ended.
func (r *run) announce(ctx workflow.Context) {
	r.notify(ctx, outcomeMessage(r.in, r.st, r.in.BuyerUserID, r.in.BuyerOrgID))
	r.notify(ctx, outcomeMessage(r.in, r.st, r.in.SellerUserID, r.in.SellerOrgID))
}

// notify records a notification, best effort.
func (r *run) notify(ctx workflow.Context, req notify.Request) {
	var id uuid.UUID
	if err := workflow.ExecuteActivity(ctx, escalation.RecordActivity, req).Get(ctx, &id); err != nil {
		workflow.GetLogger(ctx).Warn("a sale notification was not recorded; the sale carries on without it",
			"order", r.in.PublicID, "dedup_key", req.DedupKey, "error", err)
	}
}

func (r *run) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StateQuery, func() (State, error) { return r.st, nil }); err != nil {
		return err
	}
	payments := workflow.GetSignalChannel(ctx, PaymentSignal)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var p Payment
			if !payments.Receive(ctx, &p) {
				return
			}
			r.payments = append(r.payments, p)
		}
	})
	updates := []struct {
		name     string
		handler  any
		validate any
	}{
		{ShipUpdate, r.onShip, r.validateShip},
		{DeliveredUpdate, r.onDelivered, r.validateDelivered},
		{ConfirmUpdate, r.onConfirm, r.validateConfirm},
		{ProblemUpdate, r.onProblem, r.validateProblem},
		{CancelUpdate, r.onCancel, r.validateCancel},
		{ResolveUpdate, r.onResolve, r.validateResolve},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler,
			workflow.UpdateHandlerOptions{Validator: u.validate}); err != nil {
			return err
		}
	}
	return nil
}

// Each update is validated against the sale's stage and the actor's side, then handed to
// the main loop; its answer is the sale's state once the loop has acted on it.

func (r *run) validateShip(ctx workflow.Context, in ShipInput) error {
	if err := r.at(ShipUpdate, Paid); err != nil {
		return err
	}
	if !r.isSeller(in.Actor) {
		return refused("only the seller's owners and admins may mark the order shipped")
	}
	if r.cancel != nil {
		return wrongStage("the order is being cancelled")
	}
	if in.Carrier == "" || in.TrackingNumber == "" {
		return invalid("a shipment needs a carrier and a tracking number")
	}
	return nil
}

func (r *run) onShip(ctx workflow.Context, in ShipInput) (State, error) {
	r.ship = &in
	return r.answer(ctx, Paid)
}

func (r *run) validateDelivered(ctx workflow.Context, a Actor) error {
	if err := r.at(DeliveredUpdate, Shipped); err != nil {
		return err
	}
	if !r.isBuyer(a) && !r.isSeller(a) {
		return refused("only the buyer or the seller may mark the order delivered")
	}
	return nil
}

func (r *run) onDelivered(ctx workflow.Context, a Actor) (State, error) {
	r.delivered = &a
	return r.answer(ctx, Shipped)
}

func (r *run) validateConfirm(ctx workflow.Context, a Actor) error {
	if err := r.at(ConfirmUpdate, Shipped, Delivered); err != nil {
		return err
	}
	if !r.isBuyer(a) {
		return refused("only the buyer may confirm the arrival")
	}
	return r.arrivalOpen(ctx)
}

func (r *run) onConfirm(ctx workflow.Context, a Actor) (State, error) {
	r.confirm = &a
	return r.answer(ctx, Shipped, Delivered)
}

func (r *run) validateProblem(ctx workflow.Context, in ProblemInput) error {
	if err := r.at(ProblemUpdate, Shipped, Delivered); err != nil {
		return err
	}
	if !r.isBuyer(in.Actor) {
		return refused("only the buyer may report a problem")
	}
	if err := r.arrivalOpen(ctx); err != nil {
		return err
	}
	if in.Reason == "" {
		return invalid("a problem needs a reason")
	}
	return nil
}

func (r *run) onProblem(ctx workflow.Context, in ProblemInput) (State, error) {
	r.problem = &in
	return r.answer(ctx, Shipped, Delivered)
}

func (r *run) validateCancel(ctx workflow.Context, in CancelInput) error {
	if err := r.at(CancelUpdate, Placed, AwaitingPayment, Paid); err != nil {
		return err
	}
	if !r.isBuyer(in.Actor) && !r.isSeller(in.Actor) {
		return refused("only the buyer or the seller may cancel the order")
	}
	if r.ship != nil {
		return wrongStage("the order is being shipped")
	}
	return nil
}

func (r *run) onCancel(ctx workflow.Context, in CancelInput) (State, error) {
	if r.cancel == nil {
		r.cancel = &in
	}
	return r.answer(ctx, Placed, AwaitingPayment, Paid)
}

func (r *run) validateResolve(ctx workflow.Context, d Decision) error {
	if err := r.at(ResolveUpdate, Problem); err != nil {
		return err
	}
	switch {
	case !d.Actor.PlatformAdmin:
		return refused("only a platform admin decides a reported problem")
	case r.decision != nil || r.settling:
		return wrongStage("a decision is already being carried out")
	case d.RefundAmount < r.st.Refunded || d.RefundAmount > r.st.Captured:
		return invalid(fmt.Sprintf("the refund must be from %d (already refunded) to %d (paid)", r.st.Refunded, r.st.Captured))
	}
	return nil
}

func (r *run) onResolve(ctx workflow.Context, d Decision) (State, error) {
	r.decision = &d
	return r.answer(ctx, Problem)
}

// arrivalOpen refuses the buyer's word on the arrival once it has been given (a confirmation
// or a problem), once the live-arrival window has passed, or while the money is paid out.
func (r *run) arrivalOpen(ctx workflow.Context) error {
	switch {
	case r.confirm != nil:
		return wrongStage("the arrival was already confirmed")
	case r.problem != nil:
		return wrongStage("a problem was already reported")
	case r.settling || (r.st.Status == Delivered && !workflow.Now(ctx).Before(r.arrivalEnds)):
		return wrongStage("the live-arrival window has passed")
	}
	return nil
}

// answer waits until the sale has left the stages an update was taken at and the order's row
// shows where it went, and answers its state then.
func (r *run) answer(ctx workflow.Context, stages ...Status) (State, error) {
	err := workflow.Await(ctx, func() bool { return !slices.Contains(stages, r.st.Status) && r.recorded == r.st.Status })
	return r.st, err
}

// at refuses an update unless the sale stands at one of the stages.
func (r *run) at(update string, stages ...Status) error {
	if slices.Contains(stages, r.st.Status) {
		return nil
	}
	if r.st.Status.Ended() {
		return wrongStage("the order has ended (" + string(r.st.Status) + ")")
	}
	return wrongStage("the order is " + string(r.st.Status) + "; " + update + " is not taken now")
}

// isSeller reports whether a acts for the seller as an owner or admin.
func (r *run) isSeller(a Actor) bool { return a.OrgID == r.in.SellerOrgID && a.Manages }

// isBuyer reports whether a acts for the buyer: the person who ordered, or an owner or
// admin of the buying organization.
func (r *run) isBuyer(a Actor) bool {
	return a.OrgID == r.in.BuyerOrgID && (a.UserID == r.in.BuyerUserID || a.Manages)
}

func refused(msg string) error    { return temporal.NewApplicationError(msg, ErrTypeRefused) }
func wrongStage(msg string) error { return temporal.NewApplicationError(msg, ErrTypeWrongStage) }
func invalid(msg string) error    { return temporal.NewApplicationError(msg, ErrTypeInvalid) }
