package api_test

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/testkit"
)

// sendLimits sets every hourly send limit high, then lets the test lower one.
func sendLimits(f func(*config.Limits)) option {
	return func(c *config.Config) {
		wide := config.SendLimit{PerOrganization: 1000, PerAccount: 1000, PerRecipient: 1000, PerRecipientAll: 1000}
		c.Limits.Invitations, c.Limits.Offers, c.Limits.Messages = wide, wide, wide
		c.Limits.OffersPerRecipientOrg, c.Limits.OffersPerRecipientOrgAll = 1000, 1000
		f(&c.Limits)
	}
}

// requireThrottled checks r is a 429 problem with a Retry-After of whole seconds within an hour.
func requireThrottled(t *testing.T, r reply) {
	t.Helper()
	requireProblem(t, r, http.StatusTooManyRequests, "rate-limited")
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After is whole seconds: %q", r.Header.Get("Retry-After"))
	require.Positive(t, secs)
	require.LessOrEqual(t, secs, 3600)
}

// offer offers a new animal of the organization token acts for to an email address.
func (b *bundle) offer(t *testing.T, token, email string) reply {
	t.Helper()
	return b.offerTo(t, token, map[string]any{"recipient_email": email})
}

// offerToOrganization offers a new animal of the organization token acts for to another
// organization.
func (b *bundle) offerToOrganization(t *testing.T, token, orgID string) reply {
	t.Helper()
	return b.offerTo(t, token, map[string]any{"recipient_organization_id": orgID})
}

func (b *bundle) offerTo(t *testing.T, token string, body map[string]any) reply {
	t.Helper()
	animal := b.createAnimal(t, token, map[string]any{"species": "ball-python", "sex": "female"})
	body["animal_id"] = animal.ID
	req := b.newRequest(t, http.MethodPost, "/api/v1/transfers", token, body)
	req.Header.Set("Idempotency-Key", testkit.UniqueEmail("offer"))
	return b.send(t, req)
}

// sender is one kind of thing an organization sends, sent by the holder of token (acting
// for orgID) to an address, with the status a send that is allowed answers.
type sender struct {
	name string
	ok   int
	send func(t *testing.T, b *bundle, token, orgID, to string) reply
}

var senders = []sender{
	{"invitation", http.StatusCreated, func(t *testing.T, b *bundle, token, orgID, to string) reply {
		return b.invite(t, token, orgID, to, "viewer")
	}},
	{"offer", http.StatusCreated, func(t *testing.T, b *bundle, token, _, to string) reply {
		return b.offer(t, token, to)
	}},
	{"message", http.StatusAccepted, func(t *testing.T, b *bundle, token, _, _ string) reply {
		return b.message(t, token, "Open day")
	}},
}

func limitOf(l *config.Limits, kind string) *config.SendLimit {
	switch kind {
	case "invitation":
		return &l.Invitations
	case "offer":
		return &l.Offers
	}
	return &l.Messages
}

func TestLimits_EachAccountSendsAtMostItsHourlyLimitWhateverTheOrganization(t *testing.T) {
	t.Parallel()
	for _, s := range senders {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, sendLimits(func(l *config.Limits) { limitOf(l, s.name).PerAccount = 1 }))
			o := b.newOrg(t, "busy")
			b.grantPlan(t, o.ID, "business") // members and invitations beyond Free's 2
			// Memberships made directly, as accepted invitations would: inviting would use up
			// the very limit under test.
			colleague := b.newUser(t, "colleague")
			b.makeMember(t, o.ID, colleague.Tokens.UserID, "admin")
			admin := b.loginTo(t, colleague.Email, o.ID)
			// The owner is also an admin of a second organization.
			second := b.newOrg(t, "second")
			b.makeMember(t, second.ID, o.Owner.Tokens.UserID, "admin")
			inSecond := b.loginTo(t, o.Owner.Email, second.ID)

			r := s.send(t, b, o.Owner.Tokens.AccessToken, o.ID, testkit.UniqueEmail("first"))
			require.Equal(t, s.ok, r.Status, "%s", r.Raw)
			requireThrottled(t, s.send(t, b, o.Owner.Tokens.AccessToken, o.ID, testkit.UniqueEmail("second")))
			requireThrottled(t, s.send(t, b, inSecond.AccessToken, second.ID, testkit.UniqueEmail("elsewhere")))

			// Another account of the same organization has its own count.
			r = s.send(t, b, admin.AccessToken, o.ID, testkit.UniqueEmail("colleague"))
			require.Equal(t, s.ok, r.Status, "%s", r.Raw)
		})
	}
}

