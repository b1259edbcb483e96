package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// ledgerBundle is a seller and a buyer, each an organization with its owner, an order of the
// buyer's from the seller, and the database.
type ledgerBundle struct {
	db                  *store.DB
	admin               *pgxpool.Pool
	sellerUser          store.User
	seller, buyer       store.Organization
	buyerUser           store.User
	order               uuid.UUID
	currency, keyPrefix string
}

func setupLedger(t *testing.T, prefix string) *ledgerBundle {
	t.Helper()
	db := testkit.DB(t)
	su, s := account(t, db, prefix+"-seller")
	bu, b := account(t, db, prefix+"-buyer")
	l := &ledgerBundle{db: db, admin: testkit.AdminPool(t), sellerUser: su, seller: s, buyerUser: bu, buyer: b,
		currency: "usd", keyPrefix: uuid.NewString()}
	l.newOrder(t)
	return l
}

// newOrder makes the bundle's movements those of a new order of the buyer's from the seller.
func (b *ledgerBundle) newOrder(t *testing.T) {
	t.Helper()
	b.order = placeOrder(t, b.admin, b.sellerUser, b.seller, b.buyerUser, b.buyer, b.currency).ID
}

// movement is a movement of the bundle's order; its key is unique unless the test reuses it.
func (b *ledgerBundle) movement(kind store.LedgerKind, amount int64) store.Movement {
	return store.Movement{OrderID: b.order, OrganizationID: b.seller.ID, BuyerOrganizationID: b.buyer.ID, Kind: kind,
		Amount: amount, Currency: b.currency, StripeObjectID: "pi_" + b.keyPrefix[:8], IdempotencyKey: b.keyPrefix + "/" + uuid.NewString()}
}

// record records m on the worker's path: the seller's tenant, nobody acting.
func (b *ledgerBundle) record(t *testing.T, m store.Movement) (bool, error) {
	t.Helper()
	var recorded bool
	err := b.db.InTenant(context.Background(), store.Tenant{OrgID: b.seller.ID}, func(tx pgx.Tx) (err error) {
		recorded, err = store.RecordMovement(context.Background(), tx, m)
		return err
	})
	return recorded, err
}

func (b *ledgerBundle) mustRecord(t *testing.T, kind store.LedgerKind, amount int64) {
	t.Helper()
	recorded, err := b.record(t, b.movement(kind, amount))
	require.NoError(t, err, "%s %d", kind, amount)
	require.True(t, recorded)
}

func (b *ledgerBundle) money(t *testing.T, tenant store.Tenant) store.LedgerTotals {
	t.Helper()
	var m store.LedgerTotals
	require.NoError(t, b.db.InTenant(context.Background(), tenant, func(tx pgx.Tx) (err error) {
		m, err = store.OrderMoney(context.Background(), tx, b.order)
		return err
	}))
	return m
}

// requireRefused checks that err is the ledger refusing a movement by rule, with a message
// naming the order.
func requireRefused(t *testing.T, err error, rule, says string) {
	t.Helper()
	var refused *store.LedgerRefusedError
	require.ErrorAs(t, err, &refused)
	require.Equal(t, rule, refused.Rule)
	require.ErrorContains(t, err, says)
	require.True(t, store.Permanent(err), "a refused movement is refused again: not retried")
}

