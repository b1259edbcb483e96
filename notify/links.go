package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/config"
)

// Links builds the absolute URLs that notifications carry, and signs the unsubscribe links
// so they work without logging in and cannot be forged for someone else.
type Links struct {
	BaseURL string // PUBLIC_BASE_URL
	Secret  []byte // NOTIFY_LINK_SECRET
}

// LinksFrom builds the links of the configured public base URL and secret.
func LinksFrom(c config.Config) Links {
	return Links{BaseURL: c.HTTP.PublicBaseURL, Secret: []byte(c.Notify.LinkSecret)}
}

// URL makes a path absolute.
func (l Links) URL(path string) string {
	return strings.TrimRight(l.BaseURL, "/") + path
}

// Unsubscribe is what an unsubscribe link stands for: one person (an account or an address
// without one) and one notification type.
type Unsubscribe struct {
	UserID uuid.UUID `json:"u,omitempty"`
	Email  string    `json:"e,omitempty"`
	Type   string    `json:"t"`
}

// ErrBadToken is an unsubscribe token that was not made by us.
var ErrBadToken = errors.New("the link is not valid")

// UnsubscribeToken signs u.
func (l Links) UnsubscribeToken(u Unsubscribe) string {
	body, _ := json.Marshal(u) // a struct of strings always encodes
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + base64.RawURLEncoding.EncodeToString(l.mac(payload))
}

// UnsubscribeURL is the link that stops notifications of u's type reaching u by email.
func (l Links) UnsubscribeURL(u Unsubscribe) string {
	return l.URL("/unsubscribe?token=" + l.UnsubscribeToken(u))
}

// ParseUnsubscribe verifies a token from an unsubscribe link.
func (l Links) ParseUnsubscribe(token string) (Unsubscribe, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Unsubscribe{}, ErrBadToken
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, l.mac(payload)) {
		return Unsubscribe{}, ErrBadToken
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Unsubscribe{}, ErrBadToken
	}
	var u Unsubscribe
	if err := json.Unmarshal(body, &u); err != nil || u.Type == "" || (u.UserID == uuid.Nil && u.Email == "") {
		return Unsubscribe{}, ErrBadToken
	}
	return u, nil
}

func (l Links) mac(payload string) []byte {
	m := hmac.New(sha256.New, l.Secret)
	m.Write([]byte("unsubscribe:" + payload))
	return m.Sum(nil)[:18]
}
