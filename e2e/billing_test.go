package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/dunning"
)

// The plans' Stripe prices in these tests (every run sets the same ones).
const (
	proPrice      = "price_reptidexpro"
	businessPrice = "price_reptidexbusiness"
)

// subscriber is an organization that subscribes, and the Stripe objects the tests play for
// it: its own customer and subscription IDs, so that no other test's events reach it.
type subscriber struct {
	person
	Customer, Subscription string
}

func newID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// pricePlans gives Pro and Business the tests' Stripe prices (the same in every run).
func (s *system) pricePlans(t *testing.T) {
	t.Helper()
	require.NoError(t, s.Admin(context.Background(), `UPDATE plans SET stripe_price_id = CASE key WHEN 'pro' THEN $1 WHEN 'business' THEN $2 ELSE stripe_price_id END`,
		proPrice, businessPrice))
}

// subscriberOf registers an owner whose organization subscribes to Pro: the plans get their
// prices, the owner opens Checkout through the API (stripe-mock answers), and Stripe's
// customer.subscription.created arrives.
func subscriberOf(t *testing.T, s *system, name string) subscriber {
	t.Helper()
	s.pricePlans(t)
	owner := s.register(t, name, false)
	out := s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/billing/checkout", owner.Token, map[string]any{"plan": "pro"})
	require.NotEmpty(t, out["url"])
	sub := subscriber{person: owner, Customer: newID("cus_"), Subscription: newID("sub_")}
	s.deliver(t, sub.event(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusActive, proPrice, time.Now()))
	require.Equal(t, "pro", s.plan(t, sub))
	return sub
}

func (sub subscriber) event(t *testing.T, typ stripe.EventType, status stripe.SubscriptionStatus, price string, at time.Time) []byte {
	t.Helper()
	p, err := stripehooks.BuildSubscriptionEvent(typ, stripehooks.SubscriptionState{ID: sub.Subscription, CustomerID: sub.Customer,
		OrgPublicID: sub.OrgID, Status: status, PriceID: price}, at)
	require.NoError(t, err)
	return p
}

func (sub subscriber) invoice(t *testing.T, typ stripe.EventType, invoice string, at time.Time) []byte {
	t.Helper()
	p, err := stripehooks.BuildInvoiceEvent(typ, stripehooks.InvoiceState{ID: invoice, SubscriptionID: sub.Subscription,
		CustomerID: sub.Customer, OrgPublicID: sub.OrgID, AmountDue: 1200}, at)
	require.NoError(t, err)
	return p
}

// deliver posts a signed event to the webhook, which must take it, and waits until the
// worker has handled it (billing's events are handled after the answer).
func (s *system) deliver(t *testing.T, payload []byte) stripehooks.Delivery {
	t.Helper()
	d, err := stripehooks.Deliver(context.Background(), s.HTTP, s.URL, s.Cfg.Stripe.WebhookSecret, payload)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, d.Status, "%s", d.Body)
	var ev struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal(payload, &ev))
	admin := testkit.AdminPool(t)
	require.Eventually(t, func() bool {
		var processed bool
		err := admin.QueryRow(context.Background(), `SELECT processed_at IS NOT NULL FROM stripe_events WHERE id = $1`, ev.ID).Scan(&processed)
		return err == nil && processed
	}, 20*time.Second, 20*time.Millisecond, "event %s handled", ev.ID)
	return d
}

// plan is the plan whose limits apply to the subscriber's organization now.
func (s *system) plan(t *testing.T, sub subscriber) string {
	t.Helper()
	return s.must(t, http.StatusOK, http.MethodGet, "/api/v1/billing/subscription", sub.Token, nil)["plan"].(string)
}

