package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// memberOf is one entry of a member list or a member answer.
type memberOf struct {
	UserID      string `json:"user_id"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Since       string `json:"since"`
}

type memberPage struct {
	Items      []memberOf `json:"items"`
	NextCursor string     `json:"next_cursor"`
}

// org is an organization with its owner and, once joined, other members logged in to it.
type org struct {
	ID    string
	Owner user
}

// newOrg registers a person with their own organization and verifies their email address,
// so that the organization may invite people and offer animals.
func (b *bundle) newOrg(t *testing.T, prefix string) org {
	t.Helper()
	u := b.newUser(t, prefix)
	b.verifyEmail(t, u.Tokens.UserID)
	return org{ID: u.Tokens.OrganizationID, Owner: u}
}

// join registers a person, adds them to o with role (acting as its owner) and logs them in
// to o.
func (b *bundle) join(t *testing.T, o org, prefix, role string) (user, tokenResponse) {
	t.Helper()
	u := b.newUser(t, prefix)
	b.mustAddMember(t, o.Owner.Tokens.AccessToken, o.ID, u.Email, role)
	return u, b.loginTo(t, u.Email, o.ID)
}

// roles maps each member's public user ID to their role, as the schema owner sees it.
func (b *bundle) roles(t *testing.T, orgPublicID string) map[string]string {
	t.Helper()
	rows, err := b.Admin.Query(context.Background(), `SELECT u.public_id, m.role::text FROM memberships m
		JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.org_id WHERE o.public_id = $1`, orgPublicID)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, role string
		require.NoError(t, rows.Scan(&id, &role))
		out[id] = role
	}
	require.NoError(t, rows.Err())
	return out
}

// history counts the events and audit rows of an organization.
func (b *bundle) history(t *testing.T, orgPublicID string) [2]int {
	t.Helper()
	id := b.orgUUID(t, orgPublicID)
	return [2]int{
		b.count(t, "SELECT count(*) FROM events WHERE org_id = $1", id),
		b.count(t, "SELECT count(*) FROM audit_log WHERE org_id = $1", id),
	}
}

func TestMembers_ListPaginatesWithACursor(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "list")
	b.grantPlan(t, o.ID, "business") // four members
	want := map[string]string{o.Owner.Tokens.UserID: "owner"}
	for i, role := range []string{"admin", "keeper", "viewer"} {
		u, _ := b.join(t, o, "listed"+string(rune('a'+i)), role)
		want[u.Tokens.UserID] = role
	}

	got := map[string]string{}
	pages := 0
	path := membersPath(o.ID) + "?limit=2"
	for {
		r := b.do(t, http.MethodGet, path, o.Owner.Tokens.AccessToken, nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		page := decodeAs[memberPage](t, r)
		pages++
		require.LessOrEqual(t, len(page.Items), 2)
		for _, m := range page.Items {
			_, dup := got[m.UserID]
			require.False(t, dup, "member %s listed twice", m.UserID)
			require.NotEmpty(t, m.Email)
			require.NotEmpty(t, m.DisplayName)
			require.NotEmpty(t, m.Since)
			got[m.UserID] = m.Role
		}
		if page.NextCursor == "" {
			break
		}
		require.Len(t, page.Items, 2, "only a full page has a next cursor")
		require.Less(t, pages, 5, "the cursor must move on")
		path = membersPath(o.ID) + "?limit=2&cursor=" + page.NextCursor
	}
	require.Equal(t, 2, pages)
	require.Equal(t, want, got)

	// Without a limit, everything fits on one page.
	r := b.do(t, http.MethodGet, membersPath(o.ID), o.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status)
	all := decodeAs[memberPage](t, r)
	require.Len(t, all.Items, 4)
	require.Empty(t, all.NextCursor)

	for query, field := range map[string]string{
		"limit=0": "limit", "limit=101": "limit", "limit=two": "limit", "cursor=%%%": "cursor",
	} {
		r := b.do(t, http.MethodGet, membersPath(o.ID)+"?"+strings.ReplaceAll(query, "%%%", "%25%25"), o.Owner.Tokens.AccessToken, nil)
		requireProblem(t, r, http.StatusBadRequest, "malformed-request")
		require.Equal(t, []string{field}, problemFields(t, r), query)
	}
}

// invitationShape is what must not differ between the answers to two invitations that must
// not reveal whether their address has an account: every field but the invitation's own
// ID, address and times, which are checked for presence.
func invitationShape(t *testing.T, r reply) map[string]any {
	t.Helper()
	out := map[string]any{"http_status": r.Status, "content_type": r.Header.Get("Content-Type")}
	for k, v := range r.Body {
		switch k {
		case "id", "email", "created_at", "expires_at":
			require.NotEmpty(t, v, "%s: %s", k, r.Raw)
		default:
			out[k] = v
		}
	}
	return out
}

func TestMembers_AddingInvitesAlikeWhetherOrNotTheAddressHasAnAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "add")
	b.grantPlan(t, o.ID, "business") // more invitations than Free's 2 members
	registered := b.newUser(t, "registered")
	b.verifyEmail(t, registered.Tokens.UserID)
	stranger := testkit.UniqueEmail("stranger")
	owner := o.Owner.Tokens.AccessToken

	known := b.addMember(t, owner, o.ID, registered.Email, "keeper")
	unknown := b.addMember(t, owner, o.ID, stranger, "keeper")
	require.Equal(t, http.StatusAccepted, known.Status, "%s", known.Raw)
	require.Equal(t, invitationShape(t, known), invitationShape(t, unknown))
	require.Equal(t, "pending", known.Body["status"])
	require.Equal(t, registered.Email, known.Body["email"])
	require.Equal(t, stranger, unknown.Body["email"])
	for _, secret := range []string{registered.Tokens.UserID, "Keeper " + registered.Email, registered.Tokens.OrganizationID} {
		require.NotContains(t, string(known.Raw), secret, "the answer names no account")
	}
	require.Equal(t, map[string]string{o.Owner.Tokens.UserID: "owner"}, b.roles(t, o.ID), "nobody is a member before accepting")

	// The organization's list of invitations does not tell them apart either.
	listed := b.invitations(t, o)
	require.Len(t, listed, 2)
	a, c := listed[known.Body["id"].(string)], listed[unknown.Body["id"].(string)]
	a.ID, a.Email, a.CreatedAt, a.ExpiresAt = "", "", c.CreatedAt, c.ExpiresAt
	c.ID, c.Email = "", ""
	require.Equal(t, a, c)

	// Each becomes a member by accepting: the registered person as they are, the stranger
	// once registered with the address.
	login := decodeAs[tokenResponse](t, b.login(t, registered.Email, testPassword, ""))
	r := b.accept(t, login.AccessToken, b.invitationToken(t, known.Body["id"].(string)))
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	newcomer := b.register(t, stranger)
	r = b.accept(t, newcomer.AccessToken, b.invitationToken(t, unknown.Body["id"].(string)))
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, map[string]string{o.Owner.Tokens.UserID: "owner", registered.Tokens.UserID: "keeper", newcomer.UserID: "keeper"},
		b.roles(t, o.ID))

	for name, email := range map[string]string{"same email": registered.Email, "email in upper case": strings.ToUpper(registered.Email)} {
		r := b.addMember(t, owner, o.ID, email, "viewer")
		requireProblem(t, r, http.StatusConflict, "conflict")
		require.Equal(t, "keeper", b.roles(t, o.ID)[registered.Tokens.UserID], name)
	}

	for _, tc := range []struct {
		name, email, role, field string
	}{
		{"invalid email", "not-an-email", "keeper", "email"},
		{"invalid role", stranger, "overlord", "role"},
		{"empty role", stranger, "", "role"},
		{"role in upper case", stranger, "KEEPER", "role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.addMember(t, owner, o.ID, tc.email, tc.role)
			requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
			require.Equal(t, []string{tc.field}, problemFields(t, r))
		})
	}
	require.Len(t, b.roles(t, o.ID), 3)
}

func TestMembers_KeeperCanListButNotManage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "keeperorg")
	b.grantPlan(t, o.ID, "business") // three members
	_, keeper := b.join(t, o, "keeper", "keeper")
	viewer, _ := b.join(t, o, "viewer", "viewer")
	outsider := b.newUser(t, "outsider")
	before, hist := b.roles(t, o.ID), b.history(t, o.ID)

	require.Equal(t, http.StatusOK, b.do(t, http.MethodGet, membersPath(o.ID), keeper.AccessToken, nil).Status)
	for name, r := range map[string]reply{
		"add":    b.addMember(t, keeper.AccessToken, o.ID, outsider.Email, "viewer"),
		"change": b.do(t, http.MethodPatch, memberPath(o.ID, viewer.Tokens.UserID), keeper.AccessToken, map[string]any{"role": "keeper"}),
		"remove": b.do(t, http.MethodDelete, memberPath(o.ID, viewer.Tokens.UserID), keeper.AccessToken, nil),
	} {
		t.Run(name, func(t *testing.T) { requireProblem(t, r, http.StatusForbidden, "forbidden") })
	}
	require.Equal(t, before, b.roles(t, o.ID))
	require.Equal(t, hist, b.history(t, o.ID))
}

func TestMembers_AdminManagesButCannotGrantOrTouchOwner(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "adminorg")
	b.grantPlan(t, o.ID, "business") // four members
	_, admin := b.join(t, o, "admin", "admin")
	keeper, _ := b.join(t, o, "keeper", "keeper")
	// A second owner, so that the last-owner rule cannot be what refuses the admin.
	coOwner, _ := b.join(t, o, "coowner", "owner")
	newcomer := b.newUser(t, "newcomer")
	ownerID := o.Owner.Tokens.UserID

	for name, r := range map[string]reply{
		"add an owner":          b.addMember(t, admin.AccessToken, o.ID, newcomer.Email, "owner"),
		"promote to owner":      b.do(t, http.MethodPatch, memberPath(o.ID, keeper.Tokens.UserID), admin.AccessToken, map[string]any{"role": "owner"}),
		"demote the owner":      b.do(t, http.MethodPatch, memberPath(o.ID, ownerID), admin.AccessToken, map[string]any{"role": "keeper"}),
		"remove the owner":      b.do(t, http.MethodDelete, memberPath(o.ID, ownerID), admin.AccessToken, nil),
		"remove the co-owner":   b.do(t, http.MethodDelete, memberPath(o.ID, coOwner.Tokens.UserID), admin.AccessToken, nil),
		"promote self to owner": b.do(t, http.MethodPatch, memberPath(o.ID, admin.UserID), admin.AccessToken, map[string]any{"role": "owner"}),
	} {
		t.Run(name, func(t *testing.T) { requireProblem(t, r, http.StatusForbidden, "forbidden") })
	}
	roles := b.roles(t, o.ID)
	require.Equal(t, "owner", roles[ownerID])
	require.Equal(t, "owner", roles[coOwner.Tokens.UserID])
	require.Equal(t, "keeper", roles[keeper.Tokens.UserID])
	require.Equal(t, "admin", roles[admin.UserID])
	require.NotContains(t, roles, newcomer.Tokens.UserID)

	// What an admin may do.
	b.mustAddMember(t, admin.AccessToken, o.ID, newcomer.Email, "viewer")
	r := b.do(t, http.MethodPatch, memberPath(o.ID, keeper.Tokens.UserID), admin.AccessToken, map[string]any{"role": "admin"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, http.StatusNoContent, b.do(t, http.MethodDelete, memberPath(o.ID, newcomer.Tokens.UserID), admin.AccessToken, nil).Status)
}

func TestMembers_OwnerChangesRoles(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "roles")
	u, _ := b.join(t, o, "promoted", "viewer")
	owner := o.Owner.Tokens.AccessToken
	for _, role := range []string{"keeper", "admin", "owner", "viewer"} {
		r := b.do(t, http.MethodPatch, memberPath(o.ID, u.Tokens.UserID), owner, map[string]any{"role": role})
		require.Equal(t, http.StatusOK, r.Status, "to %s: %s", role, r.Raw)
		m := decodeAs[memberOf](t, r)
		require.Equal(t, u.Tokens.UserID, m.UserID)
		require.Equal(t, role, m.Role)
		require.Equal(t, role, b.roles(t, o.ID)[u.Tokens.UserID])
	}
	for name, body := range map[string]any{
		"invalid role":  map[string]any{"role": "overlord"},
		"missing role":  map[string]any{},
		"unknown field": map[string]any{"role": "keeper", "email": u.Email},
	} {
		r := b.do(t, http.MethodPatch, memberPath(o.ID, u.Tokens.UserID), owner, body)
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.Equal(t, "viewer", b.roles(t, o.ID)[u.Tokens.UserID], name)
	}
}

func TestMembers_LastOwnerCannotBeDemotedOrRemoved(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "lastowner")
	owner, ownerID := o.Owner.Tokens.AccessToken, o.Owner.Tokens.UserID

	lastOwnerRefusals := func(t *testing.T) {
		t.Helper()
		for _, role := range []string{"admin", "viewer"} {
			r := b.do(t, http.MethodPatch, memberPath(o.ID, ownerID), owner, map[string]any{"role": role})
			requireProblem(t, r, http.StatusConflict, "conflict")
		}
		requireProblem(t, b.do(t, http.MethodDelete, memberPath(o.ID, ownerID), owner, nil), http.StatusConflict, "conflict")
		require.Equal(t, "owner", b.roles(t, o.ID)[ownerID])
	}
	lastOwnerRefusals(t)

	// With a second owner, either may go.
	second, secondTok := b.join(t, o, "secondowner", "owner")
	r := b.do(t, http.MethodDelete, memberPath(o.ID, ownerID), secondTok.AccessToken, nil)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Raw)
	require.Equal(t, map[string]string{second.Tokens.UserID: "owner"}, b.roles(t, o.ID))

	// The remaining owner is the last one again.
	requireProblem(t, b.do(t, http.MethodDelete, memberPath(o.ID, second.Tokens.UserID), secondTok.AccessToken, nil),
		http.StatusConflict, "conflict")
	requireProblem(t, b.do(t, http.MethodPatch, memberPath(o.ID, second.Tokens.UserID), secondTok.AccessToken, map[string]any{"role": "admin"}),
		http.StatusConflict, "conflict")
}

func TestMembers_TwoOwnersOneCanStepDown(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "stepdown")
	second, _ := b.join(t, o, "second", "owner")
	r := b.do(t, http.MethodPatch, memberPath(o.ID, o.Owner.Tokens.UserID), o.Owner.Tokens.AccessToken, map[string]any{"role": "admin"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, map[string]string{o.Owner.Tokens.UserID: "admin", second.Tokens.UserID: "owner"}, b.roles(t, o.ID))
}

func TestMembers_AMemberCanRemoveThemselves(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "leave")
	for _, role := range []string{"viewer", "keeper", "admin"} {
		t.Run(role, func(t *testing.T) {
			u, tok := b.join(t, o, "leaver-"+role, role)
			r := b.do(t, http.MethodDelete, memberPath(o.ID, u.Tokens.UserID), tok.AccessToken, nil)
			require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Raw)
			require.NotContains(t, b.roles(t, o.ID), u.Tokens.UserID)
			// Their own organization is untouched.
			require.Equal(t, map[string]string{u.Tokens.UserID: "owner"}, b.roles(t, u.Tokens.OrganizationID))
		})
	}
}

func TestMembers_UnknownMemberIs404(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "unknownmember")
	nonMember := b.newUser(t, "nonmember")
	for name, id := range map[string]string{"no such user": store.NewPublicID(), "user of another organization": nonMember.Tokens.UserID} {
		t.Run(name, func(t *testing.T) {
			requireProblem(t, b.do(t, http.MethodPatch, memberPath(o.ID, id), o.Owner.Tokens.AccessToken, map[string]any{"role": "keeper"}),
				http.StatusNotFound, "not-found")
			requireProblem(t, b.do(t, http.MethodDelete, memberPath(o.ID, id), o.Owner.Tokens.AccessToken, nil),
				http.StatusNotFound, "not-found")
		})
	}
	require.Equal(t, map[string]string{nonMember.Tokens.UserID: "owner"}, b.roles(t, nonMember.Tokens.OrganizationID))
}

func TestMembers_AnotherOrganizationAnswers404LikeOneThatDoesNotExist(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.newOrg(t, "tenanta")
	victim := b.newOrg(t, "tenantb")
	victimKeeper, _ := b.join(t, victim, "tenantbkeeper", "keeper")
	candidate := b.newUser(t, "candidate")
	token := a.Owner.Tokens.AccessToken
	missing := store.NewPublicID()
	roles, hist := b.roles(t, victim.ID), b.history(t, victim.ID)

	type call struct {
		method string
		path   func(orgID string) string
		body   any
	}
	for name, c := range map[string]call{
		"list":             {http.MethodGet, membersPath, nil},
		"add":              {http.MethodPost, membersPath, map[string]any{"email": candidate.Email, "role": "owner"}},
		"change":           {http.MethodPatch, func(id string) string { return memberPath(id, victimKeeper.Tokens.UserID) }, map[string]any{"role": "owner"}},
		"remove":           {http.MethodDelete, func(id string) string { return memberPath(id, victimKeeper.Tokens.UserID) }, nil},
		"remove the owner": {http.MethodDelete, func(id string) string { return memberPath(id, victim.Owner.Tokens.UserID) }, nil},
	} {
		t.Run(name, func(t *testing.T) {
			foreign := b.do(t, c.method, c.path(victim.ID), token, c.body)
			nonexistent := b.do(t, c.method, c.path(missing), token, c.body)
			requireProblem(t, foreign, http.StatusNotFound, "not-found")
			requireProblem(t, nonexistent, http.StatusNotFound, "not-found")
			require.Equal(t, publicShape(nonexistent), publicShape(foreign))
		})
	}
	require.Equal(t, roles, b.roles(t, victim.ID), "nothing in the other organization changed")
	require.Equal(t, hist, b.history(t, victim.ID), "no event or audit row in the other organization")
	require.Equal(t, map[string]string{a.Owner.Tokens.UserID: "owner"}, b.roles(t, a.ID), "nor in the caller's")
}

func TestMembers_EachChangeWritesAnEventAndAuditRowsWithBeforeAndAfter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "history")
	u := b.newUser(t, "historic")
	owner := o.Owner.Tokens.AccessToken
	b.mustAddMember(t, owner, o.ID, u.Email, "keeper")
	r := b.do(t, http.MethodPatch, memberPath(o.ID, u.Tokens.UserID), owner, map[string]any{"role": "admin"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	r = b.do(t, http.MethodDelete, memberPath(o.ID, u.Tokens.UserID), owner, nil)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Raw)

	ctx := context.Background()
	orgID, ownerID, userID := b.orgUUID(t, o.ID), b.userUUID(t, o.Owner.Tokens.UserID), b.userUUID(t, u.Tokens.UserID)

	type event struct {
		Type    string
		AggID   string
		Actor   uuid.UUID
		Payload map[string]string
	}
	rows, err := b.Admin.Query(ctx, `SELECT type, aggregate_id, actor_user_id, payload FROM events
		WHERE org_id = $1 AND type LIKE 'member.%' AND payload->>'user_id' = $2 ORDER BY id`, orgID, u.Tokens.UserID)
	require.NoError(t, err)
	var events []event
	for rows.Next() {
		var e event
		require.NoError(t, rows.Scan(&e.Type, &e.AggID, &e.Actor, &e.Payload))
		events = append(events, e)
	}
	require.NoError(t, rows.Err())
	uid := u.Tokens.UserID
	require.NotEmpty(t, events)
	require.NotEmpty(t, events[0].Payload["invitation_id"], "a member joins by accepting an invitation")
	delete(events[0].Payload, "invitation_id")
	require.Equal(t, []event{
		{"member.added", o.ID, userID, map[string]string{"user_id": uid, "role": "keeper"}},
		{"member.role_changed", o.ID, ownerID, map[string]string{"user_id": uid, "from": "keeper", "to": "admin"}},
		{"member.removed", o.ID, ownerID, map[string]string{"user_id": uid, "role": "admin"}},
	}, events)

	type audit struct {
		Action        string
		Actor         uuid.UUID
		Before, After *string
	}
	rows, err = b.Admin.Query(ctx, `SELECT action, actor_user_id, before->>'role', after->>'role' FROM audit_log
		WHERE org_id = $1 AND table_name = 'memberships' AND row_id = $2 ORDER BY id`, orgID, orgID.String()+"/"+userID.String())
	require.NoError(t, err)
	var audits []audit
	for rows.Next() {
		var a audit
		require.NoError(t, rows.Scan(&a.Action, &a.Actor, &a.Before, &a.After))
		audits = append(audits, a)
	}
	require.NoError(t, rows.Err())
	str := func(s string) *string { return &s }
	require.Equal(t, []audit{
		{"insert", userID, nil, str("keeper")},
		{"update", ownerID, str("keeper"), str("admin")},
		{"delete", ownerID, str("admin"), nil},
	}, audits)
}

func TestMe_RemovalFromTheTokensOrganizationEndsItsAccessTokens(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "evict")
	u, tok := b.join(t, o, "evicted", "keeper")
	me := b.me(t, tok.AccessToken)
	require.Equal(t, http.StatusOK, me.Status, "%s", me.Raw)
	require.Equal(t, o.ID, me.Body["organization"].(map[string]any)["id"])

	r := b.do(t, http.MethodDelete, memberPath(o.ID, u.Tokens.UserID), o.Owner.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Raw)

	me = b.me(t, tok.AccessToken)
	requireProblem(t, me, http.StatusUnauthorized, "unauthenticated")
	require.NotEmpty(t, me.Header.Get("WWW-Authenticate"))
	requireProblem(t, b.do(t, http.MethodGet, membersPath(o.ID), tok.AccessToken, nil), http.StatusUnauthorized, "unauthenticated")

	// Their tokens for their own organization still work.
	require.Equal(t, http.StatusOK, b.me(t, u.Tokens.AccessToken).Status)
}
