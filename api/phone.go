package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/sms"
	"github.com/reptidex/reptidex/store"
)

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

// setPhone stores the caller's phone number, unverified, and texts it a six-digit code
// (accounts.SetPhone).
func (s *Server) setPhone(w http.ResponseWriter, r *http.Request) error {
	var in setPhoneRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	phone, err := sms.NormalizePhone(in.Phone)
	if err != nil {
		return invalid(FieldError{"phone", err.Error()})
	}
	var expires time.Time
	err = s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		var err error
		expires, err = accounts.SetPhone(r.Context(), tx, s.notifier, a.UserID, a.OrgID, phone, s.cfg.Notify.PhoneCodeTTL)
		return phoneProblem(err)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, phoneView{Phone: phone, CodeExpiresAt: &expires})
}

// verifyPhone checks the code texted to the caller's phone number (accounts.VerifyPhone);
// once verified, the number receives the SMS notifications the caller chose.
func (s *Server) verifyPhone(w http.ResponseWriter, r *http.Request) error {
	var in verifyPhoneRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Code == "" {
		return invalid(FieldError{"code", "is required"})
	}
	var check accounts.PhoneCheck
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		var err error
		check, err = accounts.VerifyPhone(r.Context(), tx, a.UserID, in.Code)
		return phoneProblem(err)
	})
	if err != nil {
		return err
	}
	if check.Wrong { // counted: the transaction that counted it has committed
		return newProblem(kindMalformed, fmt.Sprintf("The code is wrong; %d attempts left.", check.AttemptsLeft))
	}
	return writeJSON(w, http.StatusOK, phoneView{Phone: check.Phone, Verified: check.Verified})
}

// phoneProblem answers a phone code accounts refused; other errors, and nil, pass as they
// are.
func phoneProblem(err error) error {
	var tooSoon *accounts.TooSoonError
	switch {
	case errors.As(err, &tooSoon):
		p := newProblem(kindRateLimited, fmt.Sprintf("Too many codes asked for; wait %s before asking for another.",
			tooSoon.Wait.Round(time.Second)))
		p.retryAfter = tooSoon.Wait
		return p
	case errors.Is(err, accounts.ErrNoPhone):
		return newProblem(kindConflict, "There is no phone number to verify; add one first.")
	case errors.Is(err, accounts.ErrPhoneCodeSpent):
		return newProblem(kindGone, "This code can no longer be used; ask for a new one.")
	case errors.Is(err, accounts.ErrPhoneCodeExpired):
		return newProblem(kindGone, "The code has expired; ask for a new one.")
	}
	return err
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
