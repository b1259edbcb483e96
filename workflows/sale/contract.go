// Package sale is the sale of a listed animal, from the buyer's order to the seller's
// payout: the listing is reserved for the buyer, the card is authorized on the platform
// (manual capture) and captured when the seller ships, the money is held by the platform
// until the buyer confirms the animal arrived alive and as described (or the live-arrival
// window passes in silence), and only then is the seller paid, less the platform's fee, and
// the animal's record moved to the buyer by the transfers' own ownership move. A problem the
// buyer reports waits for a platform admin's decision. Whatever ends the sale early undoes
// exactly what was done: the authorization released before capture, the buyer refunded
// after it, and the listing free again.
//
// Every Stripe call carries a key derived from the order and the step, and every movement
// of money is a ledger row (store.RecordMovement) under the same key, so no retry, crash or
// duplicated webhook charges, pays or moves twice.
//
// Its parts, one file each: the contract (this file), the workflow (workflow.go), the
// client the API, jobs and webhooks reach it by (client.go), the messages people receive
// (messages.go), and the activities it needs (activities.go).
package sale

import (
	"time"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/process"
)

// WorkflowName is the registered name of the sale workflow.
const WorkflowName = "sale"

// The updates a sale answers, the signal the webhook sends it, and its query.
const (
	ShipUpdate      = "ship"
	DeliveredUpdate = "delivered"
	ConfirmUpdate   = "confirm"
	ProblemUpdate   = "report-problem"
	CancelUpdate    = "cancel"
	ResolveUpdate   = "resolve"
	PaymentSignal   = "payment"
	StateQuery      = "state"
)

// Registered activity names.
const (
	AuthorizeActivity = "sale.authorize"
	AdvanceActivity   = "sale.advance"
	RecordActivity    = "sale.record-movement"
	CaptureActivity   = "sale.capture"
	ReleaseActivity   = "sale.release"
	PayoutActivity    = "sale.payout"
	RefundActivity    = "sale.refund"
	MoveActivity      = "sale.move"
	AdminsActivity    = "sale.admins"
)

// Application error types the workflow and its callers tell apart.
const (
	// ErrTypeRefused: an update from someone who is not the party it needs (the API answers 403).
	ErrTypeRefused = "SaleRefused"
	// ErrTypeWrongStage: an update the sale does not take at its stage (409).
	ErrTypeWrongStage = "SaleWrongStage"
	// ErrTypeInvalid: an update whose content is refused (400), e.g. a refund above what was paid.
	ErrTypeInvalid = "SaleInvalid"
	// ErrTypeStripeRefused: Stripe refused a call for good (a card declined at capture, an
	// account that cannot receive transfers); retrying with the same key would be refused again.
	ErrTypeStripeRefused = "StripeRefused"
	// ErrTypeLedgerRefused: the ledger refuses a movement (an invariant, or one key for two
	// movements); recording it again would be refused again.
	ErrTypeLedgerRefused = "LedgerRefused"
	// ErrTypeMoveRefused: the ownership move cannot happen.
	ErrTypeMoveRefused = "MoveRefused"
	// ErrTypeEndedOtherwise: the order's row has an ending the workflow did not give it.
	ErrTypeEndedOtherwise = "OrderEndedOtherwise"
)

// Status is where a sale stands: the order's status (store.Order*), which the sale records.
type Status string

// The statuses, in the order a sale moves through them, and its four endings.
const (
	Placed          Status = store.OrderPlaced
	AwaitingPayment Status = store.OrderAwaitingPayment
	Paid            Status = store.OrderPaid
	Shipped         Status = store.OrderShipped
	Delivered       Status = store.OrderDelivered
	Problem         Status = store.OrderProblem
	Completed       Status = store.OrderCompleted
	Cancelled       Status = store.OrderCancelled
	Failed          Status = store.OrderFailed
	Refunded        Status = store.OrderRefunded
)

// Ended reports whether the sale is over.
func (s Status) Ended() bool { return !store.OrderOpen(string(s)) }

