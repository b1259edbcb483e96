package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
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
	status  int
	body    []byte
	latency time.Duration
}

// call sends a JSON request (no body when in is nil) with the bearer token and the extra
// headers (name, value pairs), reads the whole answer and times the call.
func (c *apiClient) call(ctx context.Context, method, path, token string, in any, headers ...string) (answer, error) {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
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
	return a, nil
}

// expect sends a request that must answer want and decodes the answer into out (unless
// out is nil). Its errors name the call and quote the answer.
func (c *apiClient) expect(ctx context.Context, want int, out any, method, path, token string, in any, headers ...string) error {
	a, err := c.call(ctx, method, path, token, in, headers...)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
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

// account is a registered user, logged in to the organization opened with it.
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
		"email": email, "password": "loadtransfer-password", "display_name": name, "organization_name": name,
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

// createAnimal records an animal in the token's organization and returns its ID.
func (c *apiClient) createAnimal(ctx context.Context, token, species, sex, name string) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.expect(ctx, http.StatusCreated, &out, http.MethodPost, "/api/v1/animals", token,
		map[string]string{"species": species, "sex": sex, "name": name})
	if err == nil && out.ID == "" {
		err = fmt.Errorf("create animal %s: no id in the answer", name)
	}
	return out.ID, err
}

// transferPage is one page of GET /api/v1/transfers.
type transferPage struct {
	Items []struct {
		ID               string `json:"id"`
		Status           string `json:"status"`
		ToOrganizationID string `json:"to_organization_id"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// incoming lists every transfer offered to the token's organization, page after page.
func (c *apiClient) incoming(ctx context.Context, token string) ([]listed, error) {
	var all []listed
	cursor := ""
	for {
		path := "/api/v1/transfers?direction=incoming&limit=100"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var page transferPage
		if err := c.expect(ctx, http.StatusOK, &page, http.MethodGet, path, token, nil); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			all = append(all, listed{id: it.ID, status: it.Status, toOrgID: it.ToOrganizationID})
		}
		if page.NextCursor == "" {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

// transferID reads the id of a transfer from an answer's body.
func transferID(body []byte) (string, error) {
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
		return "", fmt.Errorf("no transfer id in the answer %.200q", body)
	}
	return v.ID, nil
}