func TestLimits_AnOrganizationsSendsToAnAddressDoNotHoldBackOthersUntilTheCapAcrossOrganizations(t *testing.T) {
	t.Parallel()
	for _, s := range senders[:2] { // messages reach members only: they have no outside recipient
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, sendLimits(func(l *config.Limits) {
				limitOf(l, s.name).PerRecipient, limitOf(l, s.name).PerRecipientAll = 1, 2
			}))
			one, two, three := b.newOrg(t, "one"), b.newOrg(t, "two"), b.newOrg(t, "three")
			target := testkit.UniqueEmail("target")

			r := s.send(t, b, one.Owner.Tokens.AccessToken, one.ID, target)
			require.Equal(t, s.ok, r.Status, "%s", r.Raw)
			r = s.send(t, b, one.Owner.Tokens.AccessToken, one.ID, target)
			requireThrottled(t, r)
			require.Contains(t, r.Body["detail"], "This organization has sent this address")

			r = s.send(t, b, two.Owner.Tokens.AccessToken, two.ID, target)
			require.Equal(t, s.ok, r.Status, "another organization is not held back by the first one's sends: %s", r.Raw)

			// Two sends from all organizations is the cap; the refusal tells nothing of who sent.
			r = s.send(t, b, three.Owner.Tokens.AccessToken, three.ID, target)
			requireThrottled(t, r)
			require.Equal(t, "This address cannot be sent more "+s.name+"s right now; try again later.", r.Body["detail"])

			r = s.send(t, b, three.Owner.Tokens.AccessToken, three.ID, testkit.UniqueEmail("bystander"))
			require.Equal(t, s.ok, r.Status, "another address is not held back: %s", r.Raw)
		})
	}
}

func TestLimits_SpellingsOfOneMailboxShareItsBudget(t *testing.T) {
	t.Parallel()
	for _, s := range senders[:2] {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, sendLimits(func(l *config.Limits) { limitOf(l, s.name).PerRecipient = 1 }))
			o := b.newOrg(t, "tagger")
			local := strings.TrimSuffix(testkit.UniqueEmail("victim"), "@example.com")
			r := s.send(t, b, o.Owner.Tokens.AccessToken, o.ID, local+"+1@example.com")
			require.Equal(t, s.ok, r.Status, "%s", r.Raw)
			for _, spelling := range []string{local + "+2@example.com", strings.ToUpper(local) + "+x@Example.COM", local + "@example.com"} {
				requireThrottled(t, s.send(t, b, o.Owner.Tokens.AccessToken, o.ID, spelling))
			}
		})
	}
}

func TestLimits_OffersToOneOrganizationAreLimitedPerSenderAndAcrossOrganizations(t *testing.T) {
	t.Parallel()
	b := setup(t, sendLimits(func(l *config.Limits) { l.OffersPerRecipientOrg, l.OffersPerRecipientOrgAll = 1, 2 }))
	buyer, other := b.newOrg(t, "buyer"), b.newOrg(t, "other-buyer")
	one, two, three := b.newOrg(t, "seller-one"), b.newOrg(t, "seller-two"), b.newOrg(t, "seller-three")

	r := b.offerToOrganization(t, one.Owner.Tokens.AccessToken, buyer.ID)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	r = b.offerToOrganization(t, one.Owner.Tokens.AccessToken, buyer.ID)
	requireThrottled(t, r)
	require.Contains(t, r.Body["detail"], "This organization has sent this organization 1 offers")
	r = b.offerToOrganization(t, one.Owner.Tokens.AccessToken, other.ID)
	require.Equal(t, http.StatusCreated, r.Status, "another organization is not held back: %s", r.Raw)

	r = b.offerToOrganization(t, two.Owner.Tokens.AccessToken, buyer.ID)
	require.Equal(t, http.StatusCreated, r.Status, "another seller has its own count: %s", r.Raw)
	r = b.offerToOrganization(t, three.Owner.Tokens.AccessToken, buyer.ID)
	requireThrottled(t, r)
	require.Equal(t, "This organization cannot be sent more offers right now; try again later.", r.Body["detail"])
}

func TestLimits_AnOrganizationWithAnUnverifiedOwnerSendsNothingOutsideUntilVerified(t *testing.T) {
	t.Parallel()
	for _, s := range senders[:2] {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			owner := b.newUser(t, "unverified")
			o := org{ID: owner.Tokens.OrganizationID, Owner: owner}
			outsider := testkit.UniqueEmail("outsider")

			r := s.send(t, b, owner.Tokens.AccessToken, o.ID, outsider)
			requireProblem(t, r, http.StatusForbidden, "email-not-verified")
			require.Contains(t, r.Body["detail"], "verif")

			b.verifyEmail(t, owner.Tokens.UserID)
			r = s.send(t, b, owner.Tokens.AccessToken, o.ID, outsider)
			require.Equal(t, s.ok, r.Status, "once the owner is verified: %s", r.Raw)
		})
	}
}

// makeMember makes a user a member of an organization directly, as the schema owner: a
// fixture for tests where inviting them would count against what is under test.
func (b *bundle) makeMember(t *testing.T, orgPublicID, userPublicID, role string) {
	t.Helper()
	_, err := b.Admin.Exec(context.Background(), `INSERT INTO memberships (org_id, user_id, role)
		SELECT o.id, u.id, $3::member_role FROM organizations o, users u WHERE o.public_id = $1 AND u.public_id = $2`,
		orgPublicID, userPublicID, role)
	require.NoError(t, err)
}

