package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/orders"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/sale"
)

// saleStartingRetryAfter is the Retry-After of an update to an order whose sale has not
// started yet: its start job runs within moments of the order.
const saleStartingRetryAfter = 2 * time.Second

type shipOrderRequest struct {
	Carrier        string `json:"carrier" text:"max=100" jsonschema:"required,minLength=1"`
	TrackingNumber string `json:"tracking_number" text:"max=100" jsonschema:"required,minLength=1"`
	// The carrier's delivery date, if known: the animal is taken to have arrived then (the
	// live-arrival window opens) unless either side says so sooner. In the future, at most
	// 60 days ahead; without it, delivery is assumed after the platform's delivery wait.
	ExpectedDelivery *time.Time `json:"expected_delivery,omitempty" jsonschema:"format=date-time"`
}

// maxExpectedDelivery bounds how far ahead a carrier's delivery date may be.
const maxExpectedDelivery = 60 * 24 * time.Hour

type reportProblemRequest struct {
	// What is wrong with the animal that arrived; platform admins decide on it.
	Reason string `json:"reason" text:"multiline,max=2000" jsonschema:"required,minLength=1"`
}

type cancelOrderRequest struct {
	Reason string `json:"reason,omitempty" text:"multiline,max=500"`
}

type resolveOrderRequest struct {
	// What the buyer gets back, in minor units: from what was already refunded up to all
	// that was captured; the seller is paid the rest (less the platform's fee when nothing
	// is refunded).
	RefundAmount int64 `json:"refund_amount" jsonschema:"minimum=0,maximum=100000000"`
	// The decision's reasons, for both parties.
	Note string `json:"note" text:"multiline,max=2000"`
}

// shipOrder: the seller marks the order shipped with the carrier and tracking number.
func (s *Server) shipOrder(w http.ResponseWriter, r *http.Request) error {
	var in shipOrderRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	expected, err := in.check()
	if err != nil {
		return err
	}
	return s.updateOrder(w, r, sale.ShipUpdate, in, func(a sale.Actor) any {
		return sale.ShipInput{Actor: a, Carrier: in.Carrier, TrackingNumber: in.TrackingNumber, ExpectedDelivery: expected}
	})
}

// check trims the shipment's fields and refuses what is missing or out of range; expected
// is the delivery date in UTC, zero when none was given.
func (in *shipOrderRequest) check() (expected time.Time, err error) {
	in.Carrier, in.TrackingNumber = strings.TrimSpace(in.Carrier), strings.TrimSpace(in.TrackingNumber)
	var errs []FieldError
	for _, f := range []struct{ name, value string }{{"carrier", in.Carrier}, {"tracking_number", in.TrackingNumber}} {
		switch n := utf8.RuneCountInString(f.value); {
		case n == 0:
			errs = append(errs, FieldError{f.name, "is required"})
		case n > 100:
			errs = append(errs, FieldError{f.name, "must be at most 100 characters"})
		}
	}
	if in.ExpectedDelivery != nil {
		expected = in.ExpectedDelivery.UTC()
		if now := time.Now(); !expected.After(now) || expected.After(now.Add(maxExpectedDelivery)) {
			errs = append(errs, FieldError{"expected_delivery", "must be in the future, at most 60 days ahead"})
		}
	}
	if len(errs) > 0 {
		return time.Time{}, invalid(errs...)
	}
	return expected, nil
}

// deliveredOrder: either party says the animal arrived.
func (s *Server) deliveredOrder(w http.ResponseWriter, r *http.Request) error {
	return s.updateOrder(w, r, sale.DeliveredUpdate, nil, func(a sale.Actor) any { return a })
}

// confirmOrder: the buyer confirms the animal arrived alive and as described.
func (s *Server) confirmOrder(w http.ResponseWriter, r *http.Request) error {
	return s.updateOrder(w, r, sale.ConfirmUpdate, nil, func(a sale.Actor) any { return a })
}

