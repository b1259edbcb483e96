package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/scripts/loadgen"
	"github.com/reptidex/reptidex/stripehooks"
)

// step is one measured step of a sale.
type step int

// The steps of a sale, in order, and the whole of it.
const (
	stepOrder     step = iota // POST /orders answered
	stepRequested             // order answered → the order shows the PaymentIntent the sale created
	stepPaid                  // signed authorization event posted → the order is paid
	stepShip                  // POST /orders/{id}/ship sent → the order is shipped (the sale captured)
	stepDelivered             // POST /orders/{id}/delivered sent → the order is delivered
	stepConfirm               // POST /orders/{id}/confirm answered
	stepCompleted             // confirm answered → the order is completed
	stepWhole                 // order sent → the order is completed
	numSteps
)

// stepNames are the steps as the report names them.
var stepNames = [numSteps]string{"order", "payment requested", "authorized → paid", "ship", "delivered", "confirm",
	"confirm → completed", "end to end"}

// driver drives sales as buyer, seller and Stripe.
type driver struct {
	api     *loadgen.API
	admin   *pgxpool.Pool
	secret  string        // the webhook endpoint's signing secret
	poll    time.Duration // how often a wait reads the order
	waitMax time.Duration // how long a wait lasts before the sale is counted failed
	runID   string
}

// saleRecord is what one client recorded: the duration of each step of the sales that got
// that far, the sales it completed, and its failures by step.
type saleRecord struct {
	steps     [numSteps][]time.Duration
	completed int
	failed    map[string]int // by the step that failed
	stale     map[string]int // updates answered with the stage before, by step
	failures  []string       // the first maxFailures, quoted
	last      time.Time      // when its last sale ended
}

// maxFailures is how many failures a run quotes.
const maxFailures = 5

func (r *saleRecord) fail(s step, format string, args ...any) {
	r.failed[stepNames[s]]++
	if len(r.failures) < maxFailures {
		r.failures = append(r.failures, stepNames[s]+": "+fmt.Sprintf(format, args...))
	}
}

// saleRun is what all clients recorded.
type saleRun struct {
	steps     [numSteps][]time.Duration
	completed int
	failed    map[string]int
	stale     map[string]int
	failures  []string
	wall      time.Duration // first order sent to the last sale's end
}

// sellAll runs clients concurrent clients, each driving the next sale from order to
// completion, until every sale has been driven.
func (d *driver) sellAll(ctx context.Context, sales []saleSpec, clients int) saleRun {
	recs := make([]*saleRecord, clients)
	for k := range recs {
		recs[k] = &saleRecord{failed: map[string]int{}, stale: map[string]int{}}
	}
	start := time.Now()
	loadgen.Deal(ctx, len(sales), clients, func(k, i int) {
		d.sell(ctx, sales[i], i, recs[k])
		recs[k].last = time.Now()
	})
	out := saleRun{failed: map[string]int{}, stale: map[string]int{}}
	last := start
	for _, rec := range recs {
		for s := range numSteps {
			out.steps[s] = append(out.steps[s], rec.steps[s]...)
		}
		out.completed += rec.completed
		for k, n := range rec.failed {
			out.failed[k] += n
		}
		for k, n := range rec.stale {
			out.stale[k] += n
		}
		for _, f := range rec.failures {
			if len(out.failures) < maxFailures {
				out.failures = append(out.failures, f)
			}
		}
		if rec.last.After(last) {
			last = rec.last
		}
	}
	out.wall = last.Sub(start)
	return out
}

