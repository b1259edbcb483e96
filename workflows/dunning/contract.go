// Package dunning is the process that follows a subscription's failed renewal, one per
// subscription (dunning/<subscription>), started by the first failed payment's webhook
// (signal-with-start). It tells the organization's owners and admins at once, with the link
// that opens a fresh billing portal; reminds them on a schedule (by default 3, 7 and 12
// days after the failure); retries the open invoices the moment a payment method is added;
// and ends when the invoices are paid, when the subscription ends, or at the end of the
// grace period (by default 14 days, as Stripe's own retries) by moving the organization to
// Free, with nothing deleted. A payment at any time afterwards restores the plan at once
// (billing's webhook sync).
//
// Its parts, one file each: the contract (this file), the workflow (workflow.go), the
// client the webhook reaches it by (client.go), what owners are told (messages.go) and the
// activities it needs (activities.go).
package dunning

import (
	"time"

	"github.com/google/uuid"
)

// WorkflowName is the registered name of the dunning workflow.
const WorkflowName = "dunning"

// The registered names of its activities.
const (
	NoticeActivity   = "dunning.notice"
	RetryActivity    = "dunning.retry-invoice"
	EndGraceActivity = "dunning.end-grace"
)

// The signals the webhook sync sends it.
const (
	// FailedSignal carries a Failure: an invoice of the subscription was not paid.
	FailedSignal = "payment-failed"
	// PaidSignal carries a Paid: an invoice was paid.
	PaidSignal = "invoice-paid"
	// PaymentMethodSignal carries a MethodAdded: the customer added a payment method.
	PaymentMethodSignal = "payment-method-added"
	// EndedSignal carries an Ended: the subscription ended (cancelled, or Stripe gave up).
	EndedSignal = "subscription-ended"
)

// StateQuery answers the State.
const StateQuery = "state"

// Schedule is when owners are reminded and how long the grace lasts, from the first failure.
type Schedule struct {
	Reminders []time.Duration
	Grace     time.Duration
}

// DefaultSchedule reminds on days 3, 7 and 12 and ends the grace on day 14, when Stripe's
// default retries are spent.
var DefaultSchedule = Schedule{Reminders: []time.Duration{3 * Day, 7 * Day, 12 * Day}, Grace: 14 * Day}

// Day is a day of the schedule.
const Day = 24 * time.Hour

// Input names the subscription and its organization, and the schedule the process keeps.
type Input struct {
	OrgID          uuid.UUID
	SubscriptionID string
	Schedule       Schedule
	// Failures are failed payments told to the run before, which ended paid as they
	// arrived: this run starts with them, as if signalled.
	Failures []Failure `json:",omitempty"`
}

// WorkflowID derives the workflow ID from the Stripe subscription: one dunning at a time.
func WorkflowID(subscriptionID string) string { return "dunning/" + subscriptionID }

// Failure is a failed payment of an invoice.
type Failure struct {
	InvoiceID string
	// EventID is the webhook event that told it.
	EventID string
	// ActionRequired: the bank asks the customer to authenticate the payment.
	ActionRequired bool
}

// Paid is an invoice paid.
type Paid struct {
	InvoiceID string
}

// MethodAdded is a payment method the customer added, told by the event EventID.
type MethodAdded struct {
	EventID string
}

// Ended is the end of the subscription.
type Ended struct {
	Status string // Stripe's final status, e.g. canceled
}

// The outcomes of a dunning.
const (
	OutcomePaid       = "paid"       // every failed invoice was paid
	OutcomeEnded      = "ended"      // the subscription ended first
	OutcomeDowngraded = "downgraded" // the grace ended unpaid; the organization is on Free
)

// Result says how the dunning ended.
type Result struct {
	Outcome string
}

// State is where a dunning stands.
type State struct {
	// Open are the invoices still unpaid, in the order they failed.
	Open []string
	// Started is the first failure; GraceEnds is when the organization moves to Free.
	Started   time.Time
	GraceEnds time.Time
	// Reminded is how many reminders were sent.
	Reminded int
	// Retries is how many times an open invoice was tried again after a new payment method.
	Retries int
	Outcome string
}

// The kinds of notice owners receive.
const (
	NoticeFailed   = "failed"
	NoticeAction   = "action-required"
	NoticeReminder = "reminder"
	NoticePaid     = "paid"
)

// Notice is one thing the organization's owners and admins are told.
type Notice struct {
	OrgID          uuid.UUID
	SubscriptionID string
	Kind           string
	// InvoiceID is the invoice a failure or an authentication request is about.
	InvoiceID string
	// Reminder numbers a reminder from 1; DaysLeft is the grace left when it is sent.
	Reminder int
	DaysLeft int
	// GraceEnds is when the organization moves to Free.
	GraceEnds time.Time
}

// Retry asks Stripe to collect an open invoice again, after the payment method added by
// the event EventID.
type Retry struct {
	OrgID          uuid.UUID
	SubscriptionID string
	InvoiceID      string
	EventID        string
}

// GraceEnd ends the grace of a subscription whose invoices are still open.
type GraceEnd struct {
	OrgID          uuid.UUID
	SubscriptionID string
	Open           []string
}

// GraceOutcome is what ending the grace found: an invoice Stripe has paid meanwhile (Paid),
// or the organization moved to Free.
type GraceOutcome struct {
	Paid bool
}

// ErrTypePaymentRefused is the application error type of a retry Stripe refused (the card
// declined, the invoice no longer open): final, and the webhook tells what followed.
const ErrTypePaymentRefused = "PaymentRefused"
