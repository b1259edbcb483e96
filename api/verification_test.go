package api_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// mailedLink matches the link an email carries to one of the API's token pages.
var mailedLink = regexp.MustCompile(`https?://[^/\s]+((?:/api/v1)?/[a-z/-]+)\?token=([A-Za-z0-9_-]+)`)

// mailedToken waits for the email to address whose subject contains subject and returns the
// path its link opens and the token in it.
func mailedToken(t *testing.T, address, subject string) (path, token string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msg, err := testkit.Mail(t).WaitFor(ctx, address, func(m mailsink.MessageDetail) bool {
		return strings.Contains(m.Subject, subject)
	})
	require.NoError(t, err, "no email %q to %s", subject, address)
	m := mailedLink.FindStringSubmatch(msg.Text)
	require.NotNil(t, m, "the email carries a link with a token: %s", msg.Text)
	require.Contains(t, msg.HTML, m[0], "the HTML part carries the same link")
	return m[1], m[2]
}

// verificationToken waits for the verification email to address and returns its token.
func verificationToken(t *testing.T, address string) string {
	t.Helper()
	path, token := mailedToken(t, address, "Confirm your email address")
	require.Equal(t, "/verify-email", path, "the link opens the confirmation page")
	return token
}

// openPage opens a page an emailed link leads to, as a browser would: no token, no body.
func (b *bundle) openPage(t *testing.T, path, token string) reply {
	t.Helper()
	r := b.do(t, http.MethodGet, path+"?token="+url.QueryEscape(token), "", nil)
	require.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"), "body: %s", r.Raw)
	require.Equal(t, "no-referrer", r.Header.Get("Referrer-Policy"), "the page's URL holds a token")
	require.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	return r
}

// confirmPage presses the confirmation page's button: a form post to the page's own URL.
func (b *bundle) confirmPage(t *testing.T, path, token string) reply {
	t.Helper()
	req := b.newRequest(t, http.MethodPost, path+"?token="+url.QueryEscape(token), "", "")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := b.send(t, req)
	require.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"), "body: %s", r.Raw)
	return r
}

type emailVerified struct {
	Email      string    `json:"email"`
	VerifiedAt time.Time `json:"verified_at"`
}

func emailVerifiedOf(t *testing.T, b *bundle, token string) bool {
	t.Helper()
	r := b.me(t, token)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	return r.Body["email_verified"].(bool)
}

