package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// invitationOf is an invitation as the API answers it.
type invitationOf struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	Status    string `json:"status"`
	InvitedBy struct {
		UserID      string `json:"user_id"`
		DisplayName string `json:"display_name"`
	} `json:"invited_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

type invitationPage struct {
	Items      []invitationOf `json:"items"`
	NextCursor string         `json:"next_cursor"`
}

func invitationsPath(orgID string) string { return "/api/v1/organizations/" + orgID + "/invitations" }

// invite asks, acting with token, for email to join orgID as role.
func (b *bundle) invite(t *testing.T, token, orgID, email, role string) reply {
	t.Helper()
	return b.do(t, http.MethodPost, invitationsPath(orgID), token, map[string]any{"email": email, "role": role})
}

// mustInvite invites email into o as role, as its owner, and returns the invitation with the
// token emailed to the address.
func (b *bundle) mustInvite(t *testing.T, o org, email, role string) (invitationOf, string) {
	t.Helper()
	r := b.invite(t, o.Owner.Tokens.AccessToken, o.ID, email, role)
	require.Equal(t, http.StatusCreated, r.Status, "invite %s: %s", email, r.Raw)
	path, token := mailedToken(t, email, "Join ")
	require.Equal(t, "/invitations/accept", path, "the link opens the invitation's page")
	return decodeAs[invitationOf](t, r), token
}

func (b *bundle) accept(t *testing.T, accessToken, token string) reply {
	t.Helper()
	return b.do(t, http.MethodPost, "/api/v1/invitations/accept", accessToken, map[string]any{"token": token})
}

// invitations lists every invitation of orgID, as its owner sees them, by ID.
func (b *bundle) invitations(t *testing.T, o org) map[string]invitationOf {
	t.Helper()
	r := b.do(t, http.MethodGet, invitationsPath(o.ID), o.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	out := map[string]invitationOf{}
	for _, i := range decodeAs[invitationPage](t, r).Items {
		out[i.ID] = i
	}
	return out
}

func TestInvitation_NewAddressIsEmailedRegistersAndJoinsWithTheRole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	o := b.newOrg(t, "inviter")
	email := testkit.UniqueEmail("invitee")

	inv, token := b.mustInvite(t, o, email, "keeper")
	require.Equal(t, email, inv.Email)
	require.Equal(t, "keeper", inv.Role)
	require.Equal(t, "pending", inv.Status)
	require.Equal(t, o.Owner.Tokens.UserID, inv.InvitedBy.UserID)
	require.Equal(t, "Keeper "+o.Owner.Email, inv.InvitedBy.DisplayName)
	require.WithinDuration(t, time.Now().Add(14*24*time.Hour), inv.ExpiresAt, time.Minute)

	page := b.openPage(t, "/api/v1/invitations/accept", token)
	require.Equal(t, http.StatusOK, page.Status, "body: %s", page.Raw)
	for _, want := range []string{"Vivarium of " + o.Owner.Email, "a keeper", "Keeper " + o.Owner.Email, "register", token} {
		require.Contains(t, string(page.Raw), want, "the page names the organization, the role, who invited and how to accept")
	}

	invitee := b.register(t, email)
	r := b.accept(t, invitee.AccessToken, token)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	require.Equal(t, map[string]any{"id": o.ID, "name": "Vivarium of " + o.Owner.Email, "role": "keeper"}, r.Body)
	require.Equal(t, "keeper", b.roles(t, o.ID)[invitee.UserID])
	require.True(t, emailVerifiedOf(t, b, invitee.AccessToken), "accepting proves the person reads the address")
	require.Equal(t, "accepted", b.invitations(t, o)[inv.ID].Status)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM events WHERE org_id = $1 AND type = 'member.added'
		AND payload->>'user_id' = $2 AND payload->>'role' = 'keeper' AND payload->>'invitation_id' = $3 AND actor_user_id = $4`,
		b.orgUUID(t, o.ID), invitee.UserID, inv.ID, b.userUUID(t, invitee.UserID)))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND table_name = 'invitations'
		AND action = 'update' AND after->>'accepted_by' = $2`, b.orgUUID(t, o.ID), b.userUUID(t, invitee.UserID).String()))

	// Accepting again changes nothing; the invitee can now work in the organization.
	again := b.accept(t, invitee.AccessToken, token)
	require.Equal(t, http.StatusOK, again.Status, "body: %s", again.Raw)
	require.Equal(t, r.Body, again.Body)
	require.Equal(t, 1, b.count(t, "SELECT count(*) FROM memberships WHERE org_id = $1 AND user_id = $2",
		b.orgUUID(t, o.ID), b.userUUID(t, invitee.UserID)))
	b.loginTo(t, email, o.ID)
	accepted := b.openPage(t, "/api/v1/invitations/accept", token)
	require.Equal(t, http.StatusOK, accepted.Status)
	require.Contains(t, string(accepted.Raw), "accepted")
}

func TestInvitation_ExistingAccountAlsoFindsItInTheirNotifications(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "inviter")
	b.grantPlan(t, o.ID, "business") // more invitations than Free's 2 members
	existing := b.newUser(t, "existing")
	_, err := b.Admin.Exec(context.Background(), `UPDATE users SET email_verified_at = now() WHERE public_id = $1`, existing.Tokens.UserID)
	require.NoError(t, err)
	r := b.invite(t, o.Owner.Tokens.AccessToken, o.ID, existing.Email, "viewer")
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Raw)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM notifications WHERE type = 'organization.invitation'
		AND user_id = $1 AND email = $2 AND org_id = $3 AND link LIKE '/invitations/accept?token=%'`,
		b.userUUID(t, existing.Tokens.UserID), existing.Email, b.orgUUID(t, o.ID)))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
		WHERE n.user_id = $1 AND n.type = 'organization.invitation' AND d.channel = 'email' AND d.address = $2`,
		b.userUUID(t, existing.Tokens.UserID), existing.Email), "the email delivery is enqueued with the invitation")

	// An account that has not verified the address is not its owner yet: the invitation goes
	// to the address alone, so whoever registered it cannot read or silence it.
	unverified := b.newUser(t, "unverified")
	r = b.invite(t, o.Owner.Tokens.AccessToken, o.ID, unverified.Email, "viewer")
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Raw)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM notifications WHERE type = 'organization.invitation'
		AND user_id IS NULL AND email = $1`, unverified.Email))
}

