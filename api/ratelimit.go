package api

import (
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// keyedLimiter is a token bucket per key (a client address, an account). Buckets idle long
// enough to be full again are dropped, so memory follows the keys seen recently.
type keyedLimiter[K comparable] struct {
	mu      sync.Mutex
	perSec  float64 // tokens added per second
	burst   float64
	idle    time.Duration // how long an emptied bucket takes to fill: then it is forgotten
	buckets map[K]*bucket
	swept   time.Time
}

// bucket holds tokens as of a moment.
type bucket struct {
	tokens float64
	at     time.Time
}

// newKeyedLimiter allows burst events per key at once, then perHour an hour.
func newKeyedLimiter[K comparable](perHour float64, burst int) *keyedLimiter[K] {
	return &keyedLimiter[K]{perSec: perHour / 3600, burst: float64(burst),
		idle:    time.Duration(float64(burst) / perHour * float64(time.Hour)),
		buckets: map[K]*bucket{}, swept: time.Now()}
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
	b := l.fill(key, now)
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// giveBack returns a token taken for key: what it was taken for did not count.
func (l *keyedLimiter[K]) giveBack(key K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.fill(key, time.Now())
	b.tokens = min(l.burst, b.tokens+1)
}

// fill brings key's bucket up to now; l.mu is held.
func (l *keyedLimiter[K]) fill(key K, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.perSec)
	b.at = now
	return b
}

// ipLimiter is a token bucket per client address, for the credential endpoints and the
// public search.
type ipLimiter struct {
	*keyedLimiter[netip.Addr]
	detail string // what the 429 says
}

func newIPLimiter(perMinute, burst int) *ipLimiter {
	return &ipLimiter{keyedLimiter: newKeyedLimiter[netip.Addr](float64(perMinute)*60, burst),
		detail: "Too many attempts from this address; try again later."}
}

func (l *ipLimiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.take(clientIP(r)); !ok {
			p := newProblem(kindRateLimited, l.detail)
			p.retryAfter = wait
			writeProblem(w, r, p)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limiters are the API's in-process throttles besides the credential endpoints' one. Each
// API process keeps its own: with n processes behind a balancer a client gets up to n
// times each budget, still a fixed bound.
type limiters struct {
	search *ipLimiter // GET /search, per client address
	// loginFailures throttles failed logins per account (by normalized email, whether or
	// not an account has it, so the throttle reveals nothing), from whatever address.
	loginFailures *keyedLimiter[string]
}

func newLimiters(authFailuresPerHour, authFailureBurst, searchPerMinute, searchBurst int) *limiters {
	search := newIPLimiter(searchPerMinute, searchBurst)
	search.detail = "Too many searches from this address; try again later."
	return &limiters{search: search, loginFailures: newKeyedLimiter[string](float64(authFailuresPerHour), authFailureBurst)}
}

// loginAttempt takes one of an account's login attempts, or refuses (429 with Retry-After)
// while the account has used its failures: then even the right password waits, so guessing
// from many addresses gains nothing. A successful login gives the attempt back.
func (l *limiters) loginAttempt(email string) (succeeded func(), err error) {
	key := strings.ToLower(strings.TrimSpace(email))
	if ok, wait := l.loginFailures.take(key); !ok {
		p := newProblem(kindRateLimited, "Too many failed logins to this account; wait before trying again.")
		p.retryAfter = wait
		return nil, p
	}
	return func() { l.loginFailures.giveBack(key) }, nil
}
