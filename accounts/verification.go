package accounts

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
)

// VerifyEmailPath is the page that verifies an address; the emailed link adds ?token=.
const VerifyEmailPath = "/verify-email"

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

// ErrBadVerificationLink is a verification link no one can use: unknown, used already, or
// sent to an address that is no longer the account's.
var ErrBadVerificationLink = errors.New("the email verification link is not valid")

// LinkExpiredError refuses a verification link followed after it expired.
type LinkExpiredError struct {
	ExpiresAt time.Time
}

func (e *LinkExpiredError) Error() string {
	return "the email verification link expired at " + e.ExpiresAt.UTC().Format(time.RFC3339)
}

// VerifiedEmail is an address a verification link proved.
type VerifiedEmail struct {
	UserPublicID string
	Email        string
	VerifiedAt   time.Time // when the address was first verified
	// Already is true when the address was verified before this link was followed.
	Already bool
}

// VerifyEmail verifies the address the link with this token hash was sent to, in tx, and
// spends the link. A link whose account has the address verified already answers as it is,
// so that following a link twice does no harm. A link that cannot verify is
// ErrBadVerificationLink, and one past its expiry a *LinkExpiredError.
func VerifyEmail(ctx context.Context, tx pgx.Tx, tokenHash []byte) (VerifiedEmail, error) {
	v, err := store.EmailVerificationByHash(ctx, tx, tokenHash)
	if errors.Is(err, store.ErrNotFound) {
		return VerifiedEmail{}, ErrBadVerificationLink
	}
	if err != nil {
		return VerifiedEmail{}, err
	}
	u, err := store.UserByID(ctx, tx, v.UserID)
	if err != nil {
		return VerifiedEmail{}, err
	}
	sameAddress := strings.EqualFold(u.Email, v.Email)
	switch {
	case u.EmailVerifiedAt != nil && sameAddress:
		return VerifiedEmail{UserPublicID: u.PublicID, Email: u.Email, VerifiedAt: *u.EmailVerifiedAt, Already: true}, nil
	case v.UsedAt != nil || !sameAddress:
		return VerifiedEmail{}, ErrBadVerificationLink
	case !time.Now().Before(v.ExpiresAt):
		return VerifiedEmail{}, &LinkExpiredError{ExpiresAt: v.ExpiresAt}
	}
	ok, err := store.MarkEmailVerified(ctx, tx, u.ID, v.Email)
	if err != nil {
		return VerifiedEmail{}, err
	}
	if !ok { // the account's address changed meanwhile
		return VerifiedEmail{}, ErrBadVerificationLink
	}
	if err := store.MarkEmailVerificationUsed(ctx, tx, tokenHash); err != nil {
		return VerifiedEmail{}, err
	}
	if u, err = store.UserByID(ctx, tx, u.ID); err != nil {
		return VerifiedEmail{}, err
	}
	return VerifiedEmail{UserPublicID: u.PublicID, Email: u.Email, VerifiedAt: *u.EmailVerifiedAt}, nil
}