func TestInvitation_AcceptedOnlyByTheInvitedAddress(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	o := b.newOrg(t, "inviter")
	email := testkit.UniqueEmail("invited")
	_, token := b.mustInvite(t, o, email, "admin")

	other := b.newUser(t, "other")
	r := b.accept(t, other.Tokens.AccessToken, token)
	requireProblem(t, r, http.StatusForbidden, "forbidden")
	require.Contains(t, r.Body["detail"], email, "the problem names the invited address")
	require.NotContains(t, b.roles(t, o.ID), other.Tokens.UserID)

	// The invited address may differ in case from the account's.
	invitee := b.register(t, strings.ToUpper(email))
	r = b.accept(t, invitee.AccessToken, token)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	require.Equal(t, "admin", b.roles(t, o.ID)[invitee.UserID])
}

func TestInvitation_AcceptedBySomeoneElseIsConflict(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	o := b.newOrg(t, "inviter")
	email := testkit.UniqueEmail("taken")
	inv, token := b.mustInvite(t, o, email, "keeper")
	_, err := b.Admin.Exec(context.Background(), `UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE public_id = $1`,
		inv.ID, b.userUUID(t, o.Owner.Tokens.UserID))
	require.NoError(t, err)

	invitee := b.register(t, email)
	requireProblem(t, b.accept(t, invitee.AccessToken, token), http.StatusConflict, "conflict")
	require.NotContains(t, b.roles(t, o.ID), invitee.UserID)
}

func TestInvitation_RevokedCannotBeAccepted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	o := b.newOrg(t, "inviter")
	email := testkit.UniqueEmail("revoked")
	inv, token := b.mustInvite(t, o, email, "keeper")
	before := b.history(t, o.ID)

	path := invitationsPath(o.ID) + "/" + inv.ID
	r := b.do(t, http.MethodDelete, path, o.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusNoContent, r.Status, "body: %s", r.Raw)
	require.Equal(t, "revoked", b.invitations(t, o)[inv.ID].Status)
	after := b.history(t, o.ID)
	require.Equal(t, [2]int{before[0] + 1, before[1] + 1}, after, "revoking appends an event and an audit row")
	r = b.do(t, http.MethodDelete, path, o.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusNoContent, r.Status, "revoking again changes nothing: %s", r.Raw)
	require.Equal(t, after, b.history(t, o.ID))

	invitee := b.register(t, email)
	r = b.accept(t, invitee.AccessToken, token)
	requireProblem(t, r, http.StatusGone, "gone")
	require.Contains(t, r.Body["detail"], "revoked")
	require.NotContains(t, b.roles(t, o.ID), invitee.UserID)
	page := b.openPage(t, "/api/v1/invitations/accept", token)
	require.Equal(t, http.StatusGone, page.Status)
	require.Contains(t, string(page.Raw), "revoked")

	// A revoked invitation no longer blocks a new one to the address.
	require.Equal(t, http.StatusCreated, b.invite(t, o.Owner.Tokens.AccessToken, o.ID, email, "viewer").Status)
}