func TestBilling_SubscribeChangePlanAndCancelFollowStripe(t *testing.T) {
	t.Parallel()
	s := start(t)
	sub := subscriberOf(t, s, "Subscriber")
	now := time.Now()

	// A redelivery of the same event is acknowledged and not applied again.
	created := sub.event(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusActive, proPrice, now)
	d, err := stripehooks.Deliver(context.Background(), s.HTTP, s.URL, s.Cfg.Stripe.WebhookSecret, created)
	require.NoError(t, err)
	require.Contains(t, string(d.Body), `"duplicate":false`)
	require.Contains(t, string(d.Body), `"queued":true`)
	require.Contains(t, string(s.deliver(t, created).Body), `"duplicate":true`)

	// A second checkout while subscribed is refused; the plan changes through Stripe.
	s.must(t, http.StatusConflict, http.MethodPost, "/api/v1/billing/checkout", sub.Token, map[string]any{"plan": "business"})
	changed := s.must(t, http.StatusAccepted, http.MethodPatch, "/api/v1/billing/subscription", sub.Token, map[string]any{"plan": "business"})
	require.Equal(t, "pro", changed["plan"], "the change applies when Stripe confirms it")
	s.deliver(t, sub.event(t, stripe.EventTypeCustomerSubscriptionUpdated, stripe.SubscriptionStatusActive, businessPrice, now.Add(2*time.Second)))
	require.Equal(t, "business", s.plan(t, sub))

	// An update older than what is stored changes nothing.
	s.deliver(t, sub.event(t, stripe.EventTypeCustomerSubscriptionUpdated, stripe.SubscriptionStatusActive, proPrice, now.Add(time.Second)))
	require.Equal(t, "business", s.plan(t, sub))

	// Cancelling in good standing runs to the end of the period; resuming undoes it.
	s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/billing/subscription/cancel", sub.Token, nil)
	s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/billing/subscription/resume", sub.Token, nil)
	s.deliver(t, sub.event(t, stripe.EventTypeCustomerSubscriptionDeleted, stripe.SubscriptionStatusCanceled, businessPrice, now.Add(3*time.Second)))
	require.Equal(t, "free", s.plan(t, sub))
	// A deleted subscription never comes back, whatever arrives after.
	s.deliver(t, sub.event(t, stripe.EventTypeCustomerSubscriptionUpdated, stripe.SubscriptionStatusActive, businessPrice, now.Add(4*time.Second)))
	require.Equal(t, "free", s.plan(t, sub))
	view := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/billing/subscription", sub.Token, nil)
	require.Equal(t, "canceled", view["subscription"].(map[string]any)["status"])

	// The portal link makes a fresh session at each click, and is never cached.
	noFollow := *s.HTTP
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for range 2 {
		req, err := http.NewRequest(http.MethodGet, s.URL+"/api/v1/billing/portal", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+sub.Token)
		resp, err := noFollow.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.NotEmpty(t, resp.Header.Get("Location"))
		require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	}
}

func TestBilling_UpdatedBeforeCreatedKeepsTheUpdate(t *testing.T) {
	t.Parallel()
	s := start(t)
	owner := s.register(t, "Early", false)
	s.pricePlans(t)
	sub := subscriber{person: owner, Customer: newID("cus_"), Subscription: newID("sub_")}
	now := time.Now()
	s.deliver(t, sub.event(t, stripe.EventTypeCustomerSubscriptionUpdated, stripe.SubscriptionStatusActive, businessPrice, now))
	s.deliver(t, sub.event(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusIncomplete, proPrice, now.Add(-time.Second)))
	require.Equal(t, "business", s.plan(t, sub))
}

func TestBilling_PaidBeforeFailedStartsNoDunning(t *testing.T) {
	t.Parallel()
	s := start(t)
	sub := subscriberOf(t, s, "Punctual")
	invoice := newID("in_")
	now := time.Now()
	s.deliver(t, sub.invoice(t, stripe.EventTypeInvoicePaid, invoice, now))
	s.deliver(t, sub.invoice(t, stripe.EventTypeInvoicePaymentFailed, invoice, now.Add(-time.Minute)))

	_, err := testkit.Temporal(t).DescribeWorkflowExecution(context.Background(), dunning.WorkflowID(sub.Subscription), "")
	var nf *serviceerror.NotFound
	require.True(t, errors.As(err, &nf), "no dunning started: %v", err)
	invoices := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/billing/invoices", sub.Token, nil)["items"].([]any)
	require.Len(t, invoices, 1)
	require.Equal(t, "paid", invoices[0].(map[string]any)["status"])
	require.Equal(t, "pro", s.plan(t, sub))
}