// Input is the order, as it was placed, with the terms the sale runs under.
type Input struct {
	OrderID     uuid.UUID
	PublicID    string
	ListingID   uuid.UUID
	SellerOrgID uuid.UUID
	SellerName  string
	// The person who listed the animal, told of the sale's progress.
	SellerUserID uuid.UUID
	// The seller's Stripe connected account, paid at the end.
	SellerAccount string
	BuyerOrgID    uuid.UUID
	BuyerUserID   uuid.UUID
	BuyerName     string
	AnimalID      uuid.UUID
	AnimalName    string
	Amount        int64 // minor units
	Currency      string
	PlatformFee   int64 // of Amount, kept by the platform when the seller is paid in full
	// The listing's terms.
	ShipsWithinDays  int
	LiveArrivalHours int
	PlacedAt         time.Time
	// The buyer has until then to authorize the card; the reservation ends with it.
	PaymentDueAt time.Time
	// Terms of the platform (config.Marketplace).
	AuthorizationWindow time.Duration // capture or release before the card's authorization lapses
	DeliveryWait        time.Duration // after shipping, delivery is assumed when nobody says otherwise (or by the carrier's date, if sooner)
	DecisionWindow      time.Duration // a reported problem undecided that long is refunded in full
	AdminReminderEvery  time.Duration
	EmailAfter          time.Duration // escalation of what asks someone to act
	SMSAfter            time.Duration
}

// same reports whether in and o are the same order, the times compared as instants.
func (in Input) same(o Input) bool {
	times := in.PlacedAt.Equal(o.PlacedAt) && in.PaymentDueAt.Equal(o.PaymentDueAt)
	in.PlacedAt, in.PaymentDueAt = o.PlacedAt, o.PaymentDueAt
	return times && in == o
}

// WorkflowID derives the workflow ID from the order.
func WorkflowID(orderID uuid.UUID) string { return "sale/" + orderID.String() }

// Key is the idempotency key of a step of the order: the Stripe call's and its ledger row's.
func Key(orderID uuid.UUID, step string) payments.Key {
	return payments.IdempotencyKey("order", orderID.String(), step)
}

// Actor is who sends an update, as the API authenticated them.
type Actor struct {
	UserID uuid.UUID
	OrgID  uuid.UUID // the organization the request acts for
	// Manages is true when the actor is an owner or admin of OrgID.
	Manages       bool
	PlatformAdmin bool
}

// ShipInput is the seller's shipment.
type ShipInput struct {
	Actor          Actor
	Carrier        string
	TrackingNumber string
	// ExpectedDelivery is the carrier's delivery date, when the seller gives it: the animal is
	// taken to have arrived then, unless either side says so sooner (zero: after the
	// delivery wait).
	ExpectedDelivery time.Time `json:",omitzero"`
}

// ProblemInput is the buyer's report that the animal did not arrive alive and as described.
type ProblemInput struct {
	Actor  Actor
	Reason string
}

// CancelInput is a cancellation by either party before shipping.
type CancelInput struct {
	Actor  Actor
	Reason string
}

// Decision is a platform admin's resolution of a reported problem: refund the buyer
// RefundAmount (the whole captured amount, part of it, or nothing) and pay the seller the
// rest; the animal moves to the buyer unless the refund is in full.
type Decision struct {
	Actor        Actor
	RefundAmount int64
	Note         string
}

// Payment is what a Stripe event showed of the order's PaymentIntent or charge, as the
// webhook passes it on. The sale acts on what moves it forward from where it stands and
// ignores the rest, so events may arrive in any order and more than once.
type Payment struct {
	EventID         string
	Kind            PaymentKind
	PaymentIntentID string
	ChargeID        string
	// Authorized: what the card holds for capture.
	AmountCapturable int64
	// Refunded: the total the charge has had refunded.
	AmountRefunded int64
	// Failed and cancelled: why, as Stripe says it.
	Reason string
}

// PaymentKind is what a Stripe event says happened to the payment.
type PaymentKind string

