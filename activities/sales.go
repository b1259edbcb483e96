package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/certificates"
	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/process"
	"github.com/reptidex/reptidex/workflows/sale"
)

// Sales are the sale's activities: its Stripe calls, each under the key of its order and
// step, and its database steps. A Stripe call is never made inside a transaction: the call
// first, then the movement it made recorded in its own short transaction under the same key,
// so that a retry after a crash between the two repeats the call (Stripe answers the same
// object for the same key) and records the movement once.
type Sales struct {
	*Database
	Pay *payments.Client
}

// AuthorizePayment creates the order's PaymentIntent: the price, on the platform's account,
// captured by hand (capture_method=manual) when the seller ships, grouped with the seller's
// payout (transfer_group) and naming its order in metadata, where the webhook finds it.
func (s *Sales) AuthorizePayment(ctx context.Context, in sale.AuthorizeInput) (sale.Authorization, error) {
	defer heartbeat(ctx)()
	p := &stripe.PaymentIntentParams{
		Amount:             stripe.Int64(in.Amount),
		Currency:           stripe.String(in.Currency),
		CaptureMethod:      stripe.String(string(stripe.PaymentIntentCaptureMethodManual)),
		TransferGroup:      stripe.String(sale.TransferGroup(in.OrderID)),
		PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
		Description:        stripe.String("ReptiDex order " + in.PublicID),
	}
	p.AddMetadata("order_id", in.OrderID.String())
	p.AddMetadata("order", in.PublicID)
	pi, err := s.Pay.CreatePaymentIntent(ctx, sale.Key(in.OrderID, "authorize"), p)
	if err != nil {
		return sale.Authorization{}, stripeError(err)
	}
	return sale.Authorization{PaymentIntentID: pi.ID, ClientSecret: pi.ClientSecret}, nil
}

// CapturePayment captures the authorized amount and records the capture.
func (s *Sales) CapturePayment(ctx context.Context, in sale.CaptureInput) (sale.Capture, error) {
	defer heartbeat(ctx)()
	pi, err := s.Pay.CapturePaymentIntent(ctx, sale.Key(in.OrderID, in.Step), in.PaymentIntentID,
		&stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(in.Amount)})
	if err != nil {
		return sale.Capture{}, stripeError(err)
	}
	c := sale.Capture{Amount: in.Amount}
	if pi.LatestCharge != nil {
		c.ChargeID = pi.LatestCharge.ID
	}
	return c, s.RecordMovement(ctx, in.Movement)
}

// ReleasePayment cancels the order's PaymentIntent, releasing the card's authorization, and
// records the release when the authorization had been recorded. A PaymentIntent Stripe has
// already cancelled (a lapse, an earlier try) is released.
func (s *Sales) ReleasePayment(ctx context.Context, in sale.ReleaseInput) error {
	defer heartbeat(ctx)()
	key := sale.Key(in.OrderID, in.Step)
	_, err := s.Pay.CancelPaymentIntent(ctx, key, in.PaymentIntentID,
		&stripe.PaymentIntentCancelParams{CancellationReason: stripe.String(in.Reason)})
	var se *stripe.Error
	if errors.As(err, &se) && se.Code == stripe.ErrorCodePaymentIntentUnexpectedState {
		pi, rerr := s.Pay.RetrievePaymentIntent(ctx, sale.Key(in.OrderID, in.Step+"-retrieve"), in.PaymentIntentID)
		if rerr == nil && pi.Status == stripe.PaymentIntentStatusCanceled {
			err = nil
		}
	}
	if err != nil {
		return stripeError(err)
	}
	if in.Amount == 0 {
		return nil
	}
	return s.RecordMovement(ctx, in.Movement)
}

// PaySeller transfers the seller's share of the captured charge to their connected account
// and records it, with the platform's fee beside it. A share of nothing (the fee took it
// all) makes no transfer.
func (s *Sales) PaySeller(ctx context.Context, in sale.PayoutInput) error {
	defer heartbeat(ctx)()
	if in.Amount > 0 {
		p := &stripe.TransferParams{
			Amount:        stripe.Int64(in.Amount),
			Currency:      stripe.String(in.Currency),
			Destination:   stripe.String(in.Destination),
			TransferGroup: stripe.String(in.TransferGroup),
		}
		if in.ChargeID != "" {
			p.SourceTransaction = stripe.String(in.ChargeID)
		}
		p.AddMetadata("order_id", in.OrderID.String())
		tr, err := s.Pay.CreateTransfer(ctx, sale.Key(in.OrderID, in.Step), p)
		if err != nil {
			return stripeError(err)
		}
		in.ObjectID = tr.ID
		if err := s.RecordMovement(ctx, in.Movement); err != nil {
			return err
		}
	}
	if in.Fee == 0 {
		return nil
	}
	fee := in.Movement
	fee.Kind, fee.Amount, fee.Step = string(store.LedgerFee), in.Fee, in.Step+"-fee"
	if fee.ObjectID == "" {
		fee.ObjectID = in.ChargeID
	}
	return s.RecordMovement(ctx, fee)
}

// RefundBuyer refunds the buyer from the captured payment and records the refund.
func (s *Sales) RefundBuyer(ctx context.Context, in sale.RefundInput) error {
	defer heartbeat(ctx)()
	p := &stripe.RefundParams{PaymentIntent: stripe.String(in.PaymentIntentID), Amount: stripe.Int64(in.Amount)}
	p.AddMetadata("order_id", in.OrderID.String())
	rf, err := s.Pay.CreateRefund(ctx, sale.Key(in.OrderID, in.Step), p)
	if err != nil {
		return stripeError(err)
	}
	in.ObjectID = rf.ID
	return s.RecordMovement(ctx, in.Movement)
}

