package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/reptidex/reptidex/mailsink"
)

// API sends a load generator's JSON calls to one ReptiDex API: Call for the timed calls,
// Expect and the set-up calls built on it (Register, Verify, CreateAnimal) for the rest.
type API struct {
	HTTP *http.Client
	Base string // without a trailing slash
}

// NewAPI returns the client of the API at base (a trailing slash is dropped) sending its
// calls through client.
func NewAPI(base string, client *http.Client) *API {
	return &API{HTTP: client, Base: strings.TrimRight(base, "/")}
}

// Answer is one HTTP answer: its status, its body and how long the call took.
type Answer struct {
	Status     int
	Body       []byte
	Latency    time.Duration
	RetryAfter int // seconds, from the Retry-After header of a 429
}

// Call sends a request with a body (raw bytes as they are, anything else as JSON; none when
// nil), the bearer token (none when empty) and the extra headers (name, value pairs), reads
// the whole answer and times the call. Any status is an answer, not an error: the caller
// counts it.
func (c *API) Call(ctx context.Context, method, path, token string, in any, headers ...string) (Answer, error) {
	var body io.Reader
	switch v := in.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(v)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			return Answer{}, err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return Answer{}, err
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
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer func() { _ = resp.Body.Close() }() // read path: a failed close loses nothing
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	a := Answer{Status: resp.StatusCode, Body: raw, Latency: time.Since(t0)}
	if err != nil {
		return a, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if a.Status == http.StatusTooManyRequests {
		a.RetryAfter, _ = strconv.Atoi(resp.Header.Get("Retry-After"))
	}
	return a, nil
}

// Expect sends a request that must answer want and decodes the answer into out (unless out
// is nil). It is for the set-up and the checks after a run, which are not timed: a 429
// (registration is throttled per address) is waited out, for its Retry-After or a second,
// and the request sent again. Its errors name the call and quote the answer.
func (c *API) Expect(ctx context.Context, want int, out any, method, path, token string, in any, headers ...string) error {
	for {
		a, err := c.Call(ctx, method, path, token, in, headers...)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		if a.Status == http.StatusTooManyRequests {
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s %s: waiting out a 429: %w", method, path, ctx.Err())
			case <-time.After(time.Duration(max(a.RetryAfter, 1)) * time.Second):
				continue
			}
		}
		if a.Status != want {
			return fmt.Errorf("%s %s: status %d: %s", method, path, a.Status, bytes.TrimSpace(a.Body))
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(a.Body, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
		return nil
	}
}

// Password is the password of every account the load generators register. They keep the
// access token the registration answers and never log in with it.
const Password = "loadgen-password"

// Account is a registered user, logged in to the organization opened with it.
type Account struct {
	Email, Token, OrgID string
}

// Register opens an account for email with its own organization, both named name, and
// returns it logged in.
func (c *API) Register(ctx context.Context, email, name string) (Account, error) {
	var out struct {
		AccessToken    string `json:"access_token"`
		OrganizationID string `json:"organization_id"`
	}
	err := c.Expect(ctx, http.StatusCreated, &out, http.MethodPost, "/api/v1/auth/register", "", map[string]string{
		"email": email, "password": Password, "display_name": name, "organization_name": name,
	})
	if err != nil {
		return Account{}, err
	}
	if out.AccessToken == "" || out.OrganizationID == "" {
		return Account{}, fmt.Errorf("register %s: no access_token or organization_id in the answer", email)
	}
	return Account{Email: email, Token: out.AccessToken, OrgID: out.OrganizationID}, nil
}

// verifyLink is the link of the email that verifies an address.
var verifyLink = regexp.MustCompile(`/verify-email\?token=([A-Za-z0-9_-]+)`)

// Verify verifies email through the link emailed to it, read from the mail sink within 30
// seconds. An organization makes offers and sells once its owner is verified.
func (c *API) Verify(ctx context.Context, mail *mailsink.Client, email string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	m, err := mail.WaitFor(ctx, email, func(m mailsink.MessageDetail) bool { return verifyLink.MatchString(m.Text) })
	if err != nil {
		return fmt.Errorf("verify %s: no verification email in the mail sink: %w", email, err)
	}
	return c.Expect(ctx, http.StatusOK, nil, http.MethodPost, "/api/v1/auth/verify-email", "",
		map[string]string{"token": verifyLink.FindStringSubmatch(m.Text)[1]})
}

// CreatedID is the id of what an answer created.
type CreatedID struct {
	ID string `json:"id"`
}

// CreateAnimal records animal i of the run runID in the token's organization and returns its
// ID: named "Load <runID> #<i+1>", male when i is even and female when it is odd.
func (c *API) CreateAnimal(ctx context.Context, token, species, runID string, i int) (string, error) {
	name := fmt.Sprintf("Load %s #%d", runID, i+1)
	var out CreatedID
	err := c.Expect(ctx, http.StatusCreated, &out, http.MethodPost, "/api/v1/animals", token,
		map[string]string{"species": species, "sex": []string{"male", "female"}[i%2], "name": name})
	if err == nil && out.ID == "" {
		err = fmt.Errorf("create animal %s: no id in the answer", name)
	}
	return out.ID, err
}
