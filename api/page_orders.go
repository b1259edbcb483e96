package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/orders"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
	"github.com/reptidex/reptidex/workflows/sale"
)

// The page of an order, which every email of a sale opens, for either party: where the sale
// stands, its money and its history, and what the person may do next. The buyer confirms the
// animal arrived alive, reports a problem, or cancels before shipping; the seller marks it
// shipped or cancels. Each action goes to the sale's workflow exactly as the API's does.

// orderPageData is what the order's page shows.
type orderPageData struct {
	Order    store.Order
	Money    store.LedgerTotals
	Timeline []store.OrderEntry
	Buyer    bool // the person's organization bought; otherwise it sold
	Price    string
	// Evidence are the photos sent with a reported problem, as thumbnails.
	Evidence []pagePhoto
	// What the person may do now.
	CanConfirm, CanReport, CanCancel, CanShip bool
	// Admin is a platform admin, no party to the order, who decides a reported problem
	// (CanResolve) from up to what was captured.
	Admin      bool
	CanResolve bool
	Captured   string
}

// StatusText says where the order stands, for the party reading it.
func (d orderPageData) StatusText() string {
	o := d.Order
	switch o.Status {
	case store.OrderPlaced, store.OrderAwaitingPayment:
		if d.Buyer {
			return "Waiting for your card to be authorized."
		}
		return "Waiting for the buyer's card to be authorized."
	case store.OrderPaid:
		if d.Buyer {
			return "Paid: the platform holds your payment until the animal arrives. The seller ships it next."
		}
		return "Paid: the platform holds the payment. Ship the animal and mark the order shipped."
	case store.OrderShipped, store.OrderDelivered:
		if d.Buyer {
			return "On its way. Once it arrives, confirm it arrived alive and as described, or report a problem."
		}
		return "Shipped. You are paid when the buyer confirms the arrival, or when the live-arrival window passes."
	case store.OrderProblem:
		return "A problem was reported. ReptiDex's team decides what is refunded; both of you are told."
	case store.OrderCompleted:
		return "Completed: the seller was paid and the animal's record moved to the buyer."
	case store.OrderCancelled:
		return "Cancelled" + outcomeSuffix(o.Outcome)
	case store.OrderRefunded:
		return "Refunded" + outcomeSuffix(o.Outcome)
	case store.OrderFailed:
		return "The sale failed" + outcomeSuffix(o.Outcome)
	}
	return o.Status
}

func outcomeSuffix(outcome string) string {
	if outcome == "" {
		return "."
	}
	return ": " + outcome + "."
}

// Tone styles the status.
func (d orderPageData) Tone() string {
	switch d.Order.Status {
	case store.OrderCompleted:
		return "good"
	case store.OrderProblem, store.OrderFailed:
		return "bad"
	}
	return "warn"
}

// orderPage shows an order to either party.
func (s *Server) orderPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	return s.recordPage(w, r, v, errNoOrder.Detail,
		func(w http.ResponseWriter, r *http.Request, v *web.View) error {
			return s.drawOrder(w, r, v, http.StatusOK)
		},
		func(tx pgx.Tx) error {
			_, err := store.OrderByPublicID(r.Context(), tx, chi.URLParam(r, "orderID"))
			return err
		})
}

// errNoOrder is an order none of the person's organizations is a party to.
var errNoOrder = newProblem(kindNotFound, "No order of yours has this address. Check that the link was copied whole.")

// drawOrder reads the order in the person's organization and draws its page at status.
func (s *Server) drawOrder(w http.ResponseWriter, r *http.Request, v *web.View, status int) error {
	var (
		d        orderPageData
		evidence []store.Evidence
	)
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		detail, err := orders.Read(r.Context(), tx, chi.URLParam(r, "orderID"))
		if errors.Is(err, store.ErrNotFound) {
			return errNoOrder
		}
		if err != nil {
			return err
		}
		d, evidence = orderPage(detail, a), detail.Evidence
		return nil
	})
	if err != nil {
		return s.drawOrderForAdmin(w, r, v, status, err)
	}
	return s.drawOrderPage(w, r, v, status, d, evidence)
}