// The kinds the sale acts on.
const (
	PaymentAuthorized PaymentKind = "authorized"
	PaymentFailed     PaymentKind = "failed"
	PaymentCanceled   PaymentKind = "canceled"
	PaymentRefunded   PaymentKind = "refunded"
)

// State is what the sale's query answers.
type State struct {
	Status   Status
	Captured int64 `json:",omitempty"`
	Refunded int64 `json:",omitempty"`
	PaidOut  int64 `json:",omitempty"` // to the seller
	Moved    bool  `json:",omitempty"`
	Outcome  string
}

// Result is how the sale ended.
type Result = State

// AuthorizeInput asks Stripe for the PaymentIntent of an order.
type AuthorizeInput struct {
	OrderID  uuid.UUID
	PublicID string
	Amount   int64
	Currency string
}

// Authorization is the PaymentIntent created for an order.
type Authorization struct {
	PaymentIntentID string
	ClientSecret    string
}

// Movement is a movement of the order's money the workflow records (or makes and records).
type Movement struct {
	OrderID     uuid.UUID
	SellerOrgID uuid.UUID
	BuyerOrgID  uuid.UUID
	Kind        string // a store.LedgerKind
	Amount      int64
	Currency    string
	// ObjectID is the Stripe object that moved it; Step names the key it is recorded under.
	ObjectID string
	Step     string
}

// CaptureInput captures an order's authorization.
type CaptureInput struct {
	Movement        // the captured movement to record
	PaymentIntentID string
}

// Capture is what capturing gave: the charge the money was captured by.
type Capture struct {
	ChargeID string
	Amount   int64
}

// ReleaseInput releases (cancels) an order's authorization: the card is no longer held.
// Released is the movement to record, when the authorization was recorded (zero Amount:
// nothing to record).
type ReleaseInput struct {
	Movement
	PaymentIntentID string
	Reason          string // Stripe's cancellation_reason
}

// PayoutInput pays the seller by a Transfer of the captured charge's money; Fee is recorded
// beside it.
type PayoutInput struct {
	Movement      // the transferred movement
	Fee           int64
	Destination   string // the seller's connected account
	ChargeID      string
	TransferGroup string
}

// RefundInput refunds the buyer from the captured charge.
type RefundInput struct {
	Movement
	PaymentIntentID string
}

// MoveInput moves the sold animal to the buyer.
type MoveInput struct {
	OrderID     uuid.UUID
	BuyerOrgID  uuid.UUID
	BuyerUserID uuid.UUID
}

// AdvanceInput records a stage of the order (store.OrderStage), in the tenant of OrgID.
type AdvanceInput struct {
	OrderID uuid.UUID
	OrgID   uuid.UUID
	Stage   Stage
}

// Stage mirrors store.OrderStage for the workflow (what a stage sets; zero: unchanged).
type Stage struct {
	Status              Status
	PaymentIntentID     string
	PaymentClientSecret string
	ChargeID            string
	ShipBy              time.Time
	ArrivalWindowEndsAt time.Time
	Carrier             string
	TrackingNumber      string
	ExpectedDelivery    time.Time
	AuthorizedAt        time.Time
	ShippedAt           time.Time
	DeliveredAt         time.Time
	ConfirmedAt         time.Time
	Problem             string
	Resolution          string
	Outcome             string
	Kind                string
	Actor               uuid.UUID
	Detail              string
}

// TransferGroup is the Stripe transfer_group of an order: its charge and its payout share it.
func TransferGroup(orderID uuid.UUID) string { return "order_" + orderID.String() }

// IsRefused reports whether err is an update from someone the sale does not let act.
func IsRefused(err error) bool { return process.IsErrorType(err, ErrTypeRefused) }

// IsWrongStage reports whether err is an update the sale does not take at its stage.
func IsWrongStage(err error) bool { return process.IsErrorType(err, ErrTypeWrongStage) }

// IsInvalid reports whether err is an update whose content the sale refuses.
func IsInvalid(err error) bool { return process.IsErrorType(err, ErrTypeInvalid) }
