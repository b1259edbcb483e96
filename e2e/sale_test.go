package e2e_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reptidex/reptidex/orders"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
	"github.com/reptidex/reptidex/workflows/sale"
)

// market is a seller with a ready Stripe account and a listed animal, and a buyer, each in
// their own organization, on one system.
type market struct {
	s             *system
	seller, buyer person
	animal        string
	listing       string
	sellerOrg     uuid.UUID
	buyerOrg      uuid.UUID
	buyerUser     uuid.UUID
	sellerUser    uuid.UUID
}

func openMarket(t *testing.T, s *system) market {
	t.Helper()
	m := market{s: s, seller: s.register(t, "Seller", true), buyer: s.register(t, "Buyer", true)}
	ctx := context.Background()
	admin := testkit.AdminPool(t)
	for _, id := range []struct {
		public string
		into   *uuid.UUID
		table  string
	}{{m.seller.OrgID, &m.sellerOrg, "organizations"}, {m.buyer.OrgID, &m.buyerOrg, "organizations"},
		{m.seller.UserID, &m.sellerUser, "users"}, {m.buyer.UserID, &m.buyerUser, "users"}} {
		require.NoError(t, admin.QueryRow(ctx, "SELECT id FROM "+id.table+" WHERE public_id = $1", id.public).Scan(id.into))
	}
	// The seller's account as Stripe's account.updated leaves it once onboarding is done.
	require.NoError(t, s.Admin(ctx, `INSERT INTO seller_accounts (org_id, stripe_account_id, country, charges_enabled,
		payouts_enabled, details_submitted, created_by) VALUES ($1, 'acct_1Seller', 'US', true, true, true, $2)`,
		m.sellerOrg, m.sellerUser))
	m.animal = s.animal(t, m.seller.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Sunny",
		"genetics": "Banana Clown"})
	m.listing = s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/marketplace/listings", m.seller.Token, map[string]any{
		"animal_id": m.animal, "price": map[string]any{"amount": 25000, "currency": "usd"}, "title": "Banana Clown female",
		"shipping": map[string]any{"ships_within_days": 3, "regions": []string{"US"}}, "live_arrival_hours": 48,
	}, "Idempotency-Key", uuid.NewString())["id"].(string)
	return m
}

// order places the buyer's order of the listing and waits for the sale to ask for payment.
func (m market) order(t *testing.T) store.Order {
	t.Helper()
	var o store.Order
	queue := registered.Queue(t, m.s.DB)
	err := m.s.DB.InTenant(context.Background(), store.Tenant{OrgID: m.buyerOrg, UserID: m.buyerUser}, func(tx pgx.Tx) error {
		var err error
		o, err = orders.Place(context.Background(), tx, queue, m.s.Cfg.Sales, orders.NewOrder{ListingPublicID: m.listing,
			Amount: 25000, Currency: "usd", ShipTo: "US", BuyerOrgID: m.buyerOrg, BuyerUserID: m.buyerUser})
		return err
	})
	require.NoError(t, err)
	return m.waitStatus(t, o.ID, store.OrderAwaitingPayment)
}

// waitStatus waits until the order stands at status.
func (m market) waitStatus(t *testing.T, orderID uuid.UUID, status string) store.Order {
	t.Helper()
	var o store.Order
	require.Eventually(t, func() bool {
		err := m.s.DB.InTenant(context.Background(), store.Tenant{OrgID: m.buyerOrg}, func(tx pgx.Tx) error {
			var err error
			o, err = store.OrderByID(context.Background(), tx, orderID)
			return err
		})
		return err == nil && o.Status == status
	}, 30*time.Second, 50*time.Millisecond, "order never became %s (it is %s)", status, o.Status)
	return o
}