// drawOrderPage presigns the photos of a reported problem (evidence) and draws the order's
// page.
func (s *Server) drawOrderPage(w http.ResponseWriter, r *http.Request, v *web.View, status int, d orderPageData, evidence []store.Evidence) error {
	for _, e := range evidence {
		l, err := s.media.PresignObject(r.Context(), e.ThumbnailKey)
		if err != nil {
			return err
		}
		d.Evidence = append(d.Evidence, pagePhoto{URL: l.URL, Alt: "Photo sent with the reported problem"})
	}
	v.Title = "Order: " + d.Order.Title
	v.Data = d
	return s.renderPage(w, r, status, "order", v)
}

// drawOrderForAdmin draws, for a platform admin who is no party to it, the order its party
// could not find (notFound), with the form that decides a reported problem; anyone else
// gets notFound.
func (s *Server) drawOrderForAdmin(w http.ResponseWriter, r *http.Request, v *web.View, status int, notFound error) error {
	if !isNotFound(notFound) {
		return notFound
	}
	adminID, err := s.requirePlatformAdmin(r, "")
	var p *Problem
	if errors.As(err, &p) && p.Status == http.StatusForbidden {
		return notFound
	}
	if err != nil {
		return err
	}
	detail, _, err := orders.ReadForAdmin(r.Context(), s.db, store.Tenant{UserID: adminID}, chi.URLParam(r, "orderID"))
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	d := orderPage(detail, access{})
	d.Admin, d.CanResolve = true, detail.Order.Status == store.OrderProblem
	d.Captured = web.Money(detail.Money.Captured, detail.Order.Currency)
	return s.drawOrderPage(w, r, v, status, d, detail.Evidence)
}

// orderPage is what the party a sees of the order, and may do with it.
func orderPage(detail orders.Detail, a access) orderPageData {
	o := detail.Order
	d := orderPageData{Order: o, Money: detail.Money, Timeline: detail.Timeline, Buyer: a.OrgID == o.BuyerOrgID,
		Price: web.Money(o.Amount, o.Currency)}
	if a.OrgID == uuid.Nil { // read for a platform admin: no party's actions
		return d
	}
	switch o.Status {
	case store.OrderPlaced, store.OrderAwaitingPayment, store.OrderPaid:
		d.CanCancel = true
		d.CanShip = !d.Buyer && o.Status == store.OrderPaid
	case store.OrderShipped, store.OrderDelivered:
		d.CanConfirm, d.CanReport = d.Buyer, d.Buyer
	}
	return d
}

// confirmOrderForm: the buyer confirms the animal arrived alive and as described.
func (s *Server) confirmOrderForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	return s.orderForm(w, r, v, sale.ConfirmUpdate, func(a sale.Actor) any { return a })
}

// reportOrderProblemForm: the buyer reports what is wrong with the animal that arrived.
func (s *Server) reportOrderProblemForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	v.Form = map[string]string{"reason": reason}
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return s.orderRefused(w, r, v, invalid(FieldError{"reason", "is required: what is wrong with the animal"}))
	case n > 2000:
		return s.orderRefused(w, r, v, invalid(FieldError{"reason", "must be at most 2,000 characters"}))
	}
	if err := needPerson(v); err != nil {
		return err
	}
	var photos []*multipart.FileHeader
	if r.MultipartForm != nil {
		for _, f := range r.MultipartForm.File["photos"] {
			if f.Size > 0 || f.Filename != "" { // a form with no file chosen sends one empty part
				photos = append(photos, f)
			}
		}
	}
	if len(photos) > media.MaxEvidence {
		return s.orderRefused(w, r, v, invalid(FieldError{"photos", fmt.Sprintf("send at most %d photos", media.MaxEvidence)}))
	}
	evidence, err := s.keepEvidence(r, photos)
	if err != nil {
		return s.orderRefused(w, r, v, err)
	}
	_, err = s.sendOrderUpdate(r, &keyed{}, chi.URLParam(r, "orderID"), sale.ProblemUpdate, func(a sale.Actor) any {
		return sale.ProblemInput{Actor: a, Reason: reason}
	})
	var p *Problem
	if errors.As(err, &p) && p.Status != http.StatusServiceUnavailable {
		// The sale refused the report: its photos go too. A report whose outcome is not known
		// keeps them, since it may have been taken; they show only once the order has a
		// problem recorded (orders.Read).
		if derr := s.dropEvidence(r, evidence); derr != nil {
			s.log.ErrorContext(r.Context(), "photos of a refused problem report were not removed", "error", derr)
		}
	}
	if err != nil {
		return s.orderRefused(w, r, v, err)
	}
	return redirectTo(w, web.OrderPath(chi.URLParam(r, "orderID")))
}

