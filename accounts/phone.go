package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
)

// A phone number receives SMS only once a six-digit code texted to it has come back. These
// bound the codes: how many wrong codes end one, how soon another may be texted, and how
// many may be texted in a day, to any numbers.
const (
	PhoneCodeAttempts = 5
	PhoneResendAfter  = time.Minute
	PhoneCodesPerDay  = 10
)

// TooSoonError refuses a code asked for before another may be texted.
type TooSoonError struct {
	Wait time.Duration // until another code may be texted
}

func (e *TooSoonError) Error() string {
	return fmt.Sprintf("too many phone codes asked for; wait %s", e.Wait.Round(time.Second))
}

// Refusals of a phone code.
var (
	ErrNoPhone          = errors.New("there is no phone number to verify")
	ErrPhoneCodeSpent   = errors.New("the phone code can no longer be used")
	ErrPhoneCodeExpired = errors.New("the phone code has expired")
)

// SetPhone gives the user, tx's acting user acting for orgID, the phone number phone (E.164,
// normalized by the caller), unverified, and records the text that carries a new code, which
// works for ttl. It returns when the code expires. A code asked for within PhoneResendAfter
// of the last, or beyond PhoneCodesPerDay in a day, is a *TooSoonError; removing the number
// resets neither.
func SetPhone(ctx context.Context, tx pgx.Tx, n *notify.Notifier, userID, orgID uuid.UUID, phone string, ttl time.Duration) (time.Time, error) {
	current, err := store.CurrentPhoneCode(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	if wait := phoneCodeWait(current, time.Now()); wait > 0 {
		return time.Time{}, &TooSoonError{Wait: wait}
	}
	code, err := drawPhoneCode()
	if err != nil {
		return time.Time{}, err
	}
	expires := time.Now().Add(ttl)
	if err := store.SetPhone(ctx, tx, phone, phoneCodeHash(userID, code), expires); err != nil {
		return time.Time{}, err
	}
	_, err = n.Record(ctx, tx, notify.Request{
		DedupKey: "phone-code/" + userID.String() + "/" + uuid.NewString(), Type: "account.phone_code",
		OrgID: orgID, UserID: userID, Phone: phone,
		Title: "Your verification code is " + code,
		Body:  fmt.Sprintf("It expires in %d minutes. If you did not ask for it, ignore this message.", int(ttl.Minutes())),
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("record phone code: %w", err)
	}
	return expires, nil
}

// PhoneCheck is what checking a phone code found.
type PhoneCheck struct {
	Phone    string
	Verified bool
	// Wrong is a wrong code, counted: AttemptsLeft more may be tried.
	Wrong        bool
	AttemptsLeft int
}

// VerifyPhone checks code against the one texted to the user, tx's acting user. The right
// code verifies the number. A wrong one is counted, and reported in the check rather than as
// an error, so that the caller commits the count. A number verified already is verified
// whatever the code. No number is ErrNoPhone; a code spent (used, replaced, or tried
// PhoneCodeAttempts times) ErrPhoneCodeSpent, and one past its expiry ErrPhoneCodeExpired.
func VerifyPhone(ctx context.Context, tx pgx.Tx, userID uuid.UUID, code string) (PhoneCheck, error) {
	p, err := store.CurrentPhoneCode(ctx, tx)
	if err != nil {
		return PhoneCheck{}, err
	}
	switch {
	case p.Phone == "":
		return PhoneCheck{}, ErrNoPhone
	case p.VerifiedAt != nil:
		return PhoneCheck{Phone: p.Phone, Verified: true}, nil
	case p.CodeHash == nil || p.ExpiresAt == nil || p.Attempts >= PhoneCodeAttempts:
		return PhoneCheck{}, ErrPhoneCodeSpent
	case time.Now().After(*p.ExpiresAt):
		return PhoneCheck{}, ErrPhoneCodeExpired
	}
	if subtle.ConstantTimeCompare(p.CodeHash, phoneCodeHash(userID, code)) != 1 {
		if err := store.CountPhoneAttempt(ctx, tx); err != nil {
			return PhoneCheck{}, err
		}
		return PhoneCheck{Phone: p.Phone, Wrong: true, AttemptsLeft: PhoneCodeAttempts - p.Attempts - 1}, nil
	}
	if err := store.VerifyPhone(ctx, tx); err != nil {
		return PhoneCheck{}, err
	}
	return PhoneCheck{Phone: p.Phone, Verified: true}, nil
}

// phoneCodeWait is how long the person must wait before another code is texted: a minute
// after the last, and until the day's count restarts once it reaches PhoneCodesPerDay.
func phoneCodeWait(p store.PhoneCode, now time.Time) time.Duration {
	var wait time.Duration
	if p.SentAt != nil {
		wait = p.SentAt.Add(PhoneResendAfter).Sub(now)
	}
	if p.SentSince != nil && p.SentToday >= PhoneCodesPerDay {
		wait = max(wait, p.SentSince.Add(24*time.Hour).Sub(now))
	}
	return wait
}

// drawPhoneCode draws a six-digit code.
func drawPhoneCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("draw phone code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// phoneCodeHash binds a code to its user, so equal codes of two people differ.
func phoneCodeHash(userID uuid.UUID, code string) []byte {
	h := sha256.Sum256([]byte(userID.String() + ":" + code))
	return h[:]
}