func TestLedger_RefusesEachBrokenInvariant(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		before []store.Movement // kinds and amounts; the order's currency
		bad    func(b *ledgerBundle) store.Movement
		rule   string
		says   string
	}{
		{"capture without authorization", nil,
			func(b *ledgerBundle) store.Movement { return b.movement(store.LedgerCaptured, 1) },
			store.LedgerRuleCapturedWithinAuthorized, "would capture 1 of 0 authorized"},
		{"capture beyond what is authorized less released",
			[]store.Movement{{Kind: store.LedgerAuthorized, Amount: 10000}, {Kind: store.LedgerAuthorizationReleased, Amount: 3000}},
			func(b *ledgerBundle) store.Movement { return b.movement(store.LedgerCaptured, 7001) },
			store.LedgerRuleCapturedWithinAuthorized, "would capture 7001 of 10000 authorized and 3000 released"},
		{"release beyond what is authorized",
			[]store.Movement{{Kind: store.LedgerAuthorized, Amount: 10000}},
			func(b *ledgerBundle) store.Movement { return b.movement(store.LedgerAuthorizationReleased, 10001) },
			store.LedgerRuleReleasedWithinAuthorized, "would release 10001 of 10000 authorized"},
		{"release of what was captured",
			[]store.Movement{{Kind: store.LedgerAuthorized, Amount: 10000}, {Kind: store.LedgerCaptured, Amount: 10000}},
			func(b *ledgerBundle) store.Movement { return b.movement(store.LedgerAuthorizationReleased, 1) },
			store.LedgerRuleCapturedWithinAuthorized, "would capture 10000 of 10000 authorized and 1 released"},
		{"transfer beyond what is captured",
			[]store.Movement{{Kind: store.LedgerAuthorized, Amount: 10000}, {Kind: store.LedgerCaptured, Amount: 6000}},
			func(b *ledgerBundle) store.Movement { return b.movement(store.LedgerTransferred, 6001) },
			store.LedgerRulePaidWithinCaptured, "would pay out 6001 (transferred, refunded and fee) of 6000 captured"},
		{"refund and transfer together beyond what is captured",
			[]store.Movement{{Kind: store.LedgerAuthorized, Amount: 10000}, {Kind: store.LedgerCaptured, Amount: 10000},
				{Kind: store.LedgerTransferred, Amount: 9000}},
			func(b *ledgerBundle) store.Movement { return b.movement(store.LedgerRefunded, 1001) },
			store.LedgerRulePaidWithinCaptured, "would pay out 10001 (transferred, refunded and fee) of 10000 captured"},
		{"a fee without a capture",
			[]store.Movement{{Kind: store.LedgerAuthorized, Amount: 10000}},
			func(b *ledgerBundle) store.Movement { return b.movement(store.LedgerFee, 1) },
			store.LedgerRulePaidWithinCaptured, "would pay out 1 (transferred, refunded and fee) of 0 captured"},
		{"a fee beyond what the transfer left of the capture",
			[]store.Movement{{Kind: store.LedgerAuthorized, Amount: 10000}, {Kind: store.LedgerCaptured, Amount: 10000},
				{Kind: store.LedgerTransferred, Amount: 9000}},
			func(b *ledgerBundle) store.Movement { return b.movement(store.LedgerFee, 1001) },
			store.LedgerRulePaidWithinCaptured, "would pay out 10001 (transferred, refunded and fee) of 10000 captured"},
		{"a refund beyond what the transfer and the fee left",
			[]store.Movement{{Kind: store.LedgerAuthorized, Amount: 10000}, {Kind: store.LedgerCaptured, Amount: 10000},
				{Kind: store.LedgerTransferred, Amount: 8500}, {Kind: store.LedgerFee, Amount: 1500}},
			func(b *ledgerBundle) store.Movement { return b.movement(store.LedgerRefunded, 1) },
			store.LedgerRulePaidWithinCaptured, "would pay out 10001 (transferred, refunded and fee) of 10000 captured"},
		// A second currency is not the order's: the check against the order refuses it.
		{"a second currency",
			[]store.Movement{{Kind: store.LedgerAuthorized, Amount: 10000}},
			func(b *ledgerBundle) store.Movement {
				m := b.movement(store.LedgerCaptured, 100)
				m.Currency = "eur"
				return m
			},
			store.LedgerRuleOneParty, "has another seller, buyer or currency"},
		{"another buyer",
			[]store.Movement{{Kind: store.LedgerAuthorized, Amount: 10000}},
			func(b *ledgerBundle) store.Movement {
				m := b.movement(store.LedgerAuthorized, 100)
				m.OrganizationID, m.BuyerOrganizationID = b.buyer.ID, b.seller.ID
				return m
			},
			store.LedgerRuleOneParty, "has another seller, buyer or currency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupLedger(t, "ledger-refuse")
			for _, m := range tc.before {
				b.mustRecord(t, m.Kind, m.Amount)
			}
			before := b.money(t, store.Tenant{OrgID: b.seller.ID})
			_, err := b.record(t, tc.bad(b))
			requireRefused(t, err, tc.rule, tc.says)
			require.Equal(t, before, b.money(t, store.Tenant{OrgID: b.seller.ID}), "a refused movement leaves nothing")
		})
	}
}