// dunningPath is one way a dunning ends, and the file under workflows/dunning/testdata its
// history goes to.
type dunningPath struct {
	name string
	// drive follows the first failure of invoice to the dunning's end.
	drive   func(t *testing.T, s *system, sub subscriber, invoice string)
	outcome string
	plan    string // the organization's plan at the end
	file    string
}

// Each path a dunning can take, on the dev server with a schedule of seconds (start): paid after a
// reminder; a payment method added, the invoice retried at once, then paid; the
// subscription cancelled while unpaid; the grace ended, then a late payment restoring the
// plan at once. Each history must replay against today's code; with RECORD_HISTORIES=1
// they are written as the workflow's recorded histories.
func TestDunning_RecordsTheHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	paths := []dunningPath{
		{name: "paid after a reminder", drive: drivePaid, outcome: dunning.OutcomePaid, plan: "pro", file: "paid.json"},
		{name: "retried after a new card", drive: driveNewCard, outcome: dunning.OutcomePaid, plan: "pro", file: "retried_then_paid.json"},
		{name: "cancelled while unpaid", drive: driveCancelWhileUnpaid, outcome: dunning.OutcomeEnded, plan: "free", file: "cancelled.json"},
		{name: "downgraded then paid", drive: driveDowngraded, outcome: dunning.OutcomeDowngraded, plan: "pro", file: "downgraded.json"},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			sub := subscriberOf(t, s, "Dunned")
			invoice := newID("in_")
			s.deliver(t, sub.event(t, stripe.EventTypeCustomerSubscriptionUpdated, stripe.SubscriptionStatusPastDue, proPrice, time.Now().Add(time.Second)))
			s.deliver(t, sub.invoice(t, stripe.EventTypeInvoicePaymentFailed, invoice, time.Now()))
			s.waitMail(t, sub.Email, "Your ReptiDex payment did not go through")
			require.Equal(t, "pro", s.plan(t, sub), "a failed renewal cuts nothing")

			p.drive(t, s, sub, invoice)
			tc := testkit.Temporal(t)
			id := dunning.WorkflowID(sub.Subscription)
			ctx, cancel := context.WithTimeout(context.Background(), processWait)
			defer cancel()
			var res dunning.Result
			require.NoError(t, tc.GetWorkflow(ctx, id, "").Get(ctx, &res))
			require.Equal(t, p.outcome, res.Outcome)
			if p.outcome == dunning.OutcomeDowngraded {
				require.Equal(t, "free", s.plan(t, sub), "the grace ended unpaid")
				s.waitMail(t, sub.Email, "Your organization is now on the Free plan")
				// Paid at last: the plan is back at once.
				s.deliver(t, sub.invoice(t, stripe.EventTypeInvoicePaid, invoice, time.Now().Add(time.Minute)))
			}
			require.Equal(t, p.plan, s.plan(t, sub))

			h := fetchHistory(t, tc, id, "")
			require.Equal(t, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, h.Events[len(h.Events)-1].EventType)
			requireReplays(t, h)
			if recordHistories {
				writeHistory(t, h, filepath.Join("..", "workflows", "dunning", "testdata", p.file))
			}
		})
	}
}

// drivePaid waits for the reminder, then Stripe's retry succeeds.
func drivePaid(t *testing.T, s *system, sub subscriber, invoice string) {
	t.Helper()
	s.waitMail(t, sub.Email, "Reminder: your ReptiDex payment is still due")
	s.deliver(t, sub.invoice(t, stripe.EventTypeInvoicePaid, invoice, time.Now().Add(time.Minute)))
	s.waitMail(t, sub.Email, "Payment received: thank you")
}

// driveNewCard adds a card (the dunning retries the invoice at stripe-mock), then the
// retry's payment arrives.
func driveNewCard(t *testing.T, s *system, sub subscriber, invoice string) {
	t.Helper()
	pm, err := stripehooks.BuildPaymentMethodEvent(sub.Customer, time.Now())
	require.NoError(t, err)
	s.deliver(t, pm)
	require.Eventually(t, func() bool {
		st, err := dunning.StateOf(context.Background(), testkit.Temporal(t), sub.Subscription)
		return err == nil && st.Retries == 1
	}, 20*time.Second, 50*time.Millisecond, "the invoice is retried when the card is added")
	s.deliver(t, sub.invoice(t, stripe.EventTypeInvoicePaid, invoice, time.Now().Add(time.Minute)))
}

