// Package accounts opens ReptiDex accounts — a person, their organization and its
// onboarding, written together, the emailed link that proves the person's address
// (verification.go) and the texted code that proves their phone number (phone.go) — and
// runs their sessions: logging in, renewing and logging out (session.go).
package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
)

// NewAccount is what a person gives to register, validated by the caller, and how long the
// link that verifies their email works.
type NewAccount struct {
	Email            string
	Password         string
	DisplayName      string
	OrganizationName string
	// VerificationTTL is config.Notify.VerificationTTL; zero means DefaultVerificationTTL.
	VerificationTTL time.Duration
}

// DefaultVerificationTTL is how long a verification link works unless configured.
const DefaultVerificationTTL = 48 * time.Hour

// Register creates the user, their organization with them as owner, the domain events, the
// job that starts the organization's onboarding and the email that verifies their address —
// in one transaction, which also runs then (when given) so the caller can add to it, e.g. the
// first session. A taken email is store.ErrConflict and writes nothing.
func Register(ctx context.Context, db *store.DB, queue *river.Client[pgx.Tx], in NewAccount, then func(pgx.Tx, store.User, store.Organization) error) (store.User, store.Organization, error) {
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return store.User{}, store.Organization{}, fmt.Errorf("hash password: %w", err)
	}
	user := store.User{ID: uuid.New(), PublicID: store.NewPublicID(), Email: in.Email, DisplayName: in.DisplayName, PasswordHash: hash}
	org := store.Organization{ID: uuid.New(), PublicID: store.NewPublicID(), Name: in.OrganizationName, CreatedBy: user.ID}
	err = db.InTenant(ctx, store.Tenant{OrgID: org.ID, UserID: user.ID}, func(tx pgx.Tx) error {
		if err := store.InsertUser(ctx, tx, user); err != nil {
			return err
		}
		if err := store.InsertOrganization(ctx, tx, org); err != nil {
			return err
		}
		if err := store.InsertMember(ctx, tx, user.ID, membership.Owner); err != nil {
			return err
		}
		if err := store.AppendEvent(ctx, tx, "organization.created", "organization", org.PublicID,
			map[string]string{"name": org.Name, "owner_user_id": user.PublicID}); err != nil {
			return err
		}
		if err := store.AppendEvent(ctx, tx, "member.added", "organization", org.PublicID,
			map[string]string{"user_id": user.PublicID, "role": string(membership.Owner)}); err != nil {
			return err
		}
		if _, err := queue.InsertTx(ctx, tx, jobs.StartOnboardingArgs{OrgID: org.ID, OwnerUserID: user.ID}, nil); err != nil {
			return fmt.Errorf("enqueue onboarding: %w", err)
		}
		ttl := in.VerificationTTL
		if ttl <= 0 {
			ttl = DefaultVerificationTTL
		}
		if _, err := SendVerification(ctx, tx, &notify.Notifier{River: queue}, user, org.ID, ttl); err != nil {
			return err
		}
		if then != nil {
			return then(tx, user, org)
		}
		return nil
	})
	if err != nil {
		return store.User{}, store.Organization{}, err
	}
	return user, org, nil
}