// sell drives sale i: the buyer orders; the driver waits for the sale to ask for payment,
// then, as Stripe, posts the signed event that the card is authorized and waits for the
// order to be paid; the seller ships; the buyer says it was delivered and confirms; the
// driver waits for the order to complete.
func (d *driver) sell(ctx context.Context, s saleSpec, i int, rec *saleRecord) {
	key := fmt.Sprintf("loadsale-%s-%d", d.runID, i)
	t0 := time.Now()
	var o order
	a, err := d.api.Call(ctx, http.MethodPost, "/api/v1/orders", s.buyer.Token,
		map[string]any{"listing_id": s.listing, "amount": price, "currency": currency, "ship_to": shipTo}, "Idempotency-Key", key)
	if err := decoded(a, err, http.StatusCreated, &o); err != nil {
		rec.fail(stepOrder, "listing %s: %v", s.listing, err)
		return
	}
	rec.steps[stepOrder] = append(rec.steps[stepOrder], a.Latency)
	id := o.ID

	t := time.Now()
	orderID, err := d.orderUUID(ctx, id)
	if err != nil {
		rec.fail(stepRequested, "order %s: %v", id, err)
		return
	}
	o, err = d.wait(ctx, s.buyer.Token, id, func(o order) bool { return o.paymentIntent() != "" })
	if err != nil {
		rec.fail(stepRequested, "order %s: %v", id, err)
		return
	}
	rec.steps[stepRequested] = append(rec.steps[stepRequested], time.Since(t))

	t = time.Now()
	if err := d.authorize(ctx, o, orderID); err != nil {
		rec.fail(stepPaid, "order %s: %v", id, err)
		return
	}
	if _, err := d.wait(ctx, s.buyer.Token, id, func(o order) bool { return o.Status == "paid" }); err != nil {
		rec.fail(stepPaid, "order %s: %v", id, err)
		return
	}
	rec.steps[stepPaid] = append(rec.steps[stepPaid], time.Since(t))

	path := "/api/v1/orders/" + url.PathEscape(id) + "/"
	for _, u := range []struct {
		step   step
		action string
		token  string
		body   any
		want   string
	}{
		{stepShip, "ship", s.seller.Token, map[string]string{"carrier": "UPS", "tracking_number": "1Z" + key}, "shipped"},
		{stepDelivered, "delivered", s.buyer.Token, nil, "delivered"},
		{stepConfirm, "confirm", s.buyer.Token, nil, ""},
	} {
		t := time.Now()
		a, err := d.api.Call(ctx, http.MethodPost, path+u.action, u.token, u.body, "Idempotency-Key", key+"-"+u.action)
		if err := decoded(a, err, http.StatusOK, &o); err != nil {
			rec.fail(u.step, "order %s: %v", id, err)
			return
		}
		if u.want != "" && o.Status != u.want {
			// The sale answers an update once the order's row shows the stage it led to, so
			// this is counted as a fault (a stale answer); the step ends when the order shows
			// the new stage.
			rec.stale[stepNames[u.step]]++
			if o, err = d.wait(ctx, s.buyer.Token, id, func(o order) bool { return o.Status == u.want }); err != nil {
				rec.fail(u.step, "order %s: %v", id, err)
				return
			}
		}
		rec.steps[u.step] = append(rec.steps[u.step], time.Since(t))
	}

	t = time.Now()
	if o.Status != "completed" {
		if _, err := d.wait(ctx, s.buyer.Token, id, func(o order) bool { return o.Status == "completed" }); err != nil {
			rec.fail(stepCompleted, "order %s: %v", id, err)
			return
		}
	}
	rec.steps[stepCompleted] = append(rec.steps[stepCompleted], time.Since(t))
	rec.steps[stepWhole] = append(rec.steps[stepWhole], time.Since(t0))
	rec.completed++
}

// orderUUID is the order's internal ID. Stripe's events name the order by the order_id the
// sale put in the PaymentIntent's metadata, which stripe-mock does not keep and the API
// does not show; the driver, playing Stripe, reads it where the sale keeps it.
func (d *driver) orderUUID(ctx context.Context, publicID string) (uuid.UUID, error) {
	var id uuid.UUID
	if err := d.admin.QueryRow(ctx, "SELECT id FROM orders WHERE public_id = $1", publicID).Scan(&id); err != nil {
		return uuid.Nil, fmt.Errorf("read the order's id: %w", err)
	}
	return id, nil
}

// authorize posts, signed, the event Stripe sends once the buyer's card is authorized:
// payment_intent.amount_capturable_updated with the whole price capturable.
func (d *driver) authorize(ctx context.Context, o order, orderID uuid.UUID) error {
	body, err := stripehooks.BuildEvent(stripe.EventTypePaymentIntentAmountCapturableUpdated, stripehooks.SalePayment{
		PaymentIntentID: o.paymentIntent(), ChargeID: "ch_" + o.ID, OrderID: orderID, Amount: price, Currency: currency})
	if err != nil {
		return err
	}
	a, err := d.api.Call(ctx, http.MethodPost, "/api/v1/stripe/webhooks", "", body,
		"Stripe-Signature", stripehooks.Sign(body, d.secret, time.Now()))
	var receipt struct {
		Handled bool `json:"handled"`
	}
	if err := decoded(a, err, http.StatusOK, &receipt); err != nil {
		return fmt.Errorf("post the authorization event: %w", err)
	}
	if !receipt.Handled {
		return fmt.Errorf("the authorization event was not handled: %s", bytes.TrimSpace(a.Body))
	}
	return nil
}

// wait reads the order every d.poll until done says it is there, for at most d.waitMax.
func (d *driver) wait(ctx context.Context, token, id string, done func(order) bool) (order, error) {
	deadline := time.Now().Add(d.waitMax)
	var o order
	for {
		a, err := d.api.Call(ctx, http.MethodGet, "/api/v1/orders/"+url.PathEscape(id), token, nil)
		if err := decoded(a, err, http.StatusOK, &o); err != nil {
			return o, err
		}
		if done(o) {
			return o, nil
		}
		if time.Now().After(deadline) {
			return o, fmt.Errorf("still %s after %s", o.Status, d.waitMax)
		}
		select {
		case <-ctx.Done():
			return o, ctx.Err()
		case <-time.After(d.poll):
		}
	}
}

// decoded checks that a call was answered with want and decodes its body into out.
func decoded(a loadgen.Answer, err error, want int, out any) error {
	if err != nil {
		return err
	}
	if a.Status != want {
		return fmt.Errorf("status %d: %.300s", a.Status, bytes.TrimSpace(a.Body))
	}
	if err := json.Unmarshal(a.Body, out); err != nil {
		return fmt.Errorf("decode the answer: %w", err)
	}
	return nil
}
