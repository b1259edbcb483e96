package accounts_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const password = "correct horse battery"

// bundle is one registered account and the sessions of a test.
type bundle struct {
	db       *store.DB
	sessions accounts.Sessions
	user     store.User
	org      store.Organization
}

func setup(t *testing.T) bundle {
	t.Helper()
	db := testkit.DB(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	keys, err := auth.NewKeySet(key)
	require.NoError(t, err)
	b := bundle{db: db, sessions: accounts.Sessions{Issuer: auth.NewIssuer(keys, "reptidex-test", "reptidex-test", time.Minute),
		RefreshTTL: time.Hour, Log: testkit.Logger(t)}}
	b.user, b.org = register(t, db, "session")
	return b
}

func register(t *testing.T, db *store.DB, prefix string) (store.User, store.Organization) {
	t.Helper()
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	u, o, err := accounts.Register(context.Background(), db, rc, accounts.NewAccount{
		Email: testkit.UniqueEmail(prefix), Password: password, DisplayName: prefix, OrganizationName: prefix + " vivarium",
	}, nil)
	require.NoError(t, err)
	return u, o
}

func (b bundle) login(t *testing.T) accounts.Session {
	t.Helper()
	s, err := b.sessions.Login(context.Background(), b.db, accounts.Credentials{Email: b.user.Email, Password: password})
	require.NoError(t, err)
	return s
}

func TestLogin_RefusesEveryWrongCredentialAlike(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for name, c := range map[string]accounts.Credentials{
		"wrong password":    {Email: b.user.Email, Password: password + "!"},
		"unknown email":     {Email: testkit.UniqueEmail("nobody"), Password: password},
		"overlong password": {Email: b.user.Email, Password: strings.Repeat("é", auth.MaxPasswordLength)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := b.sessions.Login(context.Background(), b.db, c)
			require.ErrorIs(t, err, accounts.ErrBadCredentials)
		})
	}
}

func TestLogin_ActsForTheOldestOrTheRequestedOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	s := b.login(t)
	require.Equal(t, b.user.PublicID, s.UserPublicID)
	require.Equal(t, b.org.PublicID, s.OrgPublicID)
	require.NotEmpty(t, s.AccessToken)
	require.True(t, strings.HasPrefix(s.RefreshToken, "rt_"))
	claims, err := b.sessions.Issuer.Verify(s.AccessToken)
	require.NoError(t, err)
	require.Equal(t, b.org.PublicID, claims.OrgID)

	s, err = b.sessions.Login(ctx, b.db, accounts.Credentials{Email: strings.ToUpper(b.user.Email), Password: password, OrgPublicID: b.org.PublicID})
	require.NoError(t, err)
	require.Equal(t, b.org.PublicID, s.OrgPublicID)

	_, other := register(t, b.db, "session-other")
	_, err = b.sessions.Login(ctx, b.db, accounts.Credentials{Email: b.user.Email, Password: password, OrgPublicID: other.PublicID})
	require.ErrorIs(t, err, accounts.ErrNotMember)
}

func TestRefresh_RotatesTheTokenInTheSameSession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	first := b.login(t)

	second, err := b.sessions.Refresh(ctx, b.db, first.RefreshToken, "")
	require.NoError(t, err)
	require.NotEqual(t, first.RefreshToken, second.RefreshToken)
	require.Equal(t, b.org.PublicID, second.OrgPublicID)
	c1, err := b.sessions.Issuer.Verify(first.AccessToken)
	require.NoError(t, err)
	c2, err := b.sessions.Issuer.Verify(second.AccessToken)
	require.NoError(t, err)
	require.Equal(t, c1.SessionID, c2.SessionID)

	_, other := register(t, b.db, "refresh-other")
	_, err = b.sessions.Refresh(ctx, b.db, second.RefreshToken, other.PublicID)
	require.ErrorIs(t, err, accounts.ErrNotMember)
	_, err = b.sessions.Refresh(ctx, b.db, "rt_unknown", "")
	require.ErrorIs(t, err, accounts.ErrBadRefreshToken)
}

func TestRefresh_AReusedTokenEndsItsSession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	first := b.login(t)
	second, err := b.sessions.Refresh(ctx, b.db, first.RefreshToken, "")
	require.NoError(t, err)

	_, err = b.sessions.Refresh(ctx, b.db, first.RefreshToken, "")
	require.ErrorIs(t, err, accounts.ErrBadRefreshToken, "the rotated token again")
	_, err = b.sessions.Refresh(ctx, b.db, second.RefreshToken, "")
	require.ErrorIs(t, err, accounts.ErrBadRefreshToken, "its replacement is revoked with the session")

	other := b.login(t)
	_, err = b.sessions.Refresh(ctx, b.db, other.RefreshToken, "")
	require.NoError(t, err, "another session of the user lives on")
}

func TestLogout_EndsTheSession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	s := b.login(t)

	require.NoError(t, b.sessions.Logout(ctx, b.db, s.RefreshToken))
	_, err := b.sessions.Refresh(ctx, b.db, s.RefreshToken, "")
	require.ErrorIs(t, err, accounts.ErrBadRefreshToken)
	require.ErrorIs(t, b.sessions.Logout(ctx, b.db, "rt_unknown"), store.ErrNotFound)
}
