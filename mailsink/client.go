package mailsink

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
)

// ErrNotFound is returned by Client.Get when the sink has no message with the ID.
var ErrNotFound = errors.New("mailsink: message not found")

// pollInterval is how often WaitFor and WaitForSMS ask the sink for new messages.
const pollInterval = 50 * time.Millisecond

// Client reads messages from a Sink's HTTP API, for tests and dev tooling.
// It is safe for concurrent use.
type Client struct {
	// BaseURL is the sink's HTTP address, e.g. "http://127.0.0.1:8025".
	BaseURL string
	// HTTP is the client used for requests; nil means http.DefaultClient.
	HTTP *http.Client
}

// List returns all messages, oldest first; a non-empty to keeps only messages
// with that recipient (case-insensitive).
func (c *Client) List(ctx context.Context, to string) ([]Message, error) {
	path := "/api/messages"
	if to != "" {
		path += "?" + url.Values{"to": {to}}.Encode()
	}
	var msgs []Message
	if err := c.do(ctx, http.MethodGet, path, &msgs, false); err != nil {
		return nil, err
	}
	return msgs, nil
}

// Get returns one message with its decoded text and HTML bodies; it wraps
// ErrNotFound if the ID is unknown.
func (c *Client) Get(ctx context.Context, id string) (MessageDetail, error) {
	var d MessageDetail
	if err := c.do(ctx, http.MethodGet, "/api/messages/"+url.PathEscape(id), &d, true); err != nil {
		return MessageDetail{}, err
	}
	return d, nil
}

// Raw returns the message exactly as received over SMTP; it wraps
// ErrNotFound if the ID is unknown.
func (c *Client) Raw(ctx context.Context, id string) ([]byte, error) {
	var raw []byte
	if err := c.do(ctx, http.MethodGet, "/api/messages/"+url.PathEscape(id)+"/raw", &raw, true); err != nil {
		return nil, err
	}
	return raw, nil
}

// Clear deletes every message in the sink.
func (c *Client) Clear(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/api/messages", nil, false)
}

// WaitFor polls every 50ms until a message for to (any recipient if empty)
// satisfies match (any message if nil) and returns it, or returns an error
// wrapping ctx.Err() once ctx ends.
func (c *Client) WaitFor(ctx context.Context, to string, match func(MessageDetail) bool) (MessageDetail, error) {
	seen := make(map[string]bool) // messages are immutable, so check each once
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var lastErr error
	for {
		d, found, err := c.checkNew(ctx, to, match, seen)
		if found {
			return d, nil
		}
		if err != nil && ctx.Err() == nil {
			lastErr = err // keep the cause, not the cancellation it ended in
		}
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return MessageDetail{}, fmt.Errorf("mailsink: waiting for message to %q: %w (last error: %v)", to, ctx.Err(), lastErr)
			}
			return MessageDetail{}, fmt.Errorf("mailsink: waiting for message to %q: %w", to, ctx.Err())
		case <-ticker.C:
		}
	}
}

// checkNew fetches messages not yet in seen and reports the first that matches.
func (c *Client) checkNew(ctx context.Context, to string, match func(MessageDetail) bool, seen map[string]bool) (MessageDetail, bool, error) {
	msgs, err := c.List(ctx, to)
	if err != nil {
		return MessageDetail{}, false, err
	}
	for _, m := range msgs {
		if seen[m.ID] {
			continue
		}
		d, err := c.Get(ctx, m.ID)
		if errors.Is(err, ErrNotFound) {
			seen[m.ID] = true // deleted in the meantime
			continue
		}
		if err != nil {
			return MessageDetail{}, false, err
		}
		seen[m.ID] = true
		if match == nil || match(d) {
			return d, true, nil
		}
	}
	return MessageDetail{}, false, nil
}

// ListSMS returns the text messages the sink recorded, oldest first; a non-empty to keeps
// only those to that number (compared by digits).
func (c *Client) ListSMS(ctx context.Context, to string) ([]SMS, error) {
	path := "/api/sms"
	if to != "" {
		path += "?" + url.Values{"to": {to}}.Encode()
	}
	var msgs []SMS
	if err := c.do(ctx, http.MethodGet, path, &msgs, false); err != nil {
		return nil, err
	}
	return msgs, nil
}

// ClearSMS deletes every text message in the sink.
func (c *Client) ClearSMS(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/api/sms", nil, false)
}

// WaitForSMS polls every 50ms until a text message to the number to (any number if empty)
// satisfies match (any message if nil) and returns it, or returns an error wrapping
// ctx.Err() once ctx ends.
func (c *Client) WaitForSMS(ctx context.Context, to string, match func(SMS) bool) (SMS, error) {
	seen := make(map[string]bool) // messages are immutable, so check each once
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var lastErr error
	for {
		msgs, err := c.ListSMS(ctx, to)
		if err != nil && ctx.Err() == nil {
			lastErr = err // keep the cause, not the cancellation it ended in
		}
		for _, m := range msgs {
			if seen[m.ID] {
				continue
			}
			seen[m.ID] = true
			if match == nil || match(m) {
				return m, nil
			}
		}
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return SMS{}, fmt.Errorf("mailsink: waiting for SMS to %q: %w (last error: %v)", to, ctx.Err(), lastErr)
			}
			return SMS{}, fmt.Errorf("mailsink: waiting for SMS to %q: %w", to, ctx.Err())
		case <-ticker.C:
		}
	}
}

// do sends a request to the sink and decodes the response into out: a JSON
// value, or the body itself if out is a *[]byte. With is404NotFound a 404
// response yields an error wrapping ErrNotFound.
func (c *Client) do(ctx context.Context, method, path string, out any, is404NotFound bool) error {
	u := strings.TrimRight(c.BaseURL, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return fmt.Errorf("mailsink: build %s %s: %w", method, u, err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("mailsink: %s %s: %w", method, u, err)
	}
	defer func() { _ = resp.Body.Close() }() // read path: a failed close loses nothing
	if is404NotFound && resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("mailsink: %s %s: %w", method, u, ErrNotFound)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("mailsink: %s %s: unexpected status %s: %s", method, u, resp.Status, strings.TrimSpace(string(body)))
	}
	switch out := out.(type) {
	case nil:
		return nil
	case *[]byte:
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return fmt.Errorf("mailsink: read %s %s response: %w", method, u, err)
		}
		*out = b
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("mailsink: decode %s %s response: %w", method, u, err)
	}
	return nil
}
