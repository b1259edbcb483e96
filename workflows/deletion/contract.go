// Package deletion is the process of deleting an account: asked for by the person, it waits
// out a grace of 30 days in which they can cancel (reminded 3 days before it ends), then
// erases the account in one transaction (erase_account: organizations where they are the
// last owner handed to the longest-standing other member, or closed; memberships, sessions,
// preferences gone; their address replaced by a pseudonym wherever it was recorded, audit
// rows and events included; the user row kept as the pseudonym), and a day later deletes the
// notifications that were theirs, once the notice of the erasure has reached them. The
// person is told at each step; the new owners are told too.
//
// Its parts, one file each: the contract (this file), the workflow (workflow.go), the client
// the API reaches it by (client.go), the messages it sends (messages.go), and the activities
// it needs (activities.go).
package deletion

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/google/uuid"
)

// WorkflowName is the registered name of the account-deletion workflow.
const WorkflowName = "account.deletion"

// Registered names of the deletion's activities.
const (
	// PlanActivity reads what erasing would do to the person's organizations.
	PlanActivity = "deletion.plan"
	// CancelActivity records the deletion cancelled.
	CancelActivity = "deletion.cancel"
	// EraseActivity erases the account, telling the person and the new owners.
	EraseActivity = "deletion.erase"
	// ScrubActivity deletes what is left of the person's notifications.
	ScrubActivity = "deletion.scrub"
)

// CancelUpdate cancels a deletion within its grace.
const CancelUpdate = "cancel"

// The timing of a deletion: the grace from the request to the erasure, the reminder before
// it ends, and the wait from the erasure until the person's notifications are deleted (the
// notice of the erasure is delivered within it).
const (
	Grace        = 30 * 24 * time.Hour
	RemindBefore = 3 * 24 * time.Hour
	ScrubAfter   = 24 * time.Hour
)

// Input names the person whose account is to be deleted, and when each step is due.
type Input struct {
	UserID      uuid.UUID
	PublicID    string
	RequestedAt time.Time
	RemindAt    time.Time
	EraseAt     time.Time
	ScrubAfter  time.Duration
}

// InputAt is the input of a deletion asked for at requested, with the usual timing.
func InputAt(userID uuid.UUID, publicID string, requested time.Time) Input {
	requested = requested.UTC().Truncate(time.Second)
	erase := requested.Add(Grace)
	return Input{UserID: userID, PublicID: publicID, RequestedAt: requested, RemindAt: erase.Add(-RemindBefore),
		EraseAt: erase, ScrubAfter: ScrubAfter}
}

// same reports whether in and o are the same deletion.
func (in Input) same(o Input) bool {
	return in.UserID == o.UserID && in.PublicID == o.PublicID && in.RequestedAt.Equal(o.RequestedAt) &&
		in.RemindAt.Equal(o.RemindAt) && in.EraseAt.Equal(o.EraseAt) && in.ScrubAfter == o.ScrubAfter
}

// WorkflowID derives the workflow ID from the person: one deletion at a time.
func WorkflowID(userID uuid.UUID) string { return "account-deletion/" + userID.String() }

// Pseudonym is what names an erased account: derived from its internal ID, the same on
// every try, and not the person's name or address.
func Pseudonym(userID uuid.UUID) string {
	sum := sha256.Sum256([]byte("reptidex-erased:" + userID.String()))
	return hex.EncodeToString(sum[:8])
}

// Stage is where a deletion stands.
type Stage string

// The stages of a deletion.
const (
	Scheduled Stage = "scheduled"
	Cancelled Stage = "cancelled"
	Erasing   Stage = "erasing"
	Erased    Stage = "erased"
)

// Fate is what erasing does, or did, to an organization where the person is the last
// owner: handed to the heir, or closed (no heir).
type Fate struct {
	OrgID    uuid.UUID
	OrgName  string
	HeirID   uuid.UUID
	HeirName string
}

// Plan is what erasing would do to the person's organizations, as things stand.
type Plan struct {
	Fates []Fate
}

// Result is how a deletion ended, and what it did to the organizations.
type Result struct {
	Stage Stage
	Fates []Fate
}

// ErrTypeRefused is the application error type of a cancel that comes too late; its message
// says why.
const ErrTypeRefused = "DeletionRefused"

// ErrTypeNotFound is the application error type of an activity that found no such person.
const ErrTypeNotFound = "PersonNotFound"
