package api

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/config"
)

// limiterKeys is how many keys each in-process limiter remembers at most. A bucket with
// its key and the map's overhead takes about 150 bytes (measured), so a limiter stays near
// 5 MB however many clients or addresses it is fed; more keys than this seen within a
// bucket's idle time (30 seconds for the per-client ones, an hour or two for failed logins)
// only makes the fullest buckets be forgotten early.
const limiterKeys = 1 << 15

// evictionSample is how many buckets a full limiter looks at to choose one to forget.
const evictionSample = 8

// keyedLimiter is a token bucket per key (a client network, an account). Buckets idle long
// enough to be full again are dropped, so memory follows the keys seen recently; and at
// most maxKeys are kept: a new key beyond them displaces, of a few buckets picked at random,
// the fullest, the one whose loss gives its key least. It never refuses a key for want of
// room: a flood of new keys must not lock everyone out, and to displace a bucket that
// holds back its key (an account locked by failures) a flood must first empty as many
// buckets of its own.
type keyedLimiter[K comparable] struct {
	mu      sync.Mutex
	perSec  float64 // tokens added per second
	burst   float64
	idle    time.Duration // how long an emptied bucket takes to fill: then it is forgotten
	maxKeys int
	buckets map[K]bucket
	swept   time.Time
}

// bucket holds tokens as of a moment.
type bucket struct {
	tokens float64
	at     time.Time
}

// newKeyedLimiter allows burst events per key at once, then perHour an hour, remembering
// limiterKeys keys at most.
func newKeyedLimiter[K comparable](perHour float64, burst int) *keyedLimiter[K] {
	return &keyedLimiter[K]{perSec: perHour / 3600, burst: float64(burst),
		idle:    time.Duration(float64(burst) / perHour * float64(time.Hour)),
		maxKeys: limiterKeys, buckets: map[K]bucket{}, swept: time.Now()}
}

// take takes a token for key, or says how long to wait for one.
func (l *keyedLimiter[K]) take(key K) (ok bool, wait time.Duration) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.at) > l.idle {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxKeys {
			l.evict(now)
		}
		b = bucket{tokens: l.burst, at: now}
	}
	b = l.fill(b, now)
	if b.tokens < 1 {
		l.buckets[key] = b
		return false, time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
	}
	b.tokens--
	l.buckets[key] = b
	return true, 0
}

// giveBack returns a token taken for key: what it was taken for did not count. A bucket
// forgotten meanwhile is full already.
func (l *keyedLimiter[K]) giveBack(key K) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok {
		b = l.fill(b, now)
		b.tokens = min(l.burst, b.tokens+1)
		l.buckets[key] = b
	}
}

// fill brings a bucket up to now.
func (l *keyedLimiter[K]) fill(b bucket, now time.Time) bucket {
	return bucket{tokens: min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.perSec), at: now}
}

// evict forgets the fullest of a few buckets (map iteration starts at random); l.mu is held.
func (l *keyedLimiter[K]) evict(now time.Time) {
	var (
		victim K
		most   = -1.0
		seen   int
	)
	for k, b := range l.buckets {
		if t := l.fill(b, now).tokens; t > most {
			victim, most = k, t
		}
		if seen++; seen == evictionSample {
			break
		}
	}
	delete(l.buckets, victim)
}

// clientOf is the client an address stands for in per-client throttles: an IPv4 address
// itself, and an IPv6 address's /64, the block one subscriber is given and can pick
// addresses from at will.
func clientOf(a netip.Addr) netip.Prefix {
	return prefixOf(a, 32, 64)
}

// networkOf is the network an address belongs to when a throttle should follow where a
// person is rather than one address: an IPv4 /24, an IPv6 /64.
func networkOf(a netip.Addr) netip.Prefix {
	return prefixOf(a, 24, 64)
}

func prefixOf(a netip.Addr, v4Bits, v6Bits int) netip.Prefix {
	a = a.Unmap()
	bits := v4Bits
	if a.Is6() {
		bits = v6Bits
	}
	p, err := a.Prefix(bits)
	if err != nil { // no address: every such request shares one bucket
		return netip.Prefix{}
	}
	return p
}