// RecordMovement records a movement of the order's money in the ledger, under the key of its
// step, in the seller's tenant with nobody acting (the only way the ledger is written). A
// movement the ledger refuses, or a key that holds another movement, fails for good.
func (s *Sales) RecordMovement(ctx context.Context, m sale.Movement) error {
	mv := store.Movement{OrderID: m.OrderID, OrganizationID: m.SellerOrgID, BuyerOrganizationID: m.BuyerOrgID,
		Kind: store.LedgerKind(m.Kind), Amount: m.Amount, Currency: m.Currency, StripeObjectID: m.ObjectID,
		IdempotencyKey: sale.Key(m.OrderID, m.Step).String()}
	if mv.StripeObjectID == "" {
		return temporal.NewNonRetryableApplicationError("a movement without its Stripe object", sale.ErrTypeLedgerRefused, nil)
	}
	err := s.inTenant(ctx, store.Tenant{OrgID: m.SellerOrgID}, func(tx pgx.Tx) error {
		_, err := store.RecordMovement(ctx, tx, mv)
		return err
	})
	var refused *store.LedgerRefusedError
	if errors.As(err, &refused) || errors.Is(err, store.ErrMovementMismatch) {
		return temporal.NewNonRetryableApplicationError(err.Error(), sale.ErrTypeLedgerRefused, err)
	}
	return err
}

// AdvanceOrder records a stage of the order in the tenant the workflow names, with nobody
// acting. An order whose row has ended otherwise fails for good.
func (s *Sales) AdvanceOrder(ctx context.Context, in sale.AdvanceInput) error {
	st := in.Stage
	stage := store.OrderStage{Status: string(st.Status), PaymentIntentID: st.PaymentIntentID,
		PaymentClientSecret: st.PaymentClientSecret, ChargeID: st.ChargeID, ShipBy: timeOrNil(st.ShipBy),
		ArrivalWindowEndsAt: timeOrNil(st.ArrivalWindowEndsAt), Carrier: st.Carrier, TrackingNumber: st.TrackingNumber, ExpectedDelivery: timeOrNil(st.ExpectedDelivery),
		AuthorizedAt: timeOrNil(st.AuthorizedAt), ShippedAt: timeOrNil(st.ShippedAt), DeliveredAt: timeOrNil(st.DeliveredAt),
		ConfirmedAt: timeOrNil(st.ConfirmedAt), Problem: st.Problem, Resolution: st.Resolution, Outcome: st.Outcome,
		Kind: st.Kind, Actor: actorOf(st.Actor), Detail: st.Detail}
	err := s.inTenant(ctx, store.Tenant{OrgID: in.OrgID}, func(tx pgx.Tx) error {
		return store.AdvanceOrder(ctx, tx, in.OrderID, stage)
	})
	if errors.Is(err, store.ErrOrderEnded) {
		return temporal.NewNonRetryableApplicationError(err.Error(), sale.ErrTypeEndedOtherwise, err)
	}
	return err
}

// MoveSoldAnimal moves the sold animal to the buyer, acting for the buyer's organization and
// the person who ordered, through the transfers' move, together with the re-issue of its
// certificate for the buyer (certificates.Reissue). Run again, it moves nothing and re-issues
// nothing.
//
// A paid sale's handover is never blocked by the buyer's plan (the buyer paid and the animal
// travels): like a transfer's move, it is not checked against the animal limit, and above it
// the animals that came in last are read-only (billing.CheckAnimalWritable).
func (s *Sales) MoveSoldAnimal(ctx context.Context, in sale.MoveInput) error {
	t := store.Tenant{OrgID: in.BuyerOrgID, UserID: in.BuyerUserID}
	return s.inTenant(ctx, t, func(tx pgx.Tx) error {
		moved, err := store.SellAnimal(ctx, tx, in.OrderID)
		if errors.Is(err, store.ErrMoveRefused) {
			return temporal.NewNonRetryableApplicationError(err.Error(), sale.ErrTypeMoveRefused, err)
		}
		if err != nil || !moved {
			return err
		}
		o, err := store.OrderByID(ctx, tx, in.OrderID)
		if err != nil {
			return err
		}
		_, _, err = certificates.Reissue(ctx, tx, s.River, t, o.AnimalID)
		return err
	})
}

// PlatformAdmins lists the platform's administrators.
func (s *Sales) PlatformAdmins(ctx context.Context) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		ids, err = store.PlatformAdminIDs(ctx, tx)
		return err
	})
	return ids, err
}

// heartbeat beats for the activity every third of process.StripeHeartbeat until the
// returned stop is called, so that an attempt lost with its worker is tried again soon,
// under the same key, rather than at the end of its minute.
func heartbeat(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(process.StripeHeartbeat / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}

// stripeError classifies a failed Stripe call for Temporal: Stripe unavailable (after the
// client's own retries) or the call cut short stays retryable, under the same key; a refusal
// of the request itself fails for good.
func stripeError(err error) error {
	var se *stripe.Error
	if errors.Is(err, payments.ErrUnavailable) || !errors.As(err, &se) {
		return err
	}
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("stripe refused: %s", se.Msg), sale.ErrTypeStripeRefused, err)
}

func timeOrNil[T interface{ IsZero() bool }](t T) *T {
	if t.IsZero() {
		return nil
	}
	return &t
}