// reportOrderProblem: the buyer reports that the animal did not arrive alive and as described.
func (s *Server) reportOrderProblem(w http.ResponseWriter, r *http.Request) error {
	var in reportProblemRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Reason = strings.TrimSpace(in.Reason); in.Reason == "" {
		return invalid(FieldError{"reason", "is required: what is wrong with the animal"})
	}
	return s.updateOrder(w, r, sale.ProblemUpdate, in, func(a sale.Actor) any {
		return sale.ProblemInput{Actor: a, Reason: in.Reason}
	})
}

// cancelOrder: either party cancels before shipping.
func (s *Server) cancelOrder(w http.ResponseWriter, r *http.Request) error {
	var in cancelOrderRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
	}
	in.Reason = strings.TrimSpace(in.Reason)
	return s.updateOrder(w, r, sale.CancelUpdate, in, func(a sale.Actor) any {
		return sale.CancelInput{Actor: a, Reason: in.Reason}
	})
}

// updateOrder sends a party's update to the order's sale under its optional
// Idempotency-Key (idempotent) and answers the order as it then stands. The key's operation
// is an update of this order, whichever it is: a key names one update. An order the caller
// is no party to is a 404 before anything is sent; the sale decides who may act and when.
func (s *Server) updateOrder(w http.ResponseWriter, r *http.Request, update string, body any, arg func(sale.Actor) any) error {
	publicID := chi.URLParam(r, "orderID")
	op := idempotentOp{Name: "order.update/" + publicID, Request: struct {
		Update string `json:"update"`
		Body   any    `json:"body"`
	}{update, body}}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) {
		return s.sendOrderUpdate(r, k, publicID, update, arg)
	})
}

// sendOrderUpdate authorizes the caller as a party to the order with the public ID and sends
// the update (askSale), under k's key when it has one.
func (s *Server) sendOrderUpdate(r *http.Request, k *keyed, publicID, update string, arg func(sale.Actor) any) (response, error) {
	var (
		o      store.Order
		actor  sale.Actor
		tenant store.Tenant
	)
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		var err error
		o, err = store.OrderByPublicID(r.Context(), tx, publicID)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("order")
		}
		actor = sale.Actor{UserID: a.UserID, OrgID: a.OrgID, Manages: a.Role.CanManageMembers()}
		tenant = store.Tenant{OrgID: a.OrgID, UserID: a.UserID}
		return err
	})
	if err != nil {
		return response{}, err
	}
	return s.askSale(r.Context(), k, o, tenant, update, actor, arg(actor))
}

// askSale sends the update (sale.Ask) to the order o and answers the order as read in
// tenant afterwards, with its timeline and money. Sent under a key, the update's ID derives
// from it, so that a retry attaches to the first update. An order that has ended is a 409
// saying how, unless the request retries the very update that was taken before it ended,
// which is answered again without being sent.
func (s *Server) askSale(ctx context.Context, k *keyed, o store.Order, tenant store.Tenant, update string, actor sale.Actor, arg any) (response, error) {
	caller := claimsFrom(ctx).UserID
	if !store.OrderOpen(o.Status) {
		if !k.Retried {
			return response{}, orderEnded(o)
		}
		d, err := s.readOrder(ctx, tenant, o.PublicID)
		if err != nil {
			return response{}, err
		}
		if orders.Answered(d, update, caller) {
			return response{Status: http.StatusOK, Body: viewOrderDetail(d, tenant.OrgID)}, nil
		}
		return response{}, orderEnded(d.Order)
	}
	updateID := ""
	if k.Key != "" {
		updateID = update + "/" + actor.UserID.String() + "/" + k.Key
	}
	wait, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	_, err := sale.Ask(wait, s.temporal, o.ID, update, updateID, arg)
	if err != nil && !errors.Is(err, sale.ErrNotRunning) {
		return response{}, s.saleProblem(ctx, o, update, err)
	}
	after, err2 := s.readOrder(ctx, tenant, o.PublicID)
	if err2 != nil {
		return response{}, err2
	}
	if errors.Is(err, sale.ErrNotRunning) {
		switch {
		case store.OrderOpen(after.Order.Status):
			p := newProblem(kindConflict, "The sale of this order has not started yet; retry in a moment.")
			p.retryAfter = saleStartingRetryAfter
			return response{}, p
		case !(k.Retried && orders.Answered(after, update, caller)):
			return response{}, orderEnded(after.Order)
		}
	}
	return response{Status: http.StatusOK, Body: viewOrderDetail(after, tenant.OrgID)}, nil
}