// ipLimiter is a token bucket per client (clientOf), for the credential endpoints and the
// public search.
type ipLimiter struct {
	*keyedLimiter[netip.Prefix]
	detail string // what the 429 says
}

func newIPLimiter(perMinute, burst int) *ipLimiter {
	return &ipLimiter{keyedLimiter: newKeyedLimiter[netip.Prefix](float64(perMinute)*60, burst),
		detail: "Too many attempts from this address; try again later."}
}

func (l *ipLimiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.take(clientOf(clientIP(r))); !ok {
			p := newProblem(kindRateLimited, l.detail)
			p.retryAfter = wait
			writeProblem(w, r, p)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// accountKey names an account in the login throttles: a digest of its normalized email
// (whether or not an account has it, so the throttle reveals nothing), fixed in size
// whatever was typed.
type accountKey [16]byte

func accountKeyOf(email string) accountKey {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return accountKey(sum[:16])
}

// accountNetwork is one account as tried from one network (networkOf).
type accountNetwork struct {
	account accountKey
	network netip.Prefix
}

// limiters are the API's in-process throttles besides the credential endpoints' one. Each
// API process keeps its own: with n processes behind a balancer a client gets up to n
// times each budget, still a fixed bound.
type limiters struct {
	search *ipLimiter // GET /search, per client
	// verify throttles certificate checks (the API's and the page's), per client, at the
	// public search's rate.
	verify *ipLimiter
	// loginFailures throttles failed logins per account from one network, tightly;
	// loginFailuresAnywhere per account from all networks, loosely. Someone failing from
	// elsewhere thus uses up the owner's attempts only after failing from several networks,
	// while guessing from many networks stays bounded.
	loginFailures         *keyedLimiter[accountNetwork]
	loginFailuresAnywhere *keyedLimiter[accountKey]
}

func newLimiters(a config.Auth, l config.Limits) *limiters {
	search := newIPLimiter(l.SearchPerMinute, l.SearchBurst)
	search.detail = "Too many searches from this address; try again later."
	verify := newIPLimiter(l.SearchPerMinute, l.SearchBurst)
	verify.detail = "Too many certificate checks from this address; try again later."
	return &limiters{search: search, verify: verify,
		loginFailures:         newKeyedLimiter[accountNetwork](float64(a.FailuresPerHour), a.FailureBurst),
		loginFailuresAnywhere: newKeyedLimiter[accountKey](float64(a.FailuresAnywherePerHour), a.FailureAnywhereBurst)}
}

// loginAttempt takes one of an account's login attempts from client's network, or refuses
// (429 with Retry-After) while the account has used its failures there or everywhere: then
// even the right password waits, so guessing gains nothing. A successful login gives the
// attempt back. email must have been checked as an email address.
func (l *limiters) loginAttempt(email string, client netip.Addr) (succeeded func(), err error) {
	account := accountKeyOf(email)
	here := accountNetwork{account: account, network: networkOf(client)}
	refuse := func(wait time.Duration) error {
		p := newProblem(kindRateLimited, "Too many failed logins to this account; wait before trying again.")
		p.retryAfter = wait
		return p
	}
	if ok, wait := l.loginFailures.take(here); !ok {
		return nil, refuse(wait)
	}
	if ok, wait := l.loginFailuresAnywhere.take(account); !ok {
		l.loginFailures.giveBack(here)
		return nil, refuse(wait)
	}
	return func() {
		l.loginFailures.giveBack(here)
		l.loginFailuresAnywhere.giveBack(account)
	}, nil
}

// throttleLogin runs login as one of the account's login attempts from client's network
// (loginAttempt): refused while the account has used its failures, and counted as a failure
// only when login answers accounts.ErrBadCredentials.
func (l *limiters) throttleLogin(email string, client netip.Addr, login func() error) error {
	succeeded, err := l.loginAttempt(email, client)
	if err != nil {
		return err
	}
	err = login()
	if !errors.Is(err, accounts.ErrBadCredentials) {
		succeeded()
	}
	return err
}