func TestVerifyEmail_RegistrationEmailsALinkThatVerifies(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	u := b.newUser(t, "verify")
	require.False(t, emailVerifiedOf(t, b, u.Tokens.AccessToken), "a new account is not verified")

	token := verificationToken(t, u.Email)
	hash, ok := store.ParseLinkToken(token)
	require.True(t, ok, "the emailed token is 32 random bytes in base64url")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM email_verifications
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at BETWEEN now() + interval '47 hours' AND now() + interval '49 hours'`, hash),
		"only the token's hash is stored, valid for 48 hours")

	page := b.openPage(t, "/api/v1/auth/verify-email", token)
	require.Equal(t, http.StatusOK, page.Status, "body: %s", page.Raw)
	require.Contains(t, string(page.Raw), `<form method="post">`, "opening the link only asks: mail scanners open links too")
	require.False(t, emailVerifiedOf(t, b, u.Tokens.AccessToken))
	page = b.confirmPage(t, "/api/v1/auth/verify-email", token)
	require.Equal(t, http.StatusOK, page.Status, "body: %s", page.Raw)
	require.Contains(t, string(page.Raw), "confirmed")
	require.Contains(t, string(page.Raw), u.Email)
	require.True(t, emailVerifiedOf(t, b, u.Tokens.AccessToken))
	require.Equal(t, 1, b.count(t, "SELECT count(*) FROM email_verifications WHERE token_hash = $1 AND used_at IS NOT NULL", hash))

	// Following the link again, or posting its token, changes nothing and succeeds.
	first := b.do(t, http.MethodPost, "/api/v1/auth/verify-email", "", map[string]any{"token": token})
	require.Equal(t, http.StatusOK, first.Status, "body: %s", first.Raw)
	again := b.do(t, http.MethodPost, "/api/v1/auth/verify-email", "", map[string]any{"token": token})
	require.Equal(t, http.StatusOK, again.Status, "body: %s", again.Raw)
	require.Equal(t, decodeAs[emailVerified](t, first), decodeAs[emailVerified](t, again))
	require.Equal(t, u.Email, decodeAs[emailVerified](t, again).Email)
	require.Equal(t, http.StatusOK, b.confirmPage(t, "/api/v1/auth/verify-email", token).Status)
}

func TestVerifyEmail_ExpiredLinkIsGone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	u := b.newUser(t, "expired-link")
	token := verificationToken(t, u.Email)
	hash, _ := store.ParseLinkToken(token)
	_, err := b.Admin.Exec(context.Background(), `UPDATE email_verifications SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`, hash)
	require.NoError(t, err)

	r := b.do(t, http.MethodPost, "/api/v1/auth/verify-email", "", map[string]any{"token": token})
	requireProblem(t, r, http.StatusGone, "gone")
	require.Contains(t, r.Body["detail"], "expired")
	require.Contains(t, r.Body["detail"], "/api/v1/me/verify-email", "the problem says how to get a new link")

	page := b.confirmPage(t, "/api/v1/auth/verify-email", token)
	require.Equal(t, http.StatusGone, page.Status)
	require.Contains(t, string(page.Raw), "expired")
	require.False(t, emailVerifiedOf(t, b, u.Tokens.AccessToken))
}

func TestVerifyEmail_UnknownOrGarbledTokenIsNotValid(t *testing.T) {
	t.Parallel()
	b := setup(t)
	unknown, _ := store.NewLinkToken()
	for name, token := range map[string]string{
		"unknown":   unknown,
		"empty":     "",
		"garbled":   "not a token!",
		"too short": unknown[:20],
		"too long":  unknown + "AAAA",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := b.do(t, http.MethodPost, "/api/v1/auth/verify-email", "", map[string]any{"token": token})
			requireProblem(t, r, http.StatusBadRequest, "malformed-request")
			require.Contains(t, r.Body["detail"], "not valid")

			page := b.confirmPage(t, "/api/v1/auth/verify-email", token)
			require.Equal(t, http.StatusBadRequest, page.Status)
			require.Contains(t, string(page.Raw), "not valid")
		})
	}
}

func TestVerifyEmail_RefusesUnknownFields(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.do(t, http.MethodPost, "/api/v1/auth/verify-email", "", map[string]any{"token": "x", "email": "a@example.com"})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"email"}, problemFields(t, r))
}

func TestResendVerification_SendsANewLinkAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	u := b.newUser(t, "resend")
	userID := b.userUUID(t, u.Tokens.UserID)

	r := b.do(t, http.MethodPost, "/api/v1/me/verify-email", u.Tokens.AccessToken, nil)
	requireProblem(t, r, http.StatusTooManyRequests, "rate-limited")
	require.NotEmpty(t, r.Header.Get("Retry-After"), "registration sent a link a moment ago")

	_, err := b.Admin.Exec(context.Background(), `UPDATE email_verifications SET created_at = now() - interval '2 minutes' WHERE user_id = $1`, userID)
	require.NoError(t, err)
	first := verificationToken(t, u.Email)
	r = b.do(t, http.MethodPost, "/api/v1/me/verify-email", u.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusAccepted, r.Status, "body: %s", r.Raw)
	require.Equal(t, u.Email, r.Body["email"])
	require.Equal(t, 2, b.count(t, "SELECT count(*) FROM email_verifications WHERE user_id = $1", userID))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var second string
	require.Eventually(t, func() bool {
		msgs, err := testkit.Mail(t).List(ctx, u.Email)
		require.NoError(t, err)
		for _, m := range msgs {
			d, err := testkit.Mail(t).Get(ctx, m.ID)
			require.NoError(t, err)
			if l := mailedLink.FindStringSubmatch(d.Text); l != nil && l[2] != first {
				second = l[2]
			}
		}
		return second != ""
	}, 30*time.Second, 50*time.Millisecond, "a second link is emailed")

	v := b.do(t, http.MethodPost, "/api/v1/auth/verify-email", "", map[string]any{"token": second})
	require.Equal(t, http.StatusOK, v.Status, "body: %s", v.Raw)
	require.True(t, emailVerifiedOf(t, b, u.Tokens.AccessToken))

	r = b.do(t, http.MethodPost, "/api/v1/me/verify-email", u.Tokens.AccessToken, nil)
	requireProblem(t, r, http.StatusConflict, "conflict")
	require.Contains(t, r.Body["detail"], "already verified")
}
