package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/sms"
	"github.com/reptidex/reptidex/store"
)

// phoneCodeAttempts is how many wrong codes end a code.
const phoneCodeAttempts = 5

// phoneResendAfter is how long before a new code may be sent to the same person.
const phoneResendAfter = time.Minute

type phoneView struct {
	// E.164.
	Phone         string     `json:"phone,omitempty"`
	Verified      bool       `json:"verified"`
	CodeExpiresAt *time.Time `json:"code_expires_at,omitempty"`
}

type setPhoneRequest struct {
	Phone string `json:"phone" jsonschema:"required,example=+44 7700 900123"`
}

type verifyPhoneRequest struct {
	Code string `json:"code" jsonschema:"required,pattern=^[0-9]{6}$"`
}

// phoneCodesPerDay is how many codes one person may have texted in a day, to any numbers.
const phoneCodesPerDay = 10

// phoneCodeWait is how long the person must wait before another code is texted: a minute
// after the last, and until the day's count restarts once it reaches phoneCodesPerDay.
// Removing the number does not reset either.
func phoneCodeWait(p store.PhoneCode, now time.Time) time.Duration {
	var wait time.Duration
	if p.SentAt != nil {
		wait = p.SentAt.Add(phoneResendAfter).Sub(now)
	}
	if p.SentSince != nil && p.SentToday >= phoneCodesPerDay {
		wait = max(wait, p.SentSince.Add(24*time.Hour).Sub(now))
	}
	return wait
}

// phoneCodeHash binds a code to its user, so equal codes of two people differ.
func phoneCodeHash(userID uuid.UUID, code string) []byte {
	h := sha256.Sum256([]byte(userID.String() + ":" + code))
	return h[:]
}

// setPhone stores the caller's phone number, unverified, and texts it a six-digit code.
func (s *Server) setPhone(w http.ResponseWriter, r *http.Request) error {
	var in setPhoneRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	phone, err := sms.NormalizePhone(in.Phone)
	if err != nil {
		return invalid(FieldError{"phone", err.Error()})
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return fmt.Errorf("draw phone code: %w", err)
	}
	code := fmt.Sprintf("%06d", n.Int64())
	ttl := s.cfg.Notify.PhoneCodeTTL
	expires := time.Now().Add(ttl)
	err = s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		current, err := store.CurrentPhoneCode(ctx, tx)
		if err != nil {
			return err
		}
		if wait := phoneCodeWait(current, time.Now()); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
			return newProblem(kindRateLimited, fmt.Sprintf("Too many codes asked for; wait %s before asking for another.", wait.Round(time.Second)))
		}
		if err := store.SetPhone(ctx, tx, phone, phoneCodeHash(a.UserID, code), expires); err != nil {
			return err
		}
		_, err = s.notifier.Record(ctx, tx, notify.Request{
			DedupKey: "phone-code/" + a.UserID.String() + "/" + uuid.NewString(), Type: "account.phone_code",
			OrgID: a.OrgID, UserID: a.UserID, Phone: phone,
			Title: "Your verification code is " + code,
			Body:  fmt.Sprintf("It expires in %d minutes. If you did not ask for it, ignore this message.", int(ttl.Minutes())),
		})
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, phoneView{Phone: phone, CodeExpiresAt: &expires})
}

// verifyPhone checks the code texted to the caller's phone number; once verified, the
// number receives the SMS notifications the caller chose.
func (s *Server) verifyPhone(w http.ResponseWriter, r *http.Request) error {
	var in verifyPhoneRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Code == "" {
		return invalid(FieldError{"code", "is required"})
	}
	var out phoneView
	var refusal error
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		p, err := store.CurrentPhoneCode(ctx, tx)
		if err != nil {
			return err
		}
		out.Phone = p.Phone
		switch {
		case p.Phone == "":
			return newProblem(kindConflict, "There is no phone number to verify; add one first.")
		case p.VerifiedAt != nil:
			out.Verified = true
			return nil
		case p.CodeHash == nil || p.ExpiresAt == nil || p.Attempts >= phoneCodeAttempts:
			return newProblem(kindGone, "This code can no longer be used; ask for a new one.")
		case time.Now().After(*p.ExpiresAt):
			return newProblem(kindGone, "The code has expired; ask for a new one.")
		}
		if subtle.ConstantTimeCompare(p.CodeHash, phoneCodeHash(a.UserID, in.Code)) != 1 {
			// The wrong attempt is counted even though the request fails.
			refusal = newProblem(kindMalformed, fmt.Sprintf("The code is wrong; %d attempts left.", phoneCodeAttempts-p.Attempts-1))
			return store.CountPhoneAttempt(ctx, tx)
		}
		out.Verified = true
		return store.VerifyPhone(ctx, tx)
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// deletePhone removes the caller's phone number: no more SMS.
func (s *Server) deletePhone(w http.ResponseWriter, r *http.Request) error {
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		return store.ClearPhone(r.Context(), tx)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
