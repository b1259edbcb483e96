package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"time"
)

// NewClient returns one shared keep-alive client sized for n concurrent clients. It
// uses no proxy and follows no redirects, so requests never leave the loopback host.
func NewClient(n int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        2 * n,
			MaxIdleConnsPerHost: 2 * n,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// AccessToken POSTs body as JSON to target (a login or register endpoint) and returns the
// access_token of the answer, whose status must be one of accepted. Its errors start with
// what, as in "log in as x@example.com: 401 Unauthorized: …".
func AccessToken(ctx context.Context, client *http.Client, target string, body any, what string, accepted ...int) (string, error) {
	payload, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	defer func() { _ = resp.Body.Close() }() // read path: a failed close loses nothing
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if !slices.Contains(accepted, resp.StatusCode) {
		return "", fmt.Errorf("%s: %s: %s", what, resp.Status, bytes.TrimSpace(data))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(data, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("%s: no access_token in answer", what)
	}
	return tok.AccessToken, nil
}

// Get sends a GET for target with the bearer token, drains the answer so the connection is
// reused, and returns its status code.
func Get(ctx context.Context, client *http.Client, target, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body) // drain so the connection is reused
	_ = resp.Body.Close()                   // drained above: the copy's error is the one that counts
	return resp.StatusCode, err
}