// A movement must be its order's: the order exists, and the movement names the order's
// seller, buyer and currency, even as the order's first movement.
func TestLedger_RefusesAMovementThatIsNotItsOrders(t *testing.T) {
	t.Parallel()
	b := setupLedger(t, "ledger-party")
	outsiderUser, outsider := account(t, b.db, "ledger-party-outsider")
	// An order of the same seller to another buyer.
	other := placeOrder(t, b.admin, b.sellerUser, b.seller, outsiderUser, outsider, "usd")
	for _, tc := range []struct {
		name   string
		tenant store.Tenant // the party writing it, so that the insert policy admits the row
		change func(*store.Movement)
	}{
		{"another currency as the first movement", store.Tenant{OrgID: b.seller.ID},
			func(m *store.Movement) { m.Currency = "eur" }},
		{"another seller", store.Tenant{OrgID: b.buyer.ID},
			func(m *store.Movement) { m.OrganizationID = outsider.ID }},
		{"another buyer", store.Tenant{OrgID: b.seller.ID},
			func(m *store.Movement) { m.BuyerOrganizationID = outsider.ID }},
		{"seller and buyer swapped", store.Tenant{OrgID: b.seller.ID},
			func(m *store.Movement) { m.OrganizationID, m.BuyerOrganizationID = b.buyer.ID, b.seller.ID }},
		{"the parties of another order", store.Tenant{OrgID: b.seller.ID},
			func(m *store.Movement) { m.OrderID = other.ID }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := b.movement(store.LedgerAuthorized, 10000)
			tc.change(&m)
			err := b.db.InTenant(context.Background(), tc.tenant, func(tx pgx.Tx) error {
				_, err := store.RecordMovement(context.Background(), tx, m)
				return err
			})
			requireRefused(t, err, store.LedgerRuleOneParty, "has another seller, buyer or currency")
		})
	}

	// An order that does not exist: the foreign key refuses it, for good.
	m := b.movement(store.LedgerAuthorized, 10000)
	m.OrderID = uuid.New()
	_, err := b.record(t, m)
	require.ErrorContains(t, err, "ledger_entries_order_fkey")
	require.True(t, store.Permanent(err))

	var rows int
	require.NoError(t, b.admin.QueryRow(context.Background(),
		`SELECT count(*) FROM ledger_entries WHERE order_id = ANY($1)`, []uuid.UUID{b.order, other.ID}).Scan(&rows))
	require.Zero(t, rows, "nothing was recorded")
	// The order's own movement is admitted.
	b.mustRecord(t, store.LedgerAuthorized, 10000)
}

// The platform's fee is paid out of the captured money beside the seller's transfer and any
// refund; the order is settled when the three add up to the capture.
func TestLedger_TheFeeIsPaidOutOfTheCaptureAndSettlesWithIt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		steps []store.Movement // kinds and amounts, the last settling the order
	}{
		{"the seller paid", []store.Movement{{Kind: store.LedgerAuthorized, Amount: 15000},
			{Kind: store.LedgerCaptured, Amount: 15000}, {Kind: store.LedgerTransferred, Amount: 13500},
			{Kind: store.LedgerFee, Amount: 1500}}},
		{"the fee kept before the transfer", []store.Movement{{Kind: store.LedgerAuthorized, Amount: 15000},
			{Kind: store.LedgerCaptured, Amount: 15000}, {Kind: store.LedgerFee, Amount: 1500},
			{Kind: store.LedgerTransferred, Amount: 13500}}},
		{"part refunded, the rest to the seller less the fee", []store.Movement{{Kind: store.LedgerAuthorized, Amount: 15000},
			{Kind: store.LedgerCaptured, Amount: 15000}, {Kind: store.LedgerRefunded, Amount: 5000},
			{Kind: store.LedgerTransferred, Amount: 9000}, {Kind: store.LedgerFee, Amount: 1000}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupLedger(t, "ledger-fee")
			var fee, paidOut int64
			for i, m := range tc.steps {
				b.mustRecord(t, m.Kind, m.Amount)
				if m.Kind == store.LedgerFee {
					fee += m.Amount
				}
				if m.Kind == store.LedgerTransferred || m.Kind == store.LedgerRefunded || m.Kind == store.LedgerFee {
					paidOut += m.Amount
				}
				money := b.money(t, store.Tenant{OrgID: b.seller.ID})
				require.Equal(t, fee, money.Fee, "after %s", m.Kind)
				require.Equal(t, money.Captured-paidOut, money.Held(), "after %s", m.Kind)
				require.Equal(t, i == len(tc.steps)-1, money.Settled, "after %s %d", m.Kind, m.Amount)
			}
			for _, party := range []store.Tenant{{OrgID: b.seller.ID, UserID: b.sellerUser.ID}, {OrgID: b.buyer.ID, UserID: b.buyerUser.ID}} {
				money := b.money(t, party)
				require.Equal(t, fee, money.Fee, "both parties see the fee")
				require.Zero(t, money.Held())
				require.True(t, money.Settled)
			}
			// Nothing more can be paid out of a settled order, as a fee or otherwise.
			_, err := b.record(t, b.movement(store.LedgerFee, 1))
			requireRefused(t, err, store.LedgerRulePaidWithinCaptured, "would pay out 15001 (transferred, refunded and fee) of 15000 captured")
		})
	}
}