// keepEvidence stores the photos of a problem about to be reported, as the order's buyer,
// and records them. A file that is not an image within the limits is refused naming it,
// and nothing of the report is kept.
func (s *Server) keepEvidence(r *http.Request, photos []*multipart.FileHeader) ([]store.Evidence, error) {
	if len(photos) == 0 {
		return nil, nil
	}
	ctx := r.Context()
	var o store.Order
	var user uuid.UUID
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		var err error
		o, err = store.OrderByPublicID(ctx, tx, chi.URLParam(r, "orderID"))
		switch {
		case errors.Is(err, store.ErrNotFound):
			return notFound("order")
		case err != nil:
			return err
		case o.BuyerOrgID != a.OrgID:
			return newProblem(kindForbidden, "Only the buyer reports a problem with the animal.")
		case o.Status != store.OrderShipped && o.Status != store.OrderDelivered:
			return orderEnded(o)
		}
		user = a.UserID
		return nil
	})
	if err != nil {
		return nil, err
	}
	var kept []store.Evidence
	tidy := context.WithoutCancel(ctx)
	for _, f := range photos {
		e, err := s.readEvidence(ctx, f, o, user)
		if err != nil {
			return nil, errors.Join(err, s.media.DeleteEvidence(tidy, kept...))
		}
		kept = append(kept, e)
	}
	err = s.withAccess(r, "", func(tx pgx.Tx, _ access) error { return store.InsertEvidence(ctx, tx, kept) })
	if err != nil {
		return nil, errors.Join(err, s.media.DeleteEvidence(tidy, kept...))
	}
	return kept, nil
}

// readEvidence stores one photo of the form (media.PutEvidence).
func (s *Server) readEvidence(ctx context.Context, f *multipart.FileHeader, o store.Order, user uuid.UUID) (store.Evidence, error) {
	name := "A photo"
	if isLine(f.Filename) && utf8.RuneCountInString(f.Filename) <= 100 {
		name = f.Filename
	}
	if f.Size > media.MaxBytes {
		return store.Evidence{}, invalid(FieldError{"photos", name + " is larger than 10 MB"})
	}
	file, err := f.Open()
	if err != nil {
		return store.Evidence{}, fmt.Errorf("open a sent photo: %w", err)
	}
	defer func() { _ = file.Close() }()
	raw, err := io.ReadAll(io.LimitReader(file, media.MaxBytes+1))
	if err != nil {
		return store.Evidence{}, fmt.Errorf("read a sent photo: %w", err)
	}
	e, err := s.media.PutEvidence(ctx, o.ID, o.BuyerOrgID, user, raw)
	switch {
	case errors.Is(err, media.ErrNotImage):
		return e, invalid(FieldError{"photos", name + " is not a JPEG, PNG or WebP image"})
	case errors.Is(err, media.ErrTooLarge):
		return e, invalid(FieldError{"photos", name + " is too large: at most 10 MB and 8,000 pixels a side"})
	}
	return e, err
}

// dropEvidence removes photos recorded for a report the sale refused.
func (s *Server) dropEvidence(r *http.Request, es []store.Evidence) error {
	if len(es) == 0 {
		return nil
	}
	ctx := context.WithoutCancel(r.Context())
	err := s.withAccess(r.WithContext(ctx), "", func(tx pgx.Tx, _ access) error { return store.DeleteEvidence(ctx, tx, es) })
	if err != nil {
		return err
	}
	return s.media.DeleteEvidence(ctx, es...)
}

// cancelOrderForm: either party cancels before shipping.
func (s *Server) cancelOrderForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	v.Form = map[string]string{"cancel_reason": reason}
	if utf8.RuneCountInString(reason) > 500 {
		return s.orderRefused(w, r, v, invalid(FieldError{"cancel_reason", "must be at most 500 characters"}))
	}
	return s.orderForm(w, r, v, sale.CancelUpdate, func(a sale.Actor) any {
		return sale.CancelInput{Actor: a, Reason: reason}
	})
}

