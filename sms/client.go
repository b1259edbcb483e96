package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/reptidex/reptidex/config"
)

// Error codes of the provider (Twilio's numbering) that callers may want to act on, e.g. by
// no longer texting a number. Each comes with a 400 and is permanent.
const (
	CodeInvalidTo    = 21211 // the To number is not a valid phone number
	CodeUnsubscribed = 21610 // the recipient replied STOP
	CodeNotMobile    = 21614 // the To number cannot receive text messages
)

// defaultTimeout bounds each call when Client.Timeout is zero.
const defaultTimeout = 10 * time.Second

// maxAnswerBytes bounds how much of an answer is read; the provider's are a few KiB.
const maxAnswerBytes = 64 << 10

// httpClient does not follow redirects: a redirected POST loses its body or its credentials,
// and a provider URL that redirects is a configuration error to see, not to work around.
var httpClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Client sends text messages through a Twilio-compatible HTTP API: Twilio in production, the
// mail sink's imitation of it in development and tests. It is safe for concurrent use.
type Client struct {
	BaseURL    string // e.g. https://api.twilio.com
	AccountSID string
	AuthToken  string
	From       string        // E.164 sender number
	Timeout    time.Duration // bound on every call; 10 s when zero
}

var _ Sender = (*Client)(nil)

// New returns a client configured from cfg.
func New(cfg config.SMS) *Client {
	return &Client{BaseURL: cfg.ProviderURL, AccountSID: cfg.AccountSID, AuthToken: cfg.AuthToken, From: cfg.From}
}

// Send asks the provider to deliver m and returns its acknowledgement. A recipient
// NormalizePhone rejects, an empty body and a refusal by the provider wrap ErrPermanent; a
// timeout, a connection failure, a rate limit or a server error do not.
func (c *Client) Send(ctx context.Context, m Message) (Receipt, error) {
	to, err := NormalizePhone(m.To)
	if err != nil {
		return Receipt{}, fmt.Errorf("sms: recipient: %w: %w", ErrPermanent, err)
	}
	if strings.TrimSpace(m.Body) == "" {
		return Receipt{}, fmt.Errorf("sms: %w: the message body is empty", ErrPermanent)
	}
	form := url.Values{"To": {to}, "From": {c.From}, "Body": {m.Body}}
	status, body, err := c.call(ctx, http.MethodPost, c.accountURL()+"/Messages.json", form)
	if err != nil {
		return Receipt{}, err
	}
	if status < 200 || status > 299 {
		return Receipt{}, newProviderError(status, body)
	}
	var sent struct {
		SID    string `json:"sid"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(body, &sent); err != nil || sent.SID == "" {
		// The provider took the message: sending it again could deliver it twice.
		return Receipt{}, fmt.Errorf("sms: %w: the provider accepted the message (%d) but its answer has no message sid, so it is not sent again: %.200q",
			ErrPermanent, status, body)
	}
	return Receipt{ProviderID: sent.SID, Status: sent.Status}, nil
}

// CheckAccount reads the account resource: it succeeds only when the provider is reachable
// and accepts the credentials, and sends nothing.
func (c *Client) CheckAccount(ctx context.Context) error {
	status, body, err := c.call(ctx, http.MethodGet, c.accountURL()+".json", nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return newProviderError(status, body)
	}
	return nil
}

// accountURL is the account's resource path without a suffix.
func (c *Client) accountURL() string {
	return strings.TrimRight(c.BaseURL, "/") + "/2010-04-01/Accounts/" + url.PathEscape(c.AccountSID)
}

// call sends one authenticated request, the form (if any) as its body, within the client's
// timeout, and returns the answer's status and body.
func (c *Client) call(ctx context.Context, method, u string, form url.Values) (int, []byte, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var reqBody io.Reader
	if form != nil {
		reqBody = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(cctx, method, u, reqBody)
	if err != nil {
		return 0, nil, fmt.Errorf("sms: build %s request: %w", method, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(c.AccountSID, c.AuthToken)
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, c.transportError(ctx, timeout, err)
	}
	defer func() { _ = resp.Body.Close() }() // read path: a failed close loses nothing
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		// Cut off mid-answer after the provider accepted: Send reports the missing sid.
		return resp.StatusCode, nil, nil
	}
	if err != nil {
		return 0, nil, c.transportError(ctx, timeout, err)
	}
	return resp.StatusCode, body, nil
}

// transportError wraps a failure to get an answer, naming the timeout when it was ours.
func (c *Client) transportError(parent context.Context, timeout time.Duration, err error) error {
	if errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil {
		return fmt.Errorf("sms: no answer from the provider within %s: %w", timeout, err)
	}
	return fmt.Errorf("sms: reaching the provider: %w", err)
}

// ProviderError is the provider's answer to a request it did not accept.
type ProviderError struct {
	HTTPStatus int
	Code       int    // the provider's error code, e.g. 21211; 0 when it gave none
	Message    string // the provider's explanation
}

// newProviderError reads the provider's error answer; a body that is not its JSON (a proxy's
// error page) becomes the message.
func newProviderError(status int, body []byte) *ProviderError {
	var answer struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.Message == "" {
		answer.Message = strings.TrimSpace(string(body))
		if len(answer.Message) > 200 {
			answer.Message = strings.ToValidUTF8(answer.Message[:200], "") + "…"
		}
	}
	if answer.Message == "" {
		answer.Message = http.StatusText(status)
	}
	return &ProviderError{HTTPStatus: status, Code: answer.Code, Message: answer.Message}
}

// Error describes the answer and whether it is worth retrying.
func (e *ProviderError) Error() string {
	kind := "temporary"
	if e.Permanent() {
		kind = "permanent"
	}
	if e.Code != 0 {
		return fmt.Sprintf("sms: provider answered %d with code %d (%s): %s", e.HTTPStatus, e.Code, kind, e.Message)
	}
	return fmt.Sprintf("sms: provider answered %d (%s): %s", e.HTTPStatus, kind, e.Message)
}

// Permanent reports whether the provider refused the request itself, so that sending it
// again cannot succeed: any 4xx except those about our credentials or URL (401, 403, 404),
// the provider's patience (408) or our rate (429), which may pass once the configuration is
// fixed or the load eases. Server errors and anything unexpected are temporary.
func (e *ProviderError) Permanent() bool {
	switch e.HTTPStatus {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusRequestTimeout, http.StatusTooManyRequests:
		return false
	}
	return e.HTTPStatus >= 400 && e.HTTPStatus <= 499
}

// Is makes errors.Is(err, ErrPermanent) true of a permanent refusal.
func (e *ProviderError) Is(target error) bool {
	return target == ErrPermanent && e.Permanent()
}
