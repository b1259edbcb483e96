package billing_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
	"github.com/reptidex/reptidex/workflows/dunning"
)

// stripeNow answers an invoice as Stripe has it now: open unless told otherwise.
type stripeNow struct {
	mu     sync.Mutex
	status map[string]stripe.InvoiceStatus
	err    error
	asked  []string
	// voided are the invoices voided ("<invoice> <key>"); voidErr is what a void answers.
	voided  []string
	voidErr error
}

func (s *stripeNow) VoidInvoice(_ context.Context, key payments.Key, id string) (*stripe.Invoice, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.voidErr != nil {
		return nil, s.voidErr
	}
	s.voided = append(s.voided, id+" "+key.String())
	s.status[id] = stripe.InvoiceStatusVoid
	return &stripe.Invoice{ID: id, Status: stripe.InvoiceStatusVoid}, nil
}

func (s *stripeNow) RetrieveInvoice(_ context.Context, key payments.Key, id string) (*stripe.Invoice, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, key.String())
	if s.err != nil {
		return nil, s.err
	}
	return &stripe.Invoice{ID: id, Status: or(s.status[id], stripe.InvoiceStatusOpen)}, nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// dunnings notes what the sync tells the dunning processes.
type dunnings struct {
	mu    sync.Mutex
	fails []string // "<subscription> <invoice> action=<bool>"
	tells []string // "<subscription> <signal>"
}

func (d *dunnings) Fail(_ context.Context, in dunning.Input, f dunning.Failure) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fails = append(d.fails, fmt.Sprintf("%s %s action=%t", in.SubscriptionID, f.InvoiceID, f.ActionRequired))
	return nil
}

func (d *dunnings) Tell(_ context.Context, sub, signal string, _ any) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tells = append(d.tells, sub+" "+signal)
	return nil
}

// syncer is an organization and the sync of its events, with Stripe and Temporal faked.
type syncer struct {
	db       *store.DB
	org      store.Organization
	sync     billing.Sync
	stripe   *stripeNow
	dunnings *dunnings
	sub, cus string
}

func newSyncer(t *testing.T) *syncer {
	t.Helper()
	db := testkit.DB(t)
	q := registered.Queue(t, db)
	_, org := registered.Organization(t, db, q, "sync")
	_, err := testkit.AdminPool(t).Exec(context.Background(),
		`UPDATE plans SET stripe_price_id = CASE key WHEN 'pro' THEN 'price_syncpro' WHEN 'business' THEN 'price_syncbusiness' ELSE stripe_price_id END`)
	require.NoError(t, err)
	s := &syncer{db: db, org: org, stripe: &stripeNow{status: map[string]stripe.InvoiceStatus{}}, dunnings: &dunnings{},
		sub: "sub_" + uuid.NewString()[:8], cus: "cus_" + uuid.NewString()[:8]}
	s.sync = billing.Sync{Stripe: s.stripe, Dunning: s.dunnings, Schedule: dunning.DefaultSchedule,
		Notifier: &notify.Notifier{River: q}}
	return s
}

// handle runs the handler of an event as the receiver's job does.
func (s *syncer) handle(t *testing.T, payload []byte) {
	t.Helper()
	var ev stripe.Event
	require.NoError(t, json.Unmarshal(payload, &ev))
	h := map[stripe.EventType]func(context.Context, pgx.Tx, stripe.Event) error{
		stripe.EventTypeCustomerSubscriptionCreated:  s.sync.SubscriptionEvent,
		stripe.EventTypeCustomerSubscriptionUpdated:  s.sync.SubscriptionEvent,
		stripe.EventTypeCustomerSubscriptionDeleted:  s.sync.SubscriptionEvent,
		stripe.EventTypeInvoicePaid:                  s.sync.InvoiceEvent,
		stripe.EventTypeInvoicePaymentFailed:         s.sync.InvoiceEvent,
		stripe.EventTypeInvoicePaymentActionRequired: s.sync.InvoiceEvent,
		stripe.EventTypePaymentMethodAttached:        s.sync.PaymentMethodAttached,
	}[ev.Type]
	require.NoError(t, s.db.InTx(context.Background(), func(tx pgx.Tx) error { return h(context.Background(), tx, ev) }))
}