// driveCancelWhileUnpaid cancels: the subscription ends now and its invoice is voided (at
// stripe-mock), and Stripe tells that it was deleted.
func driveCancelWhileUnpaid(t *testing.T, s *system, sub subscriber, _ string) {
	t.Helper()
	s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/billing/subscription/cancel", sub.Token, nil)
	s.deliver(t, sub.event(t, stripe.EventTypeCustomerSubscriptionDeleted, stripe.SubscriptionStatusCanceled, proPrice, time.Now().Add(time.Minute)))
}

// driveDowngraded lets the grace run out.
func driveDowngraded(t *testing.T, s *system, sub subscriber, _ string) {
	t.Helper()
	s.waitMail(t, sub.Email, "Reminder: your ReptiDex payment is still due")
}

// A downgrade at the end of the grace deletes nothing: the animals beyond Free's limit stay
// readable and become read-only, no animal can be added; the invoice paid, everything is
// writable again at once.
func TestDunning_DowngradeKeepsEverythingAndAPaymentRestoresIt(t *testing.T) {
	t.Parallel()
	s := start(t)
	sub := subscriberOf(t, s, "Keeper")
	var ids []string
	for i := range 52 {
		ids = append(ids, s.animal(t, sub.Token, map[string]any{"species": "ball-python", "sex": "female", "name": fmt.Sprintf("Keeper %d", i+1)}))
	}
	invoice := newID("in_")
	s.deliver(t, sub.event(t, stripe.EventTypeCustomerSubscriptionUpdated, stripe.SubscriptionStatusPastDue, proPrice, time.Now().Add(time.Second)))
	s.deliver(t, sub.invoice(t, stripe.EventTypeInvoicePaymentFailed, invoice, time.Now()))
	// The invoice's own link opens its page at Stripe, for its organization only.
	pay := "/api/v1/billing/invoices/" + invoice + "/pay"
	page := s.must(t, http.StatusOK, http.MethodGet, pay, sub.Token, nil, "Accept", "application/json")
	require.Equal(t, "https://invoice.stripe.com/i/"+invoice, page["url"])
	stranger := s.register(t, "Stranger", false)
	s.must(t, http.StatusNotFound, http.MethodGet, pay, stranger.Token, nil, "Accept", "application/json")
	require.Eventually(t, func() bool { return s.plan(t, sub) == "free" }, 30*time.Second, 100*time.Millisecond, "the grace ends unpaid")

	// rename edits an animal as a person does: read it, then send its ETag with the change.
	rename := func(id, name string) reply {
		path := "/api/v1/animals/" + id
		read := s.do(t, http.MethodGet, path, sub.Token, nil)
		require.Equal(t, http.StatusOK, read.Status, "%s", read.Raw)
		return s.do(t, http.MethodPatch, path, sub.Token, map[string]any{"name": name}, "If-Match", read.Header.Get("ETag"))
	}
	refused := rename(ids[51], "Renamed")
	require.Equal(t, http.StatusPaymentRequired, refused.Status, "%s", refused.Raw)
	require.Equal(t, "animals", refused.Body["limit"])
	kept := rename(ids[0], "Still mine")
	require.Equal(t, http.StatusOK, kept.Status, "%s", kept.Raw)
	added := s.do(t, http.MethodPost, "/api/v1/animals", sub.Token, map[string]any{"species": "ball-python", "sex": "male"})
	require.Equal(t, http.StatusPaymentRequired, added.Status, "%s", added.Raw)

	s.deliver(t, sub.invoice(t, stripe.EventTypeInvoicePaid, invoice, time.Now().Add(time.Minute)))
	require.Equal(t, "pro", s.plan(t, sub))
	s.must(t, http.StatusConflict, http.MethodGet, pay, sub.Token, nil, "Accept", "application/json")
	restored := rename(ids[51], "Renamed")
	require.Equal(t, http.StatusOK, restored.Status, "%s", restored.Raw)
}