// stripe posts the event Stripe would send about the order's payment, signed, to the API.
func (m market) stripe(t *testing.T, typ stripe.EventType, o store.Order, p stripehooks.SalePayment) {
	t.Helper()
	p.PaymentIntentID, p.OrderID, p.Amount, p.Currency = o.PaymentIntentID, o.ID, o.Amount, o.Currency
	if p.ChargeID == "" {
		p.ChargeID = "ch_" + o.PublicID
	}
	body, err := stripehooks.BuildEvent(typ, p)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, m.s.URL+"/api/v1/stripe/webhooks", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", stripehooks.Sign(body, m.s.Cfg.Stripe.WebhookSecret, time.Now()))
	resp, err := m.s.HTTP.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// ask sends an update to the order's sale.
func (m market) ask(t *testing.T, o store.Order, update string, arg any) sale.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), processWait)
	defer cancel()
	st, err := sale.Ask(ctx, testkit.Temporal(t), o.ID, update, "", arg)
	require.NoError(t, err)
	return st
}

func (m market) sellerActor() sale.Actor {
	return sale.Actor{UserID: m.sellerUser, OrgID: m.sellerOrg, Manages: true}
}

func (m market) buyerActor() sale.Actor {
	return sale.Actor{UserID: m.buyerUser, OrgID: m.buyerOrg, Manages: true}
}

// money is the order's ledger, as the seller reads it.
func (m market) money(t *testing.T, orderID uuid.UUID) store.LedgerTotals {
	t.Helper()
	var tot store.LedgerTotals
	require.NoError(t, m.s.DB.InTenant(context.Background(), store.Tenant{OrgID: m.sellerOrg}, func(tx pgx.Tx) error {
		var err error
		tot, err = store.OrderMoney(context.Background(), tx, orderID)
		return err
	}))
	tot.OrderID = uuid.Nil
	return tot
}

// salePath is one way a sale ends, driven against the dev server, the worker, the API and
// stripe-mock, with the webhooks Stripe would send posted signed.
type salePath struct {
	name  string
	drive func(t *testing.T, m market, o store.Order)
	want  sale.Status
	money store.LedgerTotals
	moved bool
	// certified: the seller holds an issued certificate of the animal, which a completed sale
	// supersedes by one for the buyer.
	certified bool
	file      string
}

// Each path a sale can take, run end to end; the completed one also re-issues the seller's
// certificate of the animal for the buyer. Its history must replay against today's code;
// with RECORD_HISTORIES=1 it is written as the sale's recorded history.
func TestSale_RecordsTheHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	paths := []salePath{
		{name: "completed", drive: driveSaleCompleted, want: sale.Completed, moved: true, certified: true, file: "completed.json",
			money: store.LedgerTotals{Currency: "usd", Authorized: 25000, Captured: 25000, Transferred: 23750, Fee: 1250, Settled: true}},
		{name: "card declined", drive: driveSaleDeclined, want: sale.Failed, file: "declined.json",
			money: store.LedgerTotals{Settled: true}},
		{name: "cancelled by the buyer", drive: driveSaleCancelled, want: sale.Cancelled, file: "cancelled.json",
			money: store.LedgerTotals{Currency: "usd", Authorized: 25000, Released: 25000, Settled: true}},
		{name: "problem refunded in part", drive: driveSaleProblem, want: sale.Completed, moved: true, file: "problem_refunded_in_part.json",
			money: store.LedgerTotals{Currency: "usd", Authorized: 25000, Captured: 25000, Refunded: 5000, Transferred: 19000, Fee: 1000, Settled: true}},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			m := openMarket(t, s)
			var certified string
			if p.certified {
				certified = issuedCertificate(t, s, m.seller, m.animal)
			}
			o := m.order(t)
			p.drive(t, m, o)

			tc := testkit.Temporal(t)
			ctx, cancel := context.WithTimeout(context.Background(), processWait)
			defer cancel()
			var res sale.Result
			require.NoError(t, tc.GetWorkflow(ctx, sale.WorkflowID(o.ID), "").Get(ctx, &res))
			require.Equal(t, p.want, res.Status, res.Outcome)
			ended := m.waitStatus(t, o.ID, string(p.want))
			require.Equal(t, p.money, m.money(t, o.ID))

			// The animal is the buyer's after a completed sale, and still the seller's,
			// listed again, otherwise.
			owner := m.buyer
			if !p.moved {
				owner = m.seller
			}
			s.must(t, http.StatusOK, http.MethodGet, "/api/v1/animals/"+m.animal, owner.Token, nil)
			listing := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/marketplace/listings/"+m.listing, m.seller.Token, nil)
			if p.moved {
				require.Equal(t, "sold", listing["status"])
			} else {
				require.Equal(t, "active", listing["status"])
				require.Equal(t, false, listing["reserved"])
			}
			require.NotNil(t, ended.EndedAt)
			if p.certified {
				requireReissued(t, s, certified, m.seller, m.buyer, m.animal)
			}

			h := fetchHistory(t, tc, sale.WorkflowID(o.ID), "")
			require.Equal(t, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, h.Events[len(h.Events)-1].EventType)
			requireReplays(t, h)
			if recordHistories {
				writeHistory(t, h, filepath.Join("..", "workflows", "sale", "testdata", p.file))
			}
		})
	}
}