func TestLedger_RefusesAmountsAndCurrenciesOutOfShape(t *testing.T) {
	t.Parallel()
	b := setupLedger(t, "ledger-shape")
	for _, m := range []store.Movement{
		b.movement(store.LedgerAuthorized, 0),
		b.movement(store.LedgerAuthorized, -5),
		func() store.Movement { m := b.movement(store.LedgerAuthorized, 5); m.Currency = "USD"; return m }(),
		func() store.Movement { m := b.movement(store.LedgerAuthorized, 5); m.Currency = "usdx"; return m }(),
		func() store.Movement { m := b.movement(store.LedgerAuthorized, 5); m.Kind = "paid"; return m }(),
	} {
		_, err := b.record(t, m)
		require.Error(t, err, "%+v", m)
		require.True(t, store.Permanent(err), "%+v: %v", m, err)
	}
}

func TestLedger_AMovementRecordedTwiceIsOneRow(t *testing.T) {
	t.Parallel()
	b := setupLedger(t, "ledger-twice")
	m := b.movement(store.LedgerAuthorized, 10000)
	recorded, err := b.record(t, m)
	require.NoError(t, err)
	require.True(t, recorded)
	// The movement recorded again, as a retried activity would, even when its amount could
	// no longer be added: it is the same row, not a second one checked afresh.
	c := b.movement(store.LedgerCaptured, 10000)
	for i := range 2 {
		recorded, err = b.record(t, c)
		require.NoError(t, err)
		require.Equal(t, i == 0, recorded, "attempt %d", i)
	}
	recorded, err = b.record(t, m)
	require.NoError(t, err)
	require.False(t, recorded, "recorded before")
	recorded, err = b.record(t, c)
	require.NoError(t, err)
	require.False(t, recorded)

	var rows int
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(),
		`SELECT count(*) FROM ledger_entries WHERE order_id = $1`, b.order).Scan(&rows))
	require.Equal(t, 2, rows)
	money := b.money(t, store.Tenant{OrgID: b.seller.ID})
	require.Equal(t, int64(10000), money.Authorized)
	require.Equal(t, int64(10000), money.Captured)
}

func TestLedger_ADifferentMovementUnderARecordedKeyIsAnError(t *testing.T) {
	t.Parallel()
	b := setupLedger(t, "ledger-mismatch")
	m := b.movement(store.LedgerAuthorized, 10000)
	_, err := b.record(t, m)
	require.NoError(t, err)
	for name, change := range map[string]func(*store.Movement){
		"amount":   func(m *store.Movement) { m.Amount = 9999 },
		"kind":     func(m *store.Movement) { m.Kind = store.LedgerAuthorizationReleased },
		"order":    func(m *store.Movement) { m.OrderID = uuid.New() },
		"currency": func(m *store.Movement) { m.Currency = "eur" },
	} {
		other := m
		change(&other)
		_, err := b.record(t, other)
		require.ErrorIs(t, err, store.ErrMovementMismatch, name)
		require.ErrorContains(t, err, m.IdempotencyKey, name)
	}
	require.Equal(t, int64(10000), b.money(t, store.Tenant{OrgID: b.seller.ID}).Authorized)

	// The same call retried and answered with another object is the same movement; the
	// first object recorded stands.
	again := m
	again.StripeObjectID = "pi_answered_again"
	recorded, err := b.record(t, again)
	require.NoError(t, err)
	require.False(t, recorded)
	var object string
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(),
		`SELECT stripe_object_id FROM ledger_entries WHERE idempotency_key = $1`, m.IdempotencyKey).Scan(&object))
	require.Equal(t, m.StripeObjectID, object)
}

