package accounts_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// phoneBundle is a registered person who gives a phone number, in a test's own database.
type phoneBundle struct {
	db       *store.DB
	notifier *notify.Notifier
	user     store.User
	org      store.Organization
	phone    string
}

func setupPhone(t *testing.T) phoneBundle {
	t.Helper()
	db := testkit.DB(t)
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	b := phoneBundle{db: db, notifier: &notify.Notifier{River: rc}, phone: fmt.Sprintf("+447700%06d", rand.IntN(1_000_000))}
	b.user, b.org = register(t, db, "phone")
	return b
}

// as runs fn as the person, acting for their organization.
func (b phoneBundle) as(t *testing.T, fn func(context.Context, pgx.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	return b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID, UserID: b.user.ID}, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

func (b phoneBundle) setPhone(t *testing.T) (time.Time, error) {
	t.Helper()
	var expires time.Time
	err := b.as(t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		expires, err = accounts.SetPhone(ctx, tx, b.notifier, b.user.ID, b.org.ID, b.phone, 10*time.Minute)
		return err
	})
	return expires, err
}

func (b phoneBundle) verify(t *testing.T, code string) (accounts.PhoneCheck, error) {
	t.Helper()
	var check accounts.PhoneCheck
	err := b.as(t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		check, err = accounts.VerifyPhone(ctx, tx, b.user.ID, code)
		return err
	})
	return check, err
}

var phoneCode = regexp.MustCompile(`^Your verification code is (\d{6})$`)

// code is the code last texted to the person.
func (b phoneBundle) code(t *testing.T) string {
	t.Helper()
	var title string
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT title FROM notifications
		WHERE user_id = $1 AND type = 'account.phone_code' ORDER BY created_at DESC LIMIT 1`, b.user.ID).Scan(&title))
	m := phoneCode.FindStringSubmatch(title)
	require.NotNil(t, m, title)
	return m[1]
}

func TestSetPhone_TextsACodeAndRefusesAnotherWithinAMinute(t *testing.T) {
	t.Parallel()
	b := setupPhone(t)

	expires, err := b.setPhone(t)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(10*time.Minute), expires, time.Minute)
	require.Len(t, b.code(t), 6)

	_, err = b.setPhone(t)
	var tooSoon *accounts.TooSoonError
	require.ErrorAs(t, err, &tooSoon)
	require.InDelta(t, time.Minute.Seconds(), tooSoon.Wait.Seconds(), 10)
}

func TestVerifyPhone_CountsAWrongCodeAndVerifiesTheRightOne(t *testing.T) {
	t.Parallel()
	b := setupPhone(t)
	_, err := b.verify(t, "123456")
	require.ErrorIs(t, err, accounts.ErrNoPhone)

	_, err = b.setPhone(t)
	require.NoError(t, err)
	code := b.code(t)
	wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1_000_000)

	check, err := b.verify(t, wrong)
	require.NoError(t, err, "a wrong code is an answer, so that its count is committed")
	require.Equal(t, accounts.PhoneCheck{Phone: b.phone, Wrong: true, AttemptsLeft: accounts.PhoneCodeAttempts - 1}, check)
	check, err = b.verify(t, wrong)
	require.NoError(t, err)
	require.Equal(t, accounts.PhoneCodeAttempts-2, check.AttemptsLeft, "the first wrong code was counted")

	check, err = b.verify(t, code)
	require.NoError(t, err)
	require.Equal(t, accounts.PhoneCheck{Phone: b.phone, Verified: true}, check)
	check, err = b.verify(t, wrong)
	require.NoError(t, err)
	require.Equal(t, accounts.PhoneCheck{Phone: b.phone, Verified: true}, check, "a verified number stays verified")
}

func TestVerifyPhone_RefusesASpentOrExpiredCode(t *testing.T) {
	t.Parallel()
	b := setupPhone(t)
	_, err := b.setPhone(t)
	require.NoError(t, err)
	code := b.code(t)
	admin := testkit.AdminPool(t)

	_, err = admin.Exec(context.Background(), `UPDATE users SET phone_code_expires_at = now() - interval '1 second' WHERE id = $1`, b.user.ID)
	require.NoError(t, err)
	_, err = b.verify(t, code)
	require.ErrorIs(t, err, accounts.ErrPhoneCodeExpired)

	_, err = admin.Exec(context.Background(), `UPDATE users SET phone_code_expires_at = now() + interval '5 minutes',
		phone_code_attempts = $2 WHERE id = $1`, b.user.ID, accounts.PhoneCodeAttempts)
	require.NoError(t, err)
	_, err = b.verify(t, code)
	require.ErrorIs(t, err, accounts.ErrPhoneCodeSpent, "even the right code, once too many were tried")
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	_, err := fmt.Sscanf(s, "%d", &n)
	require.NoError(t, err)
	return n
}
