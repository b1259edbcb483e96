package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

func TestRegister_AnswersTokensAndMeShowsUserAndOwnedOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	email := testkit.UniqueEmail("reg")
	tok := b.register(t, email)
	require.NotEmpty(t, tok.AccessToken)
	require.NotEmpty(t, tok.RefreshToken)
	require.Equal(t, "Bearer", tok.TokenType)
	require.InDelta(t, (15 * time.Minute).Seconds(), tok.ExpiresIn, 2)
	require.WithinDuration(t, time.Now().Add(b.Cfg.Auth.RefreshTTL), tok.RefreshExpiresAt, time.Minute)
	require.NotEmpty(t, tok.UserID)
	require.NotEmpty(t, tok.OrganizationID)

	r := b.me(t, tok.AccessToken)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, tok.UserID, r.Body["id"])
	require.Equal(t, email, r.Body["email"])
	require.Equal(t, "Keeper "+email, r.Body["display_name"])
	require.Equal(t, false, r.Body["email_verified"])
	wantOrg := map[string]any{"id": tok.OrganizationID, "name": "Vivarium of " + email, "role": "owner"}
	require.Equal(t, wantOrg, r.Body["organization"])
	require.Equal(t, []any{wantOrg}, r.Body["organizations"])
}

func TestRegister_WritesUserOrganizationOwnerEventsAuditAndOnboardingJob(t *testing.T) {
	t.Parallel()
	b := setup(t)
	email := testkit.UniqueEmail("regwrites")
	tok := b.register(t, email)
	ctx := context.Background()
	orgID, userID := b.orgUUID(t, tok.OrganizationID), b.userUUID(t, tok.UserID)

	var gotEmail, displayName string
	require.NoError(t, b.Admin.QueryRow(ctx, "SELECT email, display_name FROM users WHERE id = $1", userID).Scan(&gotEmail, &displayName))
	require.Equal(t, email, gotEmail)
	require.Equal(t, "Keeper "+email, displayName)

	var orgName string
	var createdBy [16]byte
	require.NoError(t, b.Admin.QueryRow(ctx, "SELECT name, created_by FROM organizations WHERE id = $1", orgID).Scan(&orgName, &createdBy))
	require.Equal(t, "Vivarium of "+email, orgName)
	require.Equal(t, [16]byte(userID), createdBy)

	var role string
	require.NoError(t, b.Admin.QueryRow(ctx, "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2", orgID, userID).Scan(&role))
	require.Equal(t, "owner", role)

	rows, err := b.Admin.Query(ctx, `SELECT type, aggregate_type, aggregate_id, actor_user_id = $2, payload
		FROM events WHERE org_id = $1 ORDER BY id`, orgID, userID)
	require.NoError(t, err)
	type event struct {
		Type, AggType, AggID string
		ByOwner              bool
		Payload              map[string]string
	}
	var events []event
	for rows.Next() {
		var e event
		require.NoError(t, rows.Scan(&e.Type, &e.AggType, &e.AggID, &e.ByOwner, &e.Payload))
		events = append(events, e)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []event{
		{"organization.created", "organization", tok.OrganizationID, true, map[string]string{"name": orgName, "owner_user_id": tok.UserID}},
		{"member.added", "organization", tok.OrganizationID, true, map[string]string{"user_id": tok.UserID, "role": "owner"}},
	}, events)

	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND table_name = 'organizations'
		AND action = 'insert' AND row_id = $3 AND actor_user_id = $2 AND after->>'name' = $4`,
		orgID, userID, orgID.String(), orgName))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND table_name = 'memberships'
		AND action = 'insert' AND row_id = $3 AND actor_user_id = $2
		AND before IS NULL AND after->>'role' = 'owner'`, orgID, userID, orgID.String()+"/"+userID.String()))

	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'start_onboarding'
		AND args->>'org_id' = $1 AND args->>'owner_user_id' = $2`, orgID.String(), userID.String()))

	require.Equal(t, 1, b.count(t, "SELECT count(*) FROM refresh_tokens WHERE user_id = $1 AND org_id = $2 AND revoked_at IS NULL", userID, orgID),
		"registration starts one session")
}

func TestRegister_TakenEmailIsConflictWhateverItsCase(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for name, variant := range map[string]func(string) string{
		"same":       func(s string) string { return s },
		"upper case": strings.ToUpper,
		"mixed case": func(s string) string { return strings.ToUpper(s[:1]) + s[1:] },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			email := testkit.UniqueEmail("dup")
			first := b.register(t, email)
			r := b.do(t, http.MethodPost, "/api/v1/auth/register", "", registerBody(variant(email)))
			requireProblem(t, r, http.StatusConflict, "conflict")
			require.Equal(t, 1, b.count(t, "SELECT count(*) FROM users WHERE lower(email) = lower($1)", email))
			require.Equal(t, 1, b.count(t, "SELECT count(*) FROM organizations WHERE created_by = $1", b.userUUID(t, first.UserID)))
		})
	}
}

func TestRegister_RefusesBadInputWithProblemNamingTheFieldAndWritesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name        string
		contentType string
		body        func(email string) string
		status      int
		slug        string
		fields      []string
	}{
		{"malformed JSON", "application/json", func(e string) string { return `{"email":"` + e + `", "password":` }, 400, "malformed-request", nil},
		{"not JSON at all", "application/json", func(e string) string { return `email=` + e }, 400, "malformed-request", nil},
		{"empty body", "application/json", func(string) string { return `` }, 400, "malformed-request", nil},
		{"two objects", "application/json", func(e string) string { return mustJSON(registerBody(e)) + `{}` }, 400, "malformed-request", nil},
		{"array instead of object", "application/json", func(e string) string { return `[` + mustJSON(registerBody(e)) + `]` }, 400, "malformed-request", nil},
		{"email of the wrong type", "application/json", func(string) string { return `{"email":1}` }, 422, "validation-failed", []string{"email"}},
		{"password of the wrong type", "application/json", func(e string) string {
			return `{"email":"` + e + `","password":true,"display_name":"x","organization_name":"y"}`
		}, 422, "validation-failed", []string{"password"}},
		{"unknown field", "application/json", func(e string) string {
			m := registerBody(e)
			m["nickname"] = "Slither"
			return mustJSON(m)
		}, 422, "validation-failed", []string{"nickname"}},
		{"wrong content type", "text/plain", func(e string) string { return mustJSON(registerBody(e)) }, 415, "unsupported-media-type", nil},
		{"form content type", "application/x-www-form-urlencoded", func(e string) string { return mustJSON(registerBody(e)) }, 415, "unsupported-media-type", nil},
		{"invalid email", "application/json", func(e string) string {
			m := registerBody(e)
			m["email"] = "not-an-email-" + e[:8]
			return mustJSON(m)
		}, 422, "validation-failed", []string{"email"}},
		{"email without a dot in the domain", "application/json", func(e string) string {
			m := registerBody(e)
			m["email"] = strings.TrimSuffix(e, ".com")
			return mustJSON(m)
		}, 422, "validation-failed", []string{"email"}},
		{"short password", "application/json", func(e string) string {
			m := registerBody(e)
			m["password"] = "short"
			return mustJSON(m)
		}, 422, "validation-failed", []string{"password"}},
		{"empty display name", "application/json", func(e string) string {
			m := registerBody(e)
			m["display_name"] = "   "
			return mustJSON(m)
		}, 422, "validation-failed", []string{"display_name"}},
		{"empty organization name", "application/json", func(e string) string {
			m := registerBody(e)
			m["organization_name"] = ""
			return mustJSON(m)
		}, 422, "validation-failed", []string{"organization_name"}},
		{"everything wrong", "application/json", func(string) string {
			return `{"email":"nope","password":"x","display_name":"","organization_name":""}`
		}, 422, "validation-failed", []string{"email", "password", "display_name", "organization_name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			email := testkit.UniqueEmail("bad")
			req := b.newRequest(t, http.MethodPost, "/api/v1/auth/register", "", tc.body(email))
			req.Header.Set("Content-Type", tc.contentType)
			r := b.send(t, req)
			requireProblem(t, r, tc.status, tc.slug)
			if tc.fields != nil {
				require.ElementsMatch(t, tc.fields, problemFields(t, r))
			}
			require.Zero(t, b.count(t, "SELECT count(*) FROM users WHERE lower(email) = lower($1)", email), "nothing is written")
		})
	}
}

func mustJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

func TestRegister_BodyOverTheLimitIs413WithOrWithoutContentLength(t *testing.T) {
	t.Parallel()
	b := setup(t, withConfig(func(c *config.Config) { c.HTTP.MaxBodyBytes = 1024 }))

	// A small registration still goes through on this server.
	small := testkit.UniqueEmail("small")
	b.register(t, small)

	for _, chunked := range []bool{false, true} {
		name := "with Content-Length"
		if chunked {
			name = "chunked"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			email := testkit.UniqueEmail("big")
			m := registerBody(email)
			m["display_name"] = strings.Repeat("x", 2048)
			raw := []byte(mustJSON(m))
			require.Greater(t, len(raw), 2048)
			req := b.newRequest(t, http.MethodPost, "/api/v1/auth/register", "", raw)
			if chunked {
				req.ContentLength = -1
				req.Body = opaqueBody{bytes.NewReader(raw)}
				req.GetBody = nil
			} else {
				require.EqualValues(t, len(raw), req.ContentLength)
			}
			r := b.send(t, req)
			requireProblem(t, r, http.StatusRequestEntityTooLarge, "body-too-large")
			require.Contains(t, r.Body["detail"], "1024")
			require.Zero(t, b.count(t, "SELECT count(*) FROM users WHERE lower(email) = lower($1)", email))
		})
	}
}

// opaqueBody hides a reader's type so the HTTP client cannot know its length and must send
// it chunked.
type opaqueBody struct{ io.Reader }

func (opaqueBody) Close() error { return nil }

func TestLogin_SucceedsAndStartsANewSession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "login")
	for name, email := range map[string]string{"as registered": u.Email, "upper case": strings.ToUpper(u.Email)} {
		t.Run(name, func(t *testing.T) {
			r := b.login(t, email, testPassword, "")
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
			tok := decodeAs[tokenResponse](t, r)
			require.Equal(t, u.Tokens.UserID, tok.UserID)
			require.Equal(t, u.Tokens.OrganizationID, tok.OrganizationID)
			require.Equal(t, "Bearer", tok.TokenType)
			require.NotEqual(t, u.Tokens.RefreshToken, tok.RefreshToken)
			require.NotEqual(t, sessionOf(t, u.Tokens.AccessToken), sessionOf(t, tok.AccessToken), "a login is a new session")
			me := b.me(t, tok.AccessToken)
			require.Equal(t, http.StatusOK, me.Status, "%s", me.Raw)
			require.Equal(t, u.Tokens.UserID, me.Body["id"])
		})
	}
}

func TestLogin_WrongPasswordAndUnknownUserAnswerAlike(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "alike")
	wrong := b.login(t, u.Email, "not the password at all", "")
	unknown := b.login(t, testkit.UniqueEmail("nobody"), testPassword, "")
	requireProblem(t, wrong, http.StatusUnauthorized, "invalid-credentials")
	requireProblem(t, unknown, http.StatusUnauthorized, "invalid-credentials")
	require.Equal(t, publicShape(wrong), publicShape(unknown))
	require.Equal(t, wrong.Header.Get("WWW-Authenticate"), unknown.Header.Get("WWW-Authenticate"))
	for _, k := range []string{"type", "title", "detail"} {
		require.NotEmpty(t, wrong.Body[k])
		require.Equal(t, wrong.Body[k], unknown.Body[k], k)
	}
}

func TestLogin_OrganizationTheUserIsNotInIs404LikeANonexistentOne(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.newUser(t, "loginorga")
	other := b.newUser(t, "loginorgb")

	ok := b.login(t, a.Email, testPassword, a.Tokens.OrganizationID)
	require.Equal(t, http.StatusOK, ok.Status, "%s", ok.Raw)

	foreign := b.login(t, a.Email, testPassword, other.Tokens.OrganizationID)
	requireProblem(t, foreign, http.StatusNotFound, "not-found")
	missing := b.login(t, a.Email, testPassword, store.NewPublicID())
	requireProblem(t, missing, http.StatusNotFound, "not-found")
	require.Equal(t, publicShape(missing), publicShape(foreign))
}

func TestRefresh_RotatesAndTheOldTokenStopsWorking(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "rotate")
	r := b.refresh(t, u.Tokens.RefreshToken, "")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	next := decodeAs[tokenResponse](t, r)
	require.NotEmpty(t, next.RefreshToken)
	require.NotEqual(t, u.Tokens.RefreshToken, next.RefreshToken)
	require.NotEqual(t, u.Tokens.AccessToken, next.AccessToken)
	require.Equal(t, u.Tokens.UserID, next.UserID)
	require.Equal(t, u.Tokens.OrganizationID, next.OrganizationID)
	require.Equal(t, sessionOf(t, u.Tokens.AccessToken), sessionOf(t, next.AccessToken), "a refresh stays in its session")
	me := b.me(t, next.AccessToken)
	require.Equal(t, http.StatusOK, me.Status, "%s", me.Raw)

	old := b.refresh(t, u.Tokens.RefreshToken, "")
	requireProblem(t, old, http.StatusUnauthorized, "unauthenticated")
	require.NotEmpty(t, old.Header.Get("WWW-Authenticate"))
}

func TestRefresh_ReusingARotatedTokenRevokesTheWholeSession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "reuse")
	other := b.loginTo(t, u.Email, u.Tokens.OrganizationID) // another session of the same person

	first := u.Tokens
	r := b.refresh(t, first.RefreshToken, "")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	second := decodeAs[tokenResponse](t, r)
	r = b.refresh(t, second.RefreshToken, "")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	newest := decodeAs[tokenResponse](t, r)
	require.Equal(t, http.StatusOK, b.me(t, newest.AccessToken).Status, "the session is alive before the reuse")

	reuse := b.refresh(t, first.RefreshToken, "")
	requireProblem(t, reuse, http.StatusUnauthorized, "unauthenticated")

	requireProblem(t, b.refresh(t, newest.RefreshToken, ""), http.StatusUnauthorized, "unauthenticated")
	for name, access := range map[string]string{"first": first.AccessToken, "second": second.AccessToken, "newest": newest.AccessToken} {
		me := b.me(t, access)
		requireProblem(t, me, http.StatusUnauthorized, "unauthenticated")
		require.NotEmpty(t, me.Header.Get("WWW-Authenticate"), name)
	}

	// The person's other session is not touched.
	require.Equal(t, http.StatusOK, b.me(t, other.AccessToken).Status)
	require.Equal(t, http.StatusOK, b.refresh(t, other.RefreshToken, "").Status)
}

func TestRefresh_OrganizationIDSwitchesTheAccessTokensOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.newUser(t, "switchowner")
	keeper := b.newUser(t, "switchkeeper")
	stranger := b.newUser(t, "switchstranger")
	b.mustAddMember(t, owner.Tokens.AccessToken, owner.Tokens.OrganizationID, keeper.Email, "keeper")

	r := b.refresh(t, keeper.Tokens.RefreshToken, owner.Tokens.OrganizationID)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	switched := decodeAs[tokenResponse](t, r)
	require.Equal(t, owner.Tokens.OrganizationID, switched.OrganizationID)
	require.Equal(t, owner.Tokens.OrganizationID, orgOf(t, switched.AccessToken))

	me := b.me(t, switched.AccessToken)
	require.Equal(t, http.StatusOK, me.Status, "%s", me.Raw)
	org, _ := me.Body["organization"].(map[string]any)
	require.Equal(t, owner.Tokens.OrganizationID, org["id"])
	require.Equal(t, "keeper", org["role"])
	require.Len(t, me.Body["organizations"], 2)

	// The session keeps acting for the organization it switched to.
	r = b.refresh(t, switched.RefreshToken, "")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	again := decodeAs[tokenResponse](t, r)
	require.Equal(t, owner.Tokens.OrganizationID, again.OrganizationID)

	// And back to their own.
	r = b.refresh(t, again.RefreshToken, keeper.Tokens.OrganizationID)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	back := decodeAs[tokenResponse](t, r)
	require.Equal(t, keeper.Tokens.OrganizationID, orgOf(t, back.AccessToken))

	// An organization they are not in is not found.
	requireProblem(t, b.refresh(t, back.RefreshToken, stranger.Tokens.OrganizationID), http.StatusNotFound, "not-found")
}

func TestLogout_RevokesTheRefreshTokenAndTheSessionsAccessToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "logout")
	other := b.loginTo(t, u.Email, u.Tokens.OrganizationID)
	require.Equal(t, http.StatusOK, b.me(t, u.Tokens.AccessToken).Status)

	r := b.do(t, http.MethodPost, "/api/v1/auth/logout", "", map[string]any{"refresh_token": u.Tokens.RefreshToken})
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Raw)
	require.Empty(t, r.Raw)

	requireProblem(t, b.refresh(t, u.Tokens.RefreshToken, ""), http.StatusUnauthorized, "unauthenticated")
	me := b.me(t, u.Tokens.AccessToken)
	requireProblem(t, me, http.StatusUnauthorized, "unauthenticated")
	require.NotEmpty(t, me.Header.Get("WWW-Authenticate"))

	require.Equal(t, http.StatusOK, b.me(t, other.AccessToken).Status, "other sessions stay")

	again := b.do(t, http.MethodPost, "/api/v1/auth/logout", "", map[string]any{"refresh_token": u.Tokens.RefreshToken})
	require.Equal(t, http.StatusNoContent, again.Status, "logging out twice answers the same")
}

func TestLogout_UnknownTokenIsAlso204(t *testing.T) {
	t.Parallel()
	b := setup(t)
	raw, _, err := auth.NewRefreshToken()
	require.NoError(t, err)
	r := b.do(t, http.MethodPost, "/api/v1/auth/logout", "", map[string]any{"refresh_token": raw})
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Raw)

	missing := b.do(t, http.MethodPost, "/api/v1/auth/logout", "", map[string]any{})
	requireProblem(t, missing, http.StatusUnprocessableEntity, "validation-failed")
	require.Equal(t, []string{"refresh_token"}, problemFields(t, missing))
}

func TestAccessToken_InvalidOnesAre401WithWWWAuthenticate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.newUser(t, "badtoken")
	valid := u.Tokens.AccessToken
	claims := unverifiedClaims(t, valid)
	sid, _ := claims["sid"].(string)
	require.NotEmpty(t, sid)
	ac := auth.Claims{UserID: u.Tokens.UserID, OrgID: u.Tokens.OrganizationID, SessionID: sid}

	// Expired: signed by the same keys an hour ago.
	past := auth.NewIssuer(b.Keys, b.Cfg.Auth.Issuer, b.Cfg.Auth.Audience, 15*time.Minute)
	past.Now = func() time.Time { return time.Now().Add(-time.Hour) }
	expired, _, err := past.Issue(ac)
	require.NoError(t, err)

	// alg none, naming the real key.
	none := jwt.NewWithClaims(jwt.SigningMethodNone, claims)
	none.Header["kid"] = b.Keys.SigningKID()
	algNone, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)

	// HS256 keyed with the public key's PEM, naming the real key: the key-confusion attack.
	key, err := signingKey()
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	hs.Header["kid"] = b.Keys.SigningKID()
	hmacConfused, err := hs.SignedString(pubPEM)
	require.NoError(t, err)

	// Signed by a key the server does not know.
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	otherKeys, err := auth.NewKeySet(otherKey)
	require.NoError(t, err)
	unknownKID, _, err := auth.NewIssuer(otherKeys, b.Cfg.Auth.Issuer, b.Cfg.Auth.Audience, 15*time.Minute).Issue(ac)
	require.NoError(t, err)

	// Signed by another key but claiming the server's kid.
	forged := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	forged.Header["kid"] = b.Keys.SigningKID()
	forgedKID, err := forged.SignedString(otherKey)
	require.NoError(t, err)

	// The real token with its payload changed to another organization.
	parts := strings.Split(valid, ".")
	claims2 := unverifiedClaims(t, valid)
	claims2["org"] = store.NewPublicID()
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(mustJSON(claims2)))
	tampered := strings.Join(parts, ".")

	// Control: the genuine token and header work.
	require.Equal(t, http.StatusOK, b.me(t, valid).Status)

	for _, tc := range []struct {
		name, authorization string
	}{
		{"missing header", ""},
		{"not a bearer scheme", "Basic " + base64.StdEncoding.EncodeToString([]byte(u.Email+":"+testPassword))},
		{"bearer without token", "Bearer "},
		{"expired", "Bearer " + expired},
		{"alg none", "Bearer " + algNone},
		{"HS256 with the public key as secret", "Bearer " + hmacConfused},
		{"unknown kid", "Bearer " + unknownKID},
		{"signed by another key under the known kid", "Bearer " + forgedKID},
		{"tampered payload", "Bearer " + tampered},
		{"garbage", "Bearer not.a.jwt"},
		{"garbage without dots", "Bearer garbage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := b.newRequest(t, http.MethodGet, "/api/v1/me", "", nil)
			if tc.authorization != "" {
				req.Header.Set("Authorization", tc.authorization)
			}
			r := b.send(t, req)
			requireProblem(t, r, http.StatusUnauthorized, "unauthenticated")
			require.True(t, strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer"), "WWW-Authenticate: %q", r.Header.Get("WWW-Authenticate"))
			require.NotContains(t, string(r.Raw), u.Email)
		})
	}
}

// unverifiedClaims reads a token's payload without checking it.
func unverifiedClaims(t *testing.T, token string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, _, err := jwt.NewParser().ParseUnverified(token, claims)
	require.NoError(t, err)
	return claims
}

func sessionOf(t *testing.T, token string) string {
	t.Helper()
	s, _ := unverifiedClaims(t, token)["sid"].(string)
	require.NotEmpty(t, s)
	return s
}

func orgOf(t *testing.T, token string) string {
	t.Helper()
	s, _ := unverifiedClaims(t, token)["org"].(string)
	require.NotEmpty(t, s)
	return s
}