func TestLedger_SettledWhenCapturedMoneyHasAllGoneAndNoAuthorizationIsOpen(t *testing.T) {
	t.Parallel()
	b := setupLedger(t, "ledger-settled")
	seller := store.Tenant{OrgID: b.seller.ID}
	require.True(t, b.money(t, seller).Settled, "nothing moved")
	steps := []struct {
		kind    store.LedgerKind
		amount  int64
		settled bool
	}{
		{store.LedgerAuthorized, 10000, false}, // held on the card
		{store.LedgerCaptured, 8000, false},    // 2000 still authorized
		{store.LedgerAuthorizationReleased, 2000, false},
		{store.LedgerTransferred, 6000, false}, // 2000 held by the platform
		{store.LedgerFee, 1000, false},         // 1000 held
		{store.LedgerRefunded, 1000, true},
	}
	for _, s := range steps {
		b.mustRecord(t, s.kind, s.amount)
		require.Equal(t, s.settled, b.money(t, seller).Settled, "after %s %d", s.kind, s.amount)
	}
	money := b.money(t, seller)
	require.Equal(t, store.LedgerTotals{OrderID: b.order, Currency: "usd", Authorized: 10000, Released: 2000,
		Captured: 8000, Transferred: 6000, Refunded: 1000, Fee: 1000, Settled: true}, money)
	require.Zero(t, money.OnCard())
	require.Zero(t, money.Held())

	// An authorization released in full, never captured, is settled too.
	c := setupLedger(t, "ledger-released")
	c.mustRecord(t, store.LedgerAuthorized, 5000)
	require.False(t, c.money(t, store.Tenant{OrgID: c.seller.ID}).Settled)
	c.mustRecord(t, store.LedgerAuthorizationReleased, 5000)
	require.True(t, c.money(t, store.Tenant{OrgID: c.seller.ID}).Settled)
}

func TestLedger_IsReadByBothPartiesAndWrittenOnlyOnTheWorkersPath(t *testing.T) {
	t.Parallel()
	b := setupLedger(t, "ledger-rls")
	outsiderUser, outsider := account(t, b.db, "ledger-rls-outsider")
	b.mustRecord(t, store.LedgerAuthorized, 10000)
	ctx := context.Background()

	require.Equal(t, int64(10000), b.money(t, store.Tenant{OrgID: b.seller.ID, UserID: b.sellerUser.ID}).Authorized, "the seller")
	require.Equal(t, int64(10000), b.money(t, store.Tenant{OrgID: b.buyer.ID, UserID: b.buyerUser.ID}).Authorized, "the buyer")
	require.Zero(t, b.money(t, store.Tenant{OrgID: outsider.ID, UserID: outsiderUser.ID}).Authorized, "another organization")
	require.Zero(t, b.money(t, store.Tenant{}).Authorized, "no tenant")

	refusedWrite := func(tenant store.Tenant, m store.Movement) {
		t.Helper()
		err := b.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
			_, err := store.RecordMovement(ctx, tx, m)
			return err
		})
		require.ErrorContains(t, err, "row-level security", "%+v", tenant)
	}
	// A request: a party with its caller acting. Another organization's order. No tenant.
	refusedWrite(store.Tenant{OrgID: b.seller.ID, UserID: b.sellerUser.ID}, b.movement(store.LedgerCaptured, 100))
	refusedWrite(store.Tenant{OrgID: b.buyer.ID, UserID: b.buyerUser.ID}, b.movement(store.LedgerRefunded, 100))
	refusedWrite(store.Tenant{OrgID: outsider.ID}, b.movement(store.LedgerCaptured, 100))
	refusedWrite(store.Tenant{}, b.movement(store.LedgerCaptured, 100))

	// Append-only: the application role may not change a row, nor may the owner.
	for _, stmt := range []string{
		`UPDATE ledger_entries SET amount = 1 WHERE order_id = $1`,
		`DELETE FROM ledger_entries WHERE order_id = $1`,
	} {
		err := b.db.InTenant(ctx, store.Tenant{OrgID: b.seller.ID}, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, stmt, b.order)
			return err
		})
		require.ErrorContains(t, err, "permission denied", "application role: %s", stmt)
		_, err = testkit.AdminPool(t).Exec(ctx, stmt, b.order)
		require.ErrorContains(t, err, "append-only", "owner: %s", stmt)
	}
	require.Equal(t, int64(10000), b.money(t, store.Tenant{OrgID: b.seller.ID}).Authorized)
}