func driveSaleCompleted(t *testing.T, m market, o store.Order) {
	m.stripe(t, stripe.EventTypePaymentIntentAmountCapturableUpdated, o, stripehooks.SalePayment{})
	m.waitStatus(t, o.ID, store.OrderPaid)
	require.Equal(t, sale.Shipped, m.ask(t, o, sale.ShipUpdate, sale.ShipInput{Actor: m.sellerActor(), Carrier: "UPS",
		TrackingNumber: "1Z999AA10123456784"}).Status)
	require.Equal(t, sale.Delivered, m.ask(t, o, sale.DeliveredUpdate, m.buyerActor()).Status)
	require.Equal(t, sale.Completed, m.ask(t, o, sale.ConfirmUpdate, m.buyerActor()).Status)
}

func driveSaleDeclined(t *testing.T, m market, o store.Order) {
	m.stripe(t, stripe.EventTypePaymentIntentPaymentFailed, o, stripehooks.SalePayment{DeclineCode: "insufficient_funds"})
}

func driveSaleCancelled(t *testing.T, m market, o store.Order) {
	m.stripe(t, stripe.EventTypePaymentIntentAmountCapturableUpdated, o, stripehooks.SalePayment{})
	m.waitStatus(t, o.ID, store.OrderPaid)
	require.Equal(t, sale.Cancelled, m.ask(t, o, sale.CancelUpdate, sale.CancelInput{Actor: m.buyerActor(), Reason: "found another"}).Status)
}

func driveSaleProblem(t *testing.T, m market, o store.Order) {
	admin := uuid.New()
	require.NoError(t, m.s.Admin(context.Background(), `INSERT INTO users (id, public_id, email, password_hash, display_name, platform_admin)
		VALUES ($1, $2, $3, 'x', 'Platform Admin', true)`, admin, store.NewPublicID(), testkit.UniqueEmail("admin")))
	m.stripe(t, stripe.EventTypePaymentIntentAmountCapturableUpdated, o, stripehooks.SalePayment{})
	m.waitStatus(t, o.ID, store.OrderPaid)
	m.ask(t, o, sale.ShipUpdate, sale.ShipInput{Actor: m.sellerActor(), Carrier: "FedEx", TrackingNumber: "7489"})
	m.ask(t, o, sale.DeliveredUpdate, m.sellerActor())
	require.Equal(t, sale.Problem, m.ask(t, o, sale.ProblemUpdate, sale.ProblemInput{Actor: m.buyerActor(),
		Reason: "arrived with retained shed"}).Status)
	m.stripe(t, stripe.EventTypePaymentIntentAmountCapturableUpdated, o, stripehooks.SalePayment{}) // late and duplicated
	require.Equal(t, sale.Completed, m.ask(t, o, sale.ResolveUpdate, sale.Decision{
		Actor: sale.Actor{UserID: admin, PlatformAdmin: true}, RefundAmount: 5000, Note: "partial refund for the shed"}).Status)
}

