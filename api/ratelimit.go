package api

import (
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ipLimiter is a token bucket per client address, for the credential endpoints. Buckets idle
// long enough to be full again are dropped.
type ipLimiter struct {
	mu      sync.Mutex
	perMin  int
	burst   int
	buckets map[netip.Addr]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimiter(perMinute, burst int) *ipLimiter {
	return &ipLimiter{perMin: perMinute, burst: burst, buckets: map[netip.Addr]*bucket{}, swept: time.Now()}
}

// reserve takes a token for ip, or says how long to wait for one.
func (l *ipLimiter) reserve(ip netip.Addr) (bool, time.Duration) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[ip]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(l.perMin)/60), l.burst)}
		l.buckets[ip] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if delay := res.DelayFrom(now); delay > 0 {
		res.CancelAt(now)
		return false, delay
	}
	return true, 0
}

func (l *ipLimiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.reserve(clientIP(r)); !ok {
			p := newProblem(kindRateLimited, "Too many attempts from this address; try again later.")
			p.retryAfter = wait
			writeProblem(w, r, p)
			return
		}
		next.ServeHTTP(w, r)
	})
}