func (s *syncer) subscription(t *testing.T, typ stripe.EventType, status stripe.SubscriptionStatus, price string, at time.Time) {
	t.Helper()
	p, err := stripehooks.BuildSubscriptionEvent(typ, stripehooks.SubscriptionState{ID: s.sub, CustomerID: s.cus,
		OrgPublicID: s.org.PublicID, Status: status, PriceID: price}, at)
	require.NoError(t, err)
	s.handle(t, p)
}

func (s *syncer) invoice(t *testing.T, typ stripe.EventType, id string, at time.Time) {
	t.Helper()
	p, err := stripehooks.BuildInvoiceEvent(typ, stripehooks.InvoiceState{ID: id, SubscriptionID: s.sub, CustomerID: s.cus,
		OrgPublicID: s.org.PublicID, AmountDue: 1200}, at)
	require.NoError(t, err)
	s.handle(t, p)
}

// state is the organization's plan and the stored statuses of its subscription and invoice.
func (s *syncer) state(t *testing.T, invoice string) (plan, sub, in string) {
	t.Helper()
	require.NoError(t, s.db.InTenant(context.Background(), store.Tenant{OrgID: s.org.ID}, func(tx pgx.Tx) error {
		p, err := store.OrganizationPlan(context.Background(), tx)
		if err != nil {
			return err
		}
		plan = p.Key
		if st, err := store.CurrentSubscription(context.Background(), tx); err == nil {
			sub = st.Status
		}
		if invoice != "" {
			if i, err := store.LockInvoice(context.Background(), tx, invoice); err == nil {
				in = i.Status
			}
		}
		return nil
	}))
	return plan, sub, in
}

var t0 = time.Now().Add(-time.Hour).Truncate(time.Second)

func TestSync_SubscriptionStateIsTheNewestStripeTold(t *testing.T) {
	t.Parallel()
	s := newSyncer(t)
	s.subscription(t, stripe.EventTypeCustomerSubscriptionUpdated, stripe.SubscriptionStatusActive, "price_syncbusiness", t0.Add(2*time.Second))
	s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusIncomplete, "price_syncpro", t0)
	plan, status, _ := s.state(t, "")
	require.Equal(t, "business", plan, "the creation, older, does not undo the update")
	require.Equal(t, "active", status)

	// At the same second an update wins over a creation.
	s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusIncomplete, "price_syncpro", t0.Add(2*time.Second))
	plan, _, _ = s.state(t, "")
	require.Equal(t, "business", plan)
	s.subscription(t, stripe.EventTypeCustomerSubscriptionUpdated, stripe.SubscriptionStatusActive, "price_syncpro", t0.Add(2*time.Second))
	plan, _, _ = s.state(t, "")
	require.Equal(t, "pro", plan)

	// A price that is none of the plans entitles to nothing more than Free.
	s.subscription(t, stripe.EventTypeCustomerSubscriptionUpdated, stripe.SubscriptionStatusActive, "price_unknown", t0.Add(3*time.Second))
	plan, _, _ = s.state(t, "")
	require.Equal(t, "free", plan)
}

func TestSync_AnEventForNoOrganizationOfOursIsAcknowledged(t *testing.T) {
	t.Parallel()
	s := newSyncer(t)
	s.org.PublicID = "NotOurs1"
	s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusActive, "price_syncpro", t0)
	s.invoice(t, stripe.EventTypeInvoicePaymentFailed, "in_unknown1", t0)
	require.Empty(t, s.dunnings.fails)
}

