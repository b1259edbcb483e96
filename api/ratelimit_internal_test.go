package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/config"
)

func testLimiters() *limiters {
	return newLimiters(config.Auth{FailuresPerHour: 10, FailureBurst: 10, FailuresAnywherePerHour: 20, FailureAnywhereBurst: 50},
		config.Limits{SearchPerMinute: 60, SearchBurst: 30})
}

func TestLoginThrottle_StaysWithinItsCapWhenFedManyDistinctEmails(t *testing.T) {
	t.Parallel()
	l := testLimiters()
	client := netip.MustParseAddr("203.0.113.5")
	victim := "victim@example.com"
	for range 10 {
		_, err := l.loginAttempt(victim, client)
		require.NoError(t, err)
	}
	_, err := l.loginAttempt(victim, client)
	require.Error(t, err, "the victim's account is locked from this network")

	for i := range 100_000 {
		_, err := l.loginAttempt(fmt.Sprintf("bogus-%d@example.com", i), client)
		require.NoError(t, err)
	}
	require.LessOrEqual(t, len(l.loginFailures.buckets), limiterKeys)
	require.LessOrEqual(t, len(l.loginFailuresAnywhere.buckets), limiterKeys)

	_, err = l.loginAttempt(victim, client)
	require.Error(t, err, "a flood of other addresses does not unlock the account: fuller buckets are forgotten first")
}

func TestLoginThrottle_KeysAreOfFixedSizeWhateverTheEmail(t *testing.T) {
	t.Parallel()
	require.Equal(t, accountKeyOf("Keeper@Example.com "), accountKeyOf("keeper@example.com"))
	require.NotEqual(t, accountKeyOf("keeper+1@example.com"), accountKeyOf("keeper@example.com"), "login names an account exactly")
}

func TestLoginThrottle_FailuresFromOneNetworkLeaveOthersTheirAttempts(t *testing.T) {
	t.Parallel()
	l := testLimiters()
	email := "owner@example.com"
	for range 10 {
		_, err := l.loginAttempt(email, netip.MustParseAddr("203.0.113.1"))
		require.NoError(t, err)
	}
	_, err := l.loginAttempt(email, netip.MustParseAddr("203.0.113.254"))
	require.Error(t, err, "the same /24")
	succeeded, err := l.loginAttempt(email, netip.MustParseAddr("198.51.100.1"))
	require.NoError(t, err, "another network")
	succeeded()

	// From every network together, the looser limit holds.
	for i := range 4 {
		for range 10 {
			_, err := l.loginAttempt(email, netip.MustParseAddr(fmt.Sprintf("192.0.%d.1", i)))
			require.NoError(t, err)
		}
	}
	_, err = l.loginAttempt(email, netip.MustParseAddr("2001:db8::1"))
	require.Error(t, err, "50 failures from all networks lock the account everywhere")
}

func TestLoginThrottle_CountsOnlyWrongCredentialsAsFailures(t *testing.T) {
	t.Parallel()
	l := testLimiters()
	email, client := "keeper@example.com", netip.MustParseAddr("203.0.113.9")
	for _, answer := range []error{nil, accounts.ErrNotMember, errors.New("database down")} {
		for range 20 {
			require.Equal(t, answer, l.throttleLogin(email, client, func() error { return answer }))
		}
	}
	for range 10 {
		require.ErrorIs(t, l.throttleLogin(email, client, func() error { return accounts.ErrBadCredentials }), accounts.ErrBadCredentials)
	}
	ran := false
	err := l.throttleLogin(email, client, func() error { ran = true; return nil })
	var p *Problem
	require.ErrorAs(t, err, &p)
	require.Equal(t, http.StatusTooManyRequests, p.Status)
	require.False(t, ran, "once the failures are used up, even the right password waits")
}

func TestIPLimiter_AddressesInOneIPv6Slash64ShareABucket(t *testing.T) {
	t.Parallel()
	l := newIPLimiter(1, 2)
	h := l.middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	from := func(addr string) int {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req = req.WithContext(context.WithValue(req.Context(), clientIPKey{}, netip.MustParseAddr(addr)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	require.Equal(t, http.StatusNoContent, from("2001:db8:0:1::1"))
	require.Equal(t, http.StatusNoContent, from("2001:db8:0:1::2"))
	require.Equal(t, http.StatusTooManyRequests, from("2001:db8:0:1:ffff:ffff:ffff:ffff"), "one /64 is one client")
	require.Equal(t, http.StatusNoContent, from("2001:db8:0:2::1"), "another /64 is another client")
	require.Equal(t, http.StatusNoContent, from("203.0.113.1"))
	require.Equal(t, http.StatusNoContent, from("203.0.113.1"))
	require.Equal(t, http.StatusNoContent, from("203.0.113.2"), "IPv4 addresses are each their own client")
	require.Equal(t, http.StatusTooManyRequests, from("::ffff:203.0.113.1"), "an IPv4-mapped address is the IPv4 address")
}

func TestIPLimiter_StaysWithinItsCapWhenFedManyClients(t *testing.T) {
	t.Parallel()
	l := newIPLimiter(20, 10)
	base := netip.MustParseAddr("2001:db8::").As16()
	for i := range 100_000 {
		a := base
		a[4], a[5], a[6], a[7] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i) // a new /64 each time
		ok, _ := l.take(clientOf(netip.AddrFrom16(a)))
		require.True(t, ok)
	}
	require.LessOrEqual(t, len(l.buckets), limiterKeys)
}