func TestInvitation_ExpiredCannotBeAcceptedAndMayBeSentAgain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deliver(t)
	o := b.newOrg(t, "inviter")
	email := testkit.UniqueEmail("late")
	inv, token := b.mustInvite(t, o, email, "keeper")
	_, err := b.Admin.Exec(context.Background(), `UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE public_id = $1`, inv.ID)
	require.NoError(t, err)

	invitee := b.register(t, email)
	r := b.accept(t, invitee.AccessToken, token)
	requireProblem(t, r, http.StatusGone, "gone")
	require.Contains(t, r.Body["detail"], "expired")
	require.NotContains(t, b.roles(t, o.ID), invitee.UserID)
	require.Equal(t, "expired", b.invitations(t, o)[inv.ID].Status)
	page := b.openPage(t, "/api/v1/invitations/accept", token)
	require.Equal(t, http.StatusGone, page.Status)
	require.Contains(t, string(page.Raw), "expired")

	again := b.invite(t, o.Owner.Tokens.AccessToken, o.ID, email, "keeper")
	require.Equal(t, http.StatusCreated, again.Status, "an expired invitation does not block a new one: %s", again.Raw)
	all := b.invitations(t, o)
	require.Equal(t, "expired", all[inv.ID].Status, "the old invitation stays expired")
	require.Equal(t, "pending", all[decodeAs[invitationOf](t, again).ID].Status)
}

func TestInvitation_OnlyOwnersAndAdminsInviteAndOnlyOwnersInviteOwners(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "roles")
	b.grantPlan(t, o.ID, "business") // four members and their invitations
	_, admin := b.join(t, o, "admin", "admin")
	_, keeper := b.join(t, o, "keeper", "keeper")
	_, viewer := b.join(t, o, "viewer", "viewer")

	// Only an owner revokes an invitation to be an owner; any member sees the invitations.
	owners := b.invite(t, o.Owner.Tokens.AccessToken, o.ID, testkit.UniqueEmail("owner-to-be"), "owner")
	require.Equal(t, http.StatusCreated, owners.Status)
	path := invitationsPath(o.ID) + "/" + decodeAs[invitationOf](t, owners).ID
	requireProblem(t, b.do(t, http.MethodDelete, path, admin.AccessToken, nil), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(t, http.MethodDelete, path, keeper.AccessToken, nil), http.StatusForbidden, "forbidden")
	require.Equal(t, http.StatusNoContent, b.do(t, http.MethodDelete, path, o.Owner.Tokens.AccessToken, nil).Status)
	r := b.do(t, http.MethodGet, invitationsPath(o.ID)+"?status=revoked", viewer.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	require.Len(t, decodeAs[invitationPage](t, r).Items, 1)

	for _, tc := range []struct {
		name   string
		token  string
		role   string
		status int
	}{
		{"owner invites an owner", o.Owner.Tokens.AccessToken, "owner", http.StatusCreated},
		{"admin invites a keeper", admin.AccessToken, "keeper", http.StatusCreated},
		{"admin invites an admin", admin.AccessToken, "admin", http.StatusCreated},
		{"admin cannot invite an owner", admin.AccessToken, "owner", http.StatusForbidden},
		{"keeper cannot invite", keeper.AccessToken, "viewer", http.StatusForbidden},
		{"viewer cannot invite", viewer.AccessToken, "viewer", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := b.invite(t, tc.token, o.ID, testkit.UniqueEmail("someone"), tc.role)
			require.Equal(t, tc.status, r.Status, "body: %s", r.Raw)
			if tc.status == http.StatusForbidden {
				requireProblem(t, r, http.StatusForbidden, "forbidden")
			}
		})
	}
}