// Two transactions capturing the same authorization at once: each capture fits alone, not
// both. The second waits for the first to commit and is then refused.
func TestLedger_ConcurrentMovementsOfAnOrderAreCheckedOneAfterTheOther(t *testing.T) {
	t.Parallel()
	b := setupLedger(t, "ledger-race")
	b.mustRecord(t, store.LedgerAuthorized, 10000)
	ctx := context.Background()
	first, err := b.db.Pool.Begin(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = first.Rollback(ctx) })
	require.NoError(t, store.SetTenant(ctx, first, store.Tenant{OrgID: b.seller.ID}))
	_, err = store.RecordMovement(ctx, first, b.movement(store.LedgerCaptured, 6000))
	require.NoError(t, err)

	second := make(chan error, 1)
	go func() {
		_, err := b.record(t, b.movement(store.LedgerCaptured, 6000))
		second <- err
	}()
	select {
	case err := <-second:
		t.Fatalf("the second capture finished before the first committed: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	require.NoError(t, first.Commit(ctx))
	requireRefused(t, <-second, store.LedgerRuleCapturedWithinAuthorized, "would capture 12000 of 10000 authorized")
	require.Equal(t, int64(6000), b.money(t, store.Tenant{OrgID: b.seller.ID}).Captured)
}

// ledgerModel is what the ledger should hold: sums by kind, and the order's currency.
type ledgerModel struct {
	sums     map[store.LedgerKind]int64
	currency string
}

// admits says whether the invariants hold with m added.
func (l ledgerModel) admits(m store.Movement) bool {
	if l.currency != m.Currency {
		return false
	}
	s := map[store.LedgerKind]int64{}
	for k, v := range l.sums {
		s[k] = v
	}
	s[m.Kind] += m.Amount
	return s[store.LedgerCaptured] <= s[store.LedgerAuthorized]-s[store.LedgerAuthorizationReleased] &&
		s[store.LedgerTransferred]+s[store.LedgerRefunded]+s[store.LedgerFee] <= s[store.LedgerCaptured]
}

// Random sequences of movements, each either admitted or refused as the invariants say, and
// the sums read back after every admitted one hold them.
func TestLedger_RandomMovementsKeepTheInvariants(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	kinds := []store.LedgerKind{store.LedgerAuthorized, store.LedgerAuthorizationReleased, store.LedgerCaptured,
		store.LedgerTransferred, store.LedgerRefunded, store.LedgerFee}
	b := setupLedger(t, "ledger-random")
	seller := store.Tenant{OrgID: b.seller.ID}
	for order := range 4 {
		b.newOrder(t)
		model := ledgerModel{sums: map[store.LedgerKind]int64{}, currency: b.currency}
		admitted, refused := 0, 0
		for step := range 40 {
			m := b.movement(kinds[rng.IntN(len(kinds))], 1+rng.Int64N(5000))
			if rng.IntN(20) == 0 {
				m.Currency = "eur"
			}
			want := model.admits(m)
			_, err := b.record(t, m)
			where := fmt.Sprintf("order %d step %d: %s %d %s after %v", order, step, m.Kind, m.Amount, m.Currency, model.sums)
			if !want {
				var r *store.LedgerRefusedError
				require.ErrorAs(t, err, &r, where)
				refused++
				continue
			}
			require.NoError(t, err, where)
			admitted++
			model.sums[m.Kind] += m.Amount
			got := b.money(t, seller)
			require.Equal(t, model.sums[store.LedgerAuthorized], got.Authorized, where)
			require.Equal(t, model.sums[store.LedgerAuthorizationReleased], got.Released, where)
			require.Equal(t, model.sums[store.LedgerCaptured], got.Captured, where)
			require.Equal(t, model.sums[store.LedgerTransferred], got.Transferred, where)
			require.Equal(t, model.sums[store.LedgerRefunded], got.Refunded, where)
			require.Equal(t, model.sums[store.LedgerFee], got.Fee, where)
			require.LessOrEqual(t, got.Captured, got.Authorized-got.Released, where)
			require.LessOrEqual(t, got.Transferred+got.Refunded+got.Fee, got.Captured, where)
			require.GreaterOrEqual(t, got.OnCard(), int64(0), where)
			require.GreaterOrEqual(t, got.Held(), int64(0), where)
			require.Equal(t, got.Held() == 0 && got.OnCard() == 0, got.Settled, where)
		}
		t.Logf("order %d: %d admitted, %d refused", order, admitted, refused)
		require.Positive(t, admitted, "the sequence tried something the ledger admits")
	}
}
