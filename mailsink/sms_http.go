package mailsink

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	// maxSMSRequestBytes bounds the form of one message; the provider allows 1600 characters.
	maxSMSRequestBytes = 64 << 10
	// maxSMSBodyChars is the provider's limit on a message body.
	maxSMSBodyChars = 1600
)

// Error codes of the provider (Twilio's numbering) the sink answers with.
const (
	codeAuthenticate     = 20003
	codeNotFound         = 20404
	codeInvalidTo        = 21211
	codeInvalidFrom      = 21212
	codeBodyRequired     = 21602
	codeFromRequired     = 21603
	codeToRequired       = 21604
	codeBodyTooLong      = 21617
	codeInvalidParameter = 21100
)

// createSMS serves POST /sms/2010-04-01/Accounts/{sid}/Messages.json as the provider does:
// it records the message and answers 201 with its sid, or refuses it with the provider's
// error code.
func (a *api) createSMS(w http.ResponseWriter, r *http.Request) {
	if !a.smsAuthorized(w, r, r.PathValue("sid")) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSMSRequestBytes)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			a.writeProviderError(w, http.StatusRequestEntityTooLarge, codeInvalidParameter, "The request is too large.")
			return
		}
		a.writeProviderError(w, http.StatusBadRequest, codeInvalidParameter, "The request form could not be read: "+err.Error())
		return
	}
	to, from, body := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body")
	switch {
	case to == "":
		a.writeProviderError(w, http.StatusBadRequest, codeToRequired, "A 'To' phone number is required.")
	case !isE164(to) || isRefusedNumber(to):
		a.writeProviderError(w, http.StatusBadRequest, codeInvalidTo, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
	case from == "":
		a.writeProviderError(w, http.StatusBadRequest, codeFromRequired, "A 'From' phone number is required.")
	case !isE164(from):
		a.writeProviderError(w, http.StatusBadRequest, codeInvalidFrom, fmt.Sprintf("The 'From' number %s is not a valid phone number.", from))
	case body == "":
		a.writeProviderError(w, http.StatusBadRequest, codeBodyRequired, "Message body is required.")
	case utf8.RuneCountInString(body) > maxSMSBodyChars:
		a.writeProviderError(w, http.StatusBadRequest, codeBodyTooLong, fmt.Sprintf("The concatenated message body exceeds the %d character limit.", maxSMSBodyChars))
	default:
		msg, err := a.sms.add(to, from, body, time.Now())
		if err != nil {
			a.logger.Error("mailsink: storing SMS", "err", err)
			a.writeJSON(w, http.StatusInternalServerError, providerError{Status: http.StatusInternalServerError, Message: "The message could not be stored."})
			return
		}
		a.writeJSON(w, http.StatusCreated, map[string]string{
			"sid":          msg.ID,
			"status":       "queued",
			"to":           msg.To,
			"from":         msg.From,
			"body":         msg.Body,
			"account_sid":  r.PathValue("sid"),
			"date_created": msg.ReceivedAt.Format(time.RFC1123Z),
		})
	}
}

// getSMSAccount serves GET /sms/2010-04-01/Accounts/{sid}.json, the account resource that
// health checks read to confirm the provider answers and accepts the credentials.
func (a *api) getSMSAccount(w http.ResponseWriter, r *http.Request) {
	sid, ok := strings.CutSuffix(r.PathValue("account"), ".json")
	if !ok {
		a.writeProviderError(w, http.StatusNotFound, codeNotFound, "The requested resource was not found.")
		return
	}
	if !a.smsAuthorized(w, r, sid) {
		return
	}
	a.writeJSON(w, http.StatusOK, map[string]string{"sid": sid, "status": "active", "friendly_name": "mailsink"})
}

// smsAuthorized answers 401 unless the request carries basic auth with the account sid of
// the path as its user and some token; the sink has no tokens to check them against.
func (a *api) smsAuthorized(w http.ResponseWriter, r *http.Request, sid string) bool {
	user, token, ok := r.BasicAuth()
	if ok && user == sid && token != "" {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="mailsink SMS"`)
	a.writeProviderError(w, http.StatusUnauthorized, codeAuthenticate, "Authenticate")
	return false
}

// listSMS serves GET /api/sms?to=number, oldest first.
func (a *api) listSMS(w http.ResponseWriter, r *http.Request) {
	a.writeJSON(w, http.StatusOK, a.sms.list(r.URL.Query().Get("to")))
}

// clearSMS serves DELETE /api/sms.
func (a *api) clearSMS(w http.ResponseWriter, _ *http.Request) {
	if err := a.sms.clear(); err != nil {
		a.logger.Error("mailsink: clearing SMS", "err", err)
		a.writeError(w, http.StatusInternalServerError, "SMS cleared but some files could not be deleted")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// providerError is the provider's error body; unlike a message's, its status is a number.
type providerError struct {
	Code     int    `json:"code,omitempty"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info,omitempty"`
	Status   int    `json:"status"`
}

// writeProviderError answers as the provider does when it refuses a request.
func (a *api) writeProviderError(w http.ResponseWriter, status, code int, msg string) {
	a.writeJSON(w, status, providerError{
		Code:     code,
		Message:  msg,
		MoreInfo: fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		Status:   status,
	})
}
