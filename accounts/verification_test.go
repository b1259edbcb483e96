package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// link stores a verification link of the user for email, expiring at expires, and returns
// its token's hash.
func link(t *testing.T, db *store.DB, u store.User, org store.Organization, email string, expires time.Time) []byte {
	t.Helper()
	_, hash := store.NewLinkToken()
	ctx := context.Background()
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: org.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		return store.InsertEmailVerification(ctx, tx, store.EmailVerification{TokenHash: hash, UserID: u.ID, Email: email, ExpiresAt: expires})
	}))
	return hash
}

func verifyEmail(t *testing.T, db *store.DB, hash []byte) (accounts.VerifiedEmail, error) {
	t.Helper()
	var out accounts.VerifiedEmail
	ctx := context.Background()
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = accounts.VerifyEmail(ctx, tx, hash)
		return err
	})
	return out, err
}

func TestVerifyEmail_VerifiesTheAddressOnceAndAnswersAgainAsItIs(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	u, org := register(t, db, "verify")
	hash := link(t, db, u, org, u.Email, time.Now().Add(time.Hour))

	first, err := verifyEmail(t, db, hash)
	require.NoError(t, err)
	require.Equal(t, u.PublicID, first.UserPublicID)
	require.Equal(t, u.Email, first.Email)
	require.False(t, first.Already)
	require.WithinDuration(t, time.Now(), first.VerifiedAt, time.Minute)

	again, err := verifyEmail(t, db, hash)
	require.NoError(t, err)
	require.True(t, again.Already)
	require.True(t, first.VerifiedAt.Equal(again.VerifiedAt), "the first verification's time stays")
}

func TestVerifyEmail_RefusesAnUnknownExpiredOrOtherAddressesLink(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	u, org := register(t, db, "refused")

	_, unknown := store.NewLinkToken()
	_, err := verifyEmail(t, db, unknown)
	require.ErrorIs(t, err, accounts.ErrBadVerificationLink)

	other := link(t, db, u, org, testkit.UniqueEmail("other"), time.Now().Add(time.Hour))
	_, err = verifyEmail(t, db, other)
	require.ErrorIs(t, err, accounts.ErrBadVerificationLink, "a link to an address that is not the account's")

	expiredAt := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	expired := link(t, db, u, org, u.Email, expiredAt)
	_, err = verifyEmail(t, db, expired)
	var linkExpired *accounts.LinkExpiredError
	require.ErrorAs(t, err, &linkExpired)
	require.True(t, expiredAt.Equal(linkExpired.ExpiresAt))
}
