// Package jobs holds ReptiDex's River job kinds and their workers: single idempotent steps
// that must happen because a row changed, enqueued in the transaction that changed it.
package jobs

import (
	"errors"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"go.temporal.io/api/serviceerror"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/process"
)

// maxAttempts bounds the jobs that start a workflow or send an email. River waits
// attempt⁴ seconds (and some jitter) after each failed attempt, so 20 attempts span about
// six and a half days: longer than any outage of Temporal, SMTP or Postgres worth riding
// out, shorter than an offer's default 14 days, after which the sweep ends an offer whose
// workflow never started. An error that retrying cannot mend cancels the job at once
// (cancelIfPermanent).
const maxAttempts = 20

// cancelIfPermanent cancels the job when err is one that retrying cannot mend: data the
// database refuses (store.Permanent), a row that is gone, a request Temporal refuses as
// invalid, a process already started with another input. Anything else is returned as it
// is, to be retried within maxAttempts.
func cancelIfPermanent(err error) error {
	var invalid *serviceerror.InvalidArgument
	if store.Permanent(err) || errors.Is(err, store.ErrNotFound) || errors.As(err, &invalid) || errors.Is(err, process.ErrStartedOtherwise) {
		return river.JobCancel(err)
	}
	return err
}

// StartOnboardingArgs starts a new organization's onboarding workflow. It is enqueued in the
// registration transaction, so an organization is never left without its onboarding even
// when Temporal is unreachable at the moment of registration.
type StartOnboardingArgs struct {
	OrgID       uuid.UUID `json:"org_id"`
	OwnerUserID uuid.UUID `json:"owner_user_id"`
}

// Kind names the job kind.
func (StartOnboardingArgs) Kind() string { return "start_onboarding" }

// InsertOpts makes the job unique per organization, tried at most maxAttempts times.
func (StartOnboardingArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// WelcomeEmailArgs sends an organization's owner the welcome email.
type WelcomeEmailArgs struct {
	OrgID uuid.UUID `json:"org_id"`
}

// Kind names the job kind.
func (WelcomeEmailArgs) Kind() string { return "welcome_email" }

// InsertOpts makes the job unique per organization, tried at most maxAttempts times.
func (WelcomeEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}
