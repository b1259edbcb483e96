// Package jobs holds ReptiDex's River job kinds and their workers: single idempotent steps
// that must happen because a row changed, enqueued in the transaction that changed it.
package jobs

import (
	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// StartOnboardingArgs starts a new organization's onboarding workflow. It is enqueued in the
// registration transaction, so an organization is never left without its onboarding even
// when Temporal is unreachable at the moment of registration.
type StartOnboardingArgs struct {
	OrgID       uuid.UUID `json:"org_id"`
	OwnerUserID uuid.UUID `json:"owner_user_id"`
}

// Kind names the job kind.
func (StartOnboardingArgs) Kind() string { return "start_onboarding" }

// InsertOpts makes the job unique per organization.
func (StartOnboardingArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// WelcomeEmailArgs sends an organization's owner the welcome email.
type WelcomeEmailArgs struct {
	OrgID uuid.UUID `json:"org_id"`
}

// Kind names the job kind.
func (WelcomeEmailArgs) Kind() string { return "welcome_email" }

// InsertOpts makes the job unique per organization.
func (WelcomeEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}