// loginFrom logs in as if forwarded for client by a trusted proxy.
func (b *bundle) loginFrom(t *testing.T, client, email, password string) reply {
	t.Helper()
	req := b.newRequest(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": email, "password": password})
	req.Header.Set("X-Forwarded-For", client)
	return b.send(t, req)
}

// trustProxy lets tests say which client a login comes from.
func trustProxy(c *config.Config) {
	c.HTTP.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
}

func TestLimits_FailedLoginsToOneAccountFromManyNetworksLockItForAWhile(t *testing.T) {
	t.Parallel()
	b := setup(t, trustProxy, func(c *config.Config) {
		c.Auth.FailureBurst, c.Auth.FailuresPerHour = 100, 100
		c.Auth.FailureAnywhereBurst, c.Auth.FailuresAnywherePerHour = 3, 1
	})
	victim, bystander := b.newUser(t, "victim"), b.newUser(t, "bystander")
	for _, tc := range []struct {
		name, email string
	}{
		{"an account", victim.Email},
		{"an address without an account, alike", testkit.UniqueEmail("nobody")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 3 {
				r := b.loginFrom(t, "203.0."+strconv.Itoa(i+1)+".1", tc.email, "guess "+strconv.Itoa(i))
				requireProblem(t, r, http.StatusUnauthorized, "invalid-credentials")
			}
			requireThrottled(t, b.loginFrom(t, "198.51.100.1", tc.email, "another guess"))
			// While locked, even the right password waits: guessing gains nothing.
			requireThrottled(t, b.loginFrom(t, "2001:db8::1", tc.email, testPassword))
		})
	}

	// Another account is not held back, and a login that succeeds costs it nothing.
	for i := range 5 {
		r := b.loginFrom(t, "203.0.113.1", bystander.Email, testPassword)
		require.Equal(t, http.StatusOK, r.Status, "login %d: %s", i, r.Raw)
	}
	requireProblem(t, b.loginFrom(t, "203.0.113.1", bystander.Email, "wrong"), http.StatusUnauthorized, "invalid-credentials")
}

func TestLimits_FailedLoginsFromOneNetworkDoNotLockTheOwnerOutElsewhere(t *testing.T) {
	t.Parallel()
	b := setup(t, trustProxy, func(c *config.Config) {
		c.Auth.FailureBurst, c.Auth.FailuresPerHour = 3, 1
		c.Auth.FailureAnywhereBurst, c.Auth.FailuresAnywherePerHour = 100, 100
	})
	victim := b.newUser(t, "victim")
	for i := range 3 { // one IPv4 /24, one IPv6 /64
		requireProblem(t, b.loginFrom(t, "203.0.113."+strconv.Itoa(i+1), victim.Email, "guess"), http.StatusUnauthorized, "invalid-credentials")
		requireProblem(t, b.loginFrom(t, "2001:db8:1:1::"+strconv.Itoa(i+1), victim.Email, "guess"), http.StatusUnauthorized, "invalid-credentials")
	}
	requireThrottled(t, b.loginFrom(t, "203.0.113.200", victim.Email, testPassword))
	requireThrottled(t, b.loginFrom(t, "2001:db8:1:1:ffff::9", victim.Email, testPassword))

	r := b.loginFrom(t, "198.51.100.7", victim.Email, testPassword)
	require.Equal(t, http.StatusOK, r.Status, "the owner logs in from their own network: %s", r.Raw)
	r = b.loginFrom(t, "2001:db8:1:2::1", victim.Email, testPassword)
	require.Equal(t, http.StatusOK, r.Status, "and from another IPv6 /64: %s", r.Raw)
}

func TestLimits_ALoginWithSomethingThatIsNotAnEmailAddressIsRefusedNamingTheField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, email := range []string{"not an address", strings.Repeat("a", 4000) + "@example.com", "Name <a@example.com>"} {
		r := b.login(t, email, "a password", "")
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.Equal(t, []string{"email"}, problemFields(t, r))
	}
}

func TestLimits_AnonymousSearchIsThrottledPerClientAddress(t *testing.T) {
	t.Parallel()
	b := setup(t, trustProxy, func(c *config.Config) { c.Limits.SearchPerMinute, c.Limits.SearchBurst = 1, 2 })
	search := func(client string) reply {
		req := b.newRequest(t, http.MethodGet, "/api/v1/search?q=pied", "", nil)
		req.Header.Set("X-Forwarded-For", client)
		return b.send(t, req)
	}
	for i := range 2 {
		r := search("203.0.113.9")
		require.Equal(t, http.StatusOK, r.Status, "search %d: %s", i, r.Raw)
	}
	r := search("203.0.113.9")
	requireLimited(t, r)
	require.Contains(t, r.Body["detail"], "search")
	require.Equal(t, http.StatusOK, search("203.0.113.10").Status, "another client has its own allowance")
}