func TestSync_AFailureStartsTheDunningOnceAndAPaymentEndsIt(t *testing.T) {
	t.Parallel()
	s := newSyncer(t)
	s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusPastDue, "price_syncpro", t0)
	s.invoice(t, stripe.EventTypeInvoicePaymentFailed, "in_a1", t0)
	s.invoice(t, stripe.EventTypeInvoicePaymentActionRequired, "in_a1", t0.Add(time.Second))
	s.invoice(t, stripe.EventTypeInvoicePaymentFailed, "in_b2", t0.Add(2*time.Second))
	require.Equal(t, []string{s.sub + " in_a1 action=false", s.sub + " in_a1 action=true", s.sub + " in_b2 action=false"},
		s.dunnings.fails, "each failure reaches the dunning, which starts on the first and tells each invoice once")
	plan, _, in := s.state(t, "in_a1")
	require.Equal(t, "pro", plan, "a failed renewal cuts nothing")
	require.Equal(t, "open", in)

	s.invoice(t, stripe.EventTypeInvoicePaid, "in_a1", t0.Add(3*time.Second))
	_, _, in = s.state(t, "in_a1")
	require.Equal(t, "paid", in)
	require.Contains(t, s.dunnings.tells, s.sub+" "+dunning.PaidSignal)
}

func TestSync_PaidBeforeFailedChangesNothing(t *testing.T) {
	t.Parallel()
	s := newSyncer(t)
	s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusActive, "price_syncpro", t0)
	s.invoice(t, stripe.EventTypeInvoicePaid, "in_p1", t0.Add(time.Second))
	s.invoice(t, stripe.EventTypeInvoicePaymentFailed, "in_p1", t0)
	_, _, in := s.state(t, "in_p1")
	require.Equal(t, "paid", in)
	require.Empty(t, s.dunnings.fails)
	require.Empty(t, s.stripe.asked, "a paid invoice needs no question to Stripe")
}

func TestSync_AFailureStripeHasPaidMeanwhileIsRecordedPaid(t *testing.T) {
	t.Parallel()
	s := newSyncer(t)
	s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusPastDue, "price_syncpro", t0)
	s.stripe.status["in_m1"] = stripe.InvoiceStatusPaid
	s.invoice(t, stripe.EventTypeInvoicePaymentFailed, "in_m1", t0)
	_, _, in := s.state(t, "in_m1")
	require.Equal(t, "paid", in)
	require.Empty(t, s.dunnings.fails)
	require.Len(t, s.stripe.asked, 1)
	require.Contains(t, s.stripe.asked[0], "stripe-event/", "the question is keyed by the event")
}

func TestSync_StripeUnavailableStillStartsTheDunning(t *testing.T) {
	t.Parallel()
	s := newSyncer(t)
	s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusPastDue, "price_syncpro", t0)
	s.stripe.err = fmt.Errorf("stripe: retrieve invoice: %w", payments.ErrUnavailable)
	s.invoice(t, stripe.EventTypeInvoicePaymentFailed, "in_u1", t0)
	require.Equal(t, []string{s.sub + " in_u1 action=false"}, s.dunnings.fails)
}

func TestSync_AChangeOfPlanWhileDunningKeepsTheDunning(t *testing.T) {
	t.Parallel()
	s := newSyncer(t)
	s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusPastDue, "price_syncpro", t0)
	s.invoice(t, stripe.EventTypeInvoicePaymentFailed, "in_c1", t0)
	s.subscription(t, stripe.EventTypeCustomerSubscriptionUpdated, stripe.SubscriptionStatusPastDue, "price_syncbusiness", t0.Add(time.Second))
	plan, status, _ := s.state(t, "")
	require.Equal(t, "business", plan)
	require.Equal(t, "past_due", status)
	require.NotContains(t, s.dunnings.tells, s.sub+" "+dunning.EndedSignal)

	// Cancelled while dunning: the dunning is told, the organization is on Free, and the
	// unpaid invoice is voided, under the key a cancellation from here voids it with.
	s.subscription(t, stripe.EventTypeCustomerSubscriptionDeleted, stripe.SubscriptionStatusCanceled, "price_syncbusiness", t0.Add(2*time.Second))
	plan, _, _ = s.state(t, "")
	require.Equal(t, "free", plan)
	require.Contains(t, s.dunnings.tells, s.sub+" "+dunning.EndedSignal)
	require.Equal(t, []string{"in_c1 " + billing.VoidKey(s.sub, "in_c1").String()}, s.stripe.voided)
	_, _, invoice := s.state(t, "in_c1")
	require.Equal(t, "void", invoice, "recorded void: nothing left to pay")
	// A failure after the end starts nothing.
	s.invoice(t, stripe.EventTypeInvoicePaymentFailed, "in_c2", t0.Add(3*time.Second))
	require.Len(t, s.dunnings.fails, 1)
}

