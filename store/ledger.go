package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The money ledger of sales (table ledger_entries, view ledger_order_money). The database
// holds its invariants: a movement that would break one is refused at its insert, and so is
// one that names no order (a foreign key) or another seller, buyer or currency than its
// order's (LedgerRuleOneParty). Captured money is paid out three ways: transferred to the
// seller, refunded to the buyer, kept as the platform's fee. Rows are written only on the
// worker's path, a transaction acting for one party of the order with no acting user
// (store.Tenant{OrgID: seller}); both parties read them.

// LedgerKind is what a movement did with the buyer's money.
type LedgerKind string

// The kinds of movement, in the order a sale makes them.
const (
	// LedgerAuthorized: the card was authorized for the amount (manual capture).
	LedgerAuthorized LedgerKind = "authorized"
	// LedgerAuthorizationReleased: part or all of an authorization was let go uncaptured.
	LedgerAuthorizationReleased LedgerKind = "authorization_released"
	// LedgerCaptured: authorized money was captured into the platform's balance.
	LedgerCaptured LedgerKind = "captured"
	// LedgerTransferred: captured money was paid to the seller's connected account.
	LedgerTransferred LedgerKind = "transferred"
	// LedgerRefunded: captured money was returned to the buyer.
	LedgerRefunded LedgerKind = "refunded"
	// LedgerFee: the platform's fee kept from captured money when the seller is paid.
	LedgerFee LedgerKind = "fee"
)

// The rules the database holds a movement to, as LedgerRefusedError.Rule names them.
// LedgerRuleOneParty refuses a movement whose seller, buyer or currency is not its order's;
// as every movement is in its order's currency, LedgerRuleOneCurrency (checked after it) is
// kept by the trigger but not met in practice.
const (
	LedgerRuleCapturedWithinAuthorized = "ledger_captured_within_authorized"
	LedgerRuleReleasedWithinAuthorized = "ledger_released_within_authorized"
	LedgerRulePaidWithinCaptured       = "ledger_paid_within_captured"
	LedgerRuleOneCurrency              = "ledger_one_currency"
	LedgerRuleOneParty                 = "ledger_one_party"
)

// Movement is one movement of an order's money, as the activity that made it records it.
type Movement struct {
	OrderID             uuid.UUID
	OrganizationID      uuid.UUID // the seller
	BuyerOrganizationID uuid.UUID
	Kind                LedgerKind
	Amount              int64  // minor units, > 0
	Currency            string // ISO 4217, lower case
	StripeObjectID      string // the PaymentIntent, Transfer or Refund that moved it (the Transfer for a fee)
	IdempotencyKey      string // the key of the Stripe call that moved it
}

// LedgerEntry is a recorded movement.
type LedgerEntry struct {
	Movement
	ID        int64
	CreatedAt time.Time
}

// LedgerRefusedError is a movement the ledger's invariants refuse. It unwraps to Postgres'
// error, so that Permanent reports it: recording it again would be refused again.
type LedgerRefusedError struct {
	Rule   string // one of the LedgerRule constants
	Detail string // what the database said, naming the order and the sums
	err    error
}

func (e *LedgerRefusedError) Error() string {
	return "the ledger refuses the movement (" + e.Rule + "): " + e.Detail
}

func (e *LedgerRefusedError) Unwrap() error { return e.err }

// ErrMovementMismatch is an idempotency key already recorded for a different movement (or
// for one the tenant cannot see): the caller derived the same key for two movements.
var ErrMovementMismatch = errors.New("idempotency key already recorded for a different movement")