func TestInvitation_AnotherOrganizationsInvitationIsNotFound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.newOrg(t, "a")
	other := b.newOrg(t, "b")
	r := b.invite(t, a.Owner.Tokens.AccessToken, a.ID, testkit.UniqueEmail("guest"), "keeper")
	require.Equal(t, http.StatusCreated, r.Status)
	id := decodeAs[invitationOf](t, r).ID

	for name, rep := range map[string]reply{
		"revoke through another organization":  b.do(t, http.MethodDelete, invitationsPath(other.ID)+"/"+id, other.Owner.Tokens.AccessToken, nil),
		"revoke in an organization not joined": b.do(t, http.MethodDelete, invitationsPath(a.ID)+"/"+id, other.Owner.Tokens.AccessToken, nil),
		"list an organization not joined":      b.do(t, http.MethodGet, invitationsPath(a.ID), other.Owner.Tokens.AccessToken, nil),
		"invite into an organization not joined": b.invite(t, other.Owner.Tokens.AccessToken, a.ID,
			testkit.UniqueEmail("guest"), "keeper"),
	} {
		t.Run(name, func(t *testing.T) {
			requireProblem(t, rep, http.StatusNotFound, "not-found")
		})
	}
	require.Empty(t, b.invitations(t, other))
	require.Equal(t, "pending", b.invitations(t, a)[id].Status)
}

func TestInvitation_RefusesInvalidMembersAndDuplicates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "dups")
	open := testkit.UniqueEmail("open")
	require.Equal(t, http.StatusCreated, b.invite(t, o.Owner.Tokens.AccessToken, o.ID, open, "keeper").Status)
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		slug   string
		fields []string
	}{
		{"invalid email", map[string]any{"email": "not an address", "role": "keeper"}, http.StatusUnprocessableEntity, "validation-failed", []string{"email"}},
		{"invalid role", map[string]any{"email": testkit.UniqueEmail("x"), "role": "breeder"}, http.StatusUnprocessableEntity, "validation-failed", []string{"role"}},
		{"unknown field", map[string]any{"email": testkit.UniqueEmail("x"), "role": "keeper", "note": "hi"}, http.StatusUnprocessableEntity, "validation-failed", []string{"note"}},
		{"already a member", map[string]any{"email": strings.ToUpper(o.Owner.Email), "role": "keeper"}, http.StatusConflict, "conflict", nil},
		{"an open invitation", map[string]any{"email": strings.ToUpper(open), "role": "viewer"}, http.StatusConflict, "conflict", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := b.do(t, http.MethodPost, invitationsPath(o.ID), o.Owner.Tokens.AccessToken, tc.body)
			requireProblem(t, r, tc.status, tc.slug)
			if tc.fields != nil {
				require.Equal(t, tc.fields, problemFields(t, r))
			}
		})
	}
}

func TestInvitation_UnknownOrGarbledTokenIsNotValid(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "guesser")
	unknown, _ := store.NewLinkToken()
	for name, token := range map[string]string{"unknown": unknown, "garbled": "%%%", "empty": ""} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := b.accept(t, u.Tokens.AccessToken, token)
			requireProblem(t, r, http.StatusBadRequest, "malformed-request")
			require.Contains(t, r.Body["detail"], "not valid")
			page := b.openPage(t, "/api/v1/invitations/accept", token)
			require.Equal(t, http.StatusBadRequest, page.Status)
		})
	}
	requireProblem(t, b.accept(t, "", unknown), http.StatusUnauthorized, "unauthenticated")
}

func TestInvitation_ListPaginatesNewestFirstAndFiltersByStatus(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "pages")
	b.grantPlan(t, o.ID, "business") // more open invitations than Free's 2 members
	var ids []string
	for range 3 {
		r := b.invite(t, o.Owner.Tokens.AccessToken, o.ID, testkit.UniqueEmail("page"), "viewer")
		require.Equal(t, http.StatusCreated, r.Status)
		ids = append([]string{decodeAs[invitationOf](t, r).ID}, ids...)
	}
	var seen []string
	path := invitationsPath(o.ID) + "?limit=2"
	for path != "" {
		r := b.do(t, http.MethodGet, path, o.Owner.Tokens.AccessToken, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		p := decodeAs[invitationPage](t, r)
		for _, i := range p.Items {
			seen = append(seen, i.ID)
		}
		path = ""
		if p.NextCursor != "" {
			path = invitationsPath(o.ID) + "?limit=2&cursor=" + p.NextCursor
		}
	}
	require.Equal(t, ids, seen)

	r := b.do(t, http.MethodGet, invitationsPath(o.ID)+"?status=accepted", o.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Empty(t, decodeAs[invitationPage](t, r).Items)
	r = b.do(t, http.MethodGet, invitationsPath(o.ID)+"?status=lost", o.Owner.Tokens.AccessToken, nil)
	requireProblem(t, r, http.StatusBadRequest, "malformed-request")
	require.Equal(t, []string{"status"}, problemFields(t, r))
}