func TestSync_AnEndedSubscriptionsOpenInvoiceIsVoidedUnlessPaidMeanwhile(t *testing.T) {
	t.Parallel()
	deleted := func(s *syncer) error {
		p, err := stripehooks.BuildSubscriptionEvent(stripe.EventTypeCustomerSubscriptionDeleted, stripehooks.SubscriptionState{
			ID: s.sub, CustomerID: s.cus, OrgPublicID: s.org.PublicID, Status: stripe.SubscriptionStatusCanceled,
			PriceID: "price_syncpro"}, t0.Add(time.Minute))
		require.NoError(t, err)
		var ev stripe.Event
		require.NoError(t, json.Unmarshal(p, &ev))
		return s.db.InTx(context.Background(), func(tx pgx.Tx) error { return s.sync.SubscriptionEvent(context.Background(), tx, ev) })
	}
	for _, tc := range []struct {
		name    string
		voidErr error
		now     stripe.InvoiceStatus // the invoice as Stripe has it when the void is refused
		fails   bool
	}{
		{name: "Stripe unavailable: the event is tried again", voidErr: fmt.Errorf("void: %w", payments.ErrUnavailable), fails: true},
		{name: "refused while still open: tried again", voidErr: errors.New("invoice is locked"), now: stripe.InvoiceStatusOpen, fails: true},
		{name: "refused because paid meanwhile: left paid", voidErr: errors.New("invoice is not open"), now: stripe.InvoiceStatusPaid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSyncer(t)
			in := "in_" + uuid.NewString()[:8]
			s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusPastDue, "price_syncpro", t0)
			s.invoice(t, stripe.EventTypeInvoicePaymentFailed, in, t0)
			s.stripe.voidErr = tc.voidErr
			s.stripe.status[in] = tc.now
			err := deleted(s)
			if tc.fails {
				require.Error(t, err)
				_, status, _ := s.state(t, "")
				require.Equal(t, "past_due", status, "nothing of the event applied; it is handled again")
				s.stripe.voidErr = nil
				require.NoError(t, deleted(s))
				require.Len(t, s.stripe.voided, 1)
			} else {
				require.NoError(t, err)
				require.Empty(t, s.stripe.voided)
			}
			_, status, _ := s.state(t, "")
			require.Equal(t, "canceled", status)
		})
	}
}

func TestSync_TheGraceEndedThenAPaymentRestoresThePlanAtOnce(t *testing.T) {
	t.Parallel()
	s := newSyncer(t)
	s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusPastDue, "price_syncpro", t0)
	s.invoice(t, stripe.EventTypeInvoicePaymentFailed, "in_g1", t0)
	require.NoError(t, s.db.InTx(context.Background(), func(tx pgx.Tx) error {
		changed, err := billing.EndGrace(context.Background(), tx, s.sync.Notifier, s.org.ID, s.sub, time.Now())
		require.True(t, changed)
		return err
	}))
	plan, _, _ := s.state(t, "")
	require.Equal(t, "free", plan)
	// Stripe's retries fail again: nobody is chased after the grace.
	s.invoice(t, stripe.EventTypeInvoicePaymentFailed, "in_g1", t0.Add(time.Hour))
	require.Len(t, s.dunnings.fails, 1)

	s.invoice(t, stripe.EventTypeInvoicePaid, "in_g1", t0.Add(2*time.Hour))
	plan, _, _ = s.state(t, "")
	require.Equal(t, "pro", plan)
}

func TestSync_ANewPaymentMethodTellsTheDunningsOfItsCustomer(t *testing.T) {
	t.Parallel()
	s := newSyncer(t)
	s.subscription(t, stripe.EventTypeCustomerSubscriptionCreated, stripe.SubscriptionStatusPastDue, "price_syncpro", t0)
	p, err := stripehooks.BuildPaymentMethodEvent(s.cus, time.Now())
	require.NoError(t, err)
	s.handle(t, p)
	require.Equal(t, []string{s.sub + " " + dunning.PaymentMethodSignal}, s.dunnings.tells)
}