// shipOrderForm: the seller marks the order shipped, with the carrier, the tracking number
// and, if known, the day the carrier delivers.
func (s *Server) shipOrderForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	in := shipOrderRequest{Carrier: r.PostForm.Get("carrier"), TrackingNumber: r.PostForm.Get("tracking_number")}
	day := strings.TrimSpace(r.PostForm.Get("expected_delivery"))
	v.Form = map[string]string{"carrier": in.Carrier, "tracking_number": in.TrackingNumber, "expected_delivery": day}
	if day != "" {
		// A day, as a date field sends it: the animal is taken to arrive by its end, UTC.
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return s.orderRefused(w, r, v, invalid(FieldError{"expected_delivery", "must be a date such as 2026-12-24"}))
		}
		t = t.Add(24*time.Hour - time.Second)
		in.ExpectedDelivery = &t
	}
	expected, err := in.check()
	if err != nil {
		return s.orderRefused(w, r, v, err)
	}
	return s.orderForm(w, r, v, sale.ShipUpdate, func(a sale.Actor) any {
		return sale.ShipInput{Actor: a, Carrier: in.Carrier, TrackingNumber: in.TrackingNumber, ExpectedDelivery: expected}
	})
}

// orderForm sends the update to the order's sale and shows the order as it then stands, or
// the order again with why the sale refused.
func (s *Server) orderForm(w http.ResponseWriter, r *http.Request, v *web.View, update string, arg func(sale.Actor) any) error {
	if err := needPerson(v); err != nil {
		return err
	}
	if _, err := s.sendOrderUpdate(r, &keyed{}, chi.URLParam(r, "orderID"), update, arg); err != nil {
		return s.orderRefused(w, r, v, err)
	}
	return redirectTo(w, web.OrderPath(chi.URLParam(r, "orderID")))
}

// orderRefused draws the order's page again with why the action was refused; a refusal
// that leaves nothing to draw (no such order) is a problem page.
func (s *Server) orderRefused(w http.ResponseWriter, r *http.Request, v *web.View, err error) error {
	var p *Problem
	if !errors.As(err, &p) || p.Status == http.StatusNotFound || p.Status == http.StatusUnauthorized {
		return err
	}
	if err := needPerson(v); err != nil {
		return err
	}
	markFields(v, p)
	return s.drawOrder(w, r, v, p.Status)
}

// resolveOrderForm: a platform admin decides a reported problem: what the buyer gets back
// (in the order's currency, such as 25.00) and why.
func (s *Server) resolveOrderForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	if err := needPerson(v); err != nil {
		return err
	}
	adminID, err := s.requirePlatformAdmin(r, "Only platform admins decide the problems buyers report.")
	if err != nil {
		return err
	}
	refund, note := strings.TrimSpace(r.PostForm.Get("refund")), strings.TrimSpace(r.PostForm.Get("note"))
	v.Form = map[string]string{"refund": refund, "note": note}
	amount, ok := minorUnits(refund)
	switch {
	case !ok:
		return s.resolveRefused(w, r, v, invalid(FieldError{"refund", "must be an amount such as 25.00"}))
	case utf8.RuneCountInString(note) > 2000:
		return s.resolveRefused(w, r, v, invalid(FieldError{"note", "must be at most 2,000 characters"}))
	}
	_, err = s.resolve(r.Context(), &keyed{}, adminID, chi.URLParam(r, "orderID"), resolveOrderRequest{RefundAmount: amount, Note: note})
	if err != nil {
		return s.resolveRefused(w, r, v, err)
	}
	return redirectTo(w, web.OrderPath(chi.URLParam(r, "orderID")))
}

// resolveRefused draws the order again for the admin with why the decision was refused.
func (s *Server) resolveRefused(w http.ResponseWriter, r *http.Request, v *web.View, err error) error {
	var p *Problem
	if !errors.As(err, &p) || p.Status == http.StatusNotFound {
		return err
	}
	if f, ok := fieldOf(p, "refund_amount"); ok {
		p = invalid(FieldError{"refund", f})
	}
	markFields(v, p)
	return s.drawOrderForAdmin(w, r, v, p.Status, newProblem(kindNotFound, "order not found"))
}

// fieldOf is what a problem says of one field.
func fieldOf(p *Problem, field string) (string, bool) {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message, true
		}
	}
	return "", false
}

// minorUnits reads an amount a person typed, such as 25, 25.5 or 25.00, in minor units: at
// most two decimals, not negative, at most maxOrderAmount.
func minorUnits(s string) (int64, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 9 || len(frac) > 2 || (dot && frac == "") {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > maxOrderAmount {
		return 0, false
	}
	return n, true
}
