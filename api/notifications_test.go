package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/testkit"
)

type notificationList struct {
	Items []struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		Body       string `json:"body"`
		Read       bool   `json:"read"`
		Deliveries []struct {
			Channel string `json:"channel"`
			Status  string `json:"status"`
		} `json:"deliveries"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func (b *bundle) inbox(t *testing.T, token, query string) notificationList {
	t.Helper()
	r := b.do(t, http.MethodGet, "/api/v1/notifications"+query, token, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	return decodeAs[notificationList](t, r)
}

func (b *bundle) unread(t *testing.T, token string) int {
	t.Helper()
	r := b.do(t, http.MethodGet, "/api/v1/notifications/unread-count", token, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	return int(r.Body["unread"].(float64))
}

func (b *bundle) message(t *testing.T, token, title string) reply {
	t.Helper()
	return b.do(t, http.MethodPost, "/api/v1/notifications/send", token, map[string]any{"title": title, "body": "Feeding is on Thursday."})
}

func TestNotifications_AdminMessageReachesEveryMembersInboxAndEmail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	o := b.newOrg(t, "club")
	keeper, keeperTokens := b.join(t, o, "keeper", "keeper")

	r := b.message(t, o.Owner.Tokens.AccessToken, "Feeding day moved")
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	require.Equal(t, float64(2), r.Body["recipients"])

	token := keeperTokens.AccessToken
	require.Equal(t, 1, b.unread(t, token))
	list := b.inbox(t, token, "")
	require.Len(t, list.Items, 1)
	n := list.Items[0]
	require.Equal(t, "Feeding day moved", n.Title)
	require.Equal(t, "organization.message", n.Type)
	require.False(t, n.Read)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := testkit.Mail(t).WaitFor(ctx, keeper.Email, func(m mailsink.MessageDetail) bool { return m.Subject == "Feeding day moved" })
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		got := b.do(t, http.MethodGet, "/api/v1/notifications/"+n.ID, token, nil)
		return strings.Contains(string(got.Raw), `"channel":"email","status":"sent"`)
	}, 10*time.Second, 50*time.Millisecond, "the email's delivery shows as sent")

	read := b.do(t, http.MethodPost, "/api/v1/notifications/"+n.ID+"/read", token, nil)
	require.Equal(t, http.StatusOK, read.Status, "%s", read.Raw)
	require.Equal(t, true, read.Body["read"])
	require.Equal(t, 0, b.unread(t, token))
	require.Empty(t, b.inbox(t, token, "?unread=true").Items)

	// The owner has theirs too; read-all clears it.
	require.Equal(t, 1, b.unread(t, o.Owner.Tokens.AccessToken))
	all := b.do(t, http.MethodPost, "/api/v1/notifications/read-all", o.Owner.Tokens.AccessToken, nil)
	require.Equal(t, float64(1), all.Body["marked"])
	require.Equal(t, 0, b.unread(t, o.Owner.Tokens.AccessToken))
}

func TestNotifications_MessagesReachMembersOnlyNotPeopleInvitedOrAddedWithoutAccepting(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	o := b.newOrg(t, "closed")
	b.grantPlan(t, o.ID, "business") // members and invitations beyond Free's 2
	keeper, _ := b.join(t, o, "keeper", "keeper")
	// Verified, so that anything addressed to their account would reach its inbox and email.
	added := b.newUser(t, "added")
	b.verifyEmail(t, added.Tokens.UserID)
	r := b.addMember(t, o.Owner.Tokens.AccessToken, o.ID, added.Email, "keeper")
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	invited := b.newUser(t, "invited")
	b.verifyEmail(t, invited.Tokens.UserID)
	r = b.invite(t, o.Owner.Tokens.AccessToken, o.ID, invited.Email, "viewer")
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)

	const title = "Members only: feeding day moved"
	r = b.message(t, o.Owner.Tokens.AccessToken, title)
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	require.Equal(t, float64(2), r.Body["recipients"], "the owner and the keeper")

	// The member's email is the sign that the message's deliveries have run.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := testkit.Mail(t).WaitFor(ctx, keeper.Email, func(m mailsink.MessageDetail) bool { return m.Subject == title })
	require.NoError(t, err)
	for _, u := range []user{added, invited} {
		for _, n := range b.inbox(t, u.Tokens.AccessToken, "").Items {
			require.NotEqual(t, title, n.Title, "%s has no such notification in the app", u.Email)
		}
		require.Zero(t, b.count(t, `SELECT count(*) FROM notifications WHERE (user_id = $1 OR lower(email) = lower($2)) AND type = 'organization.message'`,
			b.userUUID(t, u.Tokens.UserID), u.Email), "nor anywhere else")
		mails, err := testkit.Mail(t).List(ctx, u.Email)
		require.NoError(t, err)
		for _, m := range mails {
			require.NotEqual(t, title, m.Subject, "%s got no such email", u.Email)
		}
	}
}

func TestNotifications_InboxPaginatesNewestFirst(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "pages")
	for i := range 3 {
		require.Equal(t, http.StatusAccepted, b.message(t, o.Owner.Tokens.AccessToken, fmt.Sprintf("Message %d", i)).Status)
	}
	token := o.Owner.Tokens.AccessToken
	first := b.inbox(t, token, "?limit=2")
	require.Len(t, first.Items, 2)
	require.Equal(t, "Message 2", first.Items[0].Title)
	require.NotEmpty(t, first.NextCursor)
	rest := b.inbox(t, token, "?limit=2&cursor="+first.NextCursor)
	require.Len(t, rest.Items, 1)
	require.Equal(t, "Message 0", rest.Items[0].Title)
	require.Empty(t, rest.NextCursor)

	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/notifications?unread=maybe", token, nil), http.StatusBadRequest, "malformed-request")
}

func TestNotifications_OnlyOwnersAndAdminsSendAndInputIsChecked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "rules")
	_, keeper := b.join(t, o, "keeper", "keeper")
	requireProblem(t, b.message(t, keeper.AccessToken, "Hello"), http.StatusForbidden, "forbidden")

	r := b.do(t, http.MethodPost, "/api/v1/notifications/send", o.Owner.Tokens.AccessToken, map[string]any{"title": "", "body": "x", "roles": []string{"wizard"}})
	requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
	require.Contains(t, string(r.Raw), `"title"`)
	require.Contains(t, string(r.Raw), `"roles"`)
}

func TestNotifications_SendingIsRateLimitedAndIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t, withConfig(func(c *config.Config) { c.Limits.Messages.PerOrganization = 2 }))
	o := b.newOrg(t, "limited")
	token := o.Owner.Tokens.AccessToken
	send := func(key string) reply {
		req := b.newRequest(t, http.MethodPost, "/api/v1/notifications/send", token, map[string]any{"title": "Hi", "body": "Hello"})
		req.Header.Set("Idempotency-Key", key)
		return b.send(t, req)
	}
	require.Equal(t, http.StatusAccepted, send("one").Status)
	require.Equal(t, http.StatusAccepted, send("one").Status, "a retried request is answered again")
	require.Equal(t, 1, b.unread(t, token), "and delivers nothing more")
	require.Equal(t, http.StatusAccepted, send("two").Status)
	limited := send("three")
	requireProblem(t, limited, http.StatusTooManyRequests, "rate-limited")
	retry := mustAtoi(t, limited.Header.Get("Retry-After"))
	require.True(t, retry > 3500 && retry <= 3601, "Retry-After %d: when the first message of the hour leaves the window", retry)
	require.Equal(t, 2, b.unread(t, token))
}

func TestNotifications_SomeoneElsesNotificationIs404(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada, bob := b.newOrg(t, "ada"), b.newOrg(t, "bob")
	require.Equal(t, http.StatusAccepted, b.message(t, ada.Owner.Tokens.AccessToken, "Private").Status)
	id := b.inbox(t, ada.Owner.Tokens.AccessToken, "").Items[0].ID
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/notifications/"+id, bob.Owner.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/notifications/"+id+"/read", bob.Owner.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
	require.Equal(t, 1, b.unread(t, ada.Owner.Tokens.AccessToken))
}

func TestPreferences_ChannelsPerTypeAreChosenAndFollowed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "prefs")
	token := o.Owner.Tokens.AccessToken

	list := b.do(t, http.MethodGet, "/api/v1/me/notification-preferences", token, nil)
	require.Equal(t, http.StatusOK, list.Status)
	require.Contains(t, string(list.Raw), `"type":"transfer.offered","description":"An animal is offered to you and waits for your answer","needs_action":true,"channels":["in_app","email"]`)
	require.NotContains(t, string(list.Raw), "account.phone_code", "account security messages cannot be turned off")

	path := "/api/v1/me/notification-preferences/organization.message"
	r := b.do(t, http.MethodPut, path, token, map[string]any{"channels": []string{"in_app"}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, true, r.Body["chosen"])
	require.Equal(t, http.StatusAccepted, b.message(t, token, "Quiet").Status)
	got := b.inbox(t, token, "").Items[0]
	require.Len(t, got.Deliveries, 1, "no email when only in-app is chosen")
	require.Equal(t, "in_app", got.Deliveries[0].Channel)

	requireProblem(t, b.do(t, http.MethodPut, path, token, map[string]any{"channels": []string{"sms"}}), http.StatusUnprocessableEntity, "validation-failed")
	requireProblem(t, b.do(t, http.MethodPut, path, token, map[string]any{"channels": []string{"pigeon"}}), http.StatusUnprocessableEntity, "validation-failed")
	requireProblem(t, b.do(t, http.MethodPut, path, token, map[string]any{}), http.StatusUnprocessableEntity, "validation-failed")
	requireProblem(t, b.do(t, http.MethodPut, "/api/v1/me/notification-preferences/account.phone_code", token, map[string]any{"channels": []string{}}), http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodPut, "/api/v1/me/notification-preferences/nope", token, map[string]any{"channels": []string{}}), http.StatusNotFound, "not-found")
}

var codePattern = regexp.MustCompile(`code is (\d{6})`)

func TestPhone_VerifiedByTheTextedCodeBeforeAnySMS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	o := b.newOrg(t, "phone")
	token := o.Owner.Tokens.AccessToken
	local := fmt.Sprintf("7700 %06d", rand.IntN(1_000_000))
	phone := "+44" + strings.ReplaceAll(local, " ", "")

	requireProblem(t, b.do(t, http.MethodPut, "/api/v1/me/phone", token, map[string]any{"phone": "07700 900123"}), http.StatusUnprocessableEntity, "validation-failed")
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/me/phone/verify", token, map[string]any{"code": "123456"}), http.StatusConflict, "conflict")

	r := b.do(t, http.MethodPut, "/api/v1/me/phone", token, map[string]any{"phone": "+44 " + local})
	require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Raw)
	require.Equal(t, phone, r.Body["phone"])
	again := b.do(t, http.MethodPut, "/api/v1/me/phone", token, map[string]any{"phone": phone})
	requireProblem(t, again, http.StatusTooManyRequests, "rate-limited")
	require.NotEmpty(t, again.Header.Get("Retry-After"))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	text, err := testkit.Mail(t).WaitForSMS(ctx, phone, func(m mailsink.SMS) bool { return codePattern.MatchString(m.Body) })
	require.NoError(t, err)
	code := codePattern.FindStringSubmatch(text.Body)[1]
	wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1_000_000)

	bad := b.do(t, http.MethodPost, "/api/v1/me/phone/verify", token, map[string]any{"code": wrong})
	requireProblem(t, bad, http.StatusBadRequest, "malformed-request")
	require.Contains(t, bad.Body["detail"], "4 attempts left")
	require.Equal(t, false, b.me(t, token).Body["phone_verified"])

	ok := b.do(t, http.MethodPost, "/api/v1/me/phone/verify", token, map[string]any{"code": code})
	require.Equal(t, http.StatusOK, ok.Status, "%s", ok.Raw)
	require.Equal(t, true, ok.Body["verified"])
	me := b.me(t, token)
	require.Equal(t, phone, me.Body["phone"])
	require.Equal(t, true, me.Body["phone_verified"])

	require.Equal(t, http.StatusNoContent, b.do(t, http.MethodDelete, "/api/v1/me/phone", token, nil).Status)
	require.Equal(t, false, b.me(t, token).Body["phone_verified"])
}

func TestPhone_ExpiredOrExhaustedCodeIsGone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "expired")
	token := o.Owner.Tokens.AccessToken
	phone := fmt.Sprintf("+447700%06d", rand.IntN(1_000_000))
	require.Equal(t, http.StatusAccepted, b.do(t, http.MethodPut, "/api/v1/me/phone", token, map[string]any{"phone": phone}).Status)
	_, err := b.Admin.Exec(context.Background(), `UPDATE users SET phone_code_expires_at = now() - interval '1 second' WHERE phone = $1`, phone)
	require.NoError(t, err)
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/me/phone/verify", token, map[string]any{"code": "000000"}), http.StatusGone, "gone")

	_, err = b.Admin.Exec(context.Background(), `UPDATE users SET phone_code_expires_at = now() + interval '5 minutes', phone_code_attempts = 5 WHERE phone = $1`, phone)
	require.NoError(t, err)
	requireProblem(t, b.do(t, http.MethodPost, "/api/v1/me/phone/verify", token, map[string]any{"code": "000000"}), http.StatusGone, "gone")
}

var unsubscribeLink = regexp.MustCompile(`/unsubscribe\?token=([A-Za-z0-9_\-.]+)`)

func TestUnsubscribe_LinkInTheEmailWorksWithoutLoggingIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	o := b.newOrg(t, "unsub")
	require.Equal(t, http.StatusAccepted, b.message(t, o.Owner.Tokens.AccessToken, "Weekly notes").Status)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mail, err := testkit.Mail(t).WaitFor(ctx, o.Owner.Email, func(m mailsink.MessageDetail) bool { return m.Subject == "Weekly notes" })
	require.NoError(t, err)
	m := unsubscribeLink.FindStringSubmatch(mail.Text)
	require.NotNil(t, m, "the email carries an unsubscribe link: %s", mail.Text)
	path := "/unsubscribe?token=" + url.QueryEscape(m[1])

	page := b.do(t, http.MethodGet, path, "", nil)
	require.Equal(t, http.StatusOK, page.Status)
	require.Contains(t, string(page.Raw), `<form method="post">`, "a GET only asks, so link scanners change nothing")
	prefs := b.do(t, http.MethodGet, "/api/v1/me/notification-preferences", o.Owner.Tokens.AccessToken, nil)
	require.Contains(t, string(prefs.Raw), `"type":"organization.message","description":"Messages from your organization's owners and admins","needs_action":false,"channels":["in_app","email"]`)

	done := b.do(t, http.MethodPost, path, "", nil)
	require.Equal(t, http.StatusOK, done.Status)
	require.Contains(t, string(done.Raw), "You will no longer receive")
	prefs = b.do(t, http.MethodGet, "/api/v1/me/notification-preferences", o.Owner.Tokens.AccessToken, nil)
	require.Contains(t, string(prefs.Raw), `"type":"organization.message","description":"Messages from your organization's owners and admins","needs_action":false,"channels":["in_app"]`)

	tampered := "/unsubscribe?token=" + url.QueryEscape(strings.Replace(m[1], ".", "x.", 1))
	requireProblem(t, b.do(t, http.MethodPost, tampered, "", nil), http.StatusBadRequest, "malformed-request")
	requireProblem(t, b.do(t, http.MethodGet, "/unsubscribe", "", nil), http.StatusBadRequest, "malformed-request")
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	_, err := fmt.Sscanf(s, "%d", &n)
	require.NoError(t, err)
	return n
}