// RecordMovement adds a movement to the ledger once: recorded is true when this call added
// it, false when the same movement (the same order, parties, kind, amount and currency,
// whatever Stripe object a retried call was answered with) was recorded before under its key.
// A different movement under a recorded key is ErrMovementMismatch; a movement the invariants refuse is a
// *LedgerRefusedError. The transaction must act for a party of the order with no acting user.
func RecordMovement(ctx context.Context, tx pgx.Tx, m Movement) (recorded bool, err error) {
	tag, err := tx.Exec(ctx, `INSERT INTO ledger_entries (order_id, organization_id, buyer_organization_id, kind,
			amount, currency, stripe_object_id, idempotency_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (idempotency_key) DO NOTHING`,
		m.OrderID, m.OrganizationID, m.BuyerOrganizationID, string(m.Kind), m.Amount, m.Currency, m.StripeObjectID, m.IdempotencyKey)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "23514" && pgErr.TableName == "" && pgErr.ConstraintName != "":
		// Raised by the invariants' trigger (a table's CHECK names its table).
		return false, &LedgerRefusedError{Rule: pgErr.ConstraintName, Detail: pgErr.Message, err: err}
	case err != nil:
		return false, fmt.Errorf("record %s of order %s: %w", m.Kind, m.OrderID, err)
	case tag.RowsAffected() == 1:
		return true, nil
	}
	existing, err := LedgerEntryByKey(ctx, tx, m.IdempotencyKey)
	if errors.Is(err, ErrNotFound) {
		return false, fmt.Errorf("%w: key %q", ErrMovementMismatch, m.IdempotencyKey)
	}
	if err != nil {
		return false, err
	}
	// The Stripe object is not part of the movement's identity: the same key is the same
	// call, which Stripe answers with the object it made the first time (stripe-mock, which
	// keeps nothing, makes a new one), and the first object recorded stands.
	first := m
	first.StripeObjectID = existing.StripeObjectID
	if existing.Movement != first {
		return false, fmt.Errorf("%w: key %q holds %s %d %s of order %s", ErrMovementMismatch, m.IdempotencyKey,
			existing.Kind, existing.Amount, existing.Currency, existing.OrderID)
	}
	return false, nil
}

// LedgerEntryByKey is the movement recorded under an idempotency key.
func LedgerEntryByKey(ctx context.Context, q Querier, key string) (LedgerEntry, error) {
	var e LedgerEntry
	var kind string
	err := q.QueryRow(ctx, `SELECT id, order_id, organization_id, buyer_organization_id, kind, amount, currency,
			stripe_object_id, idempotency_key, created_at
		FROM ledger_entries WHERE idempotency_key = $1`, key).Scan(&e.ID, &e.OrderID, &e.OrganizationID,
		&e.BuyerOrganizationID, &kind, &e.Amount, &e.Currency, &e.StripeObjectID, &e.IdempotencyKey, &e.CreatedAt)
	if err != nil {
		return LedgerEntry{}, fmt.Errorf("read ledger entry %q: %w", key, notFound(err))
	}
	e.Kind = LedgerKind(kind)
	return e, nil
}

// LedgerTotals is an order's money summed by kind, in minor units of its currency.
type LedgerTotals struct {
	OrderID     uuid.UUID
	Currency    string // empty while nothing has moved
	Authorized  int64
	Released    int64
	Captured    int64
	Transferred int64
	Refunded    int64
	Fee         int64
	// Settled: everything captured went to the seller, back to the buyer or to the platform
	// as its fee (transferred + refunded + fee = captured), and no authorization is left
	// open on the card. An order with no movement is settled.
	Settled bool
}

// OnCard is what the card's authorization still holds, neither captured nor released.
func (m LedgerTotals) OnCard() int64 { return m.Authorized - m.Released - m.Captured }

// Held is what the platform holds for the order: captured, and not yet transferred to the
// seller, refunded to the buyer or kept as the platform's fee.
func (m LedgerTotals) Held() int64 { return m.Captured - m.Transferred - m.Refunded - m.Fee }

// OrderMoney sums the movements of an order visible to the tenant.
func OrderMoney(ctx context.Context, q Querier, orderID uuid.UUID) (LedgerTotals, error) {
	m := LedgerTotals{OrderID: orderID}
	err := q.QueryRow(ctx, `SELECT currency, authorized, released, captured, transferred, refunded, fee, settled
		FROM ledger_order_money WHERE order_id = $1`, orderID).Scan(&m.Currency, &m.Authorized, &m.Released,
		&m.Captured, &m.Transferred, &m.Refunded, &m.Fee, &m.Settled)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		m.Settled = true
		return m, nil
	case err != nil:
		return LedgerTotals{}, fmt.Errorf("sum the money of order %s: %w", orderID, err)
	}
	return m, nil
}
