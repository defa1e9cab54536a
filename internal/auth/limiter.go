package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter counts failed logins per key (an account, an address) and says
// when a key has failed too often. Only failures spend tokens, so a user who
// types the right password is never slowed down by their own success.
type Limiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	keys    map[string]*entry
	lastGC  time.Time
	maxKeys int
}

type entry struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter allows burst failures per key, refilled one per every.
func NewLimiter(burst int, every time.Duration) *Limiter {
	return &Limiter{every: every, burst: burst, keys: map[string]*entry{}, maxKeys: 100_000}
}

// Blocked reports whether key has no failures left right now, and when
// the next attempt will be allowed.
func (l *Limiter) Blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.keys[key]
	if !ok {
		return false, 0
	}
	if e.lim.TokensAt(now) >= 1 {
		return false, 0
	}
	r := e.lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return true, wait
}

// Fail spends one failure for key.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gc(now)
	e, ok := l.keys[key]
	if !ok {
		e = &entry{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.keys[key] = e
	}
	e.seen = now
	e.lim.AllowN(now, 1)
}

// gc forgets keys that have refilled completely, so that the map does not
// grow with every address that ever failed once.
func (l *Limiter) gc(now time.Time) {
	if now.Sub(l.lastGC) < time.Minute && len(l.keys) < l.maxKeys {
		return
	}
	l.lastGC = now
	full := l.every * time.Duration(l.burst)
	for k, e := range l.keys {
		if now.Sub(e.seen) > full {
			delete(l.keys, k)
		}
	}
}
