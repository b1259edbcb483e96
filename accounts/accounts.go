// Package accounts opens ReptiDex accounts — a person, their organization and its
// onboarding, written together, and the emailed link that proves the person's address — and
// runs their sessions: logging in, renewing and logging out.
package accounts

import (
	"context"
	"encoding/hex"
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

// VerifyEmailPath is the API path that verifies an address; the emailed link adds ?token=.
const VerifyEmailPath = "/api/v1/auth/verify-email"

// SendVerification makes a link that proves user reads their address, valid for ttl, and
// records the email that carries it, in tx, whose tenant must be user acting for orgID. It
// returns when the link expires.
func SendVerification(ctx context.Context, tx pgx.Tx, n *notify.Notifier, user store.User, orgID uuid.UUID, ttl time.Duration) (time.Time, error) {
	token, hash := store.NewLinkToken()
	expires := time.Now().Add(ttl).UTC().Truncate(time.Second)
	if err := store.InsertEmailVerification(ctx, tx, store.EmailVerification{
		TokenHash: hash, UserID: user.ID, Email: user.Email, ExpiresAt: expires,
	}); err != nil {
		return time.Time{}, err
	}
	_, err := n.Record(ctx, tx, notify.Request{
		DedupKey: "email-verification/" + hex.EncodeToString(hash),
		Type:     "account.email_verification",
		OrgID:    orgID,
		UserID:   user.ID,
		Title:    "Confirm your email address",
		Body: "Confirm that " + user.Email + " is your address by opening the link below. " +
			"It works until " + expires.Format("2 January 2006 at 15:04 UTC") + ".\n\n" +
			"If you did not register on ReptiDex, ignore this email: nothing happens without the link.",
		Link:        VerifyEmailPath + "?token=" + token,
		ActionLabel: "Confirm my email",
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("record email verification: %w", err)
	}
	return expires, nil
}
