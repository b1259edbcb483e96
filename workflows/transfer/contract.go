// Package transfer is the two-party handshake that hands an animal to another breeder: the
// recipient is told and reminded, and accepts (choosing the receiving organization) or
// declines; the offering organization may cancel; unanswered, the offer expires. Accepted,
// the animal's record moves to the recipient's organization in one idempotent step.
//
// Its parts, one file each: the contract (this file), the workflow (workflow.go), the
// client the API and jobs reach it by (client.go), the messages people receive
// (messages.go), and the activities it needs (activities.go).
package transfer

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/workflows/process"
)

// WorkflowName is the registered name of the transfer workflow.
const WorkflowName = "transfer"

// The updates a transfer answers, and its query.
const (
	AcceptUpdate  = "accept"
	DeclineUpdate = "decline"
	CancelUpdate  = "cancel"
	StateQuery    = "state"
)

// Registered activity names.
const (
	RecipientsActivity = "transfer.recipients"
	MoveActivity       = "transfer.move"
	FinishActivity     = "transfer.finish"
	ReleaseActivity    = "transfer.release"
	NoteActivity       = "transfer.note"
)

// Status is where a transfer stands.
type Status string

// The statuses: offered (open), accepting (the move is under way), and the four endings.
const (
	Offered   Status = "offered"
	Accepting Status = "accepting"
	Accepted  Status = "accepted"
	Declined  Status = "declined"
	Cancelled Status = "cancelled"
	Expired   Status = "expired"
)

// Ended reports whether the transfer is over.
func (s Status) Ended() bool { return s == Accepted || s == Declined || s == Cancelled || s == Expired }

// ErrTypeEnded is the application error type of an update refused because the transfer is
// over (or, for accept, already being accepted); the API answers 409.
const ErrTypeEnded = "TransferEnded"

// ErrTypeRefused is the application error type of an update from someone the transfer does
// not let act; the API answers 403.
const ErrTypeRefused = "TransferRefused"

// ErrTypeMoveRefused is the application error type of an ownership move that cannot happen
// (the animal is gone from the offering organization or no longer held by this transfer).
const ErrTypeMoveRefused = "MoveRefused"

// ErrTypeEndedOtherwise is the application error type of an ending the database cannot
// record because it holds a different one (say, expired where the workflow accepted).
const ErrTypeEndedOtherwise = "TransferEndedOtherwise"

// Input is the offer, as the API recorded it.
type Input struct {
	TransferID uuid.UUID
	PublicID   string
	OrgID      uuid.UUID // the offering organization
	OrgName    string
	OfferedBy  uuid.UUID // the user who offered
	AnimalID   uuid.UUID
	AnimalName string
	// The recipient: an email address, or an organization.
	RecipientEmail string
	RecipientOrgID uuid.UUID
	Message        string
	// When the offer was made, when its reminder is due (zero: none) and when it expires,
	// as the organization's settings made them.
	OfferedAt time.Time
	RemindAt  time.Time
	ExpiresAt time.Time
	// Escalation of the offer notification: in-app, then email, then SMS.
	EmailAfter time.Duration
	SMSAfter   time.Duration
}

// same reports whether in and o are the same offer, the times compared as instants.
func (in Input) same(o Input) bool {
	times := in.OfferedAt.Equal(o.OfferedAt) && in.RemindAt.Equal(o.RemindAt) && in.ExpiresAt.Equal(o.ExpiresAt)
	in.OfferedAt, in.RemindAt, in.ExpiresAt = o.OfferedAt, o.RemindAt, o.ExpiresAt
	return times && in == o
}

// Recipient is one person the offer is addressed to: an account, or an address without one.
type Recipient struct {
	UserID uuid.UUID
	Email  string
}

func (r Recipient) key() string {
	if r.UserID != uuid.Nil {
		return r.UserID.String()
	}
	return strings.ToLower(r.Email)
}

// Actor is who asks for an update, as the API authenticated them.
type Actor struct {
	UserID uuid.UUID
	Email  string    // the actor's verified email address
	OrgID  uuid.UUID // accept: the receiving organization; cancel: the actor's organization
	// OrgRoleManages is true when the actor is an owner or admin of OrgID.
	OrgRoleManages bool
}

// DeclineInput is a decline with its reason.
type DeclineInput struct {
	Actor  Actor
	Reason string
}

// State is what the transfer's query answers.
type State struct {
	Status     Status
	ToOrgID    uuid.UUID `json:",omitempty"`
	Reason     string    `json:",omitempty"`
	Reminded   bool
	OfferedAt  time.Time
	ExpiresAt  time.Time
	RemindedAt time.Time `json:",omitempty"`
}

// MoveInput is the ownership move of an accepted transfer.
type MoveInput struct {
	TransferID uuid.UUID
	AnimalID   uuid.UUID
	FromOrgID  uuid.UUID
	ToOrgID    uuid.UUID
	UserID     uuid.UUID // who accepted
}

// FinishInput records how a transfer ended.
type FinishInput struct {
	TransferID uuid.UUID
	OrgID      uuid.UUID // the offering organization
	Status     Status
	Reason     string
	UserID     uuid.UUID // who ended it; zero for expiry
	ToOrgID    uuid.UUID // accepted: the receiving organization
}

// ReleaseInput ends a transfer whose FinishInput could not be recorded: the same status,
// without what the person gave, and the animal released.
type ReleaseInput struct {
	TransferID uuid.UUID
	OrgID      uuid.UUID // the offering organization
	Status     Status    // declined, cancelled or expired
	UserID     uuid.UUID // who ended it; zero for expiry
}

// NoteInput adds an entry to a transfer's timeline.
type NoteInput struct {
	TransferID uuid.UUID
	OrgID      uuid.UUID
	Kind       string
	Detail     string
}

// Result is how the transfer ended.
type Result struct {
	Status  Status
	ToOrgID uuid.UUID `json:",omitempty"`
	Reason  string    `json:",omitempty"`
}

// WorkflowID derives the workflow ID from the transfer.
func WorkflowID(transferID uuid.UUID) string { return "transfer/" + transferID.String() }

// IsEnded reports whether err is an update refused because the transfer is over.
func IsEnded(err error) bool { return process.IsErrorType(err, ErrTypeEnded) }

// IsRefused reports whether err is an update from someone the transfer does not let act.
func IsRefused(err error) bool { return process.IsErrorType(err, ErrTypeRefused) }
