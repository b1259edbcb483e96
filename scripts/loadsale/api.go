package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/reptidex/reptidex/mailsink"
)

// apiClient sends the benchmark's calls to one ReptiDex API.
type apiClient struct {
	http *http.Client
	base string // without a trailing slash
}

// answer is one HTTP answer: its status, its body and how long the call took.
type answer struct {
	status     int
	body       []byte
	latency    time.Duration
	retryAfter int // seconds, on a 429
}

// call sends a request with a body (raw bytes as they are, anything else as JSON; none when
// nil), the bearer token and the extra headers (name, value pairs), reads the whole answer
// and times the call.
func (c *apiClient) call(ctx context.Context, method, path, token string, in any, headers ...string) (answer, error) {
	var body io.Reader
	switch v := in.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(v)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			return answer{}, err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return answer{}, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	t0 := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = resp.Body.Close() }() // read path: a failed close loses nothing
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	a := answer{status: resp.StatusCode, body: raw, latency: time.Since(t0)}
	if err != nil {
		return a, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if a.status == http.StatusTooManyRequests {
		a.retryAfter, _ = strconv.Atoi(resp.Header.Get("Retry-After"))
	}
	return a, nil
}

// expect sends a request that must answer want and decodes the answer into out (unless
// out is nil). A 429 (registration is throttled per address) is waited out and sent again:
// expect is for the set-up, which is not timed. Its errors name the call and quote the
// answer.
func (c *apiClient) expect(ctx context.Context, want int, out any, method, path, token string, in any, headers ...string) error {
	for {
		a, err := c.call(ctx, method, path, token, in, headers...)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		if a.status == http.StatusTooManyRequests {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(max(a.retryAfter, 1)) * time.Second):
				continue
			}
		}
		if a.status != want {
			return fmt.Errorf("%s %s: status %d: %s", method, path, a.status, bytes.TrimSpace(a.body))
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(a.body, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
		return nil
	}
}

// account is a registered, verified user, logged in to the organization opened with it.
type account struct {
	email, token, orgID string
}

// register opens an account with its own organization and returns its access token.
func (c *apiClient) register(ctx context.Context, email, name string) (account, error) {
	var out struct {
		AccessToken    string `json:"access_token"`
		OrganizationID string `json:"organization_id"`
	}
	err := c.expect(ctx, http.StatusCreated, &out, http.MethodPost, "/api/v1/auth/register", "", map[string]string{
		"email": email, "password": "loadsale-password", "display_name": name, "organization_name": name,
	})
	if err != nil {
		return account{}, err
	}
	if out.AccessToken == "" || out.OrganizationID == "" {
		return account{}, fmt.Errorf("register %s: no access_token or organization_id in the answer", email)
	}
	return account{email: email, token: out.AccessToken, orgID: out.OrganizationID}, nil
}

// verifyLink is the link of the email that verifies an address.
var verifyLink = regexp.MustCompile(`/api/v1/auth/verify-email\?token=([A-Za-z0-9_-]+)`)

// verify verifies email through the link emailed to it, read from the mail sink.
func (c *apiClient) verify(ctx context.Context, mail *mailsink.Client, email string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	m, err := mail.WaitFor(ctx, email, func(m mailsink.MessageDetail) bool { return verifyLink.MatchString(m.Text) })
	if err != nil {
		return fmt.Errorf("verify %s: no verification email in the mail sink: %w", email, err)
	}
	return c.expect(ctx, http.StatusOK, nil, http.MethodPost, "/api/v1/auth/verify-email", "",
		map[string]string{"token": verifyLink.FindStringSubmatch(m.Text)[1]})
}

// createdID is the id of what an answer created.
type createdID struct {
	ID string `json:"id"`
}

// createAnimal records an animal in the token's organization and returns its ID.
func (c *apiClient) createAnimal(ctx context.Context, token, species, sex, name string) (string, error) {
	var out createdID
	err := c.expect(ctx, http.StatusCreated, &out, http.MethodPost, "/api/v1/animals", token,
		map[string]string{"species": species, "sex": sex, "name": name})
	if err == nil && out.ID == "" {
		err = fmt.Errorf("create animal %s: no id in the answer", name)
	}
	return out.ID, err
}

// sellerAccount gives the token's organization its Stripe Connect account (stripe-mock's).
func (c *apiClient) sellerAccount(ctx context.Context, token string) error {
	return c.expect(ctx, http.StatusCreated, nil, http.MethodPost, "/api/v1/marketplace/seller-account", token,
		map[string]string{"country": "US"})
}

// sellerCanSell reads whether the token's organization can sell, and what it misses.
func (c *apiClient) sellerCanSell(ctx context.Context, token string) (bool, []string, error) {
	var out struct {
		CanSell bool     `json:"can_sell"`
		Missing []string `json:"missing"`
	}
	err := c.expect(ctx, http.StatusOK, &out, http.MethodGet, "/api/v1/marketplace/seller-account", token, nil)
	return out.CanSell, out.Missing, err
}

// listing is what every listing of a run sells for, and where to.
const (
	price    = 25_000
	currency = "usd"
	shipTo   = "US"
)

// list puts the animal up for sale at price, shipping to shipTo, and returns the listing's ID.
func (c *apiClient) list(ctx context.Context, token, animal, key string) (string, error) {
	var out createdID
	err := c.expect(ctx, http.StatusCreated, &out, http.MethodPost, "/api/v1/marketplace/listings", token, map[string]any{
		"animal_id": animal, "price": map[string]any{"amount": price, "currency": currency}, "title": "Load sale " + key,
		"shipping": map[string]any{"ships_within_days": 3, "regions": []string{shipTo}}, "live_arrival_hours": 48,
	}, "Idempotency-Key", key)
	if err == nil && out.ID == "" {
		err = fmt.Errorf("list animal %s: no id in the answer", animal)
	}
	return out.ID, err
}

// order is what the driver reads of an order.
type order struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Payment *struct {
		PaymentIntentID string `json:"payment_intent_id"`
	} `json:"payment"`
}

// paymentIntent is the order's PaymentIntent, or "" while the sale has not asked for payment.
func (o order) paymentIntent() string {
	if o.Payment == nil {
		return ""
	}
	return o.Payment.PaymentIntentID
}