// readOrder reads the order with its timeline and money in tenant.
func (s *Server) readOrder(ctx context.Context, tenant store.Tenant, publicID string) (d orders.Detail, err error) {
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		d, err = orders.Read(ctx, tx, publicID)
		return err
	})
	return d, err
}

// orderEnded is the refusal of an update to an order that has ended, saying how it ended.
func orderEnded(o store.Order) *Problem {
	detail := "The order has ended: it is " + o.Status
	if o.Outcome != "" {
		detail += " (" + o.Outcome + ")"
	}
	return newProblem(kindConflict, detail+".")
}

// saleProblem answers an update the sale refused; other errors pass on, wrapped.
func (s *Server) saleProblem(ctx context.Context, o store.Order, update string, err error) error {
	var timeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
	switch {
	case sale.IsRefused(err):
		return newProblem(kindForbidden, capitalize(appErrMessage(err))+".")
	case sale.IsWrongStage(err):
		return newProblem(kindConflict, capitalize(appErrMessage(err))+".")
	case sale.IsInvalid(err):
		return newProblem(kindValidation, capitalize(appErrMessage(err))+".")
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &timeout):
		s.log.WarnContext(ctx, "sale update did not finish in time", "order", o.PublicID, "update", update, "error", err)
		return newProblem(kindUnavailable, "The sale did not answer in time; its outcome will show on GET /api/v1/orders/"+o.PublicID+".")
	}
	return fmt.Errorf("order %s %s: %w", o.PublicID, update, err)
}

// resolveOrder: a platform admin decides a problem the buyer reported: the refund to the
// buyer, the rest to the seller. The admin is no party to the order, which is read for
// them by orders.ReadForAdmin.
func (s *Server) resolveOrder(w http.ResponseWriter, r *http.Request) error {
	adminID, err := s.requirePlatformAdmin(r, "Only platform admins decide the problems buyers report.")
	if err != nil {
		return err
	}
	var in resolveOrderRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.RefundAmount < 0 || in.RefundAmount > maxOrderAmount {
		return invalid(FieldError{"refund_amount", "must be from 0 to the amount captured"})
	}
	in.Note = strings.TrimSpace(in.Note)
	publicID := chi.URLParam(r, "orderID")
	op := idempotentOp{Name: "order.resolve/" + publicID, Request: in}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) {
		return s.resolve(r.Context(), k, adminID, publicID, in)
	})
}

// resolve sends a platform admin's decision on the order with the public ID to its sale.
func (s *Server) resolve(ctx context.Context, k *keyed, adminID uuid.UUID, publicID string, in resolveOrderRequest) (response, error) {
	d, tenant, err := orders.ReadForAdmin(ctx, s.db, store.Tenant{UserID: adminID}, publicID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return response{}, newProblem(kindNotFound, "order not found")
	case err != nil:
		return response{}, err
	}
	if in.RefundAmount > d.Money.Captured {
		return response{}, invalid(FieldError{"refund_amount", fmt.Sprintf("must be at most %d, the amount captured", d.Money.Captured)})
	}
	// The admin acts for no party of the order.
	actor := sale.Actor{UserID: adminID, PlatformAdmin: true}
	return s.askSale(ctx, k, d.Order, tenant, sale.ResolveUpdate, actor,
		sale.Decision{Actor: actor, RefundAmount: in.RefundAmount, Note: in.Note})
}