// The events a sale does not cause itself: an authorization that lapses before shipping
// cancels the sale with the release recorded; a refund in full made at Stripe's dashboard
// after capture ends it as refunded; a dispute flags the order and tells the platform's
// admins. Each is posted twice, as Stripe may deliver it, and counts once.
func TestSale_EventsFromStripeAloneEndOrFlagTheSale(t *testing.T) {
	t.Parallel()
	s := start(t)

	t.Run("an authorization that lapses", func(t *testing.T) {
		t.Parallel()
		m := openMarket(t, s)
		o := m.order(t)
		m.stripe(t, stripe.EventTypePaymentIntentAmountCapturableUpdated, o, stripehooks.SalePayment{})
		m.waitStatus(t, o.ID, store.OrderPaid)
		lapsed := stripehooks.SalePayment{CancellationReason: stripe.PaymentIntentCancellationReasonAutomatic}
		m.stripe(t, stripe.EventTypePaymentIntentCanceled, o, lapsed)
		m.stripe(t, stripe.EventTypePaymentIntentCanceled, o, lapsed)
		ended := m.waitStatus(t, o.ID, store.OrderCancelled)
		require.Contains(t, ended.Outcome, "automatic")
		require.Equal(t, store.LedgerTotals{Currency: "usd", Authorized: 25000, Released: 25000, Settled: true}, m.money(t, o.ID))
	})

	t.Run("a refund in full at Stripe", func(t *testing.T) {
		t.Parallel()
		m := openMarket(t, s)
		o := m.order(t)
		m.stripe(t, stripe.EventTypePaymentIntentAmountCapturableUpdated, o, stripehooks.SalePayment{})
		m.waitStatus(t, o.ID, store.OrderPaid)
		m.ask(t, o, sale.ShipUpdate, sale.ShipInput{Actor: m.sellerActor(), Carrier: "UPS", TrackingNumber: "1Z"})
		refunded := stripehooks.SalePayment{AmountRefunded: o.Amount}
		m.stripe(t, stripe.EventTypeChargeRefunded, o, refunded)
		m.stripe(t, stripe.EventTypeChargeRefunded, o, refunded)
		m.waitStatus(t, o.ID, store.OrderRefunded)
		require.Equal(t, store.LedgerTotals{Currency: "usd", Authorized: 25000, Captured: 25000, Refunded: 25000, Settled: true},
			m.money(t, o.ID))
	})

	t.Run("a dispute", func(t *testing.T) {
		t.Parallel()
		m := openMarket(t, s)
		admin := uuid.New()
		require.NoError(t, s.Admin(context.Background(), `INSERT INTO users (id, public_id, email, password_hash, display_name, platform_admin)
			VALUES ($1, $2, $3, 'x', 'Platform Admin', true)`, admin, store.NewPublicID(), testkit.UniqueEmail("admin")))
		o := m.order(t)
		m.stripe(t, stripe.EventTypeChargeDisputeCreated, o, stripehooks.SalePayment{})
		m.stripe(t, stripe.EventTypeChargeDisputeCreated, o, stripehooks.SalePayment{})
		flagged := m.waitStatus(t, o.ID, store.OrderAwaitingPayment)
		require.NotNil(t, flagged.DisputedAt)
		var told int
		require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT count(*) FROM notifications
			WHERE user_id = $1 AND dedup_key LIKE 'sale/' || $2 || '/dispute/%'`, admin, o.ID.String()).Scan(&told))
		require.Equal(t, 1, told, "the admin is told once")
	})
}
